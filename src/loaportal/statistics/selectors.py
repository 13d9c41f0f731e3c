"""The statistics' figures.

The period's figures (by outcome, month, DLI and province, the time to decide) are read from
the summary the worker keeps (``StatisticsCell``, ``services.statistics_refresh``): a page
reads one row per month of its scope (every DLI, a province, or a DLI), and the per-DLI table
sums the DLI rows in the database. What concerns *now* (the DLIs at risk) and the extension and
correction requests are read live from the requests, through indexes.

Isolation between DLIs is the selectors': ``statistics_cells_visible_to`` and
``statistics_requests_visible_to`` give an officer everything, a member their DLI's rows, and
anyone else nothing.

Outcomes are *effective* statuses (``VerificationRequest.effective_status``): a pending request
whose deadline has passed counts as "no response"; "pending" is what may still be decided.
Rates are shares of the *closed* requests (decided or no response): pending requests have no
outcome yet. The time to decide is ``decided_at − requested_at`` of decided requests. Months are
calendar months of the request in Eastern time (the deadline's zone).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum

from loaportal.amendments.models import AmendmentStatus, CorrectionRequest, ExtensionRequest
from loaportal.core.roles import roles_of
from loaportal.institutions.models import Institution
from loaportal.statistics.models import (
    BUCKET_SECONDS,
    StatisticsCell,
    StatisticsRecentDli,
    StatisticsRefresh,
)
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
    """The requests the live figures read: those the user may see, narrowed by the filters
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


# --- Breakdowns, from the summary --------------------------------------------------------


@dataclass(frozen=True)
class Percentiles:
    count: int
    median: timedelta
    p90: timedelta


def percentiles_from_buckets(buckets: Counter[int]) -> Percentiles | None:
    """Median and 90th percentile of a decision-time histogram, as PostgreSQL's
    ``percentile_cont`` computes them over the values (position ``p × (n − 1)``, linear
    between neighbours); each value is its bucket's start (exact to ``BUCKET_SECONDS``)."""
    n = sum(buckets.values())
    if n <= 0:
        return None
    ordered = sorted((bucket, count) for bucket, count in buckets.items() if count > 0)

    def value(index: int) -> float:
        seen = 0
        for bucket, count in ordered:
            seen += count
            if index < seen:
                return float(bucket * BUCKET_SECONDS)
        return float(ordered[-1][0] * BUCKET_SECONDS)

    def percentile(tenths: int) -> timedelta:
        low = (n - 1) * tenths // 10  # floor(p × (n − 1)), in integers
        weight = (n - 1) * tenths / 10 - low
        lower = value(low)
        upper = value(low + 1) if weight > 0 else lower
        return timedelta(seconds=lower + (upper - lower) * weight)

    return Percentiles(count=n, median=percentile(5), p90=percentile(9))


def _buckets(cell: StatisticsCell | Mapping[str, Any]) -> Counter[int]:
    raw = cell.decision_buckets if isinstance(cell, StatisticsCell) else cell["decision_buckets"]
    return Counter({int(bucket): int(count) for bucket, count in (raw or {}).items()})


def _cell_counts(cell: StatisticsCell | Mapping[str, Any]) -> Counts:
    if isinstance(cell, StatisticsCell):
        return Counts(**{key: int(getattr(cell, key)) for key in COUNT_KEYS})
    return Counts(**{key: int(cell[key] or 0) for key in COUNT_KEYS})


@dataclass
class Figures:
    """What a period's page shows, read from the summary (``StatisticsCell``)."""

    totals: Counts
    months: list[Row]
    dlis: list[DliRow]
    provinces: list[Row]
    times: Percentiles | None
    computed_at: datetime | None


def statistics_refreshed_at() -> datetime | None:
    """When the worker last recomputed the summary (None: never yet)."""
    return StatisticsRefresh.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()


def statistics_cells_visible_to(*, user: User) -> QuerySet[StatisticsCell]:
    """The summary's rows this user may read: every row for an officer, their DLI's for a
    member (primary or secondary), none for anyone else."""
    roles = roles_of(user)
    cells = StatisticsCell.objects.order_by()
    if roles.is_officer:
        return cells
    if roles.is_member:
        return cells.filter(scope=StatisticsCell.Scope.DLI, institution=roles.institution)
    return cells.none()


