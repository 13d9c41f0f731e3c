"""The REST API, version 1, under ``/api/v1/`` (README "API", ADR 0008).

Views are thin: each checks its input, calls the same services and selectors as the web pages
(``verification_decide_many``, ``verification_request_create``,
``verification_request_visible_to`` through ``verification_request_feed``) and shapes the
answer. The rules — deadlines, finality, one decision per request, isolation between DLIs,
audit entries — are theirs.

Kept stable (other tools depend on them): the paths below, ``/api/v1/openapi.json``, the field
names, and the error ``code`` values.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, NinjaAPI, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from pydantic import Field

from loaportal.api import auth
from loaportal.api.amendments import router as amendments_router
from loaportal.api.errors import ApiError
from loaportal.api.schemas import (
    ERRORS,
    BatchIn,
    BatchOut,
    DecisionIn,
    DecisionResult,
    DliRequestOut,
    DliRequestPage,
    ErrorOut,
    IrccCreateIn,
    IrccRequestOut,
    IrccRequestPage,
    StatusCode,
)
from loaportal.api.services import Caller
from loaportal.core.exceptions import ApplicationError
from loaportal.verifications.document_serving import verification_document_response
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.selectors import (
    verification_request_feed,
    verification_request_visible_to,
)
from loaportal.verifications.services import (
    AlreadyDecided,
    Decision,
    DecisionReport,
    application_number_normalize,
    verification_decide_many,
    verification_request_create,
)

API_DESCRIPTION = """\
The LOA Portal API: a DLI's systems read the DLI's verification requests and record decisions;
IRCC's case-processing system creates verification requests and reads their results.

