"""Account rules: ending sessions. (Deactivating an account, which ends its DLI membership:
``institutions.services.memberships``.)"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record
from loaportal.core.exceptions import ApplicationError

if TYPE_CHECKING:
    from loaportal.accounts.models import User

MSG_ALREADY_INACTIVE = _("This account is already deactivated.")
MSG_CANNOT_DEACTIVATE_SELF = _("You cannot deactivate your own account.")


class AccountError(ApplicationError):
    code = "account_error"


def user_language_set(*, user: User, language: str) -> None:
    """Record ``language`` as the person's choice: their latest page language. Emails that
    others cause (a decision, a deactivation) are then written in it.

    One conditional UPDATE, so simultaneous requests cannot write a stale value over a newer
    one more than the order of the requests themselves does.
    """
    from loaportal.accounts.models import User

    language = (language or "")[:2]
    if language not in User.Language.values or user.preferred_language == language:
        return
    User.objects.filter(pk=user.pk).exclude(preferred_language=language).update(
        preferred_language=language
    )
    user.preferred_language = language


def user_sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """End the user's signed-in sessions at once, except ``keep_session_key`` if given.

    Sessions are tracked per user by ``allauth.usersessions`` when the person signs in;
    ending one deletes it from the session store, so the browser holding it is signed out on
    its next request. Returns how many sessions were ended.
    """
    from allauth.usersessions.models import UserSession

    ended = 0
    for session in UserSession.objects.filter(user=user).order_by("created_at"):
        if keep_session_key and session.session_key == keep_session_key:
            continue
        session.end()
        ended += 1
    return ended


def user_other_sessions_end(*, user: User, current_session_key: str) -> int:
    """The person ends all their sessions but the one they are using (OWASP ASVS 7.5.2).

    Side effects: an audit entry.
    """
    with transaction.atomic():
        ended = user_sessions_end(user=user, keep_session_key=current_session_key)
        audit_record(
            event_type=AuditEvent.Type.SESSIONS_ENDED,
            actor=user,
            target_user=user,
            institution_from=user,
            details={"sessions_ended": ended},
        )
    return ended


def sign_in_code_expired(*, user: User) -> None:
    """Someone typed a sign-in code after it expired (not counted as a wrong code).

    Side effects: a ``code_expired`` audit entry.
    """
    audit_record(
        event_type=AuditEvent.Type.CODE_EXPIRED,
        target_user=user,
        institution_from=user,
        details={"purpose": "sign_in"},
    )


def user_password_replace(*, user: User, password: str, details: dict[str, Any]) -> int:
    """Give an account a new password from outside the portal's pages (an operator's command).

    Side effects, in one transaction: the new password hash; every tracked session of the
    account ends (as after a password reset, whoever held the old password is signed out); a
    ``password_changed`` audit entry with no actor (nobody signed in did it) and ``details``
    saying how. Returns how many sessions ended. The caller validates the password.
    """
    from loaportal.accounts.models import User

    with transaction.atomic():
        locked = User.objects.select_for_update(no_key=True).get(pk=user.pk)
        locked.set_password(password)
        locked.save(update_fields=["password"])
        ended = user_sessions_end(user=locked)
        audit_record(
            event_type=AuditEvent.Type.PASSWORD_CHANGED,
            target_user=locked,
            institution_from=locked,
            details={**details, "sessions_ended": ended},
        )
    user.password = locked.password
    return ended


MSG_RESET_BY_OFFICER_ONLY = _("Only another active IRCC officer can reset a second factor.")
MSG_RESET_NOT_SELF = _("You cannot reset your own second factor.")
MSG_RESET_REASON = _("Say why the second factor is reset (for example, the ticket number).")


def user_second_factor_reset(*, user: User, reset_by: User, reason: str) -> int:
    """Remove every authenticator of ``user`` (app, security keys, recovery codes), for
    someone who lost theirs. Another active officer does it, with a reason.

    Side effects: the user's sessions end (whoever holds one signed in with the lost factor);
    an audit entry (``MFA_RESET``, with the reason and what was removed); an email to the user
    in their language. An officer must then set up a new second factor at the next sign-in
    (``accounts.mfa.officer_second_factor_gate``). Returns how many authenticators were removed.
    """
    from allauth.account.adapter import get_adapter

    from loaportal.accounts.allauth_internals import Authenticator
    from loaportal.core.roles import is_officer

    reset_by_officer = reset_by.is_active and reset_by.is_staff
    if not reset_by_officer or not is_officer(reset_by):
        raise AccountError(MSG_RESET_BY_OFFICER_ONLY, code="not_officer")
    if reset_by.pk == user.pk:
        raise AccountError(MSG_RESET_NOT_SELF, code="self")
    reason = (reason or "").strip()
    if not reason:
        raise AccountError(MSG_RESET_REASON, code="reason", field="reason")
    with transaction.atomic():
        removed = sorted(Authenticator.objects.filter(user=user).values_list("type", flat=True))
        Authenticator.objects.filter(user=user).delete()
        audit_record(
            event_type=AuditEvent.Type.MFA_RESET,
            actor=reset_by,
            target_user=user,
            institution_from=user,
            details={"reason": reason[:500], "removed": removed},
        )
        user_sessions_end(user=user)
        # Not allauth's send_notification_mail: there may be no request (a command).
        transaction.on_commit(
            lambda: get_adapter().send_mail("mfa/email/reset", user.email, {"user": user})
        )
    return len(removed)
