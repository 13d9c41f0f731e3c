"""Reading an uploaded spreadsheet safely, row by row, whatever the domain.

CSV: UTF-8 with or without a byte-order mark, Windows-1252 as a fallback for files saved by
older spreadsheet software; ``,``, ``;`` or tab as the delimiter, judged from the first line.
Excel ``.xlsx``: openpyxl, read-only, cached values only (a formula is never evaluated, its
last saved value is read), the first sheet; a workbook whose parts would unpack to more than
``XLSX_MAX_UNPACKED_BYTES`` is refused before it is opened (a "zip bomb"). Anything that
cannot be read raises ``SpreadsheetUnreadable``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

XLSX_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
ZIP_SIGNATURE = b"PK\x03\x04"


class SpreadsheetUnreadable(Exception):
    """The bytes are neither a readable CSV file nor a readable .xlsx workbook."""


def spreadsheet_format(content: bytes) -> str:
    """``xlsx`` for a zip container (what an .xlsx file is), else ``csv``."""
    return "xlsx" if content.startswith(ZIP_SIGNATURE) else "csv"


def cell_text(value: Any) -> str:
    """A cell as text: digits for a whole number, ISO 8601 for a date, "" for empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def header_key(value: Any) -> str:
    """A column name as compared: lower case, spaces as underscores, no byte-order mark."""
    return "_".join(str(value or "").replace("\ufeff", "").strip().lower().split())


def _decode(content: bytes) -> str:
    if b"\x00" in content:
        raise SpreadsheetUnreadable
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise SpreadsheetUnreadable from None


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
        raise SpreadsheetUnreadable from None


def _xlsx_records(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > XLSX_MAX_UNPACKED_BYTES:
                raise SpreadsheetUnreadable
        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
    except SpreadsheetUnreadable:
        raise
    except Exception:  # any failure to open an untrusted workbook means "unreadable"
        raise SpreadsheetUnreadable from None
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    except Exception:
        raise SpreadsheetUnreadable from None
    finally:
        workbook.close()


def spreadsheet_records(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cell values) for every row, the first row being 1."""
    if spreadsheet_format(content) == "xlsx":
        return _xlsx_records(content)
    return _csv_records(_decode(content))
