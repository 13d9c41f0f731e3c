"""Files the portal gives: the DLI's pending requests (CSV and Excel) with empty ``outcome``
and ``comment`` columns to fill, and a decision file's result (CSV).

CSV is UTF-8 with a byte-order mark (so that Excel reads the accents), comma-separated. A cell
that a spreadsheet would take for a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return) is written with a leading apostrophe in CSV ("CSV injection"); in Excel
every cell is written as text, never as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from loaportal.decision_files.models import DecisionFileRow
from loaportal.verifications.models import VerificationRequest

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

# Kept stable: other tools read and write these. ``application_number``, ``outcome`` and
# ``comment`` are what an upload reads; the others help whoever fills the file.
EXPORT_COLUMNS = (
    "application_number",
    "outcome",
    "comment",
    "surname",
    "given_names",
    "date_of_birth",
    "student_id",
    "program",
    "start_date",
    "due",
)
RESULT_COLUMNS = ("row", "application_number", "outcome", "comment", "result", "message")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_safe(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _export_rows(requests: Iterable[VerificationRequest], *, zone: ZoneInfo) -> Iterable[list[str]]:
    for vr in requests:
        yield [
            vr.application_number,
            "",
            "",
            vr.surname,
            vr.given_names,
            vr.date_of_birth.isoformat(),
            vr.student_id,
            vr.program,
            vr.start_date.isoformat() if vr.start_date else "",
            timezone.localtime(vr.due_at, zone).strftime("%Y-%m-%d %H:%M"),
        ]


def pending_csv(requests: Iterable[VerificationRequest], *, zone: ZoneInfo) -> bytes:
    return _csv_bytes(EXPORT_COLUMNS, _export_rows(requests, zone=zone))


def pending_xlsx(requests: Iterable[VerificationRequest], *, zone: ZoneInfo) -> bytes:
    """An Excel workbook of the pending requests; the outcome column offers the three codes."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("requests")
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(VerificationRequest.OUTCOMES) + '"',
        allow_blank=True,
        showErrorMessage=False,
    )
    sheet.data_validations.append(validation)
    count = 0
    sheet.append(list(EXPORT_COLUMNS))
    for values in _export_rows(requests, zone=zone):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            # Text, whatever it starts with: a name such as "=cmd|…" is never a formula.
            cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
        count += 1
    if count:
        validation.add(f"B2:B{count + 1}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def result_csv(rows: Iterable[DecisionFileRow]) -> bytes:
    """Every row of a decision file with what became of it, in the current language."""

    def lines() -> Iterable[list[str]]:
        for row in rows:
            yield [
                str(row.line),
                row.application_number,
                row.outcome or row.outcome_text,
                row.comment,
                str(DecisionFileRow.Result(row.result).label),
                row.message,
            ]

    return _csv_bytes(RESULT_COLUMNS, lines())


def export_file_name(prefix: str, *, now: datetime, extension: str) -> str:
    return f"{prefix}-{timezone.localtime(now):%Y%m%d-%H%M}.{extension}"
