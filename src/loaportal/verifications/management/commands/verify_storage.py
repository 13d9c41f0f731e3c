"""``loaportal verify_storage``: every document the database names exists in the storage, and
the files no request names (orphans) are listed. Exit status 1 when a document is missing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loaportal.verifications.retention import documents_verify


class Command(BaseCommand):
    help = "Check that every document in the database exists in the storage; list orphans."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=50, help="List at most this many of each kind."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = documents_verify()
        limit = options["limit"]
        for number, name in report.missing[:limit]:
            self.stderr.write(f"missing: {name} (request {number})")
        for name in report.orphans[:limit]:
            self.stdout.write(f"orphan: {name}")
        self.stdout.write(
            f"{report.checked} document(s) checked, {len(report.missing)} missing, "
            f"{len(report.orphans)} orphan(s) (deleted by the worker's hourly sweep "
            "once an hour old)."
        )
        if report.missing:
            raise CommandError(f"{len(report.missing)} document(s) missing from the storage")
