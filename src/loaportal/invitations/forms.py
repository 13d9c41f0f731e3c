"""Invitation forms: invite a secondary user; sign up with an invitation code."""

from __future__ import annotations

import functools

import phonenumbers
from allauth.account import forms as allauth_forms
from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from loaportal.accounts.forms import PASSWORD_HELP, email_field
from loaportal.core.forms import EMAIL_ATTRS, form_add_service_error
from loaportal.core.normalize import email_normalize
from loaportal.invitations.services import InvitationError, invitation_check, invitation_sign_up

MSG_PHONE_INVALID = _(
    "Enter a valid telephone number, for example 613-555-0123 or +33 1 23 45 67 89 outside "
    "North America."
)


class InvitationForm(forms.Form):
    """ "Créer un compte d'utilisateur de l'EED" / "Create a DLI user account"."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The work email address of the person to add. It must be theirs alone."),
        widget=forms.EmailInput(attrs=dict(EMAIL_ATTRS)),
        error_messages={
            "required": _("Enter the email address of the person to add."),
            "invalid": _("Enter an email address in the correct format, like name@example.ca."),
        },
    )

    def clean_email(self) -> str:
        return email_normalize(self.cleaned_data["email"])


class SignupForm(allauth_forms.SignupForm):
    """Sign up with an invitation code ("S'inscrire" / "Sign up")."""

    # The sign-up services' argument names, as this form calls its fields (the view uses it
    # too, for an error raised while saving).
    SERVICE_FIELDS = {"code": "invitation_code"}

    invitation_code = forms.CharField(
        label=_("Invite code"),
        max_length=64,
        help_text=_("The code in your invitation email, for example K7QP-M2XD-9HTR."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
        error_messages={"required": _("Enter the invitation code from your invitation email.")},
    )
    surname = forms.CharField(
        label=_("Surname"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": _("Enter your surname.")},
    )
    given_names = forms.CharField(
        label=_("Given name(s)"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    phone_number = forms.CharField(
        label=_("Telephone number"),
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        error_messages={"required": _("Enter your telephone number.")},
    )

    field_order = [
        "invitation_code",
        "email",
        "password1",
        "surname",
        "given_names",
        "phone_number",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = None
        self.fields["email"] = email_field()
        password = self.fields["password1"]
        password.label = _("Password")
        password.help_text = PASSWORD_HELP
        password.error_messages["required"] = _("Enter a password.")
        password.widget.attrs.pop("placeholder", None)
        self.order_fields(self.field_order)

    def clean_phone_number(self) -> str:
        raw = self.cleaned_data["phone_number"]
        try:
            number = phonenumbers.parse(raw, "CA")
        except phonenumbers.NumberParseException as exc:
            raise forms.ValidationError(MSG_PHONE_INVALID, code="phone_invalid") from exc
        if not phonenumbers.is_valid_number(number):
            raise forms.ValidationError(MSG_PHONE_INVALID, code="phone_invalid")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def clean(self):
        cleaned = super().clean()
        code, email = cleaned.get("invitation_code"), cleaned.get("email")
        if code and email:
            try:
                self.invitation = invitation_check(code=code, email=email)
            except InvitationError as exc:
                form_add_service_error(self, exc, rename=self.SERVICE_FIELDS)
        return cleaned

    def fill_user(self, user) -> None:
        user.surname = self.cleaned_data["surname"].strip()
        user.given_names = self.cleaned_data.get("given_names", "").strip()
        user.phone = self.cleaned_data["phone_number"]
        user.preferred_language = (translation.get_language() or "fr")[:2]

    def save(self, request):
        """Create the user and redeem the invitation (one transaction, in the service)."""
        assert self.invitation is not None, "save() follows a valid form, which found it"
        return invitation_sign_up(
            invitation=self.invitation, create_user=functools.partial(super().save, request)
        )
