"""Reading an uploaded decision file, safely: CSV (UTF-8 with or without a byte-order mark,
Windows-1252 as a fallback for files saved by older spreadsheet software; ``,``, ``;`` or tab
as the delimiter) or Excel ``.xlsx`` (openpyxl, read-only, cached values only: a formula is
never evaluated, its last saved value is read).

Only the columns ``application_number``, ``outcome`` and ``comment`` are read (named in the
first row, in any order, case and spaces ignored); every other column is ignored. Blank rows
are skipped. Limits: ``DECISION_FILE_MAX_ROWS`` rows, cells cut at a length that still shows
a too-long comment as one, and an Excel file whose parts would unpack to more than
``XLSX_MAX_UNPACKED_BYTES`` is refused before it is opened (a "zip bomb").
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from loaportal.core.exceptions import ApplicationError

APPLICATION_NUMBER = "application_number"
OUTCOME = "outcome"
COMMENT = "comment"
REQUIRED_COLUMNS = (APPLICATION_NUMBER, OUTCOME)
XLSX_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# Cells are cut to these lengths (a comment one character over the limit is still an error).
CELL_LIMITS = {APPLICATION_NUMBER: 100, OUTCOME: 200, COMMENT: 2001}
ZIP_SIGNATURE = b"PK\x03\x04"


class FileUnusable(ApplicationError):
    """The file as a whole cannot be used; ``code`` is one of ``FILE_ERROR_MESSAGES``."""

    code = "unreadable"


@dataclass(frozen=True)
class ParsedRow:
    line: int
    application_number: str
    outcome: str
    comment: str


def detect_format(content: bytes) -> str:
    """``xlsx`` for a zip container (what an .xlsx file is), else ``csv``."""
    return "xlsx" if content.startswith(ZIP_SIGNATURE) else "csv"


def _header_key(value: Any) -> str:
    return "_".join(str(value or "").replace("\ufeff", "").strip().lower().split())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _rows(records: Iterable[tuple[int, list[Any]]], *, max_rows: int) -> list[ParsedRow]:
    iterator = iter(records)
    for _line, header in iterator:
        if any(_cell(v) for v in header):
            break
    else:
        raise FileUnusable("", code="empty")
    keys = [_header_key(v) for v in header]
    if any(column not in keys for column in REQUIRED_COLUMNS):
        raise FileUnusable("", code="columns")
    position = {
        column: keys.index(column) for column in (*REQUIRED_COLUMNS, COMMENT) if column in keys
    }
    parsed: list[ParsedRow] = []
    for line, values in iterator:
        cells = {
            column: _cell(values[index] if index < len(values) else None)[: CELL_LIMITS[column]]
            for column, index in position.items()
        }
        if not any(cells.values()):
            continue
        if len(parsed) >= max_rows:
            raise FileUnusable("", code="too_many_rows")
        parsed.append(
            ParsedRow(
                line=line,
                application_number=cells.get(APPLICATION_NUMBER, ""),
                outcome=cells.get(OUTCOME, ""),
                comment=cells.get(COMMENT, ""),
            )
        )
    if not parsed:
        raise FileUnusable("", code="empty")
    return parsed


def _decode(content: bytes) -> str:
    if b"\x00" in content:
        raise FileUnusable("", code="unreadable")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise FileUnusable("", code="unreadable") from None


def _delimiter(text: str) -> str:
    """The delimiter of the header row: the most frequent of ``,``, ``;`` and tab in it."""
    first = text.split("\n", 1)[0]
    counts = {delimiter: first.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_records(text: str) -> Iterator[tuple[int, list[Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for number, row in enumerate(reader, start=1):
            yield number, list(row)
    except csv.Error:
        raise FileUnusable("", code="unreadable") from None


def _xlsx_records(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > XLSX_MAX_UNPACKED_BYTES:
                raise FileUnusable("", code="unreadable")
        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
    except FileUnusable:
        raise
    except Exception:  # any failure to open an untrusted workbook means "unreadable"
        raise FileUnusable("", code="unreadable") from None
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    except FileUnusable:
        raise
    except Exception:
        raise FileUnusable("", code="unreadable") from None
    finally:
        workbook.close()


def decision_rows_read(content: bytes, *, max_rows: int) -> list[ParsedRow]:
    """The decision rows of an uploaded file; ``FileUnusable`` (code ``unreadable``,
    ``columns``, ``too_many_rows`` or ``empty``) when the file cannot be used."""
    if detect_format(content) == "xlsx":
        return _rows(_xlsx_records(content), max_rows=max_rows)
    return _rows(_csv_records(_decode(content)), max_rows=max_rows)
