"""``loaportal export_documents DIR``: every stored document into DIR (backups)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from loaportal.verifications.retention import documents_export


class Command(BaseCommand):
    help = "Copy every stored document into a folder, under its storage name (incremental)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        target: Path = options["directory"]
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        written = documents_export(to=target)
        self.stdout.write(f"{written} document(s) written to {target}.")
