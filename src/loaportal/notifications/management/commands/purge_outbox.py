"""``loaportal purge_outbox``: delete finished emails and task rows past their retention.

The worker runs the same purge every hour; this command is for a schedule of your own (cron)
or a one-off clean-up.
"""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from loaportal.notifications.maintenance import outbox_purge


class Command(BaseCommand):
    help = (
        "Delete delivered or abandoned emails, finished task rows and development-mailbox "
        "copies older than TASKS_RETENTION_DAYS."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="Keep this many days instead of the setting."
        )

    def handle(self, *args: Any, days: int | None = None, **options: Any) -> None:
        purged = outbox_purge(days=days)
        self.stdout.write(
            f"Deleted {purged.emails} email(s), {purged.tasks} task row(s) and "
            f"{purged.mailbox} mailbox message(s)."
        )