def statistics_figures(*, user: User, filters: Filters, dli_times: int | None = None) -> Figures:
    """Counts by month, DLI and province, and the time to decide, for the period and filters,
    from the summary. ``dli_times``: how many DLIs (most requests first) get their decision
    times (None: every DLI). Every month of the period is listed, with zeros where nothing
    was requested."""
    Scope = StatisticsCell.Scope
    cells = statistics_cells_visible_to(user=user)
    roles = roles_of(user)
    if not roles.is_officer:
        # A member's figures are their DLI's, whatever was asked (and the rows they may read
        # are only those anyway).
        filters = replace(filters, institution=roles.institution, province="")
    if filters.month_from:
        cells = cells.filter(month__gte=filters.month_from)
    if filters.month_to:
        cells = cells.filter(month__lte=filters.month_to)
    dli_cells = cells.filter(scope=Scope.DLI)
    province_cells = cells.filter(scope=Scope.PROVINCE)
    if filters.institution is not None:
        main = dli_cells.filter(institution=filters.institution)
        dli_cells = province_cells = main
    elif filters.province:
        main = cells.filter(scope=Scope.PROVINCE, province=filters.province)
        dli_cells = dli_cells.filter(province=filters.province)
        province_cells = main
    else:
        main = cells.filter(scope=Scope.ALL)
    months: dict[date, Row] = {}
    month_buckets: dict[date, Counter[int]] = {}
    computed_at: datetime | None = None
    # One row a month (its scope's): a dozen rows for a year, whatever the number of requests.
    for cell in main.order_by("month"):
        months.setdefault(cell.month, Row(key=cell.month)).counts.add(_cell_counts(cell))
        month_buckets.setdefault(cell.month, Counter()).update(_buckets(cell))
        computed_at = max(computed_at, cell.computed_at) if computed_at else cell.computed_at
    all_buckets: Counter[int] = Counter()
    for month, buckets in month_buckets.items():
        months[month].times = percentiles_from_buckets(buckets)
        all_buckets.update(buckets)
    dlis = _dli_rows(dli_cells, dli_times)
    _fill_months(months, filters)
    return Figures(
        totals=statistics_totals(months.values()),
        months=[months[key] for key in sorted(months)],
        dlis=dlis,
        provinces=_province_rows(province_cells),
        times=percentiles_from_buckets(all_buckets),
        computed_at=computed_at,
    )


def _province_rows(cells: QuerySet[StatisticsCell]) -> list[Row]:
    """Counts per province (no decision times: the page does not show them), in the order of
    ``Institution.Province``; "" for DLIs whose province is unknown."""
    sums = cells.values("province").annotate(**{key: Sum(key) for key in COUNT_KEYS})
    order = {code: index for index, code in enumerate(Institution.Province.values)}
    rows = [Row(key=row["province"], counts=_cell_counts(row)) for row in sums]
    return sorted(rows, key=lambda r: order.get(str(r.key), len(order)))


def _dli_rows(cells: QuerySet[StatisticsCell], dli_times: int | None) -> list[DliRow]:
    """Per DLI, most requests first: the counts summed by the database; the DLI itself and its
    decision times (from its histograms) for the first ``dli_times`` (None: every DLI), the
    rows a page shows."""
    sums = cells.values("institution_id").annotate(**{key: Sum(key) for key in COUNT_KEYS})
    ordered = sorted(
        (DliRow(key=row["institution_id"], counts=_cell_counts(row)) for row in sums),
        key=lambda r: (-r.counts.total, int(str(r.key))),
    )
    timed = ordered if dli_times is None else ordered[:dli_times]
    institutions = Institution.objects.in_bulk([r.key for r in timed])
    for row in timed:
        row.institution = institutions.get(int(str(row.key)))
    if timed:
        buckets: dict[int, Counter[int]] = {}
        for cell in cells.filter(institution__in=[r.key for r in timed]).values(
            "institution_id", "decision_buckets"
        ):
            buckets.setdefault(cell["institution_id"], Counter()).update(_buckets(cell))
        for row in timed:
            row.times = percentiles_from_buckets(buckets.get(int(str(row.key)), Counter()))
    return ordered


