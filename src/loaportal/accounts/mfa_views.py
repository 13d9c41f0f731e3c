"""Second-factor pages (allauth.mfa's views, the portal's templates under ``templates/mfa/``).

Each view declares its access rule here. The sign-in step (``authenticate``) is public like the
emailed-code step: it is reached only with a pending sign-in (allauth's login stage). Every
other page belongs to a signed-in user; ``officer_second_factor_gate`` lets an officer without
a second factor open the set-up pages only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account import views as allauth_account_views
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from loaportal.accounts.allauth_internals import (
    clear_login,
    mfa_base_views,
    mfa_recovery_codes_views,
    mfa_totp_views,
    mfa_webauthn_views,
    stash_login,
)
from loaportal.accounts.mfa import MFAAdapter, has_second_factor, totp_mark_step_used
from loaportal.core.access import public, signed_in

MSG_MFA_SIGN_IN_AGAIN = _(
    "Too many incorrect codes. For your security, sign in again with your email address and "
    "password."
)
FAILED_ATTEMPTS_KEY = "loaportal_failed_attempts"


def _declared(rule: Callable[[Any], Any], view: Callable[..., HttpResponse]) -> Any:
    """``view`` under the portal's access rule (allauth's view functions stay untouched)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return view(request, *args, **kwargs)

    return rule(wrapper)


class AuthenticateView(mfa_base_views.AuthenticateView):  # type: ignore[misc]  # allauth ships no types
    """The third sign-in step. Wrong codes are counted for the pending sign-in too: after
    ``MFA_MAX_ATTEMPTS_PER_SIGN_IN`` it starts over from the password (besides allauth's limit
    per address and the portal's per account)."""

    def form_invalid(self, form: Any) -> HttpResponse:
        shown: HttpResponse
        if "code" in form.errors and form.has_error("code", "too_many"):
            shown = super().form_invalid(form)
            return shown
        failures = int(self.stage.state.get(FAILED_ATTEMPTS_KEY, 0)) + 1
        if failures >= settings.MFA_MAX_ATTEMPTS_PER_SIGN_IN:
            clear_login(self.request)
            messages.error(self.request, MSG_MFA_SIGN_IN_AGAIN)
            return redirect("account_login")
        self.stage.state[FAILED_ATTEMPTS_KEY] = failures
        stash_login(self.request, self.stage.login)
        shown = super().form_invalid(form)
        return shown

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["has_totp"] = self.stage.login.user.authenticator_set.filter(type="totp").exists()
        context["has_webauthn"] = self.stage.login.user.authenticator_set.filter(
            type="webauthn"
        ).exists()
        return context


class ActivateTOTPView(mfa_totp_views.ActivateTOTPView):  # type: ignore[misc]  # allauth ships no types
    def form_valid(self, form: Any) -> HttpResponse:
        response: HttpResponse = super().form_valid(form)
        step = getattr(form, "step", None)
        if step is not None:
            from loaportal.accounts.allauth_internals import Authenticator

            totp = Authenticator.objects.get(user=self.request.user, type="totp")
            totp_mark_step_used(totp, step)
        return response


class RemoveWebAuthnView(mfa_webauthn_views.RemoveWebAuthnView):  # type: ignore[misc]  # allauth ships no types
    """allauth does not ask the adapter before removing a security key: an officer's last
    second factor stays (``MFAAdapter.can_delete_authenticator``)."""

    def form_valid(self, form: Any) -> HttpResponse:
        adapter = MFAAdapter()
        if not adapter.can_delete_authenticator(self.get_object()):
            form.add_error(None, adapter.error_messages["cannot_delete_authenticator"])
            refused: HttpResponse = self.form_invalid(form)
            return refused
        response: HttpResponse = super().form_valid(form)
        return response


class IndexView(mfa_base_views.IndexView):  # type: ignore[misc]  # allauth ships no types
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["has_second_factor"] = has_second_factor(self.request.user)
        return context


index = _declared(signed_in, IndexView.as_view())
authenticate = _declared(public, AuthenticateView.as_view())
reauthenticate = _declared(signed_in, mfa_base_views.reauthenticate)
reauthenticate_password = _declared(signed_in, allauth_account_views.reauthenticate)
activate_totp = _declared(signed_in, ActivateTOTPView.as_view())
deactivate_totp = _declared(signed_in, mfa_totp_views.deactivate_totp)
view_recovery_codes = _declared(signed_in, mfa_recovery_codes_views.view_recovery_codes)
generate_recovery_codes = _declared(signed_in, mfa_recovery_codes_views.generate_recovery_codes)
download_recovery_codes = _declared(signed_in, mfa_recovery_codes_views.download_recovery_codes)
list_webauthn = _declared(signed_in, mfa_webauthn_views.list_webauthn)
add_webauthn = _declared(signed_in, mfa_webauthn_views.add_webauthn)
remove_webauthn = _declared(signed_in, RemoveWebAuthnView.as_view())
reauthenticate_webauthn = _declared(signed_in, mfa_webauthn_views.reauthenticate_webauthn)
