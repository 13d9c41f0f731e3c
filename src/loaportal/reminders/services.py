"""Reminders: the daily summary each user chooses, and the 24-hour alert to the primary user.

``reminders_send`` is the one entry point: the worker runs it every minute
(``RemindersConfig.ready``) and ``loaportal send_reminders`` runs it from cron. Both may run at
the same time, in several processes: each reminder is claimed by inserting its row in the
ledger (``ReminderSent``, unique per user and local day for a summary, per user, request and
deadline for an alert) in the same transaction as its email is written to the outbox, so a
reminder is emailed once or not at all.

- **Daily summary** (every current user of a DLI whose summary is on): on the first run at or
  after the chosen hour of the DLI's local day, the DLI's pending requests due within 3 days
  (or only those assigned to the user), soonest first. No email when there is nothing to say;
  the day is done either way (a later run that day sends nothing).
- **24-hour alert** (the DLI's primary user, always): the pending requests whose deadline is
  at most 24 hours away, in one email per run listing those not alerted before. A deadline
  moved by an approved extension is a new deadline: it is alerted again when it comes near.

Emails are in each user's language and name no student (application numbers and links only:
an email leaves the portal's protection).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record
from loaportal.core.exceptions import ApplicationError
from loaportal.institutions.models import Membership
from loaportal.institutions.selectors import membership_current
from loaportal.notifications.services import email_send_template
from loaportal.reminders.models import ReminderPreference, ReminderSent
from loaportal.reminders.selectors import (
    ALERT_WINDOW,
    reminder_alert_requests,
    reminder_summary_requests,
)
from loaportal.verifications.deadlines import institution_zone
from loaportal.verifications.models import VerificationRequest

if TYPE_CHECKING:
    from loaportal.accounts.models import User
    from loaportal.institutions.models import Institution

Kind = ReminderSent.Kind
Scope = ReminderPreference.Scope

# An email lists at most this many requests, then says how many more there are.
EMAIL_LIST_LIMIT = 50
# Attempts at claiming a user's alerts when another process claims some of them meanwhile.
ALERT_CLAIM_ATTEMPTS = 3
# Ledger rows are kept this long: a summary's row matters for its local day, an alert's until
# its deadline (at most 24 hours after it was sent); the rest is for looking back.
LEDGER_RETENTION = timedelta(days=7)

MSG_SCOPE_INVALID = _("Choose which requests the summary lists.")
MSG_HOUR_INVALID = _("Choose an hour of the day.")
MSG_NOT_A_MEMBER = _("Only a user of a DLI receives reminders.")


class ReminderError(ApplicationError):
    code = "reminder_error"


# --- Preferences -------------------------------------------------------------------------------


def reminder_preference_update(
    *, user: User, daily_summary: bool, scope: str, hour: int
) -> ReminderPreference:
    """Save a user's reminder choices. Side effect, when something changed: a
    ``reminder_preferences_changed`` audit entry with the choices before and after."""
    if scope not in Scope.values:
        raise ReminderError(MSG_SCOPE_INVALID, code="scope_invalid", field="scope")
    if not isinstance(hour, int) or not 0 <= hour <= 23:
        raise ReminderError(MSG_HOUR_INVALID, code="hour_invalid", field="hour")
    membership = membership_current(user)
    if membership is None or not user.is_active:
        raise ReminderError(MSG_NOT_A_MEMBER, code="not_a_member")
    with transaction.atomic():
        preference, _created = ReminderPreference.objects.select_for_update().get_or_create(
            user=user
        )
        before = _choices(preference)
        preference.daily_summary, preference.scope, preference.hour = daily_summary, scope, hour
        after = _choices(preference)
        if before == after:
            return preference
        preference.updated_at = timezone.now()
        preference.full_clean()
        preference.save()
        audit_record(
            event_type=AuditEvent.Type.REMINDER_PREFERENCES_CHANGED,
            actor=user,
            target_user=user,
            institution=membership.institution,
            subject=preference,
            details={"before": before, "after": after},
        )
    return preference


def _choices(preference: ReminderPreference) -> dict[str, Any]:
    return {
        "daily_summary": preference.daily_summary,
        "scope": preference.scope,
        "hour": preference.hour,
    }


# --- Sending -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemindersSent:
    summaries: int = 0
    alerts: int = 0
    alerted_requests: int = 0


def reminders_send(*, now: datetime | None = None) -> RemindersSent:
    """Send the daily summaries whose hour has come and the 24-hour alerts now due. Safe to run
    as often as wanted, and in several processes at once."""
    now = now or timezone.now()
    summaries = reminder_summaries_send(now=now)
    alerts, alerted = reminder_alerts_send(now=now)
    return RemindersSent(summaries=summaries, alerts=alerts, alerted_requests=alerted)


def _members(**filters: Any) -> list[Membership]:
    """Current memberships of active users, with what a reminder needs."""
    return list(
        Membership.objects.current()
        .filter(user__is_active=True, **filters)
        .select_related("user", "institution", "user__reminder_preference")
        .order_by("pk")
    )


def _preference(user: User) -> ReminderPreference:
    try:
        return user.reminder_preference
    except ReminderPreference.DoesNotExist:
        return ReminderPreference(user=user)


def reminder_summaries_send(*, now: datetime | None = None) -> int:
    """Send each user's daily summary on the first run at or after their hour (in their DLI's
    time zone) of the local day, once per local day. Returns how many emails were sent."""
    now = now or timezone.now()
    due: list[tuple[Membership, ReminderPreference, datetime]] = []
    for membership in _members():
        preference = _preference(membership.user)
        local = timezone.localtime(now, institution_zone(membership.institution))
        if preference.daily_summary and local.hour >= preference.hour:
            due.append((membership, preference, local))
    if not due:
        return 0
    done = set(
        ReminderSent.objects.filter(
            kind=Kind.DAILY_SUMMARY,
            user_id__in=[membership.user_id for membership, _pref, _local in due],
            local_date__in={local.date() for _member, _pref, local in due},
        ).values_list("user_id", "local_date")
    )
    sent = 0
    for membership, preference, local in due:
        if (membership.user_id, local.date()) in done:
            continue
        with transaction.atomic():
            requests = reminder_summary_requests(
                institution=membership.institution,
                user=membership.user,
                scope=preference.scope,
                now=now,
            )
            listed = list(requests[:EMAIL_LIST_LIMIT])
            total = len(listed) if len(listed) < EMAIL_LIST_LIMIT else requests.count()
            if not _summary_claim(
                user=membership.user, local_date=local.date(), count=total, now=now
            ):
                continue
            if not total:
                continue  # nothing to say: no email, and the day is done
            _summary_email(membership, preference, listed=listed, total=total, now=now)
            sent += 1
    return sent


def _summary_claim(*, user: User, local_date: Any, count: int, now: datetime) -> bool:
    """Take this user's summary for this local day: the ledger row's unique constraint lets
    one process insert it; another waits for that one's commit and then gets the conflict."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                kind=Kind.DAILY_SUMMARY,
                user=user,
                local_date=local_date,
                request_count=count,
                sent_at=now,
            )
    except IntegrityError:
        return False
    return True


