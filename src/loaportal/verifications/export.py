"""CSV export of verification requests: the DLI's queue and the officers' list, as filtered on
the page.

The format is kept stable (other tools read it): UTF-8 with a byte-order mark (so that
spreadsheet programs open French names correctly), a header row, and ``EXPORT_COLUMNS`` in
this order, the first nine before any other. Statuses are the codes (``pending``,
``verified_matched``, …) as of the moment the export starts, ``no_response`` from the instant
a deadline passes (``VerificationRequest.effective_status``); dates are ISO 8601
(``2004-05-17``), moments ISO 8601 with their offset, in the given zone
(``2026-12-08T23:59:59-05:00``).

The rows are streamed: read with ``values_list`` in chunks (``iterator``), never as model
instances and never one query per row, and written out a few hundred at a time, so that
50,000 requests use little memory. A cell that a spreadsheet would take for a formula (one
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from loaportal.verifications.models import VerificationRequest

Status = VerificationRequest.Status

# Kept stable: these nine first, in this order; later columns may be added after them.
EXPORT_COLUMNS: tuple[str, ...] = (
    "application_number",
    "dli_number",
    "surname",
    "given_names",
    "date_of_birth",
    "requested_at",
    "due_at",
    "status",
    "decided_at",
    "student_id",
    "program",
    "start_date",
    "loa_number",
    "campus",
    "assigned_to",
    "decided_by",
    "decision_comment",
)
# What each column reads, joins included (one query per chunk of rows).
_FIELDS: tuple[str, ...] = (
    "application_number",
    "institution__dli_number",
    "surname",
    "given_names",
    "date_of_birth",
    "requested_at",
    "due_at",
    "status",
    "decided_at",
    "student_id",
    "program",
    "start_date",
    "loa_number",
    "campus",
    "assigned_to__email",
    "decided_by__email",
    "decision_comment",
)
_STATUS = _FIELDS.index("status")
_DUE_AT = _FIELDS.index("due_at")

CHUNK_SIZE = 2000
ROWS_PER_WRITE = 500
BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """``text`` as a cell no spreadsheet runs as a formula (OWASP "CSV injection")."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: object, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return csv_safe(str(value))


def export_rows(
    requests: QuerySet[VerificationRequest], *, zone: ZoneInfo, now: datetime | None = None
) -> Iterator[bytes]:
    """The CSV file of ``requests`` (in their order), as UTF-8 pieces to stream."""
    now = now or timezone.now()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(EXPORT_COLUMNS)
    rows = requests.values_list(*_FIELDS).iterator(chunk_size=CHUNK_SIZE)
    pending = 0
    for row in rows:
        values = list(row)
        if values[_STATUS] == Status.PENDING and now > values[_DUE_AT]:
            values[_STATUS] = Status.NO_RESPONSE
        writer.writerow([_cell(value, zone) for value in values])
        pending += 1
        if pending == ROWS_PER_WRITE:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def export_filename(*, prefix: str, now: datetime, zone: ZoneInfo) -> str:
    """``verification-requests-O19390898172-2026-11-29.csv``: ASCII only, no path."""
    return f"verification-requests-{prefix}-{now.astimezone(zone):%Y-%m-%d}.csv"
