"""The summary the worker keeps: percentiles from its histograms match percentile_cont's
definition, a refresh is complete and repeatable, the recent refresh leaves older months
alone, and the worker has both jobs."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
import time_machine

from loaportal.notifications.maintenance import PERIODIC_JOBS
from loaportal.statistics.models import BUCKET_SECONDS, StatisticsCell, StatisticsRefresh
from loaportal.statistics.selectors import Filters, percentiles_from_buckets, statistics_figures
from loaportal.statistics.services import statistics_refresh, statistics_refresh_recent
from loaportal.verifications.models import VerificationRequest
from tests.factories import OfficerFactory
from tests.statistics import dataset
from tests.statistics.dataset import NOW


def percentile_cont(values, fraction):
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    if low + 1 >= len(ordered):
        return ordered[low]
    return ordered[low] + (ordered[low + 1] - ordered[low]) * (position - low)


@pytest.mark.parametrize("size", [1, 2, 3, 10, 11, 37, 1000])
def test_percentiles_from_buckets_are_percentile_cont(size):
    rng = random.Random(size)
    buckets = Counter(rng.randint(0, 40 * 24) for _ in range(size))
    values = [b * BUCKET_SECONDS for b, n in buckets.items() for _ in range(n)]
    figures = percentiles_from_buckets(buckets)
    assert figures.count == size
    assert figures.median.total_seconds() == pytest.approx(percentile_cont(values, 0.5))
    assert figures.p90.total_seconds() == pytest.approx(percentile_cont(values, 0.9))
    assert percentiles_from_buckets(Counter()) is None


@pytest.mark.django_db
def test_refresh_writes_every_scope_and_is_repeatable():
    built = dataset.build()
    written = statistics_refresh(now=NOW)
    # The DLIs' months (A: 3, B: 2, C: 1), the same per province (one DLI each), and 4 months.
    assert written == 6 + 6 + 4
    assert statistics_refresh(now=NOW) == written
    assert StatisticsCell.objects.count() == written
    march = StatisticsCell.objects.get(
        scope="dli", institution=built.a.institution, month=dt.date(2026, 3, 1)
    )
    # 1, 2 and 3 days in hours.
    assert march.decision_buckets == {"24": 1, "48": 1, "72": 1}
    assert (march.verified, march.no_match, march.no_response) == (2, 1, 1)
    assert StatisticsRefresh.objects.get().fully_refreshed_at == NOW


@pytest.mark.django_db
def test_recent_refresh_recomputes_only_recent_months_and_sees_new_decisions():
    built = dataset.build()
    statistics_refresh(now=NOW)
    officer = OfficerFactory()
    pending = VerificationRequest.objects.filter(
        institution=built.a.institution, status="pending", due_at__gte=NOW
    ).first()
    decided_at = pending.requested_at + dt.timedelta(hours=30)
    VerificationRequest.objects.filter(pk=pending.pk).update(
        status="verified_matched", decided_at=decided_at, decided_by=built.a.primary
    )
    # Until the refresh, the summary says what it said.
    assert statistics_figures(user=officer, filters=Filters()).totals.pending == 2
    march = StatisticsCell.objects.get(scope="all", month=dt.date(2026, 3, 1))
    statistics_refresh_recent(now=NOW + dt.timedelta(minutes=5))
    figures = statistics_figures(user=officer, filters=Filters())
    assert (figures.totals.pending, figures.totals.verified) == (1, 7)
    # March (more than 45 days back) was left as it was; May and June were recomputed.
    assert StatisticsCell.objects.get(scope="all", month=dt.date(2026, 3, 1)).pk == march.pk
    assert StatisticsCell.objects.get(scope="all", month=dt.date(2026, 6, 1)).computed_at == (
        NOW + dt.timedelta(minutes=5)
    )


@pytest.mark.django_db
def test_the_deadline_passing_moves_pending_to_no_response_at_the_next_refresh():
    dataset.build()
    officer = OfficerFactory()
    statistics_refresh(now=NOW)
    assert statistics_figures(user=officer, filters=Filters()).totals.no_response == 3
    with time_machine.travel(NOW + dt.timedelta(hours=13), tick=False):
        statistics_refresh_recent()
    totals = statistics_figures(user=officer, filters=Filters()).totals
    assert (totals.no_response, totals.pending) == (4, 1)


def test_the_worker_keeps_the_summary(settings):
    assert PERIODIC_JOBS["statistics-recent"].every_seconds == settings.STATISTICS_REFRESH_SECONDS
    assert PERIODIC_JOBS["statistics-daily"].every_seconds == 24 * 60 * 60
