"""``loaportal worker``: run the background task queue (email delivery and later jobs)."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


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
            "--batch", action="store_true", help="Process what is queued, then exit."
        )

    def handle(self, *args, **options):
        backend = settings.TASKS["default"]["BACKEND"]
        if backend.startswith("django_tasks_rq."):
            call_command(
                "rqworker",
                "default",
                job_class="django_tasks_rq.backend.Job",
                burst=options["batch"],
            )
            return
        if not backend.startswith("django_tasks_db."):
            self.stdout.write(f"{backend} runs tasks without a worker; nothing to do.")
            return
        db_options = {
            "interval": options["interval"],
            "batch": options["batch"],
            "startup_delay": False,
            "reload": False,
        }
        if options["max_tasks"] is not None:
            db_options["max_tasks"] = options["max_tasks"]
        call_command("db_worker", **db_options)
