"""Reading extension and correction requests. Every lookup by id goes through
``extension_requests_visible_to`` / ``correction_requests_visible_to``: officers see every
DLI's, a member their own DLI's, anyone else none. Isolation between DLIs is a property of
this module."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Case, F, IntegerField, QuerySet, Value, When

from loaportal.amendments.models import AmendmentStatus, CorrectionRequest, ExtensionRequest
from loaportal.core.roles import roles_of

if TYPE_CHECKING:
    from loaportal.accounts.models import User
    from loaportal.verifications.models import VerificationRequest

_RELATED = ("verification_request", "institution", "requested_by", "decided_by")


def extension_requests_visible_to(*, user: User) -> QuerySet[ExtensionRequest]:
    roles = roles_of(user)
    extensions = ExtensionRequest.objects.select_related(*_RELATED)
    if roles.is_officer:
        return extensions
    if roles.is_member:
        return extensions.filter(institution=roles.institution)
    return extensions.none()


def correction_requests_visible_to(*, user: User) -> QuerySet[CorrectionRequest]:
    roles = roles_of(user)
    corrections = CorrectionRequest.objects.select_related(*_RELATED)
    if roles.is_officer:
        return corrections
    if roles.is_member:
        return corrections.filter(institution=roles.institution)
    return corrections.none()


def _open_first(
    queryset: QuerySet[ExtensionRequest] | QuerySet[CorrectionRequest],
) -> QuerySet[ExtensionRequest] | QuerySet[CorrectionRequest]:
    return queryset.annotate(
        open_first=Case(
            When(status=AmendmentStatus.SUBMITTED, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("open_first", "requested_at", "id")


def extension_request_queue(*, user: User) -> QuerySet[ExtensionRequest]:
    """The officers' queue: waiting requests first, oldest first, then the decided ones."""
    return _open_first(extension_requests_visible_to(user=user))  # type: ignore[return-value]


def correction_request_queue(*, user: User) -> QuerySet[CorrectionRequest]:
    """The officers' queue: waiting requests first, oldest first, then the decided ones."""
    return _open_first(correction_requests_visible_to(user=user))  # type: ignore[return-value]


def extension_requests_of(
    *, verification_request: VerificationRequest
) -> QuerySet[ExtensionRequest]:
    """One verification request's extension requests, oldest first (the caller has checked
    that the user may see the verification request)."""
    return (
        ExtensionRequest.objects.filter(verification_request=verification_request)
        .select_related("requested_by", "decided_by")
        .order_by("requested_at", "id")
    )


def correction_requests_of(
    *, verification_request: VerificationRequest
) -> QuerySet[CorrectionRequest]:
    return (
        CorrectionRequest.objects.filter(verification_request=verification_request)
        .select_related("requested_by", "decided_by")
        .order_by("requested_at", "id")
    )


@dataclass(frozen=True)
class AmendmentsOf:
    """A verification request's extension and correction requests, each oldest first."""

    extensions: list[ExtensionRequest]
    corrections: list[CorrectionRequest]


def _amendment_columns(
    model: type[ExtensionRequest] | type[CorrectionRequest],
    fields: dict[str, Any],
) -> dict[str, Any]:
    # The same named columns in the same order on both sides of the UNION: a model's own
    # field, or NULL typed as the other model's field.
    own = {field.attname for field in model._meta.concrete_fields}
    return {
        f"c_{name}": F(name) if name in own else Value(None, output_field=field)
        for name, field in fields.items()
    }


def amendment_requests_of(*, verification_request: VerificationRequest) -> AmendmentsOf:
    """One verification request's extension and correction requests, in one query (a
    ``UNION ALL`` of the two tables: the request's page shows both and holds to 8 queries).
    Without ``requested_by``/``decided_by`` loaded (the page does not show them). The caller
    has checked that the user may see the verification request."""
    fields: dict[str, Any] = {}
    for model in (ExtensionRequest, CorrectionRequest):
        for field in model._meta.concrete_fields:
            fields.setdefault(field.attname, field)
    rows: Any = (  # rows as dicts of the columns above (the stubs type values() narrowly)
        ExtensionRequest.objects.filter(verification_request=verification_request)
        .order_by()
        .values(kind=Value("extension"), **_amendment_columns(ExtensionRequest, fields))
        .union(
            CorrectionRequest.objects.filter(verification_request=verification_request)
            .order_by()
            .values(kind=Value("correction"), **_amendment_columns(CorrectionRequest, fields)),
            all=True,
        )
        .order_by("c_requested_at", "c_id")
    )
    extensions: list[ExtensionRequest] = []
    corrections: list[CorrectionRequest] = []
    names = {
        model: [field.attname for field in model._meta.concrete_fields]
        for model in (ExtensionRequest, CorrectionRequest)
    }
    for row in rows:
        model = ExtensionRequest if row["kind"] == "extension" else CorrectionRequest
        values = [row[f"c_{name}"] for name in names[model]]
        instance = model.from_db(rows.db, names[model], values)
        (extensions if model is ExtensionRequest else corrections).append(instance)  # type: ignore[arg-type]
    return AmendmentsOf(extensions, corrections)
