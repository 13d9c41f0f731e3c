"""``loaportal close_overdue``: record every request whose deadline has passed (once each)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from loaportal.verifications.services import verification_close_overdue


class Command(BaseCommand):
    help = (
        "Record the passage of the deadline of every pending verification request past it: "
        "status no_response, history and audit trail, once per request. The worker runs it "
        "every minute; safe to run at any time."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        recorded = verification_close_overdue()
        self.stdout.write(f"{recorded} request(s) recorded as no_response.")
