"""Reading an uploaded decision file (``core.spreadsheets`` reads CSV or .xlsx safely).

Only the columns ``application_number``, ``outcome`` and ``comment`` are read (named in the
first row, in any order, case and spaces ignored); every other column is ignored. Blank rows
are skipped. At most ``max_rows`` rows; cells are cut at a length that still shows a too-long
comment as one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from loaportal.core import spreadsheets
from loaportal.core.exceptions import ApplicationError
from loaportal.core.spreadsheets import SpreadsheetUnreadable, cell_text, header_key

APPLICATION_NUMBER = "application_number"
OUTCOME = "outcome"
COMMENT = "comment"
REQUIRED_COLUMNS = (APPLICATION_NUMBER, OUTCOME)
# Cells are cut to these lengths (a comment one character over the limit is still an error).
CELL_LIMITS = {APPLICATION_NUMBER: 100, OUTCOME: 200, COMMENT: 2001}


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
    return spreadsheets.spreadsheet_format(content)


def _rows(records: Iterable[tuple[int, list[Any]]], *, max_rows: int) -> list[ParsedRow]:
    iterator = iter(records)
    for _line, header in iterator:
        if any(cell_text(v) for v in header):
            break
    else:
        raise FileUnusable("", code="empty")
    keys = [header_key(v) for v in header]
    if any(column not in keys for column in REQUIRED_COLUMNS):
        raise FileUnusable("", code="columns")
    position = {
        column: keys.index(column) for column in (*REQUIRED_COLUMNS, COMMENT) if column in keys
    }
    parsed: list[ParsedRow] = []
    for line, values in iterator:
        cells = {
            column: cell_text(values[index] if index < len(values) else None)[: CELL_LIMITS[column]]
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


def decision_rows_read(content: bytes, *, max_rows: int) -> list[ParsedRow]:
    """The decision rows of an uploaded file; ``FileUnusable`` (code ``unreadable``,
    ``columns``, ``too_many_rows`` or ``empty``) when the file cannot be used."""
    try:
        return _rows(spreadsheets.spreadsheet_records(content), max_rows=max_rows)
    except SpreadsheetUnreadable:
        raise FileUnusable("", code="unreadable") from None
