"""The API's input and output shapes (they are the OpenAPI document's schemas)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

StatusCode = Literal[
    "pending", "verified_matched", "not_verified_no_match", "not_verified_cancelled", "no_response"
]
OUTCOME_DESCRIPTION = (
    "One of verified_matched, not_verified_no_match, not_verified_cancelled. A comment is "
    "required for the two not_verified outcomes (at most 2,000 characters)."
)


class FieldError(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    """Every refusal has this shape."""

    code: str = Field(..., description="Stable code: integrators branch on it.")
    message: str = Field(..., description="For people, in the Accept-Language (fr or en).")
    field: str | None = Field(None, description="The input concerned, if any.")
    index: int | None = Field(None, description="The item of a batch concerned, if any.")
    errors: list[FieldError] | None = Field(None, description="Each invalid input (422).")


# The refusals every operation may answer (each in the shape of ``ErrorOut``).
ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


class DocumentOut(Schema):
    name: str
    content_type: str
    size: int


class DliRequestOut(Schema):
    application_number: str
    surname: str
    given_names: str
    date_of_birth: date
    program: str
    start_date: date | None
    student_id: str
    loa_number: str
    campus: str
    requested_at: datetime
    due_at: datetime
    original_due_at: datetime | None
    status: StatusCode = Field(..., description="Effective status: no_response once overdue.")
    outcome: StatusCode | None = Field(None, description="The decision's outcome, if decided.")
    comment: str
    decided_at: datetime | None
    updated_at: datetime
    document: DocumentOut


class Page(Schema):
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` for the next page; null on the last page."
    )


class DliRequestPage(Page):
    items: list[DliRequestOut]


class DecisionIn(Schema):
    outcome: str = Field(..., description=OUTCOME_DESCRIPTION, examples=["verified_matched"])
    comment: str = ""


class BatchDecisionIn(DecisionIn):
    application_number: str = Field(..., max_length=64, examples=["S305123456"])


class BatchIn(Schema):
    decisions: list[BatchDecisionIn] = Field(..., min_length=1, max_length=1000)


class DecisionResult(Schema):
    index: int
    application_number: str
    recorded: bool = Field(..., description="True when this call recorded the decision.")
    status: StatusCode | None = Field(None, description="The request's status after the call.")
    code: str | None = Field(None, description="Why it was not recorded (when false).")
    message: str | None = None


class BatchOut(Schema):
    results: list[DecisionResult]
    recorded: int
    refused: int


class HistoryEntryOut(Schema):
    kind: str
    occurred_at: datetime
    outcome: str
    comment: str
    details: dict[str, Any]


class IrccRequestOut(Schema):
    application_number: str
    dli_number: str
    surname: str
    given_names: str
    date_of_birth: date
    requested_at: datetime
    due_at: datetime
    original_due_at: datetime | None
    status: StatusCode
    outcome: StatusCode | None
    comment: str
    decided_at: datetime | None
    updated_at: datetime
    history: list[HistoryEntryOut]


class IrccRequestPage(Page):
    items: list[IrccRequestOut]


class IrccCreateIn(Schema):
    """The columns of ``loaportal import_requests`` (the document comes in ``document``)."""

    application_number: str = Field(..., max_length=200)
    dli_number: str = Field(..., max_length=200)
    surname: str = Field(..., max_length=1000)
    given_names: str = Field("", max_length=1000)
    date_of_birth: str = Field(..., max_length=200, description="YYYY-MM-DD")
    program: str = Field("", max_length=1000)
    start_date: str = Field("", max_length=200, description="YYYY-MM-DD or empty")
    student_id: str = Field("", max_length=200)
    loa_number: str = Field("", max_length=200)
    campus: str = Field("", max_length=1000)
    requested_at: str = Field("", max_length=200, description="ISO 8601 with offset; empty: now")


AmendmentStatusCode = Literal["submitted", "approved", "refused"]


class ExtensionIn(Schema):
    application_number: str = Field(..., max_length=64)
    days: int = Field(..., description="1 to 30 (at most 30 days in all per request).")
    ground: str = Field(
        ...,
        description="infrastructure_failure, natural_disaster, public_health_emergency or "
        "labour_dispute (IRPR R222.1(2)(a)).",
        examples=["labour_dispute"],
    )
    explanation: str = Field(..., max_length=5000)


class ExtensionOut(Schema):
    id: int
    application_number: str
    status: AmendmentStatusCode
    ground: str
    days_requested: int
    days_granted: int | None
    explanation: str
    requested_at: datetime
    decided_at: datetime | None
    decision_reason: str
    due_at: datetime = Field(..., description="The request's deadline now.")


class CorrectionIn(Schema):
    application_number: str = Field(..., max_length=64)
    outcome: str = Field(..., description="The outcome the decision should become.")
    ground: str = Field(
        ...,
        description="deferred_enrolment, student_withdrew or verification_error.",
        examples=["student_withdrew"],
    )
    explanation: str = Field(..., max_length=5000)


class CorrectionOut(Schema):
    id: int
    application_number: str
    status: AmendmentStatusCode
    ground: str
    current_outcome: str
    requested_outcome: str
    explanation: str
    requested_at: datetime
    decided_at: datetime | None
    decision_reason: str


class ExtensionPage(Page):
    items: list[ExtensionOut]


class CorrectionPage(Page):
    items: list[CorrectionOut]
