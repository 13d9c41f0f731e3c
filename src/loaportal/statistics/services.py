"""Recomputing the statistics' summary (``StatisticsCell``) from the verification requests.

The worker runs ``statistics_refresh_recent`` every few minutes (the months whose requests may
still change: decisions, deadlines, extensions) and ``statistics_refresh_all`` once a day
(every month: an approved correction may change an old request's outcome);
``loaportal refresh_statistics [--all]`` does the same by hand. Each refresh reads the requests
with two ``GROUP BY`` queries (counts, and the decision-time histogram), then replaces the
months' rows and each DLI's recent deadlines (``StatisticsRecentDli``) in one transaction,
holding the ``StatisticsRefresh`` row's lock so that two workers never interleave.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, FloatField, Func, Q
from django.db.models.functions import Floor, TruncMonth
from django.utils import timezone

from loaportal.institutions.models import Institution
from loaportal.statistics.models import (
    BUCKET_SECONDS,
    StatisticsCell,
    StatisticsRecentDli,
    StatisticsRefresh,
)
from loaportal.statistics.selectors import month_start
from loaportal.verifications.deadlines import DEADLINE_ZONE
from loaportal.verifications.models import VerificationRequest

Status = VerificationRequest.Status
Scope = StatisticsCell.Scope

COUNT_FIELDS = ("verified", "no_match", "cancelled", "no_response", "pending")
# How far back a request may still change without an officer: 10 days to decide, plus an
# extension of up to 30 days, plus margin.
RECENT = timedelta(days=45)


class DurationSeconds(Func):
    """A duration in seconds, as a number. SQLite (and the databases Django emulates
    durations on) holds a duration as a number of microseconds."""

    output_field = FloatField()
    template = "(%(expressions)s / 1000000.0)"

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)", **extra
        )


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


def _month(value: Any) -> date:
    if isinstance(value, datetime):
        return value.astimezone(DEADLINE_ZONE).date() if timezone.is_aware(value) else value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def statistics_refresh(*, month_from: date | None = None, now: datetime | None = None) -> int:
    """Recompute the summary's rows of every month from ``month_from`` (every month when
    None), as the requests stand at ``now``. Returns the number of rows written."""
    now = now or timezone.now()
    month = TruncMonth("requested_at", tzinfo=DEADLINE_ZONE)
    with transaction.atomic():
        lock, _ = StatisticsRefresh.objects.get_or_create(pk=1)
        lock = StatisticsRefresh.objects.select_for_update().get(pk=lock.pk)
        requests = VerificationRequest.objects.order_by()
        if month_from is not None:
            requests = requests.filter(requested_at__gte=month_start(month_from))
        cells: dict[tuple[int, date], dict[str, Any]] = {}
        for row in (
            requests.annotate(month=month)
            .values("institution_id", "month")
            .annotate(**_count_aggregates(now))
        ):
            cells[(row["institution_id"], _month(row["month"]))] = {
                **{name: row[name] for name in COUNT_FIELDS},
                "buckets": Counter(),
            }
        duration = ExpressionWrapper(
            F("decided_at") - F("requested_at"), output_field=DurationField()
        )
        for row in (
            requests.filter(status__in=VerificationRequest.OUTCOMES)
            .annotate(month=month, bucket=Floor(DurationSeconds(duration) / BUCKET_SECONDS))
            .values("institution_id", "month", "bucket")
            .annotate(n=Count("pk"))
        ):
            key = (row["institution_id"], _month(row["month"]))
            if key in cells:
                cells[key]["buckets"][max(int(row["bucket"]), 0)] += row["n"]
        provinces = dict(
            Institution.objects.filter(pk__in={pk for pk, _ in cells}).values_list("pk", "province")
        )
        rows = _rows(cells, provinces, now)
        stale = StatisticsCell.objects.all()
        if month_from is not None:
            stale = stale.filter(month__gte=month_from.replace(day=1))
        stale.delete()
        StatisticsCell.objects.bulk_create(rows, batch_size=2000)
        _refresh_recent_deadlines(now)
        lock.refreshed_at = now
        if month_from is None:
            lock.fully_refreshed_at = now
        lock.save()
    return len(rows)


def _refresh_recent_deadlines(now: datetime) -> None:
    """Per DLI, the requests whose deadline passed in the last STATISTICS_AT_RISK_DAYS days
    (every one of them is closed: decided, or no response recorded or not) and how many got
    no response."""
    since = now - timedelta(days=settings.STATISTICS_AT_RISK_DAYS)
    figures = (
        VerificationRequest.objects.filter(due_at__gte=since, due_at__lt=now)
        .order_by()
        .values("institution_id")
        .annotate(
            closed=Count("pk"),
            no_response=Count("pk", filter=Q(status__in=[Status.NO_RESPONSE, Status.PENDING])),
        )
    )
    StatisticsRecentDli.objects.all().delete()
    StatisticsRecentDli.objects.bulk_create(
        (
            StatisticsRecentDli(
                institution_id=row["institution_id"],
                closed=row["closed"],
                no_response=row["no_response"],
                computed_at=now,
            )
            for row in figures
        ),
        batch_size=2000,
    )


def _rows(
    cells: dict[tuple[int, date], dict[str, Any]], provinces: dict[int, str], now: datetime
) -> list[StatisticsCell]:
    """The DLI rows, and their sums per province and per month."""
    totals: dict[tuple[str, str, date], dict[str, Any]] = {}
    rows = []
    for (institution_id, month), figures in cells.items():
        province = provinces.get(institution_id, "")
        rows.append(_cell(Scope.DLI, month, province, institution_id, figures, now))
        for key in ((Scope.PROVINCE, province, month), (Scope.ALL, "", month)):
            total = totals.setdefault(key, {**dict.fromkeys(COUNT_FIELDS, 0), "buckets": Counter()})
            for name in COUNT_FIELDS:
                total[name] += figures[name]
            total["buckets"].update(figures["buckets"])
    for (scope, province, month), figures in totals.items():
        rows.append(_cell(scope, month, province, None, figures, now))
    return rows


def _cell(
    scope: str,
    month: date,
    province: str,
    institution_id: int | None,
    figures: dict[str, Any],
    now: datetime,
) -> StatisticsCell:
    return StatisticsCell(
        scope=scope,
        month=month,
        province=province,
        institution_id=institution_id,
        **{name: figures[name] for name in COUNT_FIELDS},
        decision_buckets={str(k): v for k, v in sorted(figures["buckets"].items())},
        computed_at=now,
    )


def statistics_refresh_recent(now: datetime | None = None) -> int:
    """The months whose requests may still change by themselves (``RECENT``)."""
    now = now or timezone.now()
    return statistics_refresh(
        month_from=(now - RECENT).astimezone(DEADLINE_ZONE).date().replace(day=1), now=now
    )


def statistics_refresh_all(now: datetime | None = None) -> int:
    return statistics_refresh(now=now)
