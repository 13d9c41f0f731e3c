"""Account forms: the seed's fields and labels on top of django-allauth's forms."""

from __future__ import annotations

import phonenumbers
from allauth.account import forms as allauth_forms
from django import forms
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from loaportal.invitations.services import InvitationError, invitation_check, invitation_redeem

MSG_PHONE_INVALID = _(
    "Enter a valid telephone number, for example 613-555-0123 or +33 1 23 45 67 89 outside "
    "North America."
)
MSG_EMAIL_NOT_SIGNED_UP = _("Enter the email address you signed up with.")
MSG_CODE_EXPIRED = _(
    "This verification code has expired: a code is valid for %(validity)s. Select “Request a "
    "new code” to receive a new one."
)
MSG_CODE_FORMAT = _("A verification code is 6 digits, for example 123456.")
MSG_TOO_MANY_CODES = _(
    "Too many incorrect codes. For your security, sign in again with your email address and "
    "password."
)
PASSWORD_HELP = _(
    "At least 15 characters. A phrase of several unrelated words is easy to remember and "
    "hard to guess. No other rules: spaces and any characters are allowed."
)

EMAIL_ATTRS = {"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}
CODE_ATTRS = {"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}


def normalize_digits_code(value: str) -> str:
    """Accept spaces and hyphens in what is typed or pasted (``123 456``, ``123-456``)."""
    return "".join(ch for ch in value if ch not in " -\t\u00a0\u2010\u2011\u2012\u2013")


class VerificationCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Verification code"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs=dict(CODE_ATTRS)))
        kwargs.setdefault("error_messages", {"required": _("Enter the verification code.")})
        super().__init__(**kwargs)

    def to_python(self, value):
        value = normalize_digits_code(super().to_python(value) or "")
        return value

    def validate(self, value):
        super().validate(value)
        if value and not (value.isdigit() and len(value) == 6):
            raise forms.ValidationError(MSG_CODE_FORMAT, code="code_format")


def _email_field() -> forms.EmailField:
    return forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs=dict(EMAIL_ATTRS)),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the correct format, like name@example.ca."),
        },
    )


class SignupForm(allauth_forms.SignupForm):
    """Sign up with an invitation code ("S'inscrire" / "Sign up")."""

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
        self.fields["email"] = _email_field()
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
                self.add_error(exc.field or "invitation_code", exc.message)
        return cleaned

    def fill_user(self, user) -> None:
        user.surname = self.cleaned_data["surname"].strip()
        user.given_names = self.cleaned_data.get("given_names", "").strip()
        user.phone = self.cleaned_data["phone_number"]
        user.preferred_language = (translation.get_language() or "fr")[:2]

    def save(self, request):
        """Create the user and redeem the invitation in one transaction."""
        with transaction.atomic():
            user = super().save(request)
            invitation_redeem(invitation=self.invitation, user=user)
        return user


class LoginForm(allauth_forms.LoginForm):
    """Sign in with email and password ("Se connecter" / "Sign in")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"] = _email_field()
        self.fields["login"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].label = _("Password")
        self.fields["password"].help_text = ""
        self.fields["password"].error_messages["required"] = _("Enter your password.")
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields.pop("remember", None)


class ServerComparedCodeMixin:
    """The form checks the code's format only: the view compares it with
    ``accounts.codes.code_challenge_check``, which counts the try with the pending code's row
    locked (a comparison here would be a try nobody counted)."""

    def clean_code(self) -> str:
        return self.cleaned_data["code"]


class ConfirmLoginCodeForm(ServerComparedCodeMixin, allauth_forms.ConfirmLoginCodeForm):
    """The code emailed at each sign-in ("Valider le code" / "Validate code")."""

    code = VerificationCodeField()


class ConfirmEmailCodeForm(allauth_forms.ConfirmEmailVerificationCodeForm):
    """Confirm sign-up: email address and the verification code ("Confirmez" / "Confirm")."""

    email = forms.EmailField()  # replaced in __init__ (label and attributes)
    code = VerificationCodeField()

    field_order = ["email", "code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"] = _email_field()
        if self.email and not self.is_bound:
            self.initial.setdefault("email", self.email)
        self.order_fields(self.field_order)

    def clean_email(self) -> str:
        value = self.cleaned_data["email"].strip().lower()
        if self.email and value != self.email.lower():
            raise forms.ValidationError(MSG_EMAIL_NOT_SIGNED_UP, code="email_mismatch")
        return value


def _new_password_field(field: forms.Field, label) -> forms.Field:
    """One password field, no retype: the show-password control replaces the second field."""
    field.label = label
    field.help_text = PASSWORD_HELP
    field.error_messages["required"] = _("Enter a password.")
    field.widget.attrs.pop("placeholder", None)
    return field


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    """Forgotten password, step 1: the email address a code is sent to."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"] = _email_field()

    def save(self, request, **kwargs) -> str:
        # The portal's process: tries and code emails counted on the server (accounts.stages).
        from loaportal.accounts.stages import CountedPasswordResetProcess

        email = self.cleaned_data["email"]
        CountedPasswordResetProcess.initiate(
            request=request, user=self.users[0] if self.users else None, email=email
        )
        return email


class ConfirmPasswordResetCodeForm(
    ServerComparedCodeMixin, allauth_forms.ConfirmPasswordResetCodeForm
):
    """Forgotten password, step 2: the emailed code."""

    code = VerificationCodeField()


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    """Forgotten password, step 3: the new password."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("password2", None)
        _new_password_field(self.fields["password1"], _("New password"))


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    """A signed-in user changes their password."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("password2", None)
        current = self.fields["oldpassword"]
        current.label = _("Current password")
        current.help_text = ""
        current.error_messages["required"] = _("Enter your current password.")
        current.widget.attrs.pop("placeholder", None)
        _new_password_field(self.fields["password1"], _("New password"))
