"""``loaportal import_requests FILE.csv --documents DIR``: create a batch of verification
requests, all or none. The format is kept stable (README "Verification requests")."""

from __future__ import annotations

import csv
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from loaportal.verifications.services import (
    IMPORT_COLUMNS,
    IMPORT_OPTIONAL_COLUMNS,
    ImportRowsError,
    verification_requests_import,
)


class Command(BaseCommand):
    help = (
        "Import verification requests from a UTF-8 CSV file (a BOM is accepted) whose "
        "'document' column names files in --documents. Creates every row or none; exits "
        "non-zero with one line per error (row = line of the file, then the column)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="The CSV file.")
        parser.add_argument(
            "--documents", required=True, help="The folder holding the documents it names."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        documents = Path(options["documents"])
        if not documents.is_dir():
            raise CommandError(f"--documents: {documents} is not a folder.")
        try:
            # utf-8-sig: a byte-order mark, which spreadsheet programs add, is accepted.
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                columns = [name.strip() for name in reader.fieldnames or []]
                reader.fieldnames = columns
                missing = [name for name in IMPORT_COLUMNS if name not in columns]
                unknown = [
                    name
                    for name in columns
                    if name not in IMPORT_COLUMNS and name not in IMPORT_OPTIONAL_COLUMNS
                ]
                if missing or unknown:
                    raise CommandError(
                        "The header row must name the columns "
                        + ", ".join(IMPORT_COLUMNS)
                        + " (and optionally requested_at)."
                        + (f" Missing: {', '.join(missing)}." if missing else "")
                        + (f" Unknown: {', '.join(unknown)}." if unknown else "")
                    )
                rows = list(reader)
        except FileNotFoundError:
            raise CommandError(f"{path}: no such file.") from None
        except UnicodeDecodeError as error:
            raise CommandError(f"{path}: not UTF-8 ({error}).") from None
        except csv.Error as error:
            raise CommandError(f"{path}: not a valid CSV file ({error}).") from None

        def progress(done: int, total: int) -> None:
            if total >= 200:
                self.stderr.write(f"{done}/{total} rows", ending="\r" if done < total else "\n")

        try:
            created = verification_requests_import(
                rows=rows, documents_dir=documents, progress=progress
            )
        except ImportRowsError as error:
            for line, column, message in error.errors:
                self.stderr.write(f"{path}: row {line}, column {column or '-'}: {message}")
            raise CommandError(f"{len(error.errors)} error(s); no request was created.") from None
        self.stdout.write(f"{len(created)} request(s) created.")
        sys.stdout.flush()