def _fill_months(months: dict[date, Row], filters: Filters) -> None:
    if not months and not (filters.month_from and filters.month_to):
        return
    first = filters.month_from or min(months)
    last = filters.month_to or max(months)
    # A period asked from long before any request starts at the first request.
    if months and (min(months) - first).days > ZERO_MONTHS_BEFORE_DATA * 31:
        first = min(months)
    month = first.replace(day=1)
    while month <= last and len(months) < MAX_MONTHS:
        months.setdefault(month, Row(key=month))
        month = next_month(month)


def statistics_totals(rows: Iterable[Row]) -> Counts:
    total = Counts()
    for row in rows:
        total.add(row.counts)
    return total


# --- Now -----------------------------------------------------------------------------------


def statistics_at_risk(*, user: User, filters: Filters, now: datetime) -> list[AtRisk]:
    """DLIs at risk: many pending requests due soon (read live, through the index on status
    and due date), or a high share of no response among the requests whose deadline passed
    recently (``StatisticsRecentDli``, kept by the worker). Thresholds: the
    ``STATISTICS_AT_RISK_*`` settings. The period filter does not apply. Most urgent first."""
    roles = roles_of(user)
    requests = statistics_requests_visible_to(user=user, filters=filters, period=False)
    recent = StatisticsRecentDli.objects.order_by()
    if not roles.is_officer:
        recent = recent.filter(institution=roles.institution) if roles.is_member else recent.none()
    if filters.institution is not None:
        recent = recent.filter(institution=filters.institution)
    if filters.province:
        recent = recent.filter(institution__province=filters.province)
    soon = now + timedelta(hours=settings.STATISTICS_AT_RISK_SOON_HOURS)
    window = now + timedelta(hours=settings.STATISTICS_AT_RISK_HOURS)
    due = (
        requests.filter(status=Status.PENDING, due_at__gte=now, due_at__lte=window)
        .values("institution_id")
        .annotate(due_window=Count("pk"), due_soon=Count("pk", filter=Q(due_at__lte=soon)))
    )
    figures: dict[int, dict[str, int]] = {}
    for row in due:
        figures.setdefault(row["institution_id"], {}).update(
            due_window=row["due_window"], due_soon=row["due_soon"]
        )
    for pk, closed, no_response in recent.values_list("institution_id", "closed", "no_response"):
        figures.setdefault(pk, {}).update(closed=closed, no_response=no_response)
    candidates = []
    for pk, values in figures.items():
        closed_count, no_response_count = values.get("closed", 0), values.get("no_response", 0)
        many_due = values.get("due_window", 0) >= settings.STATISTICS_AT_RISK_PENDING
        high_no_response = (
            closed_count >= settings.STATISTICS_AT_RISK_MIN_CLOSED
            and no_response_count / closed_count >= settings.STATISTICS_AT_RISK_NO_RESPONSE_RATE
        )
        if many_due or high_no_response:
            candidates.append((pk, values, many_due, high_no_response))
    institutions = Institution.objects.in_bulk([pk for pk, *_ in candidates])
    at_risk = [
        AtRisk(
            institution=institutions[pk],
            due_soon=values.get("due_soon", 0),
            due_window=values.get("due_window", 0),
            closed_recently=values.get("closed", 0),
            no_response_recently=values.get("no_response", 0),
            many_due=many_due,
            high_no_response=high_no_response,
        )
        for pk, values, many_due, high_no_response in candidates
    ]
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


def statistics_amendments(requests: QuerySet[VerificationRequest]) -> list[AmendmentCounts]:
    """Extension and correction requests about the requests in scope, by status (two small
    aggregates; each amendment names its verification request)."""
    result = []
    kinds: tuple[tuple[str, QuerySet[Any]], ...] = (
        ("extension", ExtensionRequest.objects.all()),
        ("correction", CorrectionRequest.objects.all()),
    )
    for kind, amendments in kinds:
        counts = amendments.filter(verification_request__in=requests.values("pk")).aggregate(
            submitted=Count("pk", filter=Q(status=AmendmentStatus.SUBMITTED)),
            approved=Count("pk", filter=Q(status=AmendmentStatus.APPROVED)),
            refused=Count("pk", filter=Q(status=AmendmentStatus.REFUSED)),
        )
        result.append(AmendmentCounts(kind=kind, **{k: int(v or 0) for k, v in counts.items()}))
    return result
