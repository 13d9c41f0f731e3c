"""Median and 90th percentile: PostgreSQL's percentile_cont and the portable window method
give the same figures; on SQLite the window method matches Python's computation."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.db.models import F

from loaportal.statistics.percentiles import percentiles_by_group
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
        result = percentiles_by_group(
            rows, group=F("institution_id"), duration=DURATION, window=window
        )
        assert set(result) == set(decided)
        for pk, durations in decided.items():
            assert result[pk].count == len(durations)
            for got, fraction in ((result[pk].median, 0.5), (result[pk].p90, 0.9)):
                want = percentile_cont(durations, fraction)
                assert abs((got - want).total_seconds()) < 0.001, (window, pk, fraction)


def test_one_group_and_none(decided):
    everything = [d for durations in decided.values() for d in durations]
    result = percentiles_by_group(VerificationRequest.objects.all(), group=None, duration=DURATION)
    assert list(result) == [None]
    assert abs((result[None].median - percentile_cont(everything, 0.5)).total_seconds()) < 0.001
    assert (
        percentiles_by_group(VerificationRequest.objects.none(), group=None, duration=DURATION)
        == {}
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="percentile_cont is PostgreSQL's")
def test_postgresql_uses_percentile_cont(decided, django_assert_num_queries):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        percentiles_by_group(
            VerificationRequest.objects.all(), group=F("institution_id"), duration=DURATION
        )
    assert len(queries) == 1 and "PERCENTILE_CONT(0.5) WITHIN GROUP" in queries[0]["sql"]
