"""Officers' forms: decide a request, onboard a DLI, send a primary invitation, deactivate."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from loaportal.core.forms import EMAIL_ATTRS
from loaportal.institutions.models import Institution, dli_number_validator

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

LANGUAGE_CHOICES = [(code, name) for code, name in settings.LANGUAGES]


def _email_field(
    label: StrOrPromise, *, required: bool = True, help_text: StrOrPromise = ""
) -> forms.EmailField:
    return forms.EmailField(
        label=label,
        required=required,
        max_length=254,
        help_text=help_text,
        widget=forms.EmailInput(attrs=dict(EMAIL_ATTRS)),
        error_messages={
            "required": _("Enter an email address."),
            "invalid": _("Enter an email address in the correct format, like name@example.ca."),
        },
    )


def _language_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Language shown first in the invitation"),
        choices=LANGUAGE_CHOICES,
        initial="fr",
        widget=forms.RadioSelect,
        help_text=_("The invitation is bilingual; this language comes first."),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the refusal"),
        max_length=2000,
        widget=forms.Textarea,
        help_text=_("The DLI sees this reason in the portal and in the decision email."),
        error_messages={"required": _("Enter the reason for the refusal. The DLI will see it.")},
    )


class OnboardForm(forms.Form):
    """Onboard a DLI and invite its primary user (same rules as ``loaportal create_dli``)."""

    dli_number = forms.CharField(
        label=_("DLI number"),
        max_length=12,
        help_text=_("The letter O followed by 11 digits, for example O19390898172."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Enter the DLI number.")},
    )
    name_en = forms.CharField(
        label=_("Name (English)"),
        max_length=255,
        error_messages={"required": _("Enter the DLI's name in English.")},
    )
    name_fr = forms.CharField(
        label=_("Name (French)"),
        max_length=255,
        required=False,
        help_text=_("Leave empty if the DLI has no French name: the English name is used."),
    )
    province = forms.ChoiceField(
        label=_("Province or territory"),
        choices=Institution.Province.choices,
        error_messages={"required": _("Select the province or territory.")},
    )
    primary_email = _email_field(
        _("Email address of the primary user"),
        help_text=_(
            "The DLI's primary representative receives the invitation code at this address."
        ),
    )
    language = _language_field()

    def clean_dli_number(self) -> str:
        value: str = self.cleaned_data["dli_number"].strip().upper()
        dli_number_validator(value)
        return value


class PrimaryInvitationForm(forms.Form):
    email = _email_field(
        _("Email address of the primary user"),
        required=False,
        help_text=_(
            "Leave empty to send a new code to the address of the pending invitation. A new "
            "invitation replaces the pending one: its code stops working."
        ),
    )
    language = _language_field()


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the deactivation"),
        max_length=2000,
        widget=forms.Textarea,
        help_text=_("Kept in the audit trail."),
        error_messages={"required": _("Enter the reason for the deactivation.")},
    )
