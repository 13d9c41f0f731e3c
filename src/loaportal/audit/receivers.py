"""Audit entries for events that Django and django-allauth announce with signals.

Events the portal's own code performs (invitations, requests, removals, sign-in codes sent or
expired, terms) are recorded by the services and views that perform them.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from loaportal.audit.context import request_ip
from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record

PURPOSE_SIGN_IN = "sign_in"
PURPOSE_EMAIL_VERIFICATION = "email_verification"
PURPOSE_PASSWORD_RESET = "password_reset"  # noqa: S105 (a label, not a password)


def _user_by_email(email: str):
    if not email:
        return None
    return get_user_model().objects.filter(email__iexact=email.strip()).first()


def on_user_logged_in(sender, request=None, user=None, **kwargs) -> None:
    audit_record(
        event_type=AuditEvent.Type.SIGNIN_SUCCEEDED,
        actor=user,
        target_user=user,
        institution_from=user,
        ip_address=request_ip(request),
    )


def on_user_logged_out(sender, request=None, user=None, **kwargs) -> None:
    if user is None:
        return
    audit_record(
        event_type=AuditEvent.Type.SIGNED_OUT,
        actor=user,
        target_user=user,
        institution_from=user,
        ip_address=request_ip(request),
    )


def on_user_login_failed(sender, credentials=None, request=None, **kwargs) -> None:
    credentials = credentials or {}
    email = str(credentials.get("email") or credentials.get("username") or "")
    user = _user_by_email(email)
    audit_record(
        event_type=AuditEvent.Type.SIGNIN_FAILED,
        target_user=user,
        target_email=email,
        institution_from=user,
        ip_address=request_ip(request),
        details={"account_active": user.is_active} if user is not None else {},
    )


def on_user_signed_up(sender, request=None, user=None, **kwargs) -> None:
    audit_record(
        event_type=AuditEvent.Type.SIGNED_UP,
        actor=user,
        target_user=user,
        institution_from=user,
        ip_address=request_ip(request),
    )


def on_email_confirmed(sender, request=None, email_address=None, **kwargs) -> None:
    user = getattr(email_address, "user", None)
    audit_record(
        event_type=AuditEvent.Type.EMAIL_CONFIRMED,
        actor=user,
        target_user=user,
        target_email=getattr(email_address, "email", ""),
        institution_from=user,
        ip_address=request_ip(request),
    )


def on_email_confirmation_sent(
    sender, request=None, confirmation=None, signup=False, **kwargs
) -> None:
    user = getattr(confirmation, "user", None)
    email = getattr(confirmation, "email", "")
    address = getattr(confirmation, "email_address", None)
    if user is None and address is not None:
        user = address.user
        email = email or address.email
    audit_record(
        event_type=AuditEvent.Type.CODE_SENT,
        target_user=user,
        target_email=email or "",
        institution_from=user,
        ip_address=request_ip(request),
        details={"purpose": PURPOSE_EMAIL_VERIFICATION, "signup": bool(signup)},
    )


def _code_rejected(purpose: str):
    def receiver(sender, request=None, user=None, last_attempt=False, **kwargs) -> None:
        audit_record(
            event_type=AuditEvent.Type.CODE_FAILED,
            target_user=user,
            institution_from=user,
            ip_address=request_ip(request),
            details={"purpose": purpose, "last_attempt": bool(last_attempt)},
        )

    return receiver


def _password_event(event_type):
    def receiver(sender, request=None, user=None, **kwargs) -> None:
        audit_record(
            event_type=event_type,
            actor=user,
            target_user=user,
            institution_from=user,
            ip_address=request_ip(request),
        )

    return receiver


on_password_changed = _password_event(AuditEvent.Type.PASSWORD_CHANGED)
on_password_reset = _password_event(AuditEvent.Type.PASSWORD_RESET)
on_login_code_rejected = _code_rejected(PURPOSE_SIGN_IN)
on_email_verification_code_rejected = _code_rejected(PURPOSE_EMAIL_VERIFICATION)
on_password_reset_code_rejected = _code_rejected(PURPOSE_PASSWORD_RESET)


def connect() -> None:
    from allauth.account import signals as account_signals
    from django.contrib.auth import signals as auth_signals

    auth_signals.user_logged_in.connect(on_user_logged_in, dispatch_uid="audit_logged_in")
    auth_signals.user_logged_out.connect(on_user_logged_out, dispatch_uid="audit_logged_out")
    auth_signals.user_login_failed.connect(on_user_login_failed, dispatch_uid="audit_login_failed")
    account_signals.user_signed_up.connect(on_user_signed_up, dispatch_uid="audit_signed_up")
    account_signals.email_confirmed.connect(
        on_email_confirmed, dispatch_uid="audit_email_confirmed"
    )
    account_signals.email_confirmation_sent.connect(
        on_email_confirmation_sent, dispatch_uid="audit_email_confirmation_sent"
    )
    account_signals.login_code_rejected.connect(
        on_login_code_rejected, dispatch_uid="audit_login_code_rejected"
    )
    account_signals.email_verification_code_rejected.connect(
        on_email_verification_code_rejected, dispatch_uid="audit_email_code_rejected"
    )
    account_signals.password_changed.connect(
        on_password_changed, dispatch_uid="audit_password_changed"
    )
    account_signals.password_reset.connect(on_password_reset, dispatch_uid="audit_password_reset")
    account_signals.password_reset_code_rejected.connect(
        on_password_reset_code_rejected, dispatch_uid="audit_password_reset_code_rejected"
    )
