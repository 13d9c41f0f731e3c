"""The figures against the known data set (tests/statistics/dataset.py): exact counts, rates,
medians and 90th percentiles, by DLI, province and month, and the DLIs at risk."""

from __future__ import annotations

import datetime as dt

import pytest

from loaportal.statistics.selectors import (
    Filters,
    statistics_at_risk,
    statistics_figures,
    statistics_requests_visible_to,
)
from loaportal.statistics.services import statistics_refresh
from tests.factories import MembershipFactory, OfficerFactory
from tests.statistics import dataset
from tests.statistics.dataset import EXPECTED, NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(settings):
    for name, value in dataset.AT_RISK_SETTINGS.items():
        setattr(settings, name, value)
    built = dataset.build()
    statistics_refresh(now=NOW)
    return built


def _counts(counts):
    return {k: getattr(counts, k) for k in ("verified", "no_match", "cancelled", "no_response")}


def test_officers_totals_rates_and_decision_times(data):
    figures = statistics_figures(user=OfficerFactory(), filters=Filters())
    totals = figures.totals
    assert {**_counts(totals), "pending": totals.pending} == EXPECTED["totals"]
    assert totals.closed == EXPECTED["closed"] and totals.total == 14
    for key, rate in EXPECTED["rates"].items():
        assert totals.rate(key) == pytest.approx(rate)
    times = figures.times
    assert (times.count, times.median, times.p90) == (9, EXPECTED["median"], EXPECTED["p90"])


def test_by_dli_with_medians(data):
    dlis = statistics_figures(user=OfficerFactory(), filters=Filters()).dlis
    rows = {row.institution.pk: row for row in dlis}
    for key, institution in (("a", data.a.institution), ("b", data.b.institution), ("c", data.c)):
        expected, row = EXPECTED["dlis"][key], rows[institution.pk]
        assert _counts(row.counts) == expected["counts"], key
        assert row.counts.pending == expected["pending"], key
        assert (row.times.median, row.times.p90) == (expected["median"], expected["p90"]), key
    # Most requests first.
    assert [r.institution.pk for r in dlis][0] == data.a.institution.pk


def test_by_province(data):
    rows = statistics_figures(user=OfficerFactory(), filters=Filters()).provinces
    # In the order of the provinces' list (BC, ON, QC).
    assert [(r.key, r.counts.total) for r in rows] == [("BC", 1), ("ON", 9), ("QC", 4)]
    assert {r.key: r.counts.total for r in rows} == EXPECTED["provinces"]
    assert rows[1].counts.rate("no_response") == pytest.approx(2 / 7)


def test_by_month_in_eastern_time_with_every_month_listed(data):
    officer = OfficerFactory()
    rows = statistics_figures(user=officer, filters=Filters()).months
    assert [r.key for r in rows] == list(EXPECTED["months"])
    for row in rows:
        expected = EXPECTED["months"][row.key]
        assert _counts(row.counts) == expected["counts"], row.key
        assert row.counts.pending == expected.get("pending", 0), row.key
        if expected["median"] is None:
            assert row.times is None
        else:
            assert (row.times.median, row.times.p90) == (expected["median"], expected["p90"])
    # A period with months without requests lists them with zeros.
    rows = statistics_figures(
        user=officer,
        filters=Filters(month_from=dt.date(2026, 1, 1), month_to=dt.date(2026, 7, 1)),
    ).months
    assert [r.key.month for r in rows] == [1, 2, 3, 4, 5, 6, 7]
    assert rows[0].counts.total == 0 and rows[0].times is None
    # A period asked from long before any request starts at the first request.
    rows = statistics_figures(user=officer, filters=Filters(month_from=dt.date(2000, 1, 1))).months
    assert rows[0].key == dt.date(2026, 3, 1) and rows[-1].key == dt.date(2026, 6, 1)


def test_filters_period_province_and_dli(data):
    officer = OfficerFactory()

    def totals(**filters):
        return statistics_figures(user=officer, filters=Filters(**filters)).totals

    april_may = totals(month_from=dt.date(2026, 4, 1), month_to=dt.date(2026, 5, 1))
    assert (_counts(april_may), april_may.pending) == (
        {"verified": 2, "no_match": 1, "cancelled": 1, "no_response": 2},
        0,
    )
    assert totals(province="QC").total == 4
    assert totals(province="NS").total == 0
    assert totals(institution=data.c).total == 1
    assert totals(institution=data.a.institution, month_from=dt.date(2026, 6, 1)).pending == 2


def test_at_risk(data):
    rows = statistics_at_risk(user=OfficerFactory(), filters=Filters(), now=NOW)
    institutions = {"a": data.a.institution, "b": data.b.institution}
    assert [
        (
            r.institution,
            r.due_soon,
            r.due_window,
            r.closed_recently,
            r.no_response_recently,
            r.many_due,
            r.high_no_response,
        )
        for r in rows
    ] == [(institutions[key], *rest) for key, *rest in EXPECTED["at_risk"]]


def test_at_risk_thresholds_come_from_settings(data, settings):
    officer = OfficerFactory()
    settings.STATISTICS_AT_RISK_PENDING = 3
    settings.STATISTICS_AT_RISK_NO_RESPONSE_RATE = 0.3
    rows = statistics_at_risk(user=officer, filters=Filters(), now=NOW)
    assert [(r.institution, r.many_due) for r in rows] == [
        (data.a.institution, False),  # 1 of 3 recent deadlines missed: 33 %
        (data.b.institution, False),
    ]
    # Filters narrow the list; a member never sees another DLI in it.
    assert [
        r.institution
        for r in statistics_at_risk(user=officer, filters=Filters(province="QC"), now=NOW)
    ] == [data.b.institution]
    assert statistics_at_risk(user=data.a.primary, filters=Filters(province="QC"), now=NOW) == []


@pytest.mark.parametrize("who", ["primary", "secondary"])
def test_a_member_sees_only_their_dli(data, who):
    user = data.a.primary if who == "primary" else data.a.secondaries[0]
    # Even asking for another DLI's figures gives nothing of it.
    for filters in (Filters(), Filters(institution=data.b.institution), Filters(province="QC")):
        rows = statistics_figures(user=user, filters=filters).dlis
        assert {r.institution.pk for r in rows} <= {data.a.institution.pk}
    figures = statistics_figures(user=user, filters=Filters())
    assert _counts(figures.totals) == EXPECTED["dlis"]["a"]["counts"]
    times = figures.times
    assert (times.median, times.p90) == (
        EXPECTED["dlis"]["a"]["median"],
        EXPECTED["dlis"]["a"]["p90"],
    )


def test_someone_without_a_dli_gets_nothing(data):
    from django.utils import timezone

    from loaportal.institutions.models import Membership

    former = MembershipFactory(institution=data.a.institution)
    Membership.objects.filter(pk=former.pk).update(
        ended_at=timezone.now(), end_reason=Membership.EndReason.REMOVED
    )
    requests = statistics_requests_visible_to(user=former.user, filters=Filters())
    assert requests.count() == 0
    figures = statistics_figures(user=former.user, filters=Filters())
    assert figures.times is None and figures.months == [] and figures.dlis == []
    assert statistics_at_risk(user=former.user, filters=Filters(), now=NOW) == []
