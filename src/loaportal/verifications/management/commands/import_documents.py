"""``loaportal import_documents DIR``: put the documents of a backup back into the storage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from loaportal.verifications.retention import documents_import


class Command(BaseCommand):
    help = "Put every file of a folder (export_documents) into the storage, same names."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["directory"]
        if not source.is_dir():
            raise CommandError(f"{source} is not a folder")
        written = documents_import(source=source)
        self.stdout.write(f"{written} document(s) put into the storage.")