Authenticate every call with `Authorization: Bearer <token>`. A DLI's primary user creates DLI
tokens on the "API access" page (scope `read` or `decide`); IRCC officers create IRCC service
tokens. Errors share one shape (`ErrorOut`) with a stable `code` and a `message` in the
`Accept-Language` of the call (French or English).
"""

api = NinjaAPI(
    title="LOA Portal API",
    version="1.0.0",
    description=API_DESCRIPTION,
    urls_namespace="api_v1",
    docs_url=None,
    openapi_url="/openapi.json",
)

MAX_PAGE = 500


# --- One error shape -----------------------------------------------------------------------------


def _error_response(request: HttpRequest, error: ApiError) -> HttpResponse:
    response = api.create_response(request, error.body(), status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return _error_response(request, exc)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    body = ApiError(422, "invalid_input").body()
    body["errors"] = [
        {"field": _location(error.get("loc", ())), "message": str(error.get("msg", ""))}
        for error in exc.errors
    ]
    return api.create_response(request, body, status=422)


# The names of the views' parameters, which are not part of what the caller sends.
_PARAMETER_NAMES = {"payload", "filters", "data"}


def _location(loc: Any) -> str:
    """Where the bad input is, as the caller names it ("decisions.3.outcome", "status")."""
    parts = [str(part) for part in loc][1:]
    if parts and parts[0] in _PARAMETER_NAMES:
        parts = parts[1:]
    return ".".join(parts) or "body"


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error_response(request, ApiError(401, "token_missing"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error_response(request, ApiError(exc.status_code, "bad_request"))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error_response(request, ApiError(404, "not_found"))


# --- Helpers -------------------------------------------------------------------------------------


def _aware(value: datetime | None, field: str) -> datetime | None:
    """A moment of a query in UTC (a naive one is read as UTC). Python accepts offsets up to
    a day, PostgreSQL up to 16 hours: the database only ever sees UTC."""
    if value is None:
        return None
    if timezone.is_naive(value):
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ApiError(422, "invalid_input", field=field) from None


def _cursor_encode(order: str, request: VerificationRequest) -> str:
    value: datetime = getattr(request, order)
    raw = json.dumps([order, value.isoformat(), request.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_decode(cursor: str | None, order: str) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_order, value, pk = json.loads(raw)
        moment = datetime.fromisoformat(value)
        if cursor_order != order or not isinstance(pk, int) or timezone.is_naive(moment):
            raise ValueError
        moment = moment.astimezone(UTC)
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "cursor_invalid", field="cursor") from None
    return moment, pk


def _page(requests: Any, *, order: str, limit: int) -> tuple[list[VerificationRequest], str | None]:
    rows = list(requests[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (_cursor_encode(order, rows[-1]) if more and rows else None)


def _settled_before(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.API_FEED_SETTLE_SECONDS)


def _decision_fields(request: VerificationRequest, now: datetime) -> dict[str, Any]:
    return {
        "status": request.effective_status(now),
        "outcome": request.status if request.is_decided else None,
        "comment": request.decision_comment,
        "decided_at": request.decided_at,
    }


def _dli_out(request: VerificationRequest, now: datetime) -> dict[str, Any]:
    return {
        "application_number": request.application_number,
        "surname": request.surname,
        "given_names": request.given_names,
        "date_of_birth": request.date_of_birth,
        "program": request.program,
        "start_date": request.start_date,
        "student_id": request.student_id,
        "loa_number": request.loa_number,
        "campus": request.campus,
        "requested_at": request.requested_at,
        "due_at": request.due_at,
        "original_due_at": request.original_due_at,
        "updated_at": request.updated_at,
        "document": {
            "name": request.document_name,
            "content_type": request.document_content_type,
            "size": request.document_size,
        },
        **_decision_fields(request, now),
    }


def _ircc_out(request: VerificationRequest, now: datetime) -> dict[str, Any]:
    history = getattr(request, "history", None)
    if history is None:
        history = [
            event
            for event in request.events.order_by("occurred_at", "id")
            if event.kind not in event.HOUSEKEEPING_KINDS
        ]
    return {
        "application_number": request.application_number,
        "dli_number": request.institution.dli_number,
        "surname": request.surname,
        "given_names": request.given_names,
        "date_of_birth": request.date_of_birth,
        "requested_at": request.requested_at,
        "due_at": request.due_at,
        "original_due_at": request.original_due_at,
        "updated_at": request.updated_at,
        "history": [
            {
                "kind": event.kind,
                "occurred_at": event.occurred_at,
                "outcome": event.outcome,
                "comment": event.comment,
                "details": event.details or {},
            }
            for event in history
        ],
        **_decision_fields(request, now),
    }


def _visible(request: HttpRequest, application_number: str) -> VerificationRequest:
    caller = auth.caller_of(request)
    found = (
        verification_request_visible_to(user=caller.user)
        .filter(application_number=application_number_normalize(application_number))
        .first()
    )
    if found is None:
        raise ApiError(404, "not_found")
    return found


# --- DLI ----------------------------------------------------------------------------------------

dli = Router(tags=["DLI"])


class DliListQuery(Schema):
    status: StatusCode | None = Field(None, description="Effective status.")
    due_before: datetime | None = Field(None, description="Due strictly before this moment.")
    updated_since: datetime | None = Field(None, description="Changed at or after this moment.")
    order: str = Field("due_at", pattern="^(due_at|updated_at)$")
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(100, ge=1, le=MAX_PAGE)


@dli.get(
    "/verification-requests",
    response={200: DliRequestPage, **ERRORS},
    auth=auth.dli_read,
    operation_id="dli_verification_requests_list",
    summary="List the DLI's verification requests",
)
def dli_list(request: HttpRequest, filters: Query[DliListQuery]) -> dict[str, Any]:
    """The DLI's requests, soonest due first (``order=due_at``) or by last change
    (``order=updated_at``, for a program that resumes from where it stopped), a page at a
    time: pass ``next_cursor`` back as ``cursor``."""
    now = timezone.now()
    caller = auth.caller_of(request)
    requests = verification_request_feed(
        user=caller.user,
        status=filters.status,
        due_before=_aware(filters.due_before, "due_before"),
        updated_since=_aware(filters.updated_since, "updated_since"),
        order=filters.order,
        after=_cursor_decode(filters.cursor, filters.order),
        settled_before=_settled_before(now) if filters.order == "updated_at" else None,
        now=now,
    )
    rows, next_cursor = _page(requests, order=filters.order, limit=filters.limit)
    return {"items": [_dli_out(row, now) for row in rows], "next_cursor": next_cursor}


@dli.get(
    "/verification-requests/{application_number}",
    response={200: DliRequestOut, **ERRORS},
    auth=auth.dli_read,
    operation_id="dli_verification_request_get",
    summary="Read one verification request",
)
def dli_get(request: HttpRequest, application_number: str) -> dict[str, Any]:
    return _dli_out(_visible(request, application_number), timezone.now())


DOCUMENT_RESPONSE = {
    "200": {
        "description": "The document the student uploaded (PDF, JPEG or PNG).",
        "content": {
            content_type: {"schema": {"type": "string", "format": "binary"}}
            for content_type in ("application/pdf", "image/jpeg", "image/png")
        },
    }
}


@dli.get(
    "/verification-requests/{application_number}/document",
    response=ERRORS,
    auth=auth.dli_read,
    operation_id="dli_verification_request_document",
    summary="Download the request's document",
    openapi_extra={"responses": DOCUMENT_RESPONSE},
)
def dli_document(request: HttpRequest, application_number: str) -> FileResponse | HttpResponse:
    """Recorded in the request's history as a reading by the token's user."""
    found = _visible(request, application_number)
    return verification_document_response(
        verification_request=found, user=auth.caller_of(request).user, download=True
    )


MSG_SAME_OUTCOME = _("This request was already decided with this outcome: nothing changed.")


def _result_of(
    index: int,
    application_number: str,
    found: VerificationRequest | None,
    decided: DecisionReport | None,
) -> dict[str, Any]:
    """One item's answer: recorded by this call, or refused and why (``code``, ``message``)."""
    result: dict[str, Any] = {
        "index": index,
        "application_number": application_number,
        "recorded": False,
        "status": None,
        "code": None,
        "message": None,
    }
    if found is None or decided is None:
        error = ApiError(404, "not_found")
        result.update(code=error.code, message=str(error.message))
        return result
    refused = decided.error
    if isinstance(refused, AlreadyDecided):
        same = refused.outcome == decided.decision.outcome
        result.update(
            status=refused.outcome,
            code="already_decided_same_outcome" if same else refused.code,
            message=str(MSG_SAME_OUTCOME if same else refused.message),
        )
        return result
    if refused is not None:
        result.update(
            status=found.effective_status(),
            code=refused.code,
            message=str(refused.message),
        )
        return result
    assert decided.verification_request is not None
    result.update(recorded=True, status=decided.verification_request.status)
    return result


