"""Reading reminder preferences and what a reminder lists."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet

from loaportal.reminders.models import ReminderPreference, ReminderSent
from loaportal.verifications.models import VerificationRequest

if TYPE_CHECKING:
    from loaportal.accounts.models import User
    from loaportal.institutions.models import Institution

Status = VerificationRequest.Status

# The daily summary lists the requests due within this time (the queue's "Due within 3 days").
SUMMARY_WINDOW = timedelta(days=3)
# The alert goes when a request is this close to "No response".
ALERT_WINDOW = timedelta(hours=24)


def reminder_preference_of(*, user: User) -> ReminderPreference:
    """The user's saved choices, or the defaults (an unsaved row) when they never chose."""
    found = ReminderPreference.objects.filter(user=user).first()
    return found if found is not None else ReminderPreference(user=user)


def reminder_summary_requests(
    *, institution: Institution, user: User, scope: str, now: datetime
) -> QuerySet[VerificationRequest]:
    """What a daily summary lists: the DLI's requests still pending and due within 3 days
    (only those assigned to ``user`` for the scope "assigned"), soonest due first."""
    requests = VerificationRequest.objects.filter(
        institution=institution,
        status=Status.PENDING,
        due_at__gte=now,
        due_at__lte=now + SUMMARY_WINDOW,
    )
    if scope == ReminderPreference.Scope.ASSIGNED:
        requests = requests.filter(assigned_to=user)
    return requests.select_related("assigned_to").order_by("due_at", "id")


def reminder_alert_requests(
    *, institution: Institution, user: User, now: datetime
) -> QuerySet[VerificationRequest]:
    """The DLI's requests nobody has decided whose deadline is within 24 hours and about
    which ``user`` has not yet been alerted for that deadline, soonest due first."""
    alerted = ReminderSent.objects.filter(
        kind=ReminderSent.Kind.DEADLINE_ALERT,
        user=user,
        request=OuterRef("pk"),
        due_at=OuterRef("due_at"),
    )
    return (
        VerificationRequest.objects.filter(
            institution=institution,
            status=Status.PENDING,
            due_at__gte=now,
            due_at__lte=now + ALERT_WINDOW,
        )
        .exclude(Exists(alerted))
        .select_related("assigned_to")
        .order_by("due_at", "id")
    )