def reminder_alerts_send(*, now: datetime | None = None) -> tuple[int, int]:
    """Email each DLI's primary user about the pending requests now within 24 hours of their
    deadline that they were not alerted about (for that deadline), one email per user per run.
    Returns (emails sent, requests alerted)."""
    now = now or timezone.now()
    institution_ids = set(
        VerificationRequest.objects.filter(
            status=VerificationRequest.Status.PENDING,
            due_at__gte=now,
            due_at__lte=now + ALERT_WINDOW,
        )
        .values_list("institution_id", flat=True)
        .distinct()
    )
    if not institution_ids:
        return 0, 0
    emails = alerted = 0
    for membership in _members(role=Membership.Role.PRIMARY, institution_id__in=institution_ids):
        with transaction.atomic():
            claimed = _alerts_claim(
                user=membership.user, institution=membership.institution, now=now
            )
            if not claimed:
                continue
            _alert_email(membership, claimed=claimed, now=now)
            emails += 1
            alerted += len(claimed)
    return emails, alerted


def _alerts_claim(
    *, user: User, institution: Institution, now: datetime
) -> list[VerificationRequest]:
    """Take the alerts this user is due: one ledger row per request and deadline. When another
    process claimed some of them first (the insert waits for its commit, then conflicts), read
    again what is left and try again."""
    for _attempt in range(ALERT_CLAIM_ATTEMPTS):
        requests = list(reminder_alert_requests(institution=institution, user=user, now=now))
        if not requests:
            return []
        try:
            with transaction.atomic():
                ReminderSent.objects.bulk_create(
                    [
                        ReminderSent(
                            kind=Kind.DEADLINE_ALERT,
                            user=user,
                            request=request,
                            due_at=request.due_at,
                            request_count=1,
                            sent_at=now,
                        )
                        for request in requests
                    ]
                )
        except IntegrityError:
            continue
        return requests
    return []