def _decide(
    caller: Caller, items: list[tuple[str, str, str, VerificationRequest | None]]
) -> list[dict[str, Any]]:
    """Items (application number, outcome, comment, the visible request or None) decided in
    one call of ``verification_decide_many`` (one transaction, set-based; each item recorded
    or refused on its own), answered in order."""
    decisions = [
        Decision(found.pk, outcome, comment)
        for _number, outcome, comment, found in items
        if found is not None
    ]
    decided = iter(verification_decide_many(decisions=decisions, decided_by=caller.user))
    return [
        _result_of(index, number, found, next(decided) if found is not None else None)
        for index, (number, _outcome, _comment, found) in enumerate(items)
    ]


@dli.post(
    "/verification-requests/{application_number}/decision",
    response={200: DecisionResult, 409: ErrorOut, **ERRORS},
    auth=auth.dli_decide,
    operation_id="dli_verification_request_decide",
    summary="Record the decision on one request",
)
def dli_decide(request: HttpRequest, application_number: str, payload: DecisionIn) -> Status[Any]:
    """Final once recorded. Sending the same outcome again changes nothing: 200 with
    ``recorded: false`` and ``code: already_decided_same_outcome``. Refusals: 409
    (``already_decided``, ``past_deadline``), 422 (``outcome_invalid``, ``comment_required``,
    ``comment_too_long``)."""
    found = _visible(request, application_number)
    (result,) = _decide(
        auth.caller_of(request),
        [(found.application_number, payload.outcome, payload.comment, found)],
    )
    code = result["code"]
    if result["recorded"] or code == "already_decided_same_outcome":
        return Status(200, result)
    status = 409 if code in ("already_decided", "past_deadline") else 422
    raise ApiError(status, code, result["message"], field=_field_of(code))


def _field_of(code: str | None) -> str | None:
    if code == "outcome_invalid":
        return "outcome"
    if code in ("comment_required", "comment_too_long"):
        return "comment"
    return None


@dli.post(
    "/decisions",
    response={200: BatchOut, **ERRORS},
    auth=auth.dli_decide,
    operation_id="dli_decisions_batch",
    summary="Record decisions in batch (up to 1,000)",
)
def dli_decisions(request: HttpRequest, payload: BatchIn) -> dict[str, Any]:
    """Each item is checked and recorded on its own, in order, with exactly the rules of the
    web form: one result per item says whether this call recorded it and, if not, why
    (``code``, ``message``). An item is never half-applied; sending the same batch again
    changes nothing and says so (``already_decided_same_outcome``)."""
    # One transaction of a few set-based queries for the whole batch (verification_decide_many,
    # ADR 0018), the answers item by item as before.
    caller = auth.caller_of(request)
    numbers = [application_number_normalize(item.application_number) for item in payload.decisions]
    # Only what the answers need (the service locks and reads each request itself).
    found = {
        row.application_number: row
        for row in verification_request_visible_to(user=caller.user)
        .filter(application_number__in=set(numbers))
        .select_related(None)
        .only("id", "application_number", "institution_id", "status", "due_at")
    }
    results = _decide(
        caller,
        [
            (number, item.outcome, item.comment, found.get(number))
            for number, item in zip(numbers, payload.decisions, strict=True)
        ],
    )
    recorded = sum(1 for result in results if result["recorded"])
    return {"results": results, "recorded": recorded, "refused": len(results) - recorded}


# --- IRCC ---------------------------------------------------------------------------------------

ircc = Router(tags=["IRCC"])


class IrccListQuery(Schema):
    status: StatusCode | None = Field(None, description="Effective status.")
    updated_since: datetime | None = Field(None, description="Changed at or after this moment.")
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(100, ge=1, le=MAX_PAGE)


