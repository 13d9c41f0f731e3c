"""Forms of the extension and correction requests. They check the shape; the services check
the rules (the request's state, the DLI, one open request, 30 days in all)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loaportal.amendments.models import EXTENSION_MAX_DAYS, CorrectionRequest, ExtensionRequest
from loaportal.amendments.services import (
    MSG_DAYS_INVALID,
    MSG_EXPLANATION_REQUIRED,
    MSG_GROUND_INVALID,
    MSG_OUTCOME_INVALID,
    MSG_REASON_REQUIRED,
)
from loaportal.verifications.models import VerificationRequest

DAYS_ERRORS = {
    "required": MSG_DAYS_INVALID,
    "invalid": MSG_DAYS_INVALID,
    "min_value": MSG_DAYS_INVALID,
    "max_value": MSG_DAYS_INVALID,
}
GROUND_ERRORS = {"required": MSG_GROUND_INVALID, "invalid_choice": MSG_GROUND_INVALID}


def _explanation_field() -> forms.CharField:
    return forms.CharField(
        label=_("Explanation"),
        max_length=2000,
        widget=forms.Textarea,
        help_text=_("What happened and how it prevents or changes the verification."),
        error_messages={"required": MSG_EXPLANATION_REQUIRED},
    )


class ExtensionRequestForm(forms.Form):
    """ "Request an extension"."""

    days = forms.IntegerField(
        label=_("Number of days requested"),
        min_value=1,
        max_value=EXTENSION_MAX_DAYS,
        help_text=_("From 1 to 30 calendar days, added to the current deadline."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages=DAYS_ERRORS,
    )
    ground = forms.ChoiceField(
        label=_("Ground for the extension"),
        choices=ExtensionRequest.Ground.choices,
        widget=forms.RadioSelect,
        error_messages=GROUND_ERRORS,
    )
    explanation = _explanation_field()


class CorrectionRequestForm(forms.Form):
    """ "Request a correction": the outcomes offered are those the current one may become."""

    outcome = forms.ChoiceField(
        label=_("The result should become"),
        choices=(),
        widget=forms.RadioSelect,
        error_messages={"required": MSG_OUTCOME_INVALID, "invalid_choice": MSG_OUTCOME_INVALID},
    )
    ground = forms.ChoiceField(
        label=_("Ground for the correction"),
        choices=CorrectionRequest.Ground.choices,
        widget=forms.RadioSelect,
        error_messages=GROUND_ERRORS,
    )
    explanation = _explanation_field()

    def __init__(self, *args: Any, current_outcome: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = VerificationRequest.CORRECTIONS.get(current_outcome, frozenset())
        field = self.fields["outcome"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (str(value), str(label))
            for value, label in VerificationRequest.Status.choices
            if value in allowed
        ]


class ExtensionApproveForm(forms.Form):
    """An officer's approval: the days granted (by default those asked) and an optional note."""

    days = forms.IntegerField(
        label=_("Number of days granted"),
        min_value=1,
        max_value=EXTENSION_MAX_DAYS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages=DAYS_ERRORS,
    )
    reason = forms.CharField(
        label=_("Note to the DLI (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text=_("For example why fewer days are granted than asked for."),
    )

    def __init__(self, *args: Any, days_requested: int, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"days": days_requested})
        super().__init__(*args, **kwargs)
        field = self.fields["days"]
        field.help_text = _("At most the %(days)s day(s) asked for.") % {"days": days_requested}


class ApproveForm(forms.Form):
    """An officer's approval of a correction, with an optional note."""

    reason = forms.CharField(
        label=_("Note to the DLI (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea,
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the refusal"),
        max_length=2000,
        widget=forms.Textarea,
        help_text=_("The DLI sees this reason in the portal and in the decision email."),
        error_messages={"required": MSG_REASON_REQUIRED},
    )
