"""Every django-allauth internal the portal touches, in one place.

None of these is allauth's public API (``internal`` modules, ``_private`` modules, methods and
attributes), so django-allauth is pinned to one exact version in ``pyproject.toml`` and the
portal imports them only from here. ``tests/accounts/test_allauth_internals.py`` imports each
name and checks that every private member listed in ``PRIVATE_MEMBERS`` still exists: run it
first when upgrading allauth.
"""

from allauth.account.internal.decorators import login_stage_required
from allauth.account.internal.flows.email_verification_by_code import EmailVerificationProcess
from allauth.account.internal.flows.login_by_code import LoginCodeVerificationProcess
from allauth.account.internal.flows.password_reset_by_code import (
    PASSWORD_RESET_VERIFICATION_SESSION_KEY,
    PasswordResetVerificationProcess,
)
from allauth.account.internal.stagekit import clear_login, stash_login
from allauth.account.stages import LoginByCodeStage, LoginStage, LoginStageController
from allauth.account.views._authentication_by_code import BaseConfirmAuthenticationCodeView
from allauth.core.internal import ratelimit as internal_ratelimit
from allauth.core.internal.cryptokit import compare_user_code
from allauth.core.internal.httpkit import headed_redirect_response
from allauth.core.ratelimit import RateLimited
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base import views as mfa_base_views
from allauth.mfa.base.forms import AuthenticateForm as MFAAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as MFAReauthenticateForm
from allauth.mfa.base.internal.flows import check_rate_limit as mfa_check_rate_limit
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes import views as mfa_recovery_codes_views
from allauth.mfa.stages import AuthenticateStage as MFAAuthenticateStage
from allauth.mfa.totp import views as mfa_totp_views
from allauth.mfa.totp.forms import ActivateTOTPForm as MFAActivateTOTPForm
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from allauth.mfa.utils import decrypt, is_mfa_enabled
from allauth.mfa.webauthn import views as mfa_webauthn_views
from django.http import HttpRequest

# Private members the portal overrides, calls or reads, by the class or module defining them.
PRIVATE_MEMBERS: dict[object, tuple[str, ...]] = {
    BaseConfirmAuthenticationCodeView: ("_action", "_resend_form_valid", "_verify_form_valid"),
    internal_ratelimit: ("consume", "_consume_single_rate", "clear", "get_cache_key", "get_rates"),
    MFAAuthenticateForm: ("_emit_authentication_failed",),
    mfa_base_views.AuthenticateView: ("_build_forms",),
}
# Set on the request by ``login_stage_required``: the login stage being completed.
REQUEST_LOGIN_STAGE = "_login_stage"


def login_stage_of(request: HttpRequest) -> LoginStage:
    """The login stage ``login_stage_required`` found for this request."""
    return getattr(request, REQUEST_LOGIN_STAGE)


__all__ = [
    "Authenticator",
    "DefaultMFAAdapter",
    "MFAActivateTOTPForm",
    "MFAAuthenticateForm",
    "MFAAuthenticateStage",
    "MFAReauthenticateForm",
    "compare_user_code",
    "decrypt",
    "format_hotp_value",
    "generate_totp_secret",
    "hotp_value",
    "is_mfa_enabled",
    "mfa_base_views",
    "mfa_check_rate_limit",
    "mfa_recovery_codes_views",
    "mfa_totp_views",
    "mfa_webauthn_views",
    "yield_hotp_counters_from_time",
    "PASSWORD_RESET_VERIFICATION_SESSION_KEY",
    "PRIVATE_MEMBERS",
    "REQUEST_LOGIN_STAGE",
    "BaseConfirmAuthenticationCodeView",
    "EmailVerificationProcess",
    "LoginByCodeStage",
    "LoginCodeVerificationProcess",
    "LoginStage",
    "LoginStageController",
    "PasswordResetVerificationProcess",
    "RateLimited",
    "clear_login",
    "stash_login",
    "headed_redirect_response",
    "internal_ratelimit",
    "login_stage_of",
    "login_stage_required",
]