@ircc.get(
    "/verification-requests",
    response={200: IrccRequestPage, **ERRORS},
    auth=auth.ircc,
    operation_id="ircc_verification_requests_list",
    summary="Read verification requests and their results",
)
def ircc_list(request: HttpRequest, filters: Query[IrccListQuery]) -> dict[str, Any]:
    """Every DLI's requests, oldest change first, in the stable order (``updated_at``, then
    id): a poller keeps ``next_cursor`` (or the last ``updated_at``) and resumes from it.
    Changes younger than a couple of seconds wait for the next poll, so that one committing
    late is never stepped over."""
    now = timezone.now()
    requests = verification_request_feed(
        user=auth.caller_of(request).user,
        status=filters.status,
        updated_since=_aware(filters.updated_since, "updated_since"),
        order="updated_at",
        after=_cursor_decode(filters.cursor, "updated_at"),
        settled_before=_settled_before(now),
        with_history=True,
        now=now,
    ).select_related("institution")
    rows, next_cursor = _page(requests, order="updated_at", limit=filters.limit)
    return {"items": [_ircc_out(row, now) for row in rows], "next_cursor": next_cursor}


@ircc.get(
    "/verification-requests/{application_number}",
    response={200: IrccRequestOut, **ERRORS},
    auth=auth.ircc,
    operation_id="ircc_verification_request_get",
    summary="Read one verification request and its history",
)
def ircc_get(request: HttpRequest, application_number: str) -> dict[str, Any]:
    return _ircc_out(_visible(request, application_number), timezone.now())


def _sha256_of_stored(request: VerificationRequest) -> str:
    digest = hashlib.sha256()
    with request.document.open("rb") as handle:
        for chunk in iter(lambda: handle.read(65536), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _same_request(existing: VerificationRequest, data: IrccCreateIn, content: bytes) -> bool:
    """Whether a create call repeats the request already stored (same fields, same document)."""

    def text(value: str) -> str:
        return " ".join((value or "").split())

    same_fields = (
        existing.institution.dli_number == text(data.dli_number).upper()
        and existing.surname == text(data.surname)
        and existing.given_names == text(data.given_names)
        and existing.date_of_birth.isoformat() == text(data.date_of_birth)
        and existing.program == text(data.program)
        and (existing.start_date.isoformat() if existing.start_date else "")
        == text(data.start_date)
        and existing.student_id == text(data.student_id)
        and existing.loa_number == text(data.loa_number)
        and existing.campus == text(data.campus)
    )
    return (
        same_fields
        and existing.document_size == len(content)
        and _sha256_of_stored(existing) == hashlib.sha256(content).hexdigest()
    )


def _existing(number: str) -> VerificationRequest | None:
    return (
        VerificationRequest.objects.select_related("institution")
        .filter(application_number=number)
        .first()
    )


@ircc.post(
    "/verification-requests",
    response={201: IrccRequestOut, 200: IrccRequestOut, 409: ErrorOut, **ERRORS},
    auth=auth.ircc,
    operation_id="ircc_verification_request_create",
    summary="Create a verification request",
)
def ircc_create(
    request: HttpRequest, data: Form[IrccCreateIn], document: File[UploadedFile]
) -> Status[Any]:
    """Multipart: the columns of ``loaportal import_requests`` as form fields, the document
    (PDF, JPEG or PNG) in ``document``. Idempotent on the application number: the same request
    again returns the existing one (200); different data for the same number is refused (409
    ``application_number_conflict``). 201 for a new request."""
    limit = settings.VERIFICATION_DOCUMENT_MAX_BYTES
    content = document.read(limit + 1)
    number = application_number_normalize(data.application_number)
    now = timezone.now()
    existing = _existing(number)
    if existing is None:
        try:
            created = verification_request_create(
                application_number=data.application_number,
                dli_number=data.dli_number,
                surname=data.surname,
                given_names=data.given_names,
                date_of_birth=data.date_of_birth,
                document=content,
                document_name=document.name or "document",
                program=data.program,
                start_date=data.start_date or None,
                student_id=data.student_id,
                loa_number=data.loa_number,
                campus=data.campus,
                requested_at=data.requested_at or None,
                created_by=None,
            )
        except ApplicationError as refused:
            if refused.code != "application_number_duplicate":
                raise ApiError(422, refused.code, refused.message, field=refused.field) from None
            existing = _existing(number)  # created by a concurrent identical call
            if existing is None:
                raise
        else:
            return Status(201, _ircc_out(created, now))
    if not _same_request(existing, data, content):
        raise ApiError(409, "application_number_conflict", field="application_number")
    return Status(200, _ircc_out(existing, now))


dli.add_router("", amendments_router)
api.add_router("/dli/", dli)
api.add_router("/ircc/", ircc)
