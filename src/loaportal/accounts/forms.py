"""Account forms: the seed's fields and labels on top of django-allauth's forms."""

from __future__ import annotations

from typing import Any

from allauth.account import forms as allauth_forms
from django import forms
from django.utils.translation import gettext_lazy as _

from loaportal.core.forms import EMAIL_ATTRS as BASE_EMAIL_ATTRS
from loaportal.core.normalize import code_strip_separators, email_normalize

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

EMAIL_ATTRS = {**BASE_EMAIL_ATTRS, "autocomplete": "email"}
CODE_ATTRS = {"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}


def normalize_digits_code(value: str) -> str:
    """Accept spaces and hyphens in what is typed or pasted (``123 456``, ``123-456``)."""
    return code_strip_separators(value)


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


def email_field() -> forms.EmailField:
    return forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs=dict(EMAIL_ATTRS)),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the correct format, like name@example.ca."),
        },
    )


class LoginForm(allauth_forms.LoginForm):
    """Sign in with email and password ("Se connecter" / "Sign in")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"] = email_field()
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

    cleaned_data: dict[str, Any]  # the form's, which this is mixed into

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
        self.fields["email"] = email_field()
        if self.email and not self.is_bound:
            self.initial.setdefault("email", self.email)
        self.order_fields(self.field_order)

    def clean_email(self) -> str:
        value = email_normalize(self.cleaned_data["email"])
        # ``self.email`` is allauth's address string (the field declared above is moved out of
        # the class by the form's metaclass).
        if self.email and value != email_normalize(self.email):  # type: ignore[arg-type]
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
        self.fields["email"] = email_field()

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
