"""Matching help: upload the admissions list, make the suggestions, confirm them, delete.

The portal only suggests. Each decision comes from a person's confirmation and goes through
``verifications.services.verification_decide`` (deadline checked then, final, once, a
comment for "not verified", only a current member of the request's DLI).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from loaportal.admissions.matching import AdmissionsIndex, Person
from loaportal.admissions.models import Admission, AdmissionsList, MatchSuggestion
from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record
from loaportal.core.exceptions import ApplicationError
from loaportal.core.spreadsheets import (
    SpreadsheetUnreadable,
    cell_text,
    header_key,
    spreadsheet_records,
)
from loaportal.institutions.selectors import membership_current
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import (
    AlreadyDecided,
    PastDeadline,
    VerificationError,
    verification_decide,
)

if TYPE_CHECKING:
    from loaportal.accounts.models import User
    from loaportal.institutions.models import Institution

Outcome = VerificationRequest.Status
ACCEPTED_EXTENSIONS = (".csv", ".txt", ".xlsx")
STATUS_WORDS = {
    Admission.Status.ADMITTED: {"admitted", "admis", "admise", "accepted", "enrolled", "inscrit"},
    Admission.Status.WITHDRAWN: {"withdrawn", "withdrew", "retire", "retiree", "cancelled"},
    Admission.Status.DEFERRED: {"deferred", "reporte", "reportee", "differe"},
}

MSG_NOT_A_MEMBER = _("Only a user of a DLI can upload its admissions list.")
MSG_FILE_TYPE = _("Choose a CSV file (.csv) or an Excel file (.xlsx).")
MSG_FILE_TOO_LARGE = _("The file is larger than %(limit)s MB.")
MSG_UNREADABLE = _(
    "The file could not be read. Upload a CSV file (UTF-8) or an Excel file (.xlsx)."
)
MSG_COLUMNS = _(
    "The first row must name the columns: name (or surname and given_names), date_of_birth, "
    "student_id, program, start_date and status."
)
MSG_EMPTY = _("The file has no admissions.")
MSG_TOO_MANY_ROWS = _("The file has too many rows: at most %(limit)s.")
COMMENT_NO_RECORD = _("No admission record matches this student (admissions list).")
COMMENT_WITHDRAWN = _("The admissions list shows this student as withdrawn.")


class AdmissionsError(ApplicationError):
    code = "admissions_error"


def _member_institution(user: User) -> Institution | None:
    membership = membership_current(user)
    return membership.institution if membership is not None and user.is_active else None


def _date(value: Any) -> date | None:
    text = cell_text(value)[:10]
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _status(value: Any) -> str:
    key = (
        "".join(ch for ch in cell_text(value).casefold() if ch.isalpha())
        .replace("é", "e")
        .replace("è", "e")
    )
    for status, words in STATUS_WORDS.items():
        if key in words:
            return status
    return Admission.Status.ADMITTED if not key else ""


def _read(content: bytes, *, max_rows: int) -> list[Admission]:
    try:
        records = iter(spreadsheet_records(content))
        header: list[Any] = []
        for _line, values in records:
            if any(cell_text(v) for v in values):
                header = values
                break
        keys = [header_key(v) for v in header]
        named = "name" in keys or "surname" in keys
        if not header or not named:
            raise AdmissionsError(
                MSG_COLUMNS if header else MSG_EMPTY, code="columns", field="file"
            )
        at = {key: index for index, key in reversed(list(enumerate(keys)))}

        def cell(values: list[Any], key: str) -> Any:
            index = at.get(key)
            return values[index] if index is not None and index < len(values) else None

        admissions: list[Admission] = []
        for line, values in records:
            if not any(cell_text(v) for v in values):
                continue
            if len(admissions) >= max_rows:
                raise AdmissionsError(
                    str(MSG_TOO_MANY_ROWS) % {"limit": max_rows}, code="too_many_rows", field="file"
                )
            name = cell_text(cell(values, "name")) or " ".join(
                part
                for part in (
                    cell_text(cell(values, "given_names")),
                    cell_text(cell(values, "surname")),
                )
                if part
            )
            admissions.append(
                Admission(
                    line=line,
                    name=name[:301],
                    date_of_birth=_date(cell(values, "date_of_birth")),
                    student_id=cell_text(cell(values, "student_id"))[:50],
                    program=cell_text(cell(values, "program"))[:255],
                    start_date=_date(cell(values, "start_date")),
                    status=_status(cell(values, "status")) or Admission.Status.ADMITTED,
                )
            )
    except SpreadsheetUnreadable:
        raise AdmissionsError(MSG_UNREADABLE, code="unreadable", field="file") from None
    if not admissions:
        raise AdmissionsError(MSG_EMPTY, code="empty", field="file")
    return admissions


def admissions_list_upload(*, user: User, file_name: str, content: bytes) -> AdmissionsList:
    """Replace the DLI's admissions list with this file's, and make the suggestions.

    Refuses (``AdmissionsError``, field ``file``) a user who is not a current member, a file
    of another type, too large, unreadable, without the columns or without rows. Side effect:
    an ``admissions_list_uploaded`` audit entry. The list is deleted after
    ``ADMISSIONS_RETENTION_DAYS``.
    """
    institution = _member_institution(user)
    if institution is None:
        raise AdmissionsError(MSG_NOT_A_MEMBER, code="not_a_member")
    name = PurePath(file_name.replace("\\", "/")).name[:255] or "admissions"
    if not name.lower().endswith(ACCEPTED_EXTENSIONS):
        raise AdmissionsError(MSG_FILE_TYPE, code="file_type", field="file")
    limit = settings.DECISION_FILE_MAX_BYTES
    if len(content) > limit:
        raise AdmissionsError(
            str(MSG_FILE_TOO_LARGE) % {"limit": f"{limit / 1024 / 1024:g}"},
            code="file_too_large",
            field="file",
        )
    admissions = _read(content, max_rows=settings.DECISION_FILE_MAX_ROWS)
    now = timezone.now()
    with transaction.atomic():
        AdmissionsList.objects.filter(institution=institution).delete()
        admissions_list = AdmissionsList.objects.create(
            institution=institution,
            uploaded_by=user,
            uploaded_at=now,
            file_name=name,
            row_count=len(admissions),
            delete_after=now + timedelta(days=settings.ADMISSIONS_RETENTION_DAYS),
        )
        for admission in admissions:
            admission.admissions_list = admissions_list
        Admission.objects.bulk_create(admissions, batch_size=1000)
        audit_record(
            event_type=AuditEvent.Type.ADMISSIONS_LIST_UPLOADED,
            actor=user,
            institution=institution,
            subject=admissions_list,
            details={"file_name": name, "rows": len(admissions)},
        )
        admissions_match(admissions_list=admissions_list, now=now)
    return admissions_list


def implied_outcome(admission_status: str | None) -> str:
    if admission_status is None:
        return Outcome.NOT_VERIFIED_NO_MATCH
    if admission_status == Admission.Status.WITHDRAWN:
        return Outcome.NOT_VERIFIED_CANCELLED
    return Outcome.VERIFIED_MATCHED


def _person(vr: VerificationRequest) -> Person:
    return Person(
        id=vr.pk,
        name=f"{vr.given_names} {vr.surname}",
        date_of_birth=vr.date_of_birth,
        student_id=vr.student_id,
        program=vr.program,
        start_date=vr.start_date,
    )


def admissions_match(*, admissions_list: AdmissionsList, now: datetime | None = None) -> int:
    """(Re)make a suggestion for every request of the list's DLI that can still be decided.
    Returns how many. Decides nothing."""
    now = now or timezone.now()
    admissions = {a.pk: a for a in Admission.objects.filter(admissions_list=admissions_list)}
    index = AdmissionsIndex(
        [
            Person(
                id=a.pk,
                name=a.name,
                date_of_birth=a.date_of_birth,
                student_id=a.student_id,
                program=a.program,
                start_date=a.start_date,
                status=a.status,
            )
            for a in admissions.values()
        ]
    )
    requests = VerificationRequest.objects.filter(
        institution_id=admissions_list.institution_id,
        status=VerificationRequest.Status.PENDING,
        due_at__gte=now,
    ).order_by("due_at", "id")
    suggestions = []
    for vr in requests.iterator(chunk_size=2000):
        best = index.best(_person(vr))
        admission = admissions[best.candidate.id] if best.candidate else None
        suggestions.append(
            MatchSuggestion(
                admissions_list=admissions_list,
                request=vr,
                admission=admission,
                score=best.score,
                agreeing=list(best.agreeing),
                differing=list(best.differing),
                outcome=implied_outcome(admission.status if admission else None),
            )
        )
    with transaction.atomic():
        MatchSuggestion.objects.filter(admissions_list=admissions_list).delete()
        MatchSuggestion.objects.bulk_create(suggestions, batch_size=1000)
        AdmissionsList.objects.filter(pk=admissions_list.pk).update(matched_at=now)
    return len(suggestions)


@dataclass
class Confirmed:
    recorded: int
    refused: list[tuple[str, str]]  # (application number, reason)


def admissions_confirm(*, user: User, suggestion_ids: Iterable[int]) -> Confirmed:
    """Record the suggestions a person confirmed, each through ``verification_decide`` with
    the outcome it implies (and, for "not verified", a comment saying why). Only suggestions
    of the user's own DLI's list are taken; each is independent."""
    institution = _member_institution(user)
    result = Confirmed(recorded=0, refused=[])
    if institution is None:
        return result
    suggestions = (
        MatchSuggestion.objects.filter(
            pk__in=list(suggestion_ids), admissions_list__institution=institution
        )
        .select_related("request")
        .order_by("request__due_at", "pk")
    )
    for suggestion in suggestions:
        comments: dict[str, str] = {
            Outcome.NOT_VERIFIED_NO_MATCH: str(COMMENT_NO_RECORD),
            Outcome.NOT_VERIFIED_CANCELLED: str(COMMENT_WITHDRAWN),
        }
        comment = comments.get(suggestion.outcome, "")
        try:
            verification_decide(
                verification_request=suggestion.request,
                outcome=suggestion.outcome,
                comment=comment,
                decided_by=user,
            )
        except (AlreadyDecided, PastDeadline, VerificationError) as exc:
            result.refused.append((suggestion.request.application_number, str(exc.message)))
        else:
            result.recorded += 1
    return result


def admissions_list_delete(*, user: User) -> bool:
    """Delete the DLI's list now (with its suggestions). Audited."""
    institution = _member_institution(user)
    if institution is None:
        return False
    with transaction.atomic():
        deleted, _counts = AdmissionsList.objects.filter(institution=institution).delete()
        if deleted:
            audit_record(
                event_type=AuditEvent.Type.ADMISSIONS_LIST_DELETED,
                actor=user,
                institution=institution,
                details={"by": "user"},
            )
    return bool(deleted)


def admissions_purge(*, now: datetime | None = None) -> int:
    """Delete every list past its retention (the worker runs this hourly)."""
    now = now or timezone.now()
    expired = list(
        AdmissionsList.objects.filter(delete_after__lt=now).select_related("institution")
    )
    for admissions_list in expired:
        with transaction.atomic():
            admissions_list.delete()
            audit_record(
                event_type=AuditEvent.Type.ADMISSIONS_LIST_DELETED,
                institution=admissions_list.institution,
                details={"by": "retention"},
            )
    return len(expired)
