"""Keeping the queue honest: re-queue what a dead worker left, purge what is finished.

``loaportal worker`` runs ``queue_maintain`` every few seconds beside the tasks, and
``outbox_purge`` every hour; ``loaportal purge_outbox`` runs the purge by hand.

Apps above this layer schedule their own jobs in the same loop with ``periodic_job_register``
(called from their ``AppConfig.ready``): the worker runs each one every ``every_seconds``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from loaportal.notifications.models import MailboxMessage, OutgoingEmail
from loaportal.notifications.tasks import enqueue_delivery

logger = logging.getLogger(__name__)

Status = OutgoingEmail.Status

# A due message is left this long to the task already queued for it before the sweep queues
# another (a duplicate task is harmless: the claim lets only one of them send).
SWEEP_GRACE = timedelta(seconds=30)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    run: Callable[[], object]
    every_seconds: float


# Jobs registered by the apps above (a hook, so that this layer imports none of them).
PERIODIC_JOBS: dict[str, PeriodicJob] = {}


def periodic_job_register(name: str, run: Callable[[], object], *, every_seconds: float) -> None:
    """Have the worker run ``run()`` every ``every_seconds`` (at most; it is skipped while the
    worker is down). Jobs must be safe to run twice and in several workers at once."""
    PERIODIC_JOBS[name] = PeriodicJob(name=name, run=run, every_seconds=every_seconds)


def tasks_reap() -> int:
    """Put back in the queue the database tasks left RUNNING by a worker that died.

    A task still RUNNING ``TASKS_RUNNING_TIMEOUT_SECONDS`` after it started is presumed
    abandoned (its worker was killed, or lost the database while it ran). Tasks must therefore
    be safe to run twice; ``deliver_email`` is (its outbox claim).
    """
    cutoff = timezone.now() - timedelta(seconds=settings.TASKS_RUNNING_TIMEOUT_SECONDS)
    reaped = DBTaskResult.objects.filter(status="RUNNING", started_at__lt=cutoff).update(
        status="READY", started_at=None
    )
    if reaped:
        logger.warning("Re-queued %s task(s) left running by a worker that stopped", reaped)
    return reaped


def outbox_sweep() -> int:
    """Queue a delivery for every message that is due and that no live worker holds: its task
    was lost (a worker killed mid-delivery, a queue that could not defer the retry, the
    database unreachable when the task ran) or it has waited past the grace period."""
    now = timezone.now()
    due = OutgoingEmail.objects.filter(
        Q(status=Status.QUEUED, next_attempt_at__lte=now - SWEEP_GRACE)
        | Q(status=Status.SENDING, lease_until__lt=now)
    ).values_list("pk", flat=True)
    count = 0
    for outbox_id in due.iterator():
        enqueue_delivery(outbox_id)
        count += 1
    if count:
        logger.info("Queued %s delivery task(s) for email(s) left waiting", count)
    return count


def queue_maintain() -> None:
    tasks_reap()
    outbox_sweep()


@dataclass(frozen=True)
class Purged:
    emails: int
    tasks: int
    mailbox: int


def outbox_purge(*, days: int | None = None) -> Purged:
    """Delete finished outbox rows, finished task rows and development-mailbox copies older
    than ``TASKS_RETENTION_DAYS`` (or ``days``)."""
    cutoff = timezone.now() - timedelta(
        days=settings.TASKS_RETENTION_DAYS if days is None else days
    )
    emails, _ = OutgoingEmail.objects.filter(
        status__in=[Status.SENT, Status.FAILED], finished_at__lt=cutoff
    ).delete()
    tasks, _ = DBTaskResult.objects.filter(
        status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff
    ).delete()
    mailbox, _ = MailboxMessage.objects.filter(sent_at__lt=cutoff).delete()
    return Purged(emails=emails, tasks=tasks, mailbox=mailbox)
