"""Membership rules: a user's place in a DLI ends when their account is deactivated."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from loaportal.accounts.models import User
from loaportal.accounts.services import (
    MSG_ALREADY_INACTIVE,
    MSG_CANNOT_DEACTIVATE_SELF,
    AccountError,
    user_sessions_end,
)
from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record
from loaportal.core.roles import roles_forget
from loaportal.institutions.models import Membership
from loaportal.notifications.services import email_send_template


def user_deactivate(
    *,
    user: User,
    deactivated_by: User | None,
    reason: str = "",
    event_type: AuditEvent.Type = AuditEvent.Type.USER_DEACTIVATED,
    end_reason: str = Membership.EndReason.DEACTIVATED,
    details: dict[str, Any] | None = None,
) -> User:
    """Deactivate an account: its DLI membership ends, sign-in fails, its sessions end at once.

    Side effects, in one transaction: the current membership ends (``ended_at`` now,
    ``end_reason``, ``ended_by``; the row stays as the record of the DLI and role);
    ``is_active`` becomes False; every tracked session is deleted; an audit entry
    of ``event_type``; an email to the person in their language.
    Raises ``AccountError`` for an already inactive account or one's own account.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update(no_key=True).get(pk=user.pk)
        if deactivated_by is not None and deactivated_by.pk == locked.pk:
            raise AccountError(MSG_CANNOT_DEACTIVATE_SELF, code="self")
        if not locked.is_active:
            raise AccountError(MSG_ALREADY_INACTIVE, code="inactive")
        membership = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("institution")
            .current()
            .filter(user=locked)
            .first()
        )
        institution = membership.institution if membership else None
        role = membership.role if membership else ""
        if membership is not None:
            membership.ended_at = timezone.now()
            membership.end_reason = end_reason
            membership.ended_by = deactivated_by
            membership.full_clean(exclude=["user", "institution", "ended_by"])
            membership.save(update_fields=["ended_at", "end_reason", "ended_by"])
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        ended = user_sessions_end(user=locked)
        audit_record(
            event_type=event_type,
            actor=deactivated_by,
            institution=institution,
            target_user=locked,
            details={"role": role, "reason": reason, "sessions_ended": ended, **(details or {})},
        )
        email_send_template(
            to=locked.email,
            template_prefix="accounts/email/access_removed",
            context={"user": locked, "institution": institution},
            language=locked.preferred_language,
        )
    user.is_active = False
    roles_forget(user)
    return locked
