"""What the notifications app tells ``/readyz`` and ``/metrics`` (``core.health``): the queue's
depth, the age of the oldest email waiting, emails by status. Registered by
``NotificationsConfig.ready``."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Min
from django.utils import timezone

from loaportal.core.health import Sample, metric_register, readiness_check_register
from loaportal.notifications.models import OutgoingEmail

Status = OutgoingEmail.Status
WAITING = [Status.QUEUED, Status.SENDING]


def queue_state() -> dict[str, float]:
    """Emails waiting to leave (queued or being sent) and how long the oldest has waited, in
    seconds (0 when none waits)."""
    found = OutgoingEmail.objects.filter(status__in=WAITING).aggregate(
        depth=Count("pk"), oldest=Min("created_at")
    )
    oldest = found["oldest"]
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    return {"depth": float(found["depth"]), "oldest_email_age_seconds": round(age, 1)}


def _queue_depth() -> Iterable[Sample]:
    yield Sample({}, queue_state()["depth"])


def _oldest_age() -> Iterable[Sample]:
    yield Sample({}, queue_state()["oldest_email_age_seconds"])


def _emails_by_status() -> Iterable[Sample]:
    counts = dict(
        OutgoingEmail.objects.values_list("status").annotate(n=Count("pk")).order_by("status")
    )
    for status in Status.values:
        yield Sample({"status": str(status)}, float(counts.get(status, 0)))


def register() -> None:
    readiness_check_register("queue", queue_state, critical=False)
    metric_register(
        "loaportal_email_queue_depth",
        "Emails waiting to be sent (queued or sending).",
        _queue_depth,
    )
    metric_register(
        "loaportal_email_oldest_waiting_seconds",
        "Age of the oldest email waiting to be sent, in seconds.",
        _oldest_age,
    )
    metric_register(
        "loaportal_emails",
        "Emails in the outbox by status: sent and failed (abandoned) ones are kept "
        "TASKS_RETENTION_DAYS.",
        _emails_by_status,
    )
