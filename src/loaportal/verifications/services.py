"""Verification requests: intake, decisions, assignment, the deadline's passage, the
new-request emails, the record of exports, and the two changes an officer's approval of an
amendment makes (``verification_extend_deadline``, ``verification_correct``; the requests
themselves live in ``amendments``).

State machine (``VerificationRequest.TRANSITIONS``): pending → one of ``OUTCOMES``
(``verification_decide``, final) or ``no_response`` (``verification_close_overdue``, once the
deadline of ``verifications.deadlines`` has passed). Each service runs in its own
transaction, appends to the request's history (``VerificationEvent``) and to the audit trail.
Each one that changes a request's stored status also moves the DLI's count of requests by
status (``verification_status_counts_move``, ADR 0019) in that transaction.

Intake (``verification_request_create``, ``verification_requests_import``) validates
everything before it writes anything; a document file is written only once its row is valid,
and deleted again if the transaction fails, so a bad input never leaves a half-made request
or an orphan file.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from loaportal.audit.models import AuditEvent
from loaportal.audit.services import AuditEntry, audit_record, audit_record_many
from loaportal.core.bulk import rows_insert
from loaportal.core.exceptions import ApplicationError
from loaportal.institutions.models import Institution
from loaportal.institutions.selectors import membership_current
from loaportal.notifications.services import email_send_template
from loaportal.verifications.deadlines import (
    deadline_extended,
    deadline_for,
    institution_zone,
)
from loaportal.verifications.documents import CheckedDocument, DocumentError, document_check
from loaportal.verifications.models import (
    COUNTED_STATUSES,
    VerificationAnnouncement,
    VerificationEvent,
    VerificationRequest,
    VerificationStatusCounts,
    name_search_key,
)
from loaportal.verifications.selectors import verification_status_counts_differences
from loaportal.verifications.signals import history_announce
from loaportal.verifications.storage import document_path, documents_backend, documents_storage

if TYPE_CHECKING:
    from loaportal.accounts.models import User

logger = logging.getLogger(__name__)

Status = VerificationRequest.Status

# At most one "new requests" email per user in this interval, however many requests arrive.
ANNOUNCEMENT_INTERVAL = timedelta(hours=1)
COMMENT_MAX_LENGTH = 2000
APPLICATION_NUMBER_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,29}$")
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

MSG_DLI_UNKNOWN = _("No DLI has this number.")
MSG_DLI_NOT_POST_SECONDARY = _(
    "This DLI is not a post-secondary institution: its letters are not verified here."
)
MSG_DLI_NUMBER_INVALID = _(
    "A DLI number is the letter O followed by 11 digits, for example O19390898172."
)
MSG_APPLICATION_NUMBER_INVALID = _(
    "An application number has 4 to 30 letters, digits or hyphens, for example S305123456."
)
MSG_APPLICATION_NUMBER_DUPLICATE = _("A request with this application number already exists.")
MSG_APPLICATION_NUMBER_REPEATED = _("This application number appears more than once in the file.")
MSG_REQUIRED = _("This value is required.")
MSG_DOCUMENT_NOT_STORED = _(
    "The document could not be stored just now, so the request was not created. "
    "Nothing was saved; try again in a few minutes."
)
MSG_ROW_TOO_MANY_CELLS = _("This row has more cells than the header has columns.")
MSG_TOO_LONG = _("This value is too long (at most %(limit)s characters).")
MSG_DATE_INVALID = _("Enter a real date in the form YYYY-MM-DD.")
MSG_BIRTH_DATE_RANGE = _("The date of birth must be in the past and after 1900.")
MSG_REQUESTED_AT_INVALID = _(
    "Enter the date and time of the request in ISO 8601 with its offset, for example "
    "2025-03-01T14:30:00-05:00."
)
MSG_REQUESTED_AT_FUTURE = _("The date of the request cannot be in the future.")
MSG_DOCUMENT_NAME_INVALID = _("Name a file inside the documents folder, without a path.")
MSG_DOCUMENT_CHANGED = _("The document %(name)s changed during the import: import the file again.")
MSG_OUTCOME_INVALID = _("Choose one of the outcomes.")
MSG_COMMENT_REQUIRED = _("Explain why the letter is not verified.")
MSG_COMMENT_TOO_LONG = _("The comment is too long (at most 2,000 characters).")
MSG_NOT_A_MEMBER = _("Only a user of the DLI named in the request can decide it.")
MSG_PAST_DEADLINE = _(
    "The deadline for this request has passed: it can no longer be verified. Its status is "
    "“No response”."
)
MSG_ASSIGN_NOT_A_MEMBER = _("Only a user of the DLI named in the request can assign it.")
MSG_ASSIGNEE_NOT_A_MEMBER = _(
    "Choose a current user of your DLI: a request can only be assigned to a colleague."
)
MSG_ASSIGN_CLOSED = _(
    "This request is no longer pending: only a request still to verify can be assigned."
)
MSG_ALREADY_DECIDED = _(
    "This request has already been decided by %(name)s on %(when)s: “%(outcome)s”. "
    "The decision is final."
)


class VerificationError(ApplicationError):
    code = "verification_error"


class AlreadyDecided(VerificationError):
    """Someone decided first; says who, when and what."""

    code = "already_decided"

    def __init__(self, verification_request: VerificationRequest):
        decided_by, decided_at = verification_request.decided_by, verification_request.decided_at
        assert decided_by is not None and decided_at is not None  # a decided request
        self.decided_by: User = decided_by
        self.decided_at: datetime = decided_at
        self.outcome = verification_request.status
        zone = institution_zone(verification_request.institution)
        when = formats.date_format(timezone.localtime(decided_at, zone), "DATETIME_FORMAT")
        message = str(MSG_ALREADY_DECIDED) % {
            "name": decided_by.full_name or decided_by.email,
            "when": f"{when} ({zone.key})",
            "outcome": Status(self.outcome).label,
        }
        # No field: nothing in the form is wrong, the request changed; pages say it as a
        # message above the decided request.
        super().__init__(message, code=self.code)


class PastDeadline(VerificationError):
    code = "past_deadline"


class ImportRowsError(ApplicationError):
    """Some rows of an import are bad; nothing was created. ``errors``: (row number, column,
    message), the row number being the line of the CSV file (the header is line 1)."""

    code = "import_rows_invalid"

    def __init__(self, *, errors: list[tuple[int, str, str]]):
        self.errors = list(errors)
        super().__init__(
            gettext("%(count)s error(s) in the file; no request was created.")
            % {"count": len(self.errors)},
        )


# --- Validation --------------------------------------------------------------------------------


@dataclass
class _Valid:
    """One request, checked and ready to be written."""

    institution: Institution
    fields: dict[str, Any]
    document: CheckedDocument
    document_name: str
    # A batch keeps the path, not the bytes, of each checked file, and reads it again to write.
    document_path: Path | None = None
    line: int = 0


def _text(value: Any, *, field: str, limit: int, required: bool = False) -> str:
    text = " ".join(str(value or "").split())
    if required and not text:
        raise VerificationError(MSG_REQUIRED, code="required", field=field)
    if len(text) > limit:
        raise VerificationError(MSG_TOO_LONG % {"limit": limit}, code="too_long", field=field)
    return text


def _date(value: Any, *, field: str, required: bool) -> date | None:
    if value is None or value == "":
        if required:
            raise VerificationError(MSG_REQUIRED, code="required", field=field)
        return None
    if isinstance(value, datetime):
        raise VerificationError(MSG_DATE_INVALID, code="date_invalid", field=field)
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise VerificationError(MSG_DATE_INVALID, code="date_invalid", field=field)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise VerificationError(MSG_DATE_INVALID, code="date_invalid", field=field) from None


def _requested_at(value: Any, *, now: datetime) -> datetime:
    if value is None or value == "":
        return now
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            parsed = None
    if parsed is None or timezone.is_naive(parsed):
        raise VerificationError(
            MSG_REQUESTED_AT_INVALID, code="requested_at_invalid", field="requested_at"
        )
    if parsed > now:
        raise VerificationError(
            MSG_REQUESTED_AT_FUTURE, code="requested_at_future", field="requested_at"
        )
    return parsed


def _institution(dli_number: Any, cache: dict[str, Institution | None]) -> Institution:
    number = str(dli_number or "").strip().upper()
    if not number:
        raise VerificationError(MSG_REQUIRED, code="required", field="dli_number")
    if not re.fullmatch(r"O\d{11}", number):
        raise VerificationError(
            MSG_DLI_NUMBER_INVALID, code="dli_number_invalid", field="dli_number"
        )
    if number not in cache:
        cache[number] = Institution.objects.filter(dli_number=number).first()
    institution = cache[number]
    if institution is None:
        raise VerificationError(MSG_DLI_UNKNOWN, code="dli_unknown", field="dli_number")
    if not institution.post_secondary:
        raise VerificationError(
            MSG_DLI_NOT_POST_SECONDARY, code="dli_not_post_secondary", field="dli_number"
        )
    return institution


def application_number_normalize(value: Any) -> str:
    return "".join(str(value or "").split()).upper()


def _application_number(value: Any) -> str:
    number = application_number_normalize(value)
    if not number:
        raise VerificationError(MSG_REQUIRED, code="required", field="application_number")
    if not APPLICATION_NUMBER_PATTERN.fullmatch(number):
        raise VerificationError(
            MSG_APPLICATION_NUMBER_INVALID,
            code="application_number_invalid",
            field="application_number",
        )
    return number


def _document_name(name: Any) -> str:
    base = os.path.basename(str(name or "").replace("\\", "/")).strip()
    # Kept only for display and the download's file name: no control characters.
    base = "".join(ch for ch in base if ch.isprintable())
    return base[-255:] or "document"


def _validate(
    *,
    values: Mapping[str, Any],
    document: IO[bytes] | bytes | None,
    document_name: str,
    now: datetime,
    institutions: dict[str, Institution | None],
) -> _Valid:
    """Every check that needs no write, field by field, in the order of the CSV columns."""
    application_number = _application_number(values.get("application_number"))
    institution = _institution(values.get("dli_number"), institutions)
    surname = _text(values.get("surname"), field="surname", limit=150, required=True)
    given_names = _text(values.get("given_names"), field="given_names", limit=150)
    date_of_birth = _date(values.get("date_of_birth"), field="date_of_birth", required=True)
    if date_of_birth is None or not (EARLIEST_BIRTH_DATE <= date_of_birth < now.date()):
        raise VerificationError(
            MSG_BIRTH_DATE_RANGE, code="date_of_birth_range", field="date_of_birth"
        )
    program = _text(values.get("program"), field="program", limit=255)
    start_date = _date(values.get("start_date"), field="start_date", required=False)
    student_id = _text(values.get("student_id"), field="student_id", limit=50)
    loa_number = _text(values.get("loa_number"), field="loa_number", limit=50)
    campus = _text(values.get("campus"), field="campus", limit=255)
    checked = document_check(document, field="document")
    requested_at = _requested_at(values.get("requested_at"), now=now)
    return _Valid(
        institution=institution,
        fields={
            "application_number": application_number,
            "surname": surname,
            "given_names": given_names,
            "name_key": name_search_key(f"{surname} {given_names}"),
            "date_of_birth": date_of_birth,
            "program": program,
            "start_date": start_date,
            "student_id": student_id,
            "loa_number": loa_number,
            "campus": campus,
            "requested_at": requested_at,
            "due_at": deadline_for(requested_at),
        },
        document=checked,
        document_name=_document_name(document_name),
    )


def _existing_numbers(numbers: Iterable[str]) -> set[str]:
    numbers = list(numbers)
    existing: set[str] = set()
    for start in range(0, len(numbers), 500):
        existing.update(
            VerificationRequest.objects.filter(
                application_number__in=numbers[start : start + 500]
            ).values_list("application_number", flat=True)
        )
    return existing


# --- Writing -----------------------------------------------------------------------------------


def _write(
    valid_rows: list[_Valid], *, created_by: User | None, source: str, now: datetime
) -> tuple[list[VerificationRequest], list[str]]:
    """Store the documents and create the requests, their history and audit entries, in the
    caller's transaction. Returns the requests and the names of the files written (for the
    caller to delete should the transaction fail)."""
    written: list[str] = []
    requests: list[VerificationRequest] = []
    try:
        for valid in valid_rows:
            request = VerificationRequest(
                institution=valid.institution,
                document_name=valid.document_name,
                document_content_type=valid.document.content_type,
                document_size=valid.document.size,
                status=Status.PENDING,
                created_at=now,
                updated_at=now,
                created_by=created_by,
                **valid.fields,
            )
            document = valid.document
            if valid.document_path is not None:
                try:
                    document = document_check(_read_limited(valid.document_path))
                except (OSError, DocumentError) as error:
                    raise _changed(valid) from error
                if (document.content_type, document.size) != (
                    valid.document.content_type,
                    valid.document.size,
                ):
                    raise _changed(valid)
            _store(request, document, written)
            requests.append(request)
        VerificationRequest.objects.bulk_create(requests, batch_size=500)
        events = VerificationEvent.objects.bulk_create(
            [
                VerificationEvent(
                    request=request,
                    kind=VerificationEvent.Kind.CREATED,
                    occurred_at=now,
                    actor=created_by,
                    details={"source": source, "requested_at": request.requested_at.isoformat()},
                )
                for request in requests
            ],
            batch_size=500,
        )
        # bulk_create skips VerificationEvent.save, which announces single entries.
        history_announce(event.pk for event in events)
        for request in requests:
            audit_record(
                event_type=AuditEvent.Type.VERIFICATION_REQUEST_CREATED,
                actor=created_by,
                institution=request.institution,
                subject=request,
                details={
                    "application_number": request.application_number,
                    "source": source,
                    "due_at": request.due_at.isoformat(),
                },
            )
        _announcements_mark(institution_ids={r.institution_id for r in requests}, now=now)
    except BaseException:
        _delete_files(written)
        raise
    return requests, written


def _store(request: VerificationRequest, document: CheckedDocument, written: list[str]) -> None:
    """Write the document to the storage. A storage that refuses it (a full or read-only disk,
    an object store that is down or refuses the credentials) is a ``DocumentError`` with a
    clear message, logged with the exception but never the document; an object that might
    have been written half-way is deleted again by the caller with the others."""
    name = document_path(request, "document")
    try:
        request.document.name = documents_storage().save(name, ContentFile(document.content))
    except Exception:
        logger.exception("The document storage refused a document (%s bytes)", document.size)
        written.append(name)
        raise DocumentError(
            MSG_DOCUMENT_NOT_STORED, code="document_not_stored", field="document"
        ) from None
    written.append(request.document.name)


def _changed(valid: _Valid) -> DocumentError:
    error = DocumentError(
        MSG_DOCUMENT_CHANGED % {"name": valid.document_name},
        code="document_changed",
        field="document",
    )
    error.line = valid.line
    return error


def _delete_files(names: Iterable[str]) -> None:
    """Delete what intake wrote; a storage that cannot delete now leaves the file to the
    hourly sweep (``verification_documents_sweep``)."""
    storage = documents_storage()
    for name in names:
        try:
            storage.delete(name)
        except Exception:
            logger.warning("Could not delete a stored document; the hourly sweep will")


def _run_atomic(
    valid_rows: list[_Valid], *, created_by: User | None, source: str, now: datetime
) -> list[VerificationRequest]:
    written: list[str] = []
    try:
        with transaction.atomic():
            requests, written = _write(valid_rows, created_by=created_by, source=source, now=now)
    except IntegrityError:
        # Another process created the same application number since we checked.
        _delete_files(written)
        raise VerificationError(
            MSG_APPLICATION_NUMBER_DUPLICATE,
            code="application_number_duplicate",
            field="application_number",
        ) from None
    except BaseException:
        _delete_files(written)
        raise
    return requests


def verification_request_create(
    *,
    application_number: str,
    dli_number: str,
    surname: str,
    given_names: str,
    date_of_birth: date | str,
    document: IO[bytes] | bytes | None,
    document_name: str,
    program: str = "",
    start_date: date | str | None = None,
    student_id: str = "",
    loa_number: str = "",
    campus: str = "",
    requested_at: datetime | str | None = None,
    created_by: User | None = None,
) -> VerificationRequest:
    """Create one request (officers' form; later the IRCC API).

    Raises ``VerificationError`` (``code``, ``field``) or ``DocumentError`` on any bad input,
    before anything is written. Side effects: the document in the private storage, the
    request, its ``created`` history entry, a ``verification_request_created`` audit entry, and
    the DLI's users marked for the grouped new-request email (sent at once to those not emailed
    in the last hour).
    """
    now = timezone.now()
    valid = _validate(
        values={
            "application_number": application_number,
            "dli_number": dli_number,
            "surname": surname,
            "given_names": given_names,
            "date_of_birth": date_of_birth,
            "program": program,
            "start_date": start_date,
            "student_id": student_id,
            "loa_number": loa_number,
            "campus": campus,
            "requested_at": requested_at,
        },
        document=document,
        document_name=document_name,
        now=now,
        institutions={},
    )
    if _existing_numbers([valid.fields["application_number"]]):
        raise VerificationError(
            MSG_APPLICATION_NUMBER_DUPLICATE,
            code="application_number_duplicate",
            field="application_number",
        )
    source = "officer" if created_by is not None else "api"
    return _run_atomic([valid], created_by=created_by, source=source, now=now)[0]


IMPORT_COLUMNS = (
    "application_number",
    "dli_number",
    "surname",
    "given_names",
    "date_of_birth",
    "program",
    "start_date",
    "student_id",
    "loa_number",
    "campus",
    "document",
)
IMPORT_OPTIONAL_COLUMNS = ("requested_at",)


def _read_limited(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(settings.VERIFICATION_DOCUMENT_MAX_BYTES + 1)


def _open_document(documents_dir: Path, name: str) -> bytes | None:
    """The bytes of ``name`` inside ``documents_dir``; None when there is no such file.
    Refuses a path (``../x``, ``/etc/x``): the CSV names files, it does not walk the disk."""
    if not name:
        return None
    if name != os.path.basename(name) or name in {".", ".."}:
        raise VerificationError(
            MSG_DOCUMENT_NAME_INVALID, code="document_name_invalid", field="document"
        )
    path = documents_dir / name
    if not path.is_file():
        return None
    try:
        return _read_limited(path)
    except OSError:
        raise DocumentError(
            _("The document cannot be read: the file is empty or damaged."),
            code="document_unreadable",
            field="document",
        ) from None


def verification_requests_import(
    *,
    rows: Iterable[Mapping[str, Any]],
    documents_dir: str | Path,
    progress: Callable[[int, int], None] | None = None,
) -> list[VerificationRequest]:
    """Create every request of a batch, or none.

    ``rows``: mappings with the CSV columns (``IMPORT_COLUMNS``, optionally ``requested_at``);
    ``document`` names a file inside ``documents_dir``. Every row is checked first, with the
    database and the files, and all the errors are reported together in ``ImportRowsError``
    (row = line in the CSV file, the header being line 1); then everything is written in one
    transaction. ``progress(done, total)`` is called while rows are checked and written.
    """
    rows = list(rows)
    total = len(rows)
    documents_dir = Path(documents_dir)
    now = timezone.now()
    institutions: dict[str, Institution | None] = {}
    errors: list[tuple[int, str, str]] = []
    valid_rows: list[_Valid] = []
    line_of: dict[str, int] = {}
    for index, row in enumerate(rows):
        line = index + 2
        if None in row:
            # csv.DictReader puts the cells beyond the header's columns under None.
            errors.append((line, "", str(MSG_ROW_TOO_MANY_CELLS)))
            continue
        try:
            content = _open_document(documents_dir, str(row.get("document") or "").strip())
            valid = _validate(
                values=row,
                document=content,
                document_name=str(row.get("document") or ""),
                now=now,
                institutions=institutions,
            )
        except ApplicationError as error:
            errors.append((line, error.field or "", str(error.message)))
        else:
            number = valid.fields["application_number"]
            if number in line_of:
                errors.append((line, "application_number", str(MSG_APPLICATION_NUMBER_REPEATED)))
            else:
                line_of[number] = line
                # Keep the verdict, not the bytes: a batch may hold gigabytes of documents.
                valid.document = valid.document.without_content()
                valid.document_path = documents_dir / str(row["document"]).strip()
                valid.line = line
                valid_rows.append(valid)
        if progress is not None and (index + 1) % 100 == 0:
            progress(index + 1, total)
    for number in sorted(_existing_numbers(line_of)):
        errors.append(
            (line_of[number], "application_number", str(MSG_APPLICATION_NUMBER_DUPLICATE))
        )
    if errors:
        raise ImportRowsError(errors=sorted(errors))
    try:
        requests = _run_atomic(valid_rows, created_by=None, source="import", now=now)
    except ApplicationError as error:
        # Something changed between the checks and the writes (a file replaced, the same
        # application number created meanwhile): still a per-row report, still nothing created.
        if error.code == "application_number_duplicate":
            raise ImportRowsError(
                errors=[
                    (line_of[number], "application_number", str(error.message))
                    for number in sorted(_existing_numbers(line_of))
                ]
            ) from None
        raise ImportRowsError(
            errors=[(getattr(error, "line", 0), error.field or "", str(error.message))]
        ) from None
    if progress is not None:
        progress(total, total)
    return requests


# --- Deciding ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """One decision to record with ``verification_decide_many``: the request's primary key
    (the service locks and reads the request itself), the outcome chosen and the comment."""

    request_id: int
    outcome: str
    comment: str = ""


@dataclass
class DecisionReport:
    """What became of one ``Decision``: ``verification_request`` is the request as this call
    decided it, or ``error`` says why it was refused (``AlreadyDecided`` naming who decided,
    ``PastDeadline``, or ``VerificationError`` with its code)."""

    decision: Decision
    verification_request: VerificationRequest | None = None
    error: VerificationError | None = None

    @property
    def recorded(self) -> bool:
        return self.error is None


# Rows locked per SELECT … FOR UPDATE (ascending primary keys, so the order holds across them).
LOCK_BATCH = 1000


def _input_refusal(outcome: str, comment: str) -> VerificationError | None:
    """What the form alone can refuse, before any request is read."""
    if outcome not in VerificationRequest.OUTCOMES:
        return VerificationError(MSG_OUTCOME_INVALID, code="outcome_invalid", field="outcome")
    if outcome in VerificationRequest.COMMENT_REQUIRED and not comment:
        return VerificationError(MSG_COMMENT_REQUIRED, code="comment_required", field="comment")
    if len(comment) > COMMENT_MAX_LENGTH:
        return VerificationError(MSG_COMMENT_TOO_LONG, code="comment_too_long", field="comment")
    return None


# What deciding reads of a request (the rest stays deferred): the rules, the "already decided"
# answer and the audit entry's details.
LOCK_FIELDS = (
    "id",
    "institution_id",
    "application_number",
    "status",
    "due_at",
    "decided_at",
    "decided_by_id",
    "decision_comment",
    "updated_at",
)


# --- Requests by status, per DLI (ADR 0019) ---------------------------------------------------


def verification_status_counts_move(*, changes: Iterable[tuple[int, str, str]]) -> None:
    """Keep ``VerificationStatusCounts`` exact: ``changes`` are the stored status changes the
    caller is making in its transaction, each ``(institution_id, old_status, new_status)``.

    Every service that changes a request's stored status calls this in the same transaction
    (decisions, the deadline's passage, a reopening extension, a correction), after locking
    the requests and before the audit entry (the order of locks every such transaction takes:
    requests, then these rows in DLI order, then the audit chain's head). One statement for
    all the DLIs concerned, and none when nothing counted changes: an upsert adding the net
    change to the stored numbers (``n = n + k`` in the database, so two processes changing
    the same DLI at once both count)."""
    deltas: dict[int, dict[str, int]] = {}
    for institution_id, old, new in changes:
        if old == new:
            continue
        delta = deltas.setdefault(institution_id, dict.fromkeys(COUNTED_STATUSES, 0))
        if old in delta:
            delta[old] -= 1
        if new in delta:
            delta[new] += 1
    rows = [
        (institution_id, *(delta[status] for status in COUNTED_STATUSES))
        for institution_id, delta in sorted(deltas.items())
        if any(delta.values())
    ]
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(VerificationStatusCounts._meta.db_table)
    columns = [quote(status) for status in COUNTED_STATUSES]
    placeholders = ", ".join(["(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"] * len(rows))
    # The same statement on PostgreSQL and SQLite (3.24+). Rows in DLI order: two callers
    # touching the same DLIs lock them in the same order. (Names from the model, values as
    # parameters.)
    sql = (
        f"INSERT INTO {table} ({quote('institution_id')}, {', '.join(columns)}) "  # noqa: S608
        f"VALUES {placeholders} ON CONFLICT ({quote('institution_id')}) DO UPDATE SET "
        + ", ".join(f"{column} = {table}.{column} + EXCLUDED.{column}" for column in columns)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def verification_status_counts_rebuild() -> int:
    """Count every DLI's requests by closed status anew (one ``GROUP BY``) and replace
    ``VerificationStatusCounts`` with the result; returns how many DLIs have a row. For data
    written outside the services (the benchmark's seed, by COPY) and as a repair. On
    PostgreSQL the requests are locked against writes (SHARE) while it counts, so no change
    made meanwhile is lost."""
    quote = connection.ops.quote_name
    requests = quote(VerificationRequest._meta.db_table)
    table = quote(VerificationStatusCounts._meta.db_table)
    sums = ", ".join(
        f"SUM(CASE WHEN {quote('status')} = %s THEN 1 ELSE 0 END)" for _ in COUNTED_STATUSES
    )
    with transaction.atomic(), connection.cursor() as cursor:
        _status_counts_lock()
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608  # names from the model
        cursor.execute(
            f"INSERT INTO {table} ({quote('institution_id')}, "  # noqa: S608
            f"{', '.join(quote(s) for s in COUNTED_STATUSES)}) "
            f"SELECT {quote('institution_id')}, {sums} FROM {requests} "
            f"WHERE {quote('status')} IN ({', '.join(['%s'] * len(COUNTED_STATUSES))}) "
            f"GROUP BY {quote('institution_id')}",
            [*COUNTED_STATUSES, *COUNTED_STATUSES],
        )
        return int(cursor.rowcount)


def _status_counts_lock() -> None:
    """On PostgreSQL, hold the requests against writes (SHARE) until the caller's transaction
    ends: a count made meanwhile stays true. SQLite writes one transaction at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(VerificationRequest._meta.db_table)
            cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")


def verification_status_counts_repair() -> dict[int, tuple[dict[str, int], dict[str, int]]]:
    """Compare every DLI's stored counts with a fresh count of its requests and, if any
    differ, replace them all with the fresh count (``verification_status_counts_rebuild``) and
    record one audit entry per DLI corrected, with the numbers before and after. Returns the
    differences found, id → (stored, counted); nothing is written when there are none.

    The counts go wrong only if something changed statuses without the services: a process
    still running code from before migration ``verifications.0007``, or rows written by hand
    (ADR 0019). ``loaportal recount_statuses --repair`` calls this."""
    with transaction.atomic():
        _status_counts_lock()
        differences = verification_status_counts_differences()
        if not differences:
            return {}
        verification_status_counts_rebuild()
        institutions = Institution.objects.in_bulk(list(differences))
        audit_record_many(
            AuditEntry(
                event_type=AuditEvent.Type.VERIFICATION_COUNTS_CORRECTED,
                institution=institutions[institution_id],
                details={"stored": stored, "counted": counted},
            )
            for institution_id, (stored, counted) in differences.items()
        )
    return differences


def _lock_requests(pks: list[int]) -> dict[int, VerificationRequest]:
    """Lock the requests (``select_for_update``) in ascending primary key: two batches that
    share requests take their locks in the same order, so they queue instead of deadlocking.
    Not select_related("decided_by"): on PostgreSQL a waiter re-reads only the locked row once
    the lock is released, not the joined user, so the winner is read afterwards; the DLIs
    (nearly always one) are read once, not joined to every row."""
    locked: dict[int, VerificationRequest] = {}
    for start in range(0, len(pks), LOCK_BATCH):
        for row in (
            VerificationRequest.objects.select_for_update()
            .only(*LOCK_FIELDS)
            .filter(pk__in=pks[start : start + LOCK_BATCH])
            .order_by("pk")
        ):
            locked[row.pk] = row
    missing = set(pks) - locked.keys()
    if missing:
        raise VerificationRequest.DoesNotExist(f"No verification request {min(missing)}")
    institutions = Institution.objects.in_bulk({row.institution_id for row in locked.values()})
    for row in locked.values():
        row.institution = institutions[row.institution_id]
    return locked


def _deciders_attach(rows: Iterable[VerificationRequest]) -> None:
    """Read, in one query, who decided the requests already decided when locked."""
    decided = [row for row in rows if row.is_decided]
    ids = {row.decided_by_id for row in decided}
    if not ids:
        return
    users = get_user_model().objects.in_bulk(ids)
    for row in decided:
        row.decided_by = users[row.decided_by_id]


def _decisions_write(
    recorded: list[DecisionReport], *, decided_by: User, now: datetime, comments: list[str]
) -> None:
    """The side effects of the decisions taken, set-based: the requests' columns (one UPDATE
    per distinct outcome and comment, the rest in one ``bulk_update``), their ``decided``
    history entries (one INSERT per few hundred, announced by one ``history_appended`` after
    the commit) and their ``verification_decided`` audit entries (one chain-head lock)."""
    # What VerificationEvent.save does for one entry: the outside systems' "updated" moment,
    # never backwards.
    stamp = max(now, timezone.now())
    groups: dict[tuple[str, str], list[int]] = {}
    for result, comment in zip(recorded, comments, strict=True):
        assert result.verification_request is not None
        groups.setdefault((result.decision.outcome, comment), []).append(
            result.verification_request.pk
        )
    singles: list[VerificationRequest] = []
    by_pk = {
        r.verification_request.pk: r.verification_request
        for r in recorded
        if r.verification_request
    }
    for (outcome, comment), pks in groups.items():
        if len(pks) == 1:
            singles.append(by_pk[pks[0]])
            continue
        VerificationRequest.objects.filter(pk__in=pks).update(
            status=outcome,
            decided_at=now,
            decided_by=decided_by,
            decision_comment=comment,
            updated_at=Greatest(F("updated_at"), Value(stamp)),
        )
    if singles:
        for row in singles:
            row.updated_at = max(row.updated_at, stamp)
        VerificationRequest.objects.bulk_update(
            singles,
            ["status", "decided_at", "decided_by", "decision_comment", "updated_at"],
            batch_size=LOCK_BATCH,
        )
    events = rows_insert(
        [
            # Keys, not objects: the relation's checks are the same for every row.
            VerificationEvent(
                request_id=result.decision.request_id,
                kind=VerificationEvent.Kind.DECIDED,
                occurred_at=now,
                actor_id=decided_by.pk,
                outcome=result.decision.outcome,
                comment=comment,
            )
            for result, comment in zip(recorded, comments, strict=True)
        ]
    )
    # rows_insert skips VerificationEvent.save, which announces single entries.
    history_announce(event.pk for event in events)
    verification_status_counts_move(
        changes=(
            (request.institution_id, Status.PENDING, result.decision.outcome)
            for result in recorded
            if (request := result.verification_request) is not None
        )
    )
    audit_record_many(
        AuditEntry(
            event_type=AuditEvent.Type.VERIFICATION_DECIDED,
            actor=decided_by,
            institution=request.institution,
            subject=request,
            details={
                "application_number": request.application_number,
                "outcome": result.decision.outcome,
            },
        )
        for result in recorded
        if (request := result.verification_request) is not None
    )


def verification_decide_many(
    *, decisions: Sequence[Decision], decided_by: User, now: datetime | None = None
) -> list[DecisionReport]:
    """Record members' final decisions, each with every rule of ``verification_decide``, in
    one transaction and a few set-based queries: one result per decision, in order.

    Each decision is refused on its own (``DecisionReport.error``), the others go on: an
    unknown outcome, a missing comment for a "not verified" outcome or one too long (checked
    first, without reading the request); then, on the request locked: a user who is not an
    active, current member of the request's DLI (the membership is read once, inside the
    transaction), a request already decided (``AlreadyDecided`` naming who, when and what —
    also by an earlier decision of the same call), and a deadline passed (``PastDeadline``).

    The requests are locked in one ``select_for_update`` in ascending primary key (no deadlock
    between overlapping batches); of two callers deciding the same request exactly one
    succeeds. Side effects of each decision recorded: the request's status, ``decided_at``,
    ``decided_by``, comment and ``updated_at``; its ``decided`` history entry
    (``history_appended`` once after the commit for all of them); its ``verification_decided``
    audit entry (``audit_record_many``: one lock of the chain head for the batch, last).
    Raises ``VerificationRequest.DoesNotExist`` (nothing written) for a request that does not
    exist.
    """
    results = [DecisionReport(decision=decision) for decision in decisions]
    comments = [(decision.comment or "").strip() for decision in decisions]
    todo: list[tuple[DecisionReport, str]] = []
    for result, comment in zip(results, comments, strict=True):
        result.error = _input_refusal(result.decision.outcome, comment)
        if result.error is None:
            todo.append((result, comment))
    if not todo:
        return results
    with transaction.atomic():
        locked = _lock_requests(sorted({r.decision.request_id for r, _c in todo}))
        _deciders_attach(locked.values())
        # Read now, not from the roles cached for the page: the check guards a write.
        membership = membership_current(decided_by)
        member_of = (
            membership.institution_id if decided_by.is_active and membership is not None else None
        )
        now = now or timezone.now()
        recorded: list[DecisionReport] = []
        recorded_comments: list[str] = []
        for result, comment in todo:
            row = locked[result.decision.request_id]
            if member_of is None or member_of != row.institution_id:
                result.error = VerificationError(MSG_NOT_A_MEMBER, code="not_a_member")
            elif row.is_decided:
                result.error = AlreadyDecided(row)
            elif not row.is_decidable(now):
                result.error = PastDeadline(MSG_PAST_DEADLINE, code="past_deadline")
            else:
                row.status = result.decision.outcome
                row.decided_at = now
                row.decided_by = decided_by
                row.decision_comment = comment
                result.verification_request = row
                recorded.append(result)
                recorded_comments.append(comment)
        if recorded:
            _decisions_write(recorded, decided_by=decided_by, now=now, comments=recorded_comments)
    return results


def verification_decide(
    *,
    verification_request: VerificationRequest,
    outcome: str,
    comment: str,
    decided_by: User,
    now: datetime | None = None,
) -> VerificationRequest:
    """Record a member's final decision: ``verification_decide_many`` with one decision, its
    refusal raised.

    Locks the request (``select_for_update``) so that of two members deciding at once exactly
    one succeeds; the other gets ``AlreadyDecided`` naming who decided, when and what. Refuses
    (``VerificationError``) a user who is not a current member of the request's DLI, an
    unknown outcome, a missing comment for a "not verified" outcome, and (``PastDeadline``) a
    request whose deadline has passed. Side effects: the ``decided`` history entry and a
    ``verification_decided`` audit entry.
    """
    (result,) = verification_decide_many(
        decisions=[Decision(verification_request.pk, outcome, comment)],
        decided_by=decided_by,
        now=now,
    )
    if result.error is not None:
        raise result.error
    assert result.verification_request is not None
    return result.verification_request


# --- Assignment --------------------------------------------------------------------------------


def _is_current_member(user: User, institution_id: int) -> bool:
    """Whether ``user`` is an active account with a current membership of this DLI, read now
    (not from the roles cached for the page: the check guards a write)."""
    membership = membership_current(user)
    return user.is_active and membership is not None and membership.institution_id == institution_id


def _person(user: User | None) -> dict[str, Any]:
    if user is None:
        return {"id": None, "name": "", "email": ""}
    return {"id": user.pk, "name": user.full_name, "email": user.email}


def verification_assign(
    *,
    verification_request: VerificationRequest,
    assignee: User | None,
    assigned_by: User,
    now: datetime | None = None,
) -> VerificationRequest:
    """Give a pending request to a colleague of its DLI (``assignee``), to oneself, or to
    nobody (``assignee=None``: unassign).

    Locks the request. Refuses (``VerificationError``) an ``assigned_by`` who is not a current
    member of the request's DLI, an ``assignee`` who is not (field ``assignee``: a user of
    another DLI, an ended membership, a deactivated account, an officer), and a request that
    is no longer pending (decided, or past its deadline). Assigning to whoever already has it
    changes nothing and records nothing. Side effects: an ``assigned`` history entry (details:
    the new and the previous assignee) and a ``verification_assigned`` audit entry. Anyone of
    the DLI may still decide the request, assigned or not.
    """
    with transaction.atomic():
        locked = (
            VerificationRequest.objects.select_for_update(of=("self",))
            .select_related("institution")
            .get(pk=verification_request.pk)
        )
        if not _is_current_member(assigned_by, locked.institution_id):
            raise VerificationError(MSG_ASSIGN_NOT_A_MEMBER, code="not_a_member")
        if assignee is not None and not _is_current_member(assignee, locked.institution_id):
            raise VerificationError(
                MSG_ASSIGNEE_NOT_A_MEMBER, code="assignee_not_a_member", field="assignee"
            )
        now = now or timezone.now()
        if not locked.is_decidable(now):
            raise VerificationError(MSG_ASSIGN_CLOSED, code="assign_closed")
        previous_id = locked.assigned_to_id
        if previous_id == (assignee.pk if assignee is not None else None):
            return locked
        previous = get_user_model().objects.get(pk=previous_id) if previous_id else None
        locked.assigned_to = assignee
        locked.save(update_fields=["assigned_to"])
        details = {"assignee": _person(assignee), "previous": _person(previous)}
        VerificationEvent.objects.create(
            request=locked,
            kind=VerificationEvent.Kind.ASSIGNED,
            occurred_at=now,
            actor=assigned_by,
            details=details,
        )
        audit_record(
            event_type=AuditEvent.Type.VERIFICATION_ASSIGNED,
            actor=assigned_by,
            institution=locked.institution,
            target_user=assignee,
            subject=locked,
            details={"application_number": locked.application_number, **details},
        )
    return locked


# --- Export ------------------------------------------------------------------------------------


def verification_export_record(
    *, user: User, institution: Institution | None, filters: Mapping[str, Any]
) -> None:
    """Record that ``user`` downloaded a CSV export of verification requests: the DLI's queue
    (``institution``) or the officers' list (``institution=None``), with the filters of the
    view (the number of rows is not known before the file has streamed)."""
    audit_record(
        event_type=AuditEvent.Type.VERIFICATION_EXPORTED,
        actor=user,
        institution=institution,
        details={
            "scope": "dli" if institution is not None else "officers",
            "filters": {key: str(value) for key, value in filters.items() if value},
        },
    )


def verification_close_overdue(*, now: datetime | None = None) -> int:
    """Record the deadline's passage of every pending request past it: status ``no_response``,
    a ``no_response`` history entry and a ``verification_no_response`` audit entry, each
    once per request however often (and in however many processes) this runs: the change is
    claimed by a conditional UPDATE. Returns how many passages it recorded."""
    now = now or timezone.now()
    overdue = VerificationRequest.objects.filter(status=Status.PENDING, due_at__lt=now)
    recorded = 0
    for pk in list(overdue.order_by("due_at", "id").values_list("pk", flat=True)):
        with transaction.atomic():
            claimed = VerificationRequest.objects.filter(
                pk=pk, status=Status.PENDING, due_at__lt=now
            ).update(status=Status.NO_RESPONSE, no_response_recorded_at=now)
            if not claimed:
                continue
            request = VerificationRequest.objects.select_related("institution").get(pk=pk)
            verification_status_counts_move(
                changes=[(request.institution_id, Status.PENDING, Status.NO_RESPONSE)]
            )
            VerificationEvent.objects.create(
                request=request,
                kind=VerificationEvent.Kind.NO_RESPONSE,
                occurred_at=now,
                outcome=Status.NO_RESPONSE,
                details={"due_at": request.due_at.isoformat()},
            )
            audit_record(
                event_type=AuditEvent.Type.VERIFICATION_NO_RESPONSE,
                institution=request.institution,
                subject=request,
                details={
                    "application_number": request.application_number,
                    "due_at": request.due_at.isoformat(),
                },
            )
            recorded += 1
    return recorded


def verification_document_viewed(*, verification_request: VerificationRequest, user: User) -> None:
    """Record that a user opened a request's document (history and audit). The view checks
    access first (``verification_request_visible_to``)."""
    with transaction.atomic():
        VerificationEvent.objects.create(
            request=verification_request, kind=VerificationEvent.Kind.DOCUMENT_VIEWED, actor=user
        )
        audit_record(
            event_type=AuditEvent.Type.VERIFICATION_DOCUMENT_VIEWED,
            actor=user,
            institution=verification_request.institution,
            subject=verification_request,
            details={"application_number": verification_request.application_number},
        )


# --- Amendments approved by IRCC ---------------------------------------------------------------

MSG_REQUEST_DECIDED = _(
    "The DLI has already decided this request: its deadline can no longer be extended."
)
MSG_EXTENDED_DEADLINE_PASSED = _(
    "With %(days)s more days the deadline would be %(due)s, which has already passed. Grant "
    "more days or refuse the extension."
)
MSG_ASKED_AFTER_DEADLINE = _("The extension was asked for after the deadline had passed.")
MSG_NOT_DECIDED = _("Only a decided request can be corrected.")
MSG_OUTCOME_CHANGED = _(
    "The request's result is no longer the one the correction was asked for: refuse it."
)


def _lock_request(verification_request: VerificationRequest) -> VerificationRequest:
    return (
        VerificationRequest.objects.select_for_update(of=("self",))
        .select_related("institution")
        .get(pk=verification_request.pk)
    )


def verification_history_append(
    *,
    verification_request: VerificationRequest,
    kind: str,
    actor: User | None,
    outcome: str = "",
    comment: str = "",
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> VerificationEvent:
    """Append one entry to a request's history (the amendments' steps that leave the request
    itself unchanged: asked for, refused)."""
    return VerificationEvent.objects.create(
        request=verification_request,
        kind=kind,
        occurred_at=now or timezone.now(),
        actor=actor,
        outcome=outcome,
        comment=comment,
        details=details or {},
    )


def verification_extend_deadline(
    *,
    verification_request: VerificationRequest,
    days: int,
    extended_by: User,
    asked_at: datetime,
    comment: str = "",
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> VerificationRequest:
    """Move a request's deadline by ``days`` calendar days (``deadlines.deadline_extended``):
    an officer approved an extension asked for at ``asked_at``.

    Locks the request. Refuses (``VerificationError``) a decided request (``request_decided``),
    an extension asked for after the deadline then in force (``asked_after_deadline``), and a
    new deadline already past at ``now`` (``extended_deadline_passed``). Keeps the first
    deadline in ``original_due_at``. A request whose deadline passed while IRCC was deciding
    (``no_response``, recorded or not) is reopened: pending again until the new deadline
    (README "Extension and correction requests"). Side effect: an ``extension_approved``
    history entry naming the officer (the caller writes the audit entry). Runs in the caller's
    transaction.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_request(verification_request)
        if locked.is_decided:
            raise VerificationError(MSG_REQUEST_DECIDED, code="request_decided")
        if asked_at > locked.due_at:
            raise VerificationError(MSG_ASKED_AFTER_DEADLINE, code="asked_after_deadline")
        new_due = deadline_extended(locked.due_at, days)
        if new_due < now:
            zone = institution_zone(locked.institution)
            due_text = formats.date_format(timezone.localtime(new_due, zone), "DATETIME_FORMAT")
            raise VerificationError(
                MSG_EXTENDED_DEADLINE_PASSED % {"days": days, "due": f"{due_text} ({zone.key})"},
                code="extended_deadline_passed",
                field="days",
            )
        previous_due = locked.due_at
        previous_status = locked.status
        reopened = locked.effective_status(now) == Status.NO_RESPONSE
        if locked.original_due_at is None:
            locked.original_due_at = previous_due
        locked.due_at = new_due
        locked.status = Status.PENDING
        locked.no_response_recorded_at = None
        locked.save(
            update_fields=["original_due_at", "due_at", "status", "no_response_recorded_at"]
        )
        verification_status_counts_move(
            changes=[(locked.institution_id, previous_status, Status.PENDING)]
        )
        verification_history_append(
            verification_request=locked,
            kind=VerificationEvent.Kind.EXTENSION_APPROVED,
            actor=extended_by,
            comment=comment,
            details={
                **(details or {}),
                "days": days,
                "previous_due_at": previous_due.isoformat(),
                "due_at": new_due.isoformat(),
                "reopened": reopened,
            },
            now=now,
        )
    return locked


def verification_correct(
    *,
    verification_request: VerificationRequest,
    outcome: str,
    expected_outcome: str,
    corrected_by: User,
    comment: str,
    reason: str = "",
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> VerificationRequest:
    """Change a decided request's outcome: an officer approved a correction asked for while
    the outcome was ``expected_outcome``.

    Locks the request. Refuses (``VerificationError``) a request not decided (``not_decided``),
    one whose outcome changed since (``outcome_changed``) and an outcome that
    ``VerificationRequest.CORRECTIONS`` does not allow (``outcome_invalid``). The request
    takes the new outcome and ``comment`` (the DLI's explanation) as its decision comment;
    ``decided_at``/``decided_by`` stay those of the DLI's first decision, whose ``decided``
    history entry stays too. Side effect: a ``corrected`` history entry naming the officer,
    with ``reason`` (the caller writes the audit entry). Runs in the caller's transaction.
    """
    comment = (comment or "").strip()
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock_request(verification_request)
        if not locked.is_decided:
            raise VerificationError(MSG_NOT_DECIDED, code="not_decided")
        if locked.status != expected_outcome:
            raise VerificationError(MSG_OUTCOME_CHANGED, code="outcome_changed")
        if outcome not in VerificationRequest.CORRECTIONS.get(locked.status, frozenset()):
            raise VerificationError(MSG_OUTCOME_INVALID, code="outcome_invalid", field="outcome")
        if not comment:
            raise VerificationError(MSG_COMMENT_REQUIRED, code="comment_required", field="comment")
        previous = locked.status
        locked.status = outcome
        locked.decision_comment = comment[:COMMENT_MAX_LENGTH]
        locked.save(update_fields=["status", "decision_comment"])
        verification_status_counts_move(changes=[(locked.institution_id, previous, outcome)])
        verification_history_append(
            verification_request=locked,
            kind=VerificationEvent.Kind.CORRECTED,
            actor=corrected_by,
            outcome=outcome,
            comment=reason.strip(),
            details={**(details or {}), "previous_outcome": previous},
            now=now,
        )
    return locked


# --- Documents left behind ---------------------------------------------------------------------

ORPHAN_GRACE = timedelta(hours=1)


def verification_documents_sweep(*, now: datetime | None = None) -> int:
    """Delete stored documents that no request names and that are older than an hour.

    Intake deletes the files of a failed write itself; this catches what it cannot: a process
    killed between writing a file and committing, or a caller's outer transaction rolled back
    after intake returned. The hour leaves any intake in progress alone. Returns how many files
    it deleted. The worker runs it every hour.
    """
    now = now or timezone.now()
    storage = documents_storage()
    cutoff = now - ORPHAN_GRACE
    candidates = [
        stored.name for stored in documents_backend().documents() if stored.modified < cutoff
    ]
    deleted = 0
    for start in range(0, len(candidates), 500):
        chunk = candidates[start : start + 500]
        known = set(
            VerificationRequest.objects.filter(document__in=chunk).values_list(
                "document", flat=True
            )
        )
        for name in chunk:
            if name not in known:
                storage.delete(name)
                deleted += 1
    return deleted


# --- Grouped new-request emails ----------------------------------------------------------------


def _announcements_mark(*, institution_ids: Iterable[int], now: datetime) -> None:
    """Note, for each current user of these DLIs, that new requests wait for an email, then
    send it to those not emailed within ``ANNOUNCEMENT_INTERVAL``."""
    institution_ids = list(institution_ids)
    if not institution_ids:
        return
    user_ids = list(
        get_user_model()
        .objects.filter(
            is_active=True,
            membership__institution_id__in=institution_ids,
            membership__ended_at__isnull=True,
        )
        .values_list("pk", flat=True)
    )
    if not user_ids:
        return
    VerificationAnnouncement.objects.bulk_create(
        [VerificationAnnouncement(user_id=pk) for pk in user_ids], ignore_conflicts=True
    )
    VerificationAnnouncement.objects.filter(
        user_id__in=user_ids, pending_since__isnull=True
    ).update(pending_since=now)
    verification_announcements_send(now=now, user_ids=user_ids)


def _due(now: datetime) -> Q:
    return Q(pending_since__isnull=False) & (
        Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - ANNOUNCEMENT_INTERVAL)
    )


def _announcement_claim(announcement: VerificationAnnouncement, *, now: datetime) -> bool:
    """Take the right to email this user now: one conditional UPDATE, so that of several
    processes only one sees its row change (the others wait for its lock, then find the row
    no longer due)."""
    return bool(
        VerificationAnnouncement.objects.filter(_due(now), pk=announcement.pk).update(
            last_sent_at=now, pending_since=None
        )
    )


def verification_announcements_send(
    *, now: datetime | None = None, user_ids: Iterable[int] | None = None
) -> int:
    """Send the grouped "new requests to verify" email to every user who has new requests
    waiting and was not emailed within the last hour. Each send is claimed by one conditional
    UPDATE of the user's ``VerificationAnnouncement`` row, so that concurrent processes (two
    imports, the worker) never send a user two emails within the hour. The worker runs this
    every minute, which sends what an earlier batch left waiting once the hour is up."""
    now = now or timezone.now()
    candidates = VerificationAnnouncement.objects.filter(_due(now), user__is_active=True)
    if user_ids is not None:
        candidates = candidates.filter(user_id__in=list(user_ids))
    sent = 0
    for announcement in candidates.select_related("user", "user__membership__institution"):
        with transaction.atomic():
            if not _announcement_claim(announcement, now=now):
                continue
            user = announcement.user
            membership = getattr(user, "membership", None)
            if membership is None or membership.ended_at is not None:
                continue
            institution = membership.institution
            waiting = VerificationRequest.objects.filter(
                institution=institution, status=Status.PENDING, due_at__gte=now
            )
            new_count = waiting.filter(created_at__gte=announcement.pending_since).count()
            if not new_count:
                # Nothing left to announce (all decided already): no email, and the hour is
                # not spent on it.
                VerificationAnnouncement.objects.filter(pk=announcement.pk).update(
                    last_sent_at=announcement.last_sent_at
                )
                continue
            first_due = waiting.order_by("due_at").values_list("due_at", flat=True).first()
            email_send_template(
                to=user.email,
                template_prefix="verifications/email/new_requests",
                context={
                    "user": user,
                    "institution": institution,
                    "new_count": new_count,
                    "waiting_count": waiting.count(),
                    "first_due": first_due,
                    "zone": institution_zone(institution).key,
                    "portal_url": settings.PORTAL_URL,
                },
                language=user.preferred_language,
            )
            sent += 1
    return sent
