"""Emailed codes: the tries per pending code, the limits per account, the owner's alerts.

Every rule here holds across processes: each function runs in one transaction that locks the
pending code's row and the account's row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
IMMEDIATE transactions serialise writers), so simultaneous requests are counted one after
the other and the 4th try of a pending code is refused even if all arrive at once.

Limits (settings):
- ``ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS`` / ``ACCOUNT_PASSWORD_RESET_BY_CODE_MAX_ATTEMPTS``
  wrong tries per pending code (3), then it is abandoned;
- ``CODE_FAILURES_PER_ACCOUNT_HOUR`` wrong codes per account in the last hour (10), then
  codes for that account are refused until the oldest failure is an hour old, except from a
  browser that signed in to the account before (``accounts.devices``); reaching it emails
  the owner one alert (at most one a day) and records an audit entry;
- ``CODE_EMAILS_PER_ACCOUNT_HOUR`` code emails per account in the last hour (10).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from loaportal.accounts.models import AccountCodeEvent, CodeChallenge, User
from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record
from loaportal.notifications.services import email_send_template

WINDOW = timedelta(hours=1)
ALERT_INTERVAL = timedelta(days=1)
RETENTION = timedelta(days=1)


class CodeOutcome(enum.StrEnum):
    ACCEPTED = "accepted"  # the right code: the pending code is used up
    WRONG = "wrong"  # a wrong (or malformed) code, counted
    USED = "used"  # another request already gave the right code (a double click): nothing compared
    REFUSED = "refused"  # the pending code was abandoned (or is unknown): nothing was compared
    THROTTLED = "throttled"  # the account's limit is reached: nothing was compared


@dataclass(frozen=True)
class CodeCheck:
    outcome: CodeOutcome
    failed_attempts: int = 0
    max_attempts: int = 0

    @property
    def attempts_left(self) -> int:
        return max(self.max_attempts - self.failed_attempts, 0)


def code_challenge_open(
    *, user: User | None, purpose: CodeChallenge.Purpose, max_attempts: int
) -> CodeChallenge:
    """Start counting the tries of a new pending code (a sign-in or a password reset).

    Pending codes older than a day are deleted meanwhile (a sign-in lasts at most
    ``ACCOUNT_LOGIN_TIMEOUT``, a reset code ``ACCOUNT_PASSWORD_RESET_BY_CODE_TIMEOUT``)."""
    CodeChallenge.objects.filter(created_at__lt=timezone.now() - RETENTION).delete()
    return CodeChallenge.objects.create(user=user, purpose=purpose, max_attempts=max_attempts)


def _lock_account(user_id: int) -> None:
    """Serialise the per-account counting; drop the rows no window looks at any more.

    FOR NO KEY UPDATE, not FOR UPDATE: an audit entry naming this user, written meanwhile by
    another request that holds the audit chain's head, takes a KEY SHARE lock on the user's row;
    FOR UPDATE would wait for it while that request waits for the head we are about to take
    (a deadlock PostgreSQL answers with an error)."""
    User.objects.select_for_update(no_key=True).filter(pk=user_id).values_list(
        "pk", flat=True
    ).first()
    AccountCodeEvent.objects.filter(
        user_id=user_id, occurred_at__lt=timezone.now() - RETENTION
    ).delete()


def _count(user_id: int, kind: AccountCodeEvent.Kind, since: datetime) -> int:
    return AccountCodeEvent.objects.filter(
        user_id=user_id, kind=kind, occurred_at__gte=since
    ).count()


def code_email_allow(*, user: User, challenge_id: str | None, known_device: bool) -> bool:
    """Count one code email to ``user``; False (and nothing counted) when the account has had
    ``CODE_EMAILS_PER_ACCOUNT_HOUR`` code emails in the last hour, unless ``known_device``."""
    with transaction.atomic():
        _lock_account(user.pk)
        sent = _count(user.pk, AccountCodeEvent.Kind.CODE_SENT, timezone.now() - WINDOW)
        if not known_device and sent >= settings.CODE_EMAILS_PER_ACCOUNT_HOUR:
            return False
        AccountCodeEvent.objects.create(
            user=user, kind=AccountCodeEvent.Kind.CODE_SENT, challenge_id=challenge_id
        )
    return True


def code_challenge_check(
    *, challenge_id: str | None, entered: str | None, expected: str, known_device: bool
) -> CodeCheck:
    """Compare ``entered`` with ``expected`` for the pending code ``challenge_id``, at most
    ``max_attempts`` times whatever the concurrency.

    ``entered`` None is a malformed code: counted as a wrong try, not compared. A pending code
    already used (USED) or abandoned (REFUSED) compares nothing. When the account has had
    ``CODE_FAILURES_PER_ACCOUNT_HOUR`` wrong codes in the last hour, nothing is compared
    (THROTTLED) unless ``known_device``.

    Side effects, in one transaction: the pending code's count or status; one
    ``AccountCodeEvent`` per wrong code; when a wrong code brings the account to the limit,
    an alert (``_alert_code_failures``).
    """
    if not challenge_id:
        return CodeCheck(CodeOutcome.REFUSED)
    with transaction.atomic():
        challenge = CodeChallenge.objects.select_for_update().filter(pk=challenge_id).first()
        if challenge is not None and challenge.status == CodeChallenge.Status.USED:
            return CodeCheck(CodeOutcome.USED, challenge.failed_attempts, challenge.max_attempts)
        if challenge is None or challenge.status != CodeChallenge.Status.PENDING:
            return CodeCheck(CodeOutcome.REFUSED)
        failures = 0
        if challenge.user_id:
            _lock_account(challenge.user_id)
            failures = _count(
                challenge.user_id, AccountCodeEvent.Kind.CODE_FAILED, timezone.now() - WINDOW
            )
            if not known_device and failures >= settings.CODE_FAILURES_PER_ACCOUNT_HOUR:
                return CodeCheck(
                    CodeOutcome.THROTTLED, challenge.failed_attempts, challenge.max_attempts
                )
        if entered is not None and expected and constant_time_compare(entered, expected):
            challenge.status = CodeChallenge.Status.USED
            challenge.save(update_fields=["status"])
            return CodeCheck(
                CodeOutcome.ACCEPTED, challenge.failed_attempts, challenge.max_attempts
            )
        challenge.failed_attempts += 1
        if challenge.failed_attempts >= challenge.max_attempts:
            challenge.status = CodeChallenge.Status.ABANDONED
        challenge.save(update_fields=["failed_attempts", "status"])
        if challenge.user_id:
            AccountCodeEvent.objects.create(
                user_id=challenge.user_id,
                kind=AccountCodeEvent.Kind.CODE_FAILED,
                challenge=challenge,
            )
            if failures + 1 == settings.CODE_FAILURES_PER_ACCOUNT_HOUR:
                _alert_code_failures(
                    challenge=challenge, user_id=challenge.user_id, failures=failures + 1
                )
        return CodeCheck(CodeOutcome.WRONG, challenge.failed_attempts, challenge.max_attempts)


def _alert_once(*, user_id: int, kind: AccountCodeEvent.Kind) -> User | None:
    """The account, if no alert of ``kind`` went to it in the last day (and count this one)."""
    if _count(user_id, kind, timezone.now() - ALERT_INTERVAL):
        return None
    AccountCodeEvent.objects.create(user_id=user_id, kind=kind)
    return User.objects.get(pk=user_id)


def _alert_code_failures(*, challenge: CodeChallenge, user_id: int, failures: int) -> None:
    """The account (``challenge``'s user) reached its limit of wrong codes: tell the owner
    (once a day) and audit."""
    user = _alert_once(user_id=user_id, kind=AccountCodeEvent.Kind.ALERT_CODES)
    if user is None:
        return
    audit_record(
        event_type=AuditEvent.Type.SECURITY_ALERT,
        target_user=user,
        institution_from=user,
        details={
            "reason": "code_failures",
            "purpose": challenge.purpose,
            "failures_last_hour": failures,
        },
    )
    email_send_template(
        to=user.email,
        template_prefix="accounts/email/code_failures_alert",
        context={"user": user, "failures": failures, "purpose": challenge.purpose},
        language=user.preferred_language,
    )


def account_inactive_signin_alert(*, user: User) -> None:
    """Someone typed the right password of a deactivated account. The page says only "wrong
    email or password" (no oracle); the owner is emailed instead, at most once a day, and the
    audit trail records it."""
    with transaction.atomic():
        _lock_account(user.pk)
        if _alert_once(user_id=user.pk, kind=AccountCodeEvent.Kind.ALERT_INACTIVE) is None:
            return
        audit_record(
            event_type=AuditEvent.Type.SECURITY_ALERT,
            target_user=user,
            institution_from=user,
            details={"reason": "inactive_account_signin"},
        )
        email_send_template(
            to=user.email,
            template_prefix="accounts/email/inactive_signin_alert",
            context={"user": user},
            language=user.preferred_language,
        )
