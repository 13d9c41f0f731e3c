"""``loaportal purge_documents``: the retention rule by hand (the worker runs it daily)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from loaportal.verifications.retention import retention_cutoff, verification_documents_purge


class Command(BaseCommand):
    help = (
        "Delete the documents of requests closed more than DOCUMENT_RETENTION_YEARS ago; "
        "the requests and their decisions stay."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", type=int, default=None)
        parser.add_argument("--dry-run", action="store_true", help="Only count them.")

    def handle(self, *args: Any, **options: Any) -> None:
        years = (
            options["years"] if options["years"] is not None else settings.DOCUMENT_RETENTION_YEARS
        )
        count = verification_documents_purge(years=years, dry_run=options["dry_run"])
        verb = "would be deleted" if options["dry_run"] else "deleted"
        cutoff = retention_cutoff(years=years)
        self.stdout.write(
            f"{count} document(s) of requests closed before {cutoff:%Y-%m-%d} {verb}."
        )
