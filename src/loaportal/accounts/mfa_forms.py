"""Second-factor forms: allauth.mfa's, with each TOTP code accepted once (``totp_accept_once``),
a per-account limit on wrong codes, and the portal's code field (pasting, spaces, hyphens)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loaportal.accounts.allauth_internals import (
    Authenticator,
    MFAActivateTOTPForm,
    MFAAuthenticateForm,
    MFAReauthenticateForm,
    internal_ratelimit,
    mfa_check_rate_limit,
)
from loaportal.accounts.forms import CODE_ATTRS, normalize_digits_code
from loaportal.accounts.mfa import MFAAdapter, totp_accept_once, totp_matching_step

MSG_MFA_CODE_REQUIRED = _("Enter the code from your authenticator app or a recovery code.")
MSG_MFA_TOO_MANY = _(
    "Too many incorrect codes. For your security, wait a few minutes, then try again."
)
MSG_TOTP_CODE_REQUIRED = _("Enter the 6-digit code your authenticator app shows.")


class SecondFactorCodeField(forms.CharField):
    """A 6-digit authenticator code or an 8-digit recovery code; spaces and hyphens ignored."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Authenticator app code or recovery code"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("widget", forms.TextInput(attrs=dict(CODE_ATTRS)))
        kwargs.setdefault("error_messages", {"required": MSG_MFA_CODE_REQUIRED})
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return normalize_digits_code(super().to_python(value) or "")


def account_limit_consume(request: Any, user: Any) -> Any:
    """Count one second-factor try against the account, whatever the address
    (``mfa_failed_account``); the usage (rolled back after a right code), or None when the
    limit is reached. allauth counts the same tries per address (``login_failed``)."""
    return internal_ratelimit.consume(
        request, app="allauth.account", action="mfa_failed_account", key=f"user-{user.pk}"
    )


class CodeOnceMixin:
    """allauth's ``clean_code`` with a TOTP code accepted once (the authenticator's row
    locked), and the per-account limit before the per-address one."""

    user: Any
    cleaned_data: dict[str, Any]
    authenticator: Any
    _emit_authentication_failed: Any

    def clean_code(self) -> str:
        from allauth.core import context

        request = context.request
        usage = account_limit_consume(request, self.user)
        if usage is None:
            raise forms.ValidationError(MSG_MFA_TOO_MANY, code="too_many")
        clear_rate_limit = mfa_check_rate_limit(self.user)
        code: str = self.cleaned_data["code"]
        main = None
        for authenticator in Authenticator.objects.filter(user=self.user).exclude(
            type=Authenticator.Type.WEBAUTHN
        ):
            if main is None or authenticator.type == Authenticator.Type.TOTP:
                main = authenticator
            if authenticator.type == Authenticator.Type.TOTP:
                accepted = totp_accept_once(authenticator, code)
            else:
                accepted = authenticator.wrap().validate_code(code)
            if accepted:
                authenticator.user = self.user
                self.authenticator = authenticator
                clear_rate_limit()
                usage.rollback()
                return code
        if main is not None:
            self._emit_authentication_failed(main)
        raise MFAAdapter().validation_error("incorrect_code")


class AuthenticateForm(CodeOnceMixin, MFAAuthenticateForm):  # type: ignore[misc]  # allauth ships no types
    """The second factor at sign-in, after the password and the emailed code."""

    code = SecondFactorCodeField()


class ReauthenticateForm(CodeOnceMixin, MFAReauthenticateForm):  # type: ignore[misc]  # allauth ships no types
    """The second factor again, before adding or removing one."""

    code = SecondFactorCodeField()


class ActivateTOTPForm(MFAActivateTOTPForm):  # type: ignore[misc]  # allauth ships no types
    """Set up an authenticator app: the code it shows proves it holds the secret. The step of
    that code is kept (``step``) so that the same code cannot then sign in."""

    code = SecondFactorCodeField(
        label=_("Code from your authenticator app"),
        error_messages={"required": MSG_TOTP_CODE_REQUIRED},
    )

    def clean_code(self) -> str:
        code: str = super().clean_code()
        self.step = totp_matching_step(self.secret, code)
        return code
