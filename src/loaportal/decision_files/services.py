"""Decisions by file: upload, check (the preview), confirm, record.

Nothing is decided before the member confirms. Checking and recording run in the worker
(``decision_files.tasks``), so the work goes on when the browser is closed; the page follows it
through the file's counters. Recording decides the rows with
``verifications.services.verification_decide_many``, the batched form of the web form's
``verification_decide`` with the same rules, a thousand rows per transaction: the deadline is
checked again at that moment, a decision is final and made once, a "not verified" outcome
needs a comment, and only a current user of the request's DLI may decide. Each row is
recorded or refused on its own: one refusal does not stop the others.

Isolation: the check reads other DLIs' requests only to say "not a request of your DLI"; a row
names (``DecisionFileRow.request``) only a request of the file's own DLI, and recording decides
only those, as the user who confirmed, whose membership the service checks again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record
from loaportal.core.bulk import rows_insert
from loaportal.core.exceptions import ApplicationError
from loaportal.decision_files.models import DecisionFile, DecisionFileRow
from loaportal.decision_files.outcomes import outcome_from_text
from loaportal.decision_files.parsing import (
    FileUnusable,
    ParsedRow,
    decision_rows_read,
    detect_format,
)
from loaportal.institutions.selectors import membership_current
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import (
    COMMENT_MAX_LENGTH,
    AlreadyDecided,
    Decision,
    DecisionReport,
    PastDeadline,
    application_number_normalize,
    verification_decide_many,
)

if TYPE_CHECKING:
    from loaportal.accounts.models import User
    from loaportal.institutions.models import Institution

Status = DecisionFile.Status
Result = DecisionFileRow.Result

ACCEPTED_EXTENSIONS = (".csv", ".txt", ".xlsx")
# Rows written (and counted on the progress bar) per batch.
CHECK_BATCH = 1000
RECORD_BATCH = 1000
LOOKUP_BATCH = 900

MSG_NOT_A_MEMBER = _("Only a user of a DLI can upload its decisions.")
MSG_FILE_TOO_LARGE = _("The file is larger than %(limit)s MB.")
MSG_FILE_TYPE = _("Choose a CSV file (.csv) or an Excel file (.xlsx).")
MSG_FILE_EMPTY = _("The file is empty.")
MSG_NOT_CHECKED = _("This file cannot be recorded now: only a checked file can be confirmed.")
MSG_CONFIRM_NOT_A_MEMBER = _("Only a current user of the file's DLI can confirm it.")


class DecisionFileError(ApplicationError):
    code = "decision_file_error"


def _member_institution(user: User) -> Institution | None:
    membership = membership_current(user)
    return membership.institution if membership is not None and user.is_active else None


# --- Upload ------------------------------------------------------------------------------------


def decision_file_upload(*, user: User, file_name: str, content: bytes) -> DecisionFile:
    """Keep an uploaded file for checking and queue its check.

    Refuses (``DecisionFileError``, field ``file``) a user who is not a current member of a
    DLI, an empty or too large file, and a name that is not .csv, .txt or .xlsx. Side effects:
    a ``decision_file_uploaded`` audit entry; on commit, the check task.
    """
    institution = _member_institution(user)
    if institution is None:
        raise DecisionFileError(MSG_NOT_A_MEMBER, code="not_a_member")
    name = PurePath(file_name.replace("\\", "/")).name[:255] or "decisions"
    if not name.lower().endswith(ACCEPTED_EXTENSIONS):
        raise DecisionFileError(MSG_FILE_TYPE, code="file_type", field="file")
    if not content:
        raise DecisionFileError(MSG_FILE_EMPTY, code="file_empty", field="file")
    limit = settings.DECISION_FILE_MAX_BYTES
    if len(content) > limit:
        raise DecisionFileError(
            str(MSG_FILE_TOO_LARGE) % {"limit": f"{limit / 1024 / 1024:g}"},
            code="file_too_large",
            field="file",
        )
    with transaction.atomic():
        decision_file = DecisionFile.objects.create(
            institution=institution,
            uploaded_by=user,
            file_name=name,
            file_format=detect_format(content),
            file_size=len(content),
            file_sha256=hashlib.sha256(content).hexdigest(),
            content=content,
        )
        audit_record(
            event_type=AuditEvent.Type.DECISION_FILE_UPLOADED,
            actor=user,
            institution=institution,
            subject=decision_file,
            details={"file_name": name, "size": len(content), "sha256": decision_file.file_sha256},
        )
        pk = decision_file.pk
        transaction.on_commit(lambda: _enqueue("check", pk), robust=True)
    return decision_file


def _enqueue(step: str, decision_file_id: int) -> None:
    from loaportal.decision_files.tasks import check_decision_file, record_decision_file

    task = check_decision_file if step == "check" else record_decision_file
    task.enqueue(decision_file_id=decision_file_id)


def pending_requests_export_record(
    *, user: User, institution: Institution, file_format: str
) -> None:
    """Audit a download of the DLI's pending requests (students' names and dates of birth
    leave the portal in it): ``pending_requests_exported``."""
    audit_record(
        event_type=AuditEvent.Type.PENDING_REQUESTS_EXPORTED,
        actor=user,
        institution=institution,
        details={"format": file_format},
    )


# --- Check -------------------------------------------------------------------------------------


def _lookup(numbers: Iterable[str]) -> dict[str, tuple[int, int, str, datetime]]:
    """Application number → (id, DLI id, status, due_at), in batches of one query each."""
    found: dict[str, tuple[int, int, str, datetime]] = {}
    numbers = sorted(set(numbers))
    for start in range(0, len(numbers), LOOKUP_BATCH):
        batch = numbers[start : start + LOOKUP_BATCH]
        for pk, number, institution_id, status, due_at in VerificationRequest.objects.filter(
            application_number__in=batch
        ).values_list("pk", "application_number", "institution_id", "status", "due_at"):
            found[number] = (pk, institution_id, status, due_at)
    return found


def _checked_row(
    row: ParsedRow,
    *,
    decision_file: DecisionFile,
    number: str,
    first_lines: dict[str, int],
    requests: dict[str, tuple[int, int, str, datetime]],
    now: datetime,
) -> DecisionFileRow:
    outcome = outcome_from_text(row.outcome) or ""
    checked = DecisionFileRow(
        decision_file=decision_file,
        line=row.line,
        application_number=row.application_number,
        outcome_text=row.outcome,
        outcome=outcome,
        comment=row.comment,
        result=Result.ERROR,
    )
    found = requests.get(number)
    if found is not None and found[1] == decision_file.institution_id:
        checked.request_id = found[0]

    def error(code: str) -> DecisionFileRow:
        checked.error_code = code
        return checked

    if not number:
        return error("application_number_missing")
    if first_lines[number] != row.line:
        checked.first_line = first_lines[number]
        return error("duplicate")
    if found is None:
        return error("unknown_application")
    pk, institution_id, status, due_at = found
    if institution_id != decision_file.institution_id:
        # Nothing of it is kept: not its id, status or deadline.
        return error("other_dli")
    if status in VerificationRequest.OUTCOMES:
        return error("already_decided")
    if status != VerificationRequest.Status.PENDING or now > due_at:
        return error("past_deadline")
    if not row.outcome:
        return error("outcome_missing")
    if not outcome:
        return error("outcome_unknown")
    if outcome in VerificationRequest.COMMENT_REQUIRED and not row.comment:
        return error("comment_required")
    if len(row.comment) > COMMENT_MAX_LENGTH:
        return error("comment_too_long")
    checked.result = Result.READY
    return checked


def _claim(decision_file_id: int, *, from_statuses: Iterable[str], to: str) -> bool:
    return bool(
        DecisionFile.objects.filter(pk=decision_file_id, status__in=list(from_statuses)).update(
            status=to
        )
    )


def decision_file_check(*, decision_file_id: int, now: datetime | None = None) -> DecisionFile:
    """Check every row of an uploaded file and keep the preview (``DecisionFileRow``).

    Records nothing. Safe to run again (a worker that died mid-check): the rows are made
    anew. Reads the requests the file names in a few batched queries, whatever its length,
    and writes the preview a thousand rows per statement (``core.bulk.rows_insert``: COPY on
    PostgreSQL).
    Ends ``checked`` (with the counts) or ``failed`` (``error_code``); the uploaded bytes are
    then dropped.
    """
    if not _claim(
        decision_file_id, from_statuses=(Status.UPLOADED, Status.CHECKING), to=Status.CHECKING
    ):
        return DecisionFile.objects.get(pk=decision_file_id)
    decision_file = DecisionFile.objects.get(pk=decision_file_id)
    DecisionFileRow.objects.filter(decision_file=decision_file).delete()
    now = now or timezone.now()
    try:
        parsed = decision_rows_read(
            bytes(decision_file.content), max_rows=settings.DECISION_FILE_MAX_ROWS
        )
    except FileUnusable as exc:
        DecisionFile.objects.filter(pk=decision_file.pk).update(
            status=Status.FAILED,
            error_code=exc.code,
            content=b"",
            checked_at=timezone.now(),
            finished_at=timezone.now(),
        )
        decision_file.refresh_from_db()
        return decision_file
    DecisionFile.objects.filter(pk=decision_file.pk).update(total_rows=len(parsed), checked_rows=0)
    numbers = [application_number_normalize(row.application_number) for row in parsed]
    first_lines: dict[str, int] = {}
    for row, number in zip(parsed, numbers, strict=True):
        first_lines.setdefault(number, row.line)
    requests = _lookup(n for n in numbers if n)
    ready = errors = 0
    for start in range(0, len(parsed), CHECK_BATCH):
        batch = [
            _checked_row(
                row,
                decision_file=decision_file,
                number=number,
                first_lines=first_lines,
                requests=requests,
                now=now,
            )
            for row, number in zip(
                parsed[start : start + CHECK_BATCH],
                numbers[start : start + CHECK_BATCH],
                strict=True,
            )
        ]
        rows_insert(batch)
        ready += sum(1 for row in batch if row.result == Result.READY)
        errors += sum(1 for row in batch if row.result == Result.ERROR)
        DecisionFile.objects.filter(pk=decision_file.pk).update(checked_rows=start + len(batch))
    DecisionFile.objects.filter(pk=decision_file.pk, status=Status.CHECKING).update(
        status=Status.CHECKED,
        ready_rows=ready,
        error_rows=errors,
        content=b"",
        checked_at=timezone.now(),
    )
    decision_file.refresh_from_db()
    return decision_file


# --- Confirm and record ------------------------------------------------------------------------


def decision_file_confirm(*, decision_file: DecisionFile, user: User) -> DecisionFile:
    """ "Confirm and record": the worker will record every row the check found ready.

    Refuses (``DecisionFileError``) a file that is not ``checked`` (already confirmed, still
    being checked, failed) and a user who is not a current member of the file's DLI. Side
    effects: a ``decision_file_confirmed`` audit entry; on commit, the recording task.
    """
    with transaction.atomic():
        locked = DecisionFile.objects.select_for_update().get(pk=decision_file.pk)
        institution = _member_institution(user)
        if institution is None or institution.pk != locked.institution_id:
            raise DecisionFileError(MSG_CONFIRM_NOT_A_MEMBER, code="not_a_member")
        if locked.status != Status.CHECKED:
            raise DecisionFileError(MSG_NOT_CHECKED, code="not_checked")
        locked.status = Status.RECORDING
        locked.confirmed_at = timezone.now()
        locked.confirmed_by = user
        locked.save(update_fields=["status", "confirmed_at", "confirmed_by"])
        audit_record(
            event_type=AuditEvent.Type.DECISION_FILE_CONFIRMED,
            actor=user,
            institution=institution,
            subject=locked,
            details={"file_name": locked.file_name, "rows_to_record": locked.ready_rows},
        )
        pk = locked.pk
        transaction.on_commit(lambda: _enqueue("record", pk), robust=True)
    return locked


def _row_result(
    row: DecisionFileRow, report: DecisionReport, *, decision_file: DecisionFile, user: User
) -> None:
    refused = report.error
    if refused is None:
        row.result, row.error_code = Result.RECORDED, ""
    elif isinstance(refused, AlreadyDecided):
        resumed = (
            refused.decided_by.pk == user.pk
            and refused.outcome == row.outcome
            and decision_file.confirmed_at is not None
            and refused.decided_at >= decision_file.confirmed_at
        )
        # Decided by this very file before a worker died: it was recorded.
        row.result, row.error_code = (
            (Result.RECORDED, "") if resumed else (Result.REFUSED, "already_decided")
        )
    elif isinstance(refused, PastDeadline):
        row.result, row.error_code = Result.REFUSED, "past_deadline"
    else:
        code = refused.code if refused.code in ("not_a_member", "comment_required") else "refused"
        row.result, row.error_code = Result.REFUSED, code


def _rows_save(rows: list[DecisionFileRow]) -> None:
    """Store the rows' results: one UPDATE per distinct (result, error), nearly always one."""
    groups: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        groups.setdefault((row.result, row.error_code), []).append(row.pk)
    for (result, error_code), pks in groups.items():
        DecisionFileRow.objects.filter(pk__in=pks).update(result=result, error_code=error_code)


