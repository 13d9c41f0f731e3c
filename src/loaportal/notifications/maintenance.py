"""Keeping the queue honest: re-queue what a dead worker left, purge what is finished.

``loaportal worker`` runs ``queue_maintain`` every few seconds beside the tasks, and
``outbox_purge`` every hour; ``loaportal purge_outbox`` runs the purge by hand.

Apps above this layer schedule their own jobs in the same loop with ``periodic_job_register``
(called from their ``AppConfig.ready``): each one runs every ``every_seconds``, once across all
the workers of all the machines (a claim on its ``PeriodicJobRun`` row, ADR 0011).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import DatabaseError
from django.db.models import DateTimeField, ExpressionWrapper, Q
from django.db.models.functions import Now
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from loaportal.notifications.models import MailboxMessage, OutgoingEmail, PeriodicJobRun
from loaportal.notifications.tasks import enqueue_delivery, outbox_deliver

logger = logging.getLogger(__name__)

Status = OutgoingEmail.Status

# A due message is left this long to the task already queued for it before the sweep queues
# another (a duplicate task is harmless: the claim lets only one of them send).
SWEEP_GRACE = timedelta(seconds=30)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    run: Callable[[], object]
    every_seconds: float


# Jobs registered by the apps above (a hook, so that this layer imports none of them).
PERIODIC_JOBS: dict[str, PeriodicJob] = {}


def periodic_job_register(name: str, run: Callable[[], object], *, every_seconds: float) -> None:
    """Have the workers run ``run()`` every ``every_seconds``: once per interval across every
    worker and scheduler process (``periodic_job_claim``), skipped while none runs. Jobs
    should still be safe to run twice (a run slower than its interval may overlap the next)."""
    PERIODIC_JOBS[name] = PeriodicJob(name=name, run=run, every_seconds=every_seconds)


PROCESS_NAME = f"{socket.gethostname()}:{os.getpid()}"


def periodic_job_claim(job: PeriodicJob, *, holder: str = "") -> bool:
    """Claim the next run of ``job`` for this process; False when another process (here or on
    another machine) ran it less than ``every_seconds`` ago.

    One conditional UPDATE of the job's row decides, on the database's clock (no process's
    clock decides alone): on PostgreSQL the second of two simultaneous claims waits for the
    first's row lock, then finds the condition false. A job that raises keeps its claim: it
    is tried again at its next interval, not at once by every other process.
    """
    PeriodicJobRun.objects.bulk_create(
        [PeriodicJobRun(name=job.name, next_run_at=EPOCH)], ignore_conflicts=True
    )
    now = Now()
    claimed = PeriodicJobRun.objects.filter(name=job.name, next_run_at__lte=now).update(
        next_run_at=ExpressionWrapper(
            now + timedelta(seconds=job.every_seconds), output_field=DateTimeField()
        ),
        last_started_at=now,
        holder=(holder or PROCESS_NAME)[:200],
    )
    return claimed == 1


def periodic_job_finished(job: PeriodicJob) -> None:
    PeriodicJobRun.objects.filter(name=job.name).update(last_finished_at=Now())


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
    queue_down = False
    for outbox_id in due.iterator():
        if not queue_down:
            try:
                enqueue_delivery(outbox_id)
                count += 1
                continue
            except DatabaseError:
                raise
            except Exception as exc:
                # The queue (Redis) is unreachable: deliver from here, so that sign-in codes
                # keep leaving during the outage (the outbox claim keeps it to one sending).
                logger.warning("The task queue is unreachable (%s); delivering directly", exc)
                queue_down = True
        outbox_deliver(outbox_id=outbox_id)
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
