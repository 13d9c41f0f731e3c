"""Forms for the DLI's requests to IRCC. Choices of users are limited to the DLI's own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from loaportal.institutions.models import Institution, Membership, UserChangeRequest
from loaportal.institutions.selectors import secondary_memberships
from loaportal.user_changes.services import MSG_EXPLANATION_REQUIRED, MSG_NEW_PRIMARY_REQUIRED

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MSG_SELECT_FROM_LIST = _("Select a secondary user of your DLI from the list.")


class MembershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.full_name} <{obj.user.email}>"


def _membership_field(label: StrOrPromise, required_message: StrOrPromise) -> MembershipChoiceField:
    return MembershipChoiceField(
        queryset=Membership.objects.none(),
        label=label,
        error_messages={"required": required_message, "invalid_choice": MSG_SELECT_FROM_LIST},
    )


class ReasonForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason for the request"),
        choices=UserChangeRequest.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the reason for the request.")},
    )
    explanation = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text=_("Required for “Other reason”. IRCC reads it to decide."),
    )

    def clean(self) -> dict[str, Any]:
        # Django's Form.clean returns ``cleaned_data`` (the stubs allow None for overrides).
        cleaned = cast(dict[str, Any], super().clean())
        if (
            cleaned.get("reason") == UserChangeRequest.Reason.OTHER
            and not cleaned.get("explanation", "").strip()
        ):
            self.add_error("explanation", MSG_EXPLANATION_REQUIRED)
        return cleaned


class RemoveUserForm(ReasonForm):
    """ "Remove a secondary user"."""

    membership = _membership_field(_("User to remove"), _("Select the user to remove."))

    field_order = ["membership", "reason", "explanation"]

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(MembershipChoiceField, self.fields["membership"])
        field.queryset = secondary_memberships(institution=institution)


class ChangePrimaryForm(ReasonForm):
    """ "Change the primary user": to an existing secondary user or to a new person by email."""

    EXISTING = "existing"
    NEW = "new"

    new_primary_kind = forms.ChoiceField(
        label=_("Who will be the new primary user?"),
        choices=[
            (EXISTING, _("A secondary user of the DLI")),
            (NEW, _("A new person, who will receive an invitation by email")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select who will be the new primary user.")},
    )
    new_primary = _membership_field(
        _("Secondary user who becomes the primary user"),
        _("Select the secondary user who will become the primary user."),
    )
    new_primary_email = forms.EmailField(
        label=_("Email address of the new person"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Only if the new primary user is not yet a user of the DLI."),
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.ca.")
        },
    )
    former_primary_outcome = forms.ChoiceField(
        label=_("After the change, you (the current primary user)"),
        choices=UserChangeRequest.FormerPrimary.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select what happens to your own account.")},
    )

    field_order = [
        "new_primary_kind",
        "new_primary",
        "new_primary_email",
        "former_primary_outcome",
        "reason",
        "explanation",
    ]

    def __init__(self, *args: Any, institution: Institution, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(MembershipChoiceField, self.fields["new_primary"])
        field.queryset = secondary_memberships(institution=institution)
        field.required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("new_primary_kind")
        if kind == self.EXISTING:
            cleaned["new_primary_email"] = ""
            if not cleaned.get("new_primary") and "new_primary" not in self.errors:
                self.add_error("new_primary", MSG_NEW_PRIMARY_REQUIRED)
        elif kind == self.NEW:
            cleaned["new_primary"] = None
            self.errors.pop("new_primary", None)
            if not cleaned.get("new_primary_email") and "new_primary_email" not in self.errors:
                self.add_error("new_primary_email", MSG_NEW_PRIMARY_REQUIRED)
        return cleaned
