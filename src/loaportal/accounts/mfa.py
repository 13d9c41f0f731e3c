"""The second factor (django-allauth's ``allauth.mfa``): TOTP, WebAuthn and recovery codes.

- **Optional for DLI users, required for officers.** ``officer_second_factor_gate`` (a
  ``core.access`` gate) sends an officer without an authenticator app or security key to set one
  up before any other page, the Django admin included. An officer cannot remove their last one
  (``MFAAdapter.can_delete_authenticator``); a lost one is reset by another officer
  (``loaportal reset_second_factor``, deploy/RUNBOOK.md).
- **Sign-in order**: password, then the emailed code, then the second factor when the account
  has one (``AccountAdapter.get_login_stages``).
- **Each TOTP code is accepted once**, across processes and simultaneous requests: the last
  time step used is kept on the authenticator's row and compared with the row locked
  (``totp_accept_once``). allauth's own guard is a cache entry; the database is the authority
  here, so a cache eviction or a Redis outage cannot let a code through twice.
- **Audit and email**: every authenticator added or removed, recovery codes generated or used
  and every failed attempt are in the audit trail (``on_*`` receivers, connected in
  ``AccountsConfig.ready``); the owner is emailed in their language when an authenticator is
  added or removed (OWASP ASVS 6.3.6), through the outbox (``AccountAdapter.send_mail``).

ADR 0016 records the choices.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from loaportal.accounts.allauth_internals import (
    Authenticator,
    DefaultMFAAdapter,
    compare_user_code,
    decrypt,
    format_hotp_value,
    hotp_value,
    is_mfa_enabled,
    yield_hotp_counters_from_time,
)
from loaportal.audit.context import request_ip
from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record
from loaportal.core.roles import is_officer

# The authenticators that count as a second factor (recovery codes only back them up).
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
# Pages an officer without a second factor may still open: setting one up (and the password
# check that adding one may ask for first).
SET_UP_URL_NAMES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_list_webauthn",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_generate_recovery_codes",
        "account_reauthenticate",
        "mfa_reauthenticate",
        "mfa_reauthenticate_webauthn",
    }
)
MSG_OFFICER_SET_UP = _(
    "IRCC officers must use a second factor. Set up an authenticator app or a security key to "
    "continue."
)
MFA_ERROR_MESSAGES = {
    **DefaultMFAAdapter.error_messages,
    "incorrect_code": _("This code is not correct. Check the code and type it again."),
    "cannot_delete_authenticator": _(
        "IRCC officers must keep a second factor. Add another one before you remove this one."
    ),
    "unverified_email": _("Confirm your email address before you add a second factor."),
    "cannot_generate_recovery_codes": _(
        "Set up an authenticator app or a security key before you generate recovery codes."
    ),
}


def has_second_factor(user: Any) -> bool:
    return bool(user.pk) and is_mfa_enabled(user, SECOND_FACTOR_TYPES)


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]  # allauth ships no types
    error_messages = MFA_ERROR_MESSAGES

    def get_totp_issuer(self) -> str:
        return str(settings.MFA_TOTP_ISSUER)

    def can_delete_authenticator(self, authenticator: Any) -> bool:
        """An officer keeps at least one second factor (recovery codes alone are not one)."""
        user = authenticator.user
        if not is_officer(user) or authenticator.type not in SECOND_FACTOR_TYPES:
            return True
        others = Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTOR_TYPES)
        return bool(others.exclude(pk=authenticator.pk).exists())


def officer_second_factor_gate(request: HttpRequest) -> HttpResponse | None:
    """An officer signed in without an authenticator app or security key sets one up first."""
    roles = getattr(request, "roles", None)
    if roles is None or not roles.is_officer:
        return None
    match = request.resolver_match
    if match is not None and match.url_name in SET_UP_URL_NAMES:
        return None
    if has_second_factor(request.user):
        return None
    from django.contrib import messages

    messages.warning(request, MSG_OFFICER_SET_UP)
    return redirect("mfa_index")


# --- Each TOTP code once --------------------------------------------------------------------
LAST_STEP_KEY = "last_step"


def totp_matching_step(secret: str, code: str) -> int | None:
    """The time step (within the allowed drift) whose code is ``code``, or None."""
    for step in yield_hotp_counters_from_time():
        if compare_user_code(actual=code, expected=format_hotp_value(hotp_value(secret, step))):
            return int(step)
    return None


def totp_accept_once(authenticator: Any, code: str) -> bool:
    """Whether ``code`` is the authenticator's current code and was never accepted before.

    The authenticator's row is locked while its last accepted step is compared and moved on
    (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE transactions serialise writers),
    so of two requests carrying the same code, in one process or two, one only succeeds; a
    code of an earlier step than the last accepted one is refused too.
    """
    with transaction.atomic():
        row = Authenticator.objects.select_for_update().get(pk=authenticator.pk)
        step = totp_matching_step(decrypt(row.data["secret"]), code)
        if step is None or step <= int(row.data.get(LAST_STEP_KEY, -1)):
            return False
        row.data[LAST_STEP_KEY] = step
        row.save(update_fields=["data"])
    authenticator.data = row.data
    return True


def totp_mark_step_used(authenticator: Any, step: int) -> None:
    """The code typed to set up an authenticator app cannot then be used to sign in."""
    with transaction.atomic():
        row = Authenticator.objects.select_for_update().get(pk=authenticator.pk)
        row.data[LAST_STEP_KEY] = max(step, int(row.data.get(LAST_STEP_KEY, -1)))
        row.save(update_fields=["data"])


# --- Audit (allauth.mfa's signals) ------------------------------------------------------------
def _kind(authenticator: Any) -> str:
    return str(getattr(authenticator, "type", ""))


def on_authenticator_added(
    sender: Any,
    request: HttpRequest | None = None,
    user: Any = None,
    authenticator: Any = None,
    **kwargs: Any,
) -> None:
    # Recovery codes come with the first authenticator: recorded as generated.
    generated = _kind(authenticator) == Authenticator.Type.RECOVERY_CODES
    audit_record(
        event_type=(
            AuditEvent.Type.MFA_RECOVERY_CODES_GENERATED
            if generated
            else AuditEvent.Type.MFA_AUTHENTICATOR_ADDED
        ),
        actor=user,
        target_user=user,
        institution_from=user,
        ip_address=request_ip(request),
        details={} if generated else {"kind": _kind(authenticator)},
    )


def on_authenticator_removed(
    sender: Any,
    request: HttpRequest | None = None,
    user: Any = None,
    authenticator: Any = None,
    **kwargs: Any,
) -> None:
    owner = getattr(authenticator, "user", None) or user
    audit_record(
        event_type=AuditEvent.Type.MFA_AUTHENTICATOR_REMOVED,
        actor=user,
        target_user=owner,
        institution_from=owner,
        ip_address=request_ip(request),
        details={"kind": _kind(authenticator)},
    )


def on_authenticator_reset(
    sender: Any,
    request: HttpRequest | None = None,
    user: Any = None,
    authenticator: Any = None,
    **kwargs: Any,
) -> None:
    if _kind(authenticator) == Authenticator.Type.RECOVERY_CODES:
        audit_record(
            event_type=AuditEvent.Type.MFA_RECOVERY_CODES_GENERATED,
            actor=user,
            target_user=user,
            institution_from=user,
            ip_address=request_ip(request),
        )


def on_authenticator_used(
    sender: Any,
    request: HttpRequest | None = None,
    user: Any = None,
    authenticator: Any = None,
    **kwargs: Any,
) -> None:
    if _kind(authenticator) == Authenticator.Type.RECOVERY_CODES:
        current = Authenticator.objects.get(pk=authenticator.pk)  # the code just marked used
        remaining = len(current.wrap().get_unused_codes())
        audit_record(
            event_type=AuditEvent.Type.MFA_RECOVERY_CODE_USED,
            actor=user,
            target_user=user,
            institution_from=user,
            ip_address=request_ip(request),
            details={"remaining": remaining},
        )


def on_authentication_failed(
    sender: Any,
    request: HttpRequest | None = None,
    user: Any = None,
    authenticator: Any = None,
    **kwargs: Any,
) -> None:
    audit_record(
        event_type=AuditEvent.Type.MFA_FAILED,
        target_user=user,
        institution_from=user,
        ip_address=request_ip(request),
        details={
            "kind": _kind(authenticator),
            "reauthentication": bool(kwargs.get("reauthentication")),
        },
    )


def connect_signals() -> None:
    from allauth.mfa import signals

    signals.authenticator_added.connect(on_authenticator_added, dispatch_uid="loaportal_mfa_add")
    signals.authenticator_removed.connect(
        on_authenticator_removed, dispatch_uid="loaportal_mfa_remove"
    )
    signals.authenticator_reset.connect(on_authenticator_reset, dispatch_uid="loaportal_mfa_reset")
    signals.authenticator_used.connect(on_authenticator_used, dispatch_uid="loaportal_mfa_used")
    signals.authentication_failed.connect(
        on_authentication_failed, dispatch_uid="loaportal_mfa_failed"
    )


# --- Demo data (``load_demo``, ``demo_officer_code``) -------------------------------------------
def totp_add(*, user: Any) -> str:
    """Give ``user`` an authenticator app with a new random key; the key (base32), for an app."""
    from loaportal.accounts.allauth_internals import generate_totp_secret

    secret = str(generate_totp_secret())
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": secret})
    return secret


def totp_current_code(*, user: Any) -> str | None:
    """The code the user's authenticator app shows now (demo and development only)."""
    import time

    row = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if row is None:
        return None
    step = int(time.time()) // int(settings.MFA_TOTP_PERIOD)
    return str(format_hotp_value(hotp_value(decrypt(row.data["secret"]), step)))
