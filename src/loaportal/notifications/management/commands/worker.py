"""``loaportal worker``: run the background task queue (email delivery and later jobs).

Beside the tasks, the worker keeps the queue honest (``notifications.maintenance``): every few
seconds it re-queues tasks and deliveries left behind by a worker that died, and every hour it
purges finished rows. It outlives a database outage: it logs, waits and reconnects.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, InterfaceError, connection, connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from loaportal.notifications.maintenance import (
    PERIODIC_JOBS,
    outbox_purge,
    periodic_job_claim,
    periodic_job_finished,
    queue_maintain,
)

logger = logging.getLogger("loaportal.worker")

DATABASE_ERRORS = (DatabaseError, InterfaceError)
PURGE_EVERY_SECONDS = 60 * 60
MAX_WAIT_SECONDS = 30.0


class Maintenance(threading.Thread):
    """Re-queues what dead workers left and purges finished rows, in its own connection."""

    def __init__(self, interval: float):
        super().__init__(name="loaportal-queue-maintenance", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()
        self.next_purge = 0.0
        self.next_run: dict[str, float] = {}

    def run_periodic_jobs(self) -> None:
        """The jobs other apps registered (``periodic_job_register``), each when it is due;
        one failing job does not stop the others."""
        for job in list(PERIODIC_JOBS.values()):
            if time.monotonic() < self.next_run.get(job.name, 0.0):
                continue
            self.next_run[job.name] = time.monotonic() + min(job.every_seconds, self.interval)
            # Once across every process on every machine: whoever claims the run does it.
            if not periodic_job_claim(job):
                continue
            logger.info("Scheduled job %s: running", job.name)
            try:
                job.run()
            except DATABASE_ERRORS:
                raise
            except Exception:
                logger.exception("Periodic job %s failed", job.name)
            else:
                periodic_job_finished(job)

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                queue_maintain()
                if time.monotonic() >= self.next_purge:
                    purged = outbox_purge()
                    self.next_purge = time.monotonic() + PURGE_EVERY_SECONDS
                    if purged.emails or purged.tasks or purged.mailbox:
                        logger.info("Purged finished rows: %s", purged)
                self.run_periodic_jobs()
            except DATABASE_ERRORS as exc:
                logger.warning("Queue maintenance: the database is unreachable (%s)", exc)
            except Exception:
                logger.exception("Queue maintenance failed")
            finally:
                connection.close()
            self.stopping.wait(self.interval)


class Command(BaseCommand):
    help = "Run the background task worker for the configured queue (database or Redis)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--max-tasks",
            type=int,
            default=None,
            help="Stop after this many tasks (database queue only).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds between polls of the database queue.",
        )
        parser.add_argument(
            "--maintenance-interval",
            type=float,
            default=10.0,
            help="Seconds between re-queueing what stopped workers left behind.",
        )
        parser.add_argument(
            "--batch", action="store_true", help="Process what is queued, then exit."
        )
        parser.add_argument(
            "--scheduler",
            action="store_true",
            help="Run only the queue maintenance and the scheduled jobs, no tasks (a "
            "scheduler process beside task-only workers started with --no-scheduler).",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Run only tasks: leave the maintenance and scheduled jobs to a scheduler.",
        )

    def handle(self, *args, **options):
        backend = settings.TASKS["default"]["BACKEND"]
        if not backend.startswith(("django_tasks_rq.", "django_tasks_db.")):
            self.stdout.write(f"{backend} runs tasks without a worker; nothing to do.")
            return
        if options["scheduler"]:
            # Scheduled jobs run once across every process (notifications.maintenance's
            # lease), so a scheduler beside workers that also run them is harmless.
            Maintenance(options["maintenance_interval"]).run()
            return
        if options["batch"]:
            queue_maintain()
            Maintenance(options["maintenance_interval"]).run_periodic_jobs()
        elif not options["no_scheduler"]:
            Maintenance(options["maintenance_interval"]).start()
        if backend.startswith("django_tasks_rq."):
            call_command(
                "rqworker",
                "default",
                job_class="django_tasks_rq.backend.Job",
                burst=options["batch"],
                # Runs the deferred retries (RQ's scheduled jobs).
                with_scheduler=True,
            )
            return
        self.run_database_worker(options)

    def run_database_worker(self, options) -> None:
        worker = Worker(
            queue_names=["default"],
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=options["max_tasks"],
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        wait = 1.0
        while True:
            started = time.monotonic()
            try:
                worker.run()
                return
            except DATABASE_ERRORS as exc:
                # An outage must not end the worker: nothing would restart it in production
                # before someone noticed. Wait, reconnect, carry on.
                if time.monotonic() - started > 60:
                    wait = 1.0
                logger.warning(
                    "The database is unreachable (%s); trying again in %.0f s", exc, wait
                )
                connections.close_all()
                time.sleep(wait)
                wait = min(wait * 2, MAX_WAIT_SECONDS)
