"""Account rules: ending sessions. (Deactivating an account, which ends its DLI membership:
``institutions.services.memberships``.)"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
