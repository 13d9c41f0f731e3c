"""Median and 90th percentile: PostgreSQL's percentile_cont and the portable window method
give the same figures; on SQLite the window method matches Python's computation."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.db.models import F

from loaportal.statistics.percentiles import OVERALL, percentiles
from loaportal.statistics.selectors import DURATION
from loaportal.verifications.models import VerificationRequest
from tests.factories import InstitutionFactory, UserFactory
from tests.verifications.ui_support import many_requests

pytestmark = pytest.mark.django_db


def percentile_cont(values, fraction):
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    if low + 1 >= len(ordered):
        return ordered[low]
    return ordered[low] + (ordered[low + 1] - ordered[low]) * (position - low)


@pytest.fixture
def decided():
    """Three DLIs with 1, 2 and 37 decided requests, random times to decide."""
    rng = random.Random(12)
    decider = UserFactory()
    expected = {}
    for size in (1, 2, 37):
        institution = InstitutionFactory()
        rows = many_requests(institution, size)
        durations = []
        for row in rows:
            seconds = rng.randint(60, 10 * 86400)
            durations.append(dt.timedelta(seconds=seconds))
            VerificationRequest.objects.filter(pk=row.pk).update(
                status=VerificationRequest.Status.VERIFIED_MATCHED,
                decided_at=row.requested_at + dt.timedelta(seconds=seconds),
                decided_by=decider,
            )
        expected[institution.pk] = durations
    return expected


def test_by_group_matches_the_definition(decided):
    rows = VerificationRequest.objects.all()
    for window in (False, True):
        everything = [d for durations in decided.values() for d in durations]
        both = percentiles(
            rows, duration=DURATION, groups={"dli": F("institution_id")}, window=window
        )
        overall = both[OVERALL][None]
        assert overall.count == len(everything)
        assert abs((overall.median - percentile_cont(everything, 0.5)).total_seconds()) < 0.001
        assert abs((overall.p90 - percentile_cont(everything, 0.9)).total_seconds()) < 0.001
        result = both["dli"]
        assert set(result) == set(decided)
        for pk, durations in decided.items():
            assert result[pk].count == len(durations)
            for got, fraction in ((result[pk].median, 0.5), (result[pk].p90, 0.9)):
                want = percentile_cont(durations, fraction)
                assert abs((got - want).total_seconds()) < 0.001, (window, pk, fraction)


def test_nothing_to_count():
    assert percentiles(VerificationRequest.objects.none(), duration=DURATION) == {OVERALL: {}}
    assert percentiles(VerificationRequest.objects.all(), duration=DURATION) == {OVERALL: {}}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="percentile_cont is PostgreSQL's")
def test_postgresql_uses_percentile_cont_in_one_query(decided):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        percentiles(
            VerificationRequest.objects.all(),
            duration=DURATION,
            groups={"dli": F("institution_id"), "day": F("requested_at__date")},
        )
    sql = queries[0]["sql"]
    assert len(queries) == 1 and "PERCENTILE_CONT(0.5) WITHIN GROUP" in sql
    assert "GROUPING SETS" in sql
