"""``loaportal send_reminders``: the daily summaries and 24-hour alerts now due, for a
deployment that drives them with cron instead of (or beside) the worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from loaportal.reminders.services import reminders_send


class Command(BaseCommand):
    help = (
        "Send the daily summaries whose hour has come and the 24-hour deadline alerts now due. "
        "Each reminder goes once, however often this runs and even beside the worker: run it "
        "every few minutes from cron (for example */5 * * * *)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = reminders_send()
        self.stdout.write(
            f"{sent.summaries} daily summary email(s), {sent.alerts} 24-hour alert email(s) "
            f"({sent.alerted_requests} request(s))."
        )
