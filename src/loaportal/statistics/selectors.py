"""The statistics' figures, each computed by the database (``GROUP BY``) over the requests a
user may see (``verification_request_visible_to``: every request for an officer, their DLI's
for a member, none for anyone else), so isolation between DLIs is the selector's.

Outcomes are *effective* statuses (``VerificationRequest.effective_status``): a pending request
whose deadline has passed counts as "no response" at once; "pending" is what may still be
decided. Rates are shares of the *closed* requests (decided or no response): pending requests
have no outcome yet. The time to decide is ``decided_at − requested_at`` of decided requests.
Months are calendar months of the request in Eastern time (the deadline's zone).

Which index serves which query: README "Statistics".
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from loaportal.institutions.models import Institution
from loaportal.statistics.percentiles import OVERALL, Percentiles, percentiles
from loaportal.verifications.deadlines import DEADLINE_ZONE
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.selectors import verification_request_visible_to

if TYPE_CHECKING:
    from loaportal.accounts.models import User

Status = VerificationRequest.Status

# The outcome columns, in the order every table and chart shows them.
OUTCOME_KEYS = ("verified", "no_match", "cancelled", "no_response")
COUNT_KEYS = (*OUTCOME_KEYS, "pending")

# Months listed at most, and how many empty months are listed before the first request.
MAX_MONTHS = 240
ZERO_MONTHS_BEFORE_DATA = 24

DURATION = ExpressionWrapper(F("decided_at") - F("requested_at"), output_field=DurationField())


@dataclass(frozen=True)
class Filters:
    """``month_from``/``month_to``: first days of months (inclusive), Eastern time;
    ``province``: a province code; ``institution``: one DLI."""

    month_from: date | None = None
    month_to: date | None = None
    province: str = ""
    institution: Institution | None = None


@dataclass
class Counts:
    """Requests by effective status, and the rates of the closed ones."""

    verified: int = 0
    no_match: int = 0
    cancelled: int = 0
    no_response: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        return self.closed + self.pending

    @property
    def closed(self) -> int:
        return self.verified + self.no_match + self.cancelled + self.no_response

    @property
    def decided(self) -> int:
        return self.verified + self.no_match + self.cancelled

    def rate(self, key: str) -> float | None:
        """The share of closed requests with this outcome (None when none is closed)."""
        if not self.closed:
            return None
        return int(getattr(self, key)) / self.closed

    def add(self, other: Counts) -> None:
        for key in COUNT_KEYS:
            setattr(self, key, getattr(self, key) + getattr(other, key))


@dataclass
class Row:
    """One line of a breakdown (a month, a province, a DLI): its counts and decision times."""

    key: Hashable
    counts: Counts = field(default_factory=Counts)
    times: Percentiles | None = None


@dataclass
class DliRow(Row):
    institution: Institution | None = None


@dataclass(frozen=True)
class AtRisk:
    institution: Institution
    due_soon: int  # pending, due within STATISTICS_AT_RISK_SOON_HOURS
    due_window: int  # pending, due within STATISTICS_AT_RISK_HOURS
    closed_recently: int  # deadline passed within STATISTICS_AT_RISK_DAYS
    no_response_recently: int
    many_due: bool
    high_no_response: bool

    @property
    def no_response_rate(self) -> float | None:
        if not self.closed_recently:
            return None
        return self.no_response_recently / self.closed_recently


@dataclass(frozen=True)
class AmendmentCounts:
    kind: str  # "extension" or "correction"
    submitted: int
    approved: int
    refused: int

    @property
    def total(self) -> int:
        return self.submitted + self.approved + self.refused


# --- The requests in scope -----------------------------------------------------------------


def month_start(month: date) -> datetime:
    """The first instant of ``month`` in Eastern time."""
    return datetime.combine(month.replace(day=1), time.min, tzinfo=DEADLINE_ZONE)


def next_month(month: date) -> date:
    return (month.replace(day=1) + timedelta(days=32)).replace(day=1)


def statistics_requests_visible_to(
    *, user: User, filters: Filters, period: bool = True
) -> QuerySet[VerificationRequest]:
    """The requests the figures count: those the user may see, narrowed by the filters
    (``period=False``: all months, for the figures about now such as the DLIs at risk)."""
    requests = verification_request_visible_to(user=user).select_related(None).order_by()
    if period and filters.month_from:
        requests = requests.filter(requested_at__gte=month_start(filters.month_from))
    if period and filters.month_to:
        requests = requests.filter(requested_at__lt=month_start(next_month(filters.month_to)))
    if filters.institution is not None:
        requests = requests.filter(institution=filters.institution)
    if filters.province:
        requests = requests.filter(institution__province=filters.province)
    return requests


def _count_aggregates(now: datetime) -> dict[str, Count]:
    return {
        "verified": Count("pk", filter=Q(status=Status.VERIFIED_MATCHED)),
        "no_match": Count("pk", filter=Q(status=Status.NOT_VERIFIED_NO_MATCH)),
        "cancelled": Count("pk", filter=Q(status=Status.NOT_VERIFIED_CANCELLED)),
        "no_response": Count(
            "pk", filter=Q(status=Status.NO_RESPONSE) | Q(status=Status.PENDING, due_at__lt=now)
        ),
        "pending": Count("pk", filter=Q(status=Status.PENDING, due_at__gte=now)),
    }


def _counts(row: dict[str, Any]) -> Counts:
    return Counts(**{key: int(row[key] or 0) for key in COUNT_KEYS})


def _decided(requests: QuerySet[VerificationRequest]) -> QuerySet[VerificationRequest]:
    return requests.filter(status__in=VerificationRequest.OUTCOMES)


def _month_of_request() -> TruncMonth:
    return TruncMonth("requested_at", tzinfo=DEADLINE_ZONE)


def _month_key(value: Any) -> date:
    if isinstance(value, datetime):
        return value.astimezone(DEADLINE_ZONE).date() if timezone.is_aware(value) else value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# --- Breakdowns ----------------------------------------------------------------------------


@dataclass
class Figures:
    """Everything the period's pages show, from two queries: the counts grouped by DLI and
    month of request (one ``GROUP BY``), and the decision times overall, by month and by DLI
    (one ``GROUPING SETS`` query on PostgreSQL)."""

    totals: Counts
    months: list[Row]
    dlis: list[DliRow]
    times: Percentiles | None

    @property
    def provinces(self) -> list[Row]:
        return statistics_by_province(self.dlis)


def statistics_figures(
    requests: QuerySet[VerificationRequest],
    *,
    now: datetime,
    month_from: date | None = None,
    month_to: date | None = None,
) -> Figures:
    """Counts by DLI, month, province and in all, and the time to decide, of ``requests``.
    Every month of the period is listed, with zeros where nothing was requested; DLIs come
    most requests first."""
    cells = (
        requests.order_by()
        .annotate(month=_month_of_request())
        .values("institution_id", "month")
        .annotate(**_count_aggregates(now))
    )
    months: dict[date, Row] = {}
    dlis: dict[int, DliRow] = {}
    for cell in cells:
        counts = _counts(cell)
        month = _month_key(cell["month"])
        months.setdefault(month, Row(key=month)).counts.add(counts)
        pk = cell["institution_id"]
        dlis.setdefault(pk, DliRow(key=pk)).counts.add(counts)
    times = percentiles(
        _decided(requests),
        duration=DURATION,
        groups={"month": _month_of_request(), "institution": F("institution_id")},
    )
    for key, figures in times["month"].items():
        month = _month_key(key)
        if month in months:
            months[month].times = figures
    for key, figures in times["institution"].items():
        if isinstance(key, int) and key in dlis:
            dlis[key].times = figures
    institutions = Institution.objects.in_bulk(list(dlis))
    for pk, row in dlis.items():
        row.institution = institutions.get(pk)
    if months or (month_from and month_to):
        first = month_from or min(months)
        last = month_to or max(months)
        # A period asked from long before any request starts at the first request.
        if months and (min(months) - first).days > ZERO_MONTHS_BEFORE_DATA * 31:
            first = min(months)
        month = first.replace(day=1)
        while month <= last and len(months) < MAX_MONTHS:
            months.setdefault(month, Row(key=month))
            month = next_month(month)
    return Figures(
        totals=statistics_totals(dlis.values()),
        months=[months[key] for key in sorted(months)],
        dlis=sorted(
            dlis.values(),
            key=lambda r: (-r.counts.total, r.institution.dli_number if r.institution else ""),
        ),
        times=times[OVERALL].get(None),
    )


def statistics_by_province(dli_rows: Iterable[DliRow]) -> list[Row]:
    """The DLIs' counts added up by province (no decision times: a median does not add up),
    in the order of ``Institution.Province``; "" for a DLI whose province is unknown."""
    rows: dict[str, Row] = {}
    for dli_row in dli_rows:
        province = dli_row.institution.province if dli_row.institution else ""
        rows.setdefault(province, Row(key=province)).counts.add(dli_row.counts)
    order = {code: index for index, code in enumerate(Institution.Province.values)}
    return sorted(rows.values(), key=lambda r: order.get(str(r.key), len(order)))


def statistics_totals(rows: Iterable[Row]) -> Counts:
    total = Counts()
    for row in rows:
        total.add(row.counts)
    return total


# --- Now -----------------------------------------------------------------------------------


def statistics_at_risk(requests: QuerySet[VerificationRequest], *, now: datetime) -> list[AtRisk]:
    """DLIs at risk: many pending requests due soon, or a high share of no response over the
    recent past (thresholds: the ``STATISTICS_AT_RISK_*`` settings). Most urgent first."""
    soon = now + timedelta(hours=settings.STATISTICS_AT_RISK_SOON_HOURS)
    window = now + timedelta(hours=settings.STATISTICS_AT_RISK_HOURS)
    due = (
        requests.filter(status=Status.PENDING, due_at__gte=now, due_at__lte=window)
        .order_by()
        .values("institution_id")
        .annotate(due_window=Count("pk"), due_soon=Count("pk", filter=Q(due_at__lte=soon)))
    )
    since = now - timedelta(days=settings.STATISTICS_AT_RISK_DAYS)
    # Every request whose deadline passed is closed: decided, or no response (recorded or not).
    closed = (
        requests.filter(due_at__gte=since, due_at__lt=now)
        .order_by()
        .values("institution_id")
        .annotate(
            closed=Count("pk"),
            no_response=Count("pk", filter=Q(status__in=[Status.NO_RESPONSE, Status.PENDING])),
        )
    )
    figures: dict[int, dict[str, int]] = {}
    for row in due:
        figures.setdefault(row["institution_id"], {}).update(
            due_window=row["due_window"], due_soon=row["due_soon"]
        )
    for row in closed:
        figures.setdefault(row["institution_id"], {}).update(
            closed=row["closed"], no_response=row["no_response"]
        )
    at_risk: list[AtRisk] = []
    candidates = []
    for pk, values in figures.items():
        closed_count, no_response = values.get("closed", 0), values.get("no_response", 0)
        many_due = values.get("due_window", 0) >= settings.STATISTICS_AT_RISK_PENDING
        high_no_response = (
            closed_count >= settings.STATISTICS_AT_RISK_MIN_CLOSED
            and no_response / closed_count >= settings.STATISTICS_AT_RISK_NO_RESPONSE_RATE
        )
        if many_due or high_no_response:
            candidates.append((pk, values, many_due, high_no_response))
    institutions = Institution.objects.in_bulk([pk for pk, *_ in candidates])
    for pk, values, many_due, high_no_response in candidates:
        at_risk.append(
            AtRisk(
                institution=institutions[pk],
                due_soon=values.get("due_soon", 0),
                due_window=values.get("due_window", 0),
                closed_recently=values.get("closed", 0),
                no_response_recently=values.get("no_response", 0),
                many_due=many_due,
                high_no_response=high_no_response,
            )
        )
    return sorted(
        at_risk,
        key=lambda r: (
            -r.due_soon,
            -r.due_window,
            -(r.no_response_rate or 0),
            r.institution.dli_number,
        ),
    )


# --- Extension and correction requests (the amendments app) --------------------------------

AMENDMENT_MODELS = (("extension", "ExtensionRequest"), ("correction", "CorrectionRequest"))


def statistics_amendments_available() -> bool:
    return apps.is_installed("loaportal.amendments")


def statistics_amendments(requests: QuerySet[VerificationRequest]) -> list[AmendmentCounts]:
    """Extension and correction requests about the requests in scope, by status; empty while
    the portal has no amendments app."""
    if not statistics_amendments_available():
        return []
    result = []
    for kind, model_name in AMENDMENT_MODELS:
        model = apps.get_model("amendments", model_name)
        counts = model.objects.filter(verification_request__in=requests.values("pk")).aggregate(
            submitted=Count("pk", filter=Q(status="submitted")),
            approved=Count("pk", filter=Q(status="approved")),
            refused=Count("pk", filter=Q(status="refused")),
        )
        result.append(AmendmentCounts(kind=kind, **{k: int(v or 0) for k, v in counts.items()}))
    return result