# --- Emails ------------------------------------------------------------------------------------


def _link(name: str, language: str, **kwargs: Any) -> str:
    with translation.override(language):
        return str(settings.PORTAL_URL) + reverse(name, kwargs=kwargs or None)


def _items(requests: list[VerificationRequest], language: str) -> list[dict[str, Any]]:
    return [
        {
            "application_number": request.application_number,
            "due_at": request.due_at,
            "assigned_to": request.assigned_to.full_name if request.assigned_to else "",
            "url": _link("verifications:request_detail", language, pk=request.pk),
        }
        for request in requests
    ]


def _summary_email(
    membership: Membership,
    preference: ReminderPreference,
    *,
    listed: list[VerificationRequest],
    total: int,
    now: datetime,
) -> None:
    user, institution = membership.user, membership.institution
    language = user.preferred_language
    zone = institution_zone(institution)
    local = timezone.localtime(now, zone)
    email_send_template(
        to=user.email,
        template_prefix="reminders/email/daily_summary",
        context={
            "user": user,
            "institution": institution,
            "assigned_only": preference.scope == Scope.ASSIGNED,
            "total": total,
            "items": _items(listed, language),
            "more": total - len(listed),
            "day": local.date(),
            "hour": time(preference.hour),
            "zone": zone.key,
            "queue_url": _link("verifications:queue", language) + "?tab=due_soon",
            "preferences_url": _link("reminders:preferences", language),
        },
        language=language,
    )
    audit_record(
        event_type=AuditEvent.Type.REMINDER_DAILY_SUMMARY_SENT,
        target_user=user,
        institution=institution,
        details={
            "local_date": local.date().isoformat(),
            "scope": preference.scope,
            "request_count": total,
            "application_numbers": [request.application_number for request in listed],
        },
    )


def _alert_email(
    membership: Membership, *, claimed: list[VerificationRequest], now: datetime
) -> None:
    user, institution = membership.user, membership.institution
    language = user.preferred_language
    zone = institution_zone(institution)
    listed = claimed[:EMAIL_LIST_LIMIT]
    email_send_template(
        to=user.email,
        template_prefix="reminders/email/deadline_alert",
        context={
            "user": user,
            "institution": institution,
            "total": len(claimed),
            "items": _items(listed, language),
            "more": len(claimed) - len(listed),
            "zone": zone.key,
            "queue_url": _link("verifications:queue", language) + "?tab=due_soon",
            "preferences_url": _link("reminders:preferences", language),
        },
        language=language,
    )
    audit_record(
        event_type=AuditEvent.Type.REMINDER_DEADLINE_ALERT_SENT,
        target_user=user,
        institution=institution,
        details={
            "request_count": len(claimed),
            "application_numbers": [request.application_number for request in claimed],
            "due_at": {
                request.application_number: request.due_at.isoformat() for request in claimed
            },
        },
    )


def reminders_ledger_purge(*, now: datetime | None = None) -> int:
    """Delete the ledger rows older than ``LEDGER_RETENTION``: their day or their deadline has
    passed, so no reminder can depend on them. Returns how many were deleted."""
    now = now or timezone.now()
    deleted, _by_model = ReminderSent.objects.filter(sent_at__lt=now - LEDGER_RETENTION).delete()
    return deleted
