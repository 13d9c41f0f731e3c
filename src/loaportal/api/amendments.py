"""DLI endpoints for extension and correction requests (issue 10's amendments), through the
same services and selectors as the pages: ``extension_request_create``,
``correction_request_create``, ``extension_requests_visible_to``,
``correction_requests_visible_to``. The token's user asks (the primary user who created it);
the audit entry names the token."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Path, Query, Router, Schema, Status
from pydantic import Field

from loaportal.amendments.models import CorrectionRequest, ExtensionRequest
from loaportal.amendments.selectors import (
    correction_requests_visible_to,
    extension_requests_visible_to,
)
from loaportal.amendments.services import (
    AmendmentError,
    correction_request_create,
    extension_request_create,
)
from loaportal.api import auth
from loaportal.api.errors import ApiError
from loaportal.api.schemas import (
    ERRORS,
    AmendmentStatusCode,
    CorrectionIn,
    CorrectionOut,
    CorrectionPage,
    ErrorOut,
    ExtensionIn,
    ExtensionOut,
    ExtensionPage,
)
from loaportal.verifications.selectors import verification_request_visible_to
from loaportal.verifications.services import application_number_normalize

router = Router(tags=["DLI"])

# An id in a path: validated here (a JSON 422, not the site's 404 page), within the database's
# integer range.
PathId = Annotated[int, Path(..., ge=1, le=2**63 - 1)]

MAX_PAGE = 500
# Refusals about the request's state (409), not about the input (422).
CONFLICTS = {"already_open", "not_pending", "no_days_left", "not_decided", "already_decided"}


def _errors() -> dict[int, type[Schema]]:
    return {**ERRORS, 409: ErrorOut}


class AmendmentListQuery(Schema):
    status: AmendmentStatusCode | None = None
    application_number: str | None = Field(None, max_length=64)
    cursor: str | None = Field(None, max_length=100)
    limit: int = Field(100, ge=1, le=MAX_PAGE)


def _cursor(cursor: str | None) -> int | None:
    """Pages in the order of creation (id): the cursor is the last id seen."""
    if not cursor:
        return None
    try:
        value = int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(400, "cursor_invalid", field="cursor") from None
    return value


def _page(queryset: QuerySet[Any], filters: AmendmentListQuery) -> dict[str, Any]:
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.application_number:
        queryset = queryset.filter(
            verification_request__application_number=application_number_normalize(
                filters.application_number
            )
        )
    after = _cursor(filters.cursor)
    if after is not None:
        queryset = queryset.filter(pk__gt=after)
    rows = list(queryset.order_by("id")[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    next_cursor = (
        base64.urlsafe_b64encode(str(rows[-1].pk).encode()).decode().rstrip("=")
        if more and rows
        else None
    )
    return {"rows": rows, "next_cursor": next_cursor}


def _extension_out(extension: ExtensionRequest) -> dict[str, Any]:
    request = extension.verification_request
    return {
        "id": extension.pk,
        "application_number": request.application_number,
        "status": extension.status,
        "ground": extension.ground,
        "days_requested": extension.days_requested,
        "days_granted": extension.days_granted,
        "explanation": extension.explanation,
        "requested_at": extension.requested_at,
        "decided_at": extension.decided_at,
        "decision_reason": extension.decision_reason,
        "due_at": request.due_at,
    }


def _correction_out(correction: CorrectionRequest) -> dict[str, Any]:
    return {
        "id": correction.pk,
        "application_number": correction.verification_request.application_number,
        "status": correction.status,
        "ground": correction.ground,
        "current_outcome": correction.current_outcome,
        "requested_outcome": correction.requested_outcome,
        "explanation": correction.explanation,
        "requested_at": correction.requested_at,
        "decided_at": correction.decided_at,
        "decision_reason": correction.decision_reason,
    }


def _refused(error: AmendmentError) -> ApiError:
    status = 409 if error.code in CONFLICTS else 422
    return ApiError(status, error.code, error.message, field=error.field)


def _request_of(request: HttpRequest, application_number: str) -> Any:
    found = (
        verification_request_visible_to(user=auth.caller_of(request).user)
        .filter(application_number=application_number_normalize(application_number))
        .first()
    )
    if found is None:
        raise ApiError(404, "not_found", field="application_number")
    return found


@router.get(
    "/extension-requests",
    response={200: ExtensionPage, **_errors()},
    auth=auth.dli_read,
    operation_id="dli_extension_requests_list",
    summary="List the DLI's extension requests",
)
def extensions_list(request: HttpRequest, filters: Query[AmendmentListQuery]) -> dict[str, Any]:
    page = _page(extension_requests_visible_to(user=auth.caller_of(request).user), filters)
    return {
        "items": [_extension_out(row) for row in page["rows"]],
        "next_cursor": page["next_cursor"],
    }


@router.post(
    "/extension-requests",
    response={201: ExtensionOut, **_errors()},
    auth=auth.dli_decide,
    operation_id="dli_extension_request_create",
    summary="Ask IRCC for more days on a pending request",
)
def extension_create(request: HttpRequest, payload: ExtensionIn) -> Status[Any]:
    """IRCC answers within 5 business days; the deadline moves only on approval. Refusals:
    409 (``already_open``, ``not_pending``, ``no_days_left``), 422 (``days_invalid``,
    ``days_over_limit``, ``ground_invalid``, ``explanation_required``, …)."""
    verification_request = _request_of(request, payload.application_number)
    try:
        extension = extension_request_create(
            verification_request=verification_request,
            requested_by=auth.caller_of(request).user,
            days=payload.days,
            ground=payload.ground,
            explanation=payload.explanation,
        )
    except AmendmentError as error:
        raise _refused(error) from None
    extension.verification_request.refresh_from_db()
    return Status(201, _extension_out(extension))


@router.get(
    "/extension-requests/{extension_id}",
    response={200: ExtensionOut, **_errors()},
    auth=auth.dli_read,
    operation_id="dli_extension_request_get",
    summary="Read one extension request",
)
def extension_get(request: HttpRequest, extension_id: PathId) -> dict[str, Any]:
    found = (
        extension_requests_visible_to(user=auth.caller_of(request).user)
        .filter(pk=extension_id)
        .first()
    )
    if found is None:
        raise ApiError(404, "not_found")
    return _extension_out(found)


@router.get(
    "/correction-requests",
    response={200: CorrectionPage, **_errors()},
    auth=auth.dli_read,
    operation_id="dli_correction_requests_list",
    summary="List the DLI's correction requests",
)
def corrections_list(request: HttpRequest, filters: Query[AmendmentListQuery]) -> dict[str, Any]:
    page = _page(correction_requests_visible_to(user=auth.caller_of(request).user), filters)
    return {
        "items": [_correction_out(row) for row in page["rows"]],
        "next_cursor": page["next_cursor"],
    }


@router.post(
    "/correction-requests",
    response={201: CorrectionOut, **_errors()},
    auth=auth.dli_decide,
    operation_id="dli_correction_request_create",
    summary="Ask IRCC to correct a final decision",
)
def correction_create(request: HttpRequest, payload: CorrectionIn) -> Status[Any]:
    """The decision stays as it is until an officer approves. Refusals: 409 (``already_open``,
    ``not_decided``), 422 (``outcome_invalid``, ``ground_invalid``, ``explanation_required``,
    …)."""
    verification_request = _request_of(request, payload.application_number)
    try:
        correction = correction_request_create(
            verification_request=verification_request,
            requested_by=auth.caller_of(request).user,
            outcome=payload.outcome,
            ground=payload.ground,
            explanation=payload.explanation,
        )
    except AmendmentError as error:
        raise _refused(error) from None
    return Status(201, _correction_out(correction))


@router.get(
    "/correction-requests/{correction_id}",
    response={200: CorrectionOut, **_errors()},
    auth=auth.dli_read,
    operation_id="dli_correction_request_get",
    summary="Read one correction request",
)
def correction_get(request: HttpRequest, correction_id: PathId) -> dict[str, Any]:
    found = (
        correction_requests_visible_to(user=auth.caller_of(request).user)
        .filter(pk=correction_id)
        .first()
    )
    if found is None:
        raise ApiError(404, "not_found")
    return _correction_out(found)