def decision_file_record(*, decision_file_id: int, now: datetime | None = None) -> DecisionFile:
    """Record every ready row of a confirmed file through ``verification_decide_many``, as
    the user who confirmed: ``RECORD_BATCH`` rows per call and per transaction, each row
    recorded or refused on its own with the web form's rules. A refused row (decided
    meanwhile, deadline passed since the preview, user no longer a member) is kept with its
    reason; the others go on. Safe to run again: only rows still ``ready`` are tried. Ends
    ``recorded``."""
    decision_file = DecisionFile.objects.select_related("confirmed_by").get(pk=decision_file_id)
    if decision_file.status != Status.RECORDING:
        return decision_file
    user = decision_file.confirmed_by
    assert user is not None  # a confirmed file
    last_line = 0
    while True:
        batch = list(
            DecisionFileRow.objects.filter(
                decision_file=decision_file, result=Result.READY, line__gt=last_line
            )
            .only("pk", "line", "outcome", "comment", "request_id")
            .order_by("line")[:RECORD_BATCH]
        )
        if not batch:
            break
        # One transaction per batch, the rows' results with their decisions, so a dead worker
        # leaves none recorded without its result (and a rerun takes up the rest).
        with transaction.atomic():
            decisions = []
            for row in batch:
                assert row.request_id is not None  # a ready row names a request of the DLI
                decisions.append(Decision(row.request_id, row.outcome, row.comment))
            reports = verification_decide_many(
                decisions=decisions,
                decided_by=user,
                now=now,
            )
            for row, report in zip(batch, reports, strict=True):
                _row_result(row, report, decision_file=decision_file, user=user)
            _rows_save(batch)
            recorded = sum(1 for row in batch if row.result == Result.RECORDED)
            DecisionFile.objects.filter(pk=decision_file.pk).update(
                recorded_rows=F("recorded_rows") + recorded,
                refused_rows=F("refused_rows") + len(batch) - recorded,
            )
        last_line = batch[-1].line
    DecisionFile.objects.filter(pk=decision_file.pk, status=Status.RECORDING).update(
        status=Status.RECORDED, finished_at=timezone.now()
    )
    decision_file.refresh_from_db()
    return decision_file
