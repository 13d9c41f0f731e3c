"""``loaportal recount_statuses [--repair]``: check the DLIs' counts of requests by status
(the queue's "Decided" and "No response" tabs) against a fresh count; repair them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loaportal.verifications.selectors import verification_status_counts_differences
from loaportal.verifications.services import verification_status_counts_repair


class Command(BaseCommand):
    help = (
        "Compare each DLI's stored counts of requests by closed status (ADR 0019) with a fresh "
        "count of its requests and list the DLIs where they differ; exits with status 1 if any "
        "do. With --repair, replace the counts with the fresh count and record one audit entry "
        "per DLI corrected. Safe to run at any time; on PostgreSQL, --repair holds writes to "
        "the requests for the seconds the count takes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--repair",
            action="store_true",
            help="Replace the counts that differ (audited). Without it nothing is written.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["repair"]:
            differences = verification_status_counts_repair()
        else:
            differences = verification_status_counts_differences()
        for institution_id, (stored, counted) in differences.items():
            changed = ", ".join(
                f"{status} {stored[status]} -> {counted[status]}"
                for status in stored
                if stored[status] != counted[status]
            )
            self.stdout.write(f"DLI {institution_id}: {changed}")
        if not differences:
            self.stdout.write("The counts of requests by status are exact.")
        elif options["repair"]:
            self.stdout.write(f"{len(differences)} DLI(s) corrected.")
        else:
            raise CommandError(
                f"{len(differences)} DLI(s) with wrong counts: run with --repair to correct them."
            )
