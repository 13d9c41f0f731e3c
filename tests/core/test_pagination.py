"""``DeferredJoinPaginator``: every page of a list holds the rows Django's own ``Paginator``
gives for it, whichever end the page is read from (the second half is read in reverse), with
orphans, with ties in the sort key, and with a count given or capped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from loaportal.core.pagination import DeferredJoinPaginator
from loaportal.verifications.models import VerificationRequest
from tests.factories import dli_with_users
from tests.verifications.ui_support import many_requests

pytestmark = pytest.mark.django_db

ORDERINGS = [
    ("due_at", "id"),
    ("-due_at", "-id"),
    # Not total: the paginator adds the primary key as the last tie-breaker.
    ("due_at",),
    ("-surname",),
    ("given_names", "-due_at"),
]


@pytest.fixture
def requests_with_ties():
    institution = dli_with_users(secondaries=0).institution
    rows = many_requests(institution, 53)
    # Ties in the sort key: groups of rows sharing one due date.
    moment = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    for start in range(0, 53, 9):
        VerificationRequest.objects.filter(pk__in=[r.pk for r in rows[start : start + 4]]).update(
            due_at=moment + dt.timedelta(days=start)
        )
    return VerificationRequest.objects.filter(institution=institution)


def _expected(queryset, ordering, per_page, orphans):
    ordered = list(queryset.order_by(*ordering, "pk").values_list("pk", flat=True))
    return Paginator(ordered, per_page, orphans=orphans)


@pytest.mark.parametrize("ordering", ORDERINGS)
@pytest.mark.parametrize(("per_page", "orphans"), [(5, 0), (7, 0), (5, 2), (10, 3), (53, 0)])
def test_every_page_holds_the_same_rows_as_djangos_paginator(
    requests_with_ties, ordering, per_page, orphans
):
    queryset = requests_with_ties.order_by(*ordering)
    expected = _expected(requests_with_ties, ordering, per_page, orphans)
    for given_count in (None, 53):
        paginator = DeferredJoinPaginator(queryset, per_page, orphans, count=given_count)
        assert (paginator.count, paginator.num_pages) == (53, expected.num_pages)
        for number in expected.page_range:
            page = paginator.page(number)
            assert [r.pk for r in page] == list(expected.page(number)), (number, given_count)
            assert (page.start_index(), page.end_index()) == (
                expected.page(number).start_index(),
                expected.page(number).end_index(),
            )


def test_a_page_of_the_second_half_is_read_from_the_end(requests_with_ties):
    queryset = requests_with_ties.order_by("due_at", "id")
    paginator = DeferredJoinPaginator(queryset, 5, count=53)
    for number, reversed_order in ((1, False), (5, False), (6, True), (11, True)):
        with CaptureQueriesContext(connection) as queries:
            paginator.page(number)
        (sql,) = [q["sql"] for q in queries.captured_queries]
        inner = sql[sql.index("IN (SELECT") :]
        assert ('"due_at" DESC' in inner) is reversed_order, (number, inner)
    # The last page skips no row at all from its end.
    with CaptureQueriesContext(connection) as queries:
        paginator.page(11)
    assert "OFFSET" not in queries.captured_queries[0]["sql"]


def test_an_empty_list_has_one_empty_page(requests_with_ties):
    paginator = DeferredJoinPaginator(requests_with_ties.none().order_by("due_at"), 5, count=0)
    assert list(paginator.page(1)) == []
    assert paginator.num_pages == 1


def test_a_capped_count_stops_the_pages_at_the_cap_and_reads_them_from_the_start(
    requests_with_ties,
):
    queryset = requests_with_ties.order_by("-due_at", "-id")
    expected = _expected(requests_with_ties, ("-due_at", "-id"), 5, 0)
    counted = DeferredJoinPaginator(queryset, 5, count_limit=20)
    assert (counted.count, counted.count_capped, counted.num_pages) == (20, True, 4)
    given = DeferredJoinPaginator(queryset, 5, count=20, count_capped=True)
    for paginator in (counted, given):
        for number in (1, 3, 4):
            assert [r.pk for r in paginator.page(number)] == list(expected.page(number))
    exact = DeferredJoinPaginator(queryset, 5, count_limit=53)
    assert (exact.count, exact.count_capped) == (53, False)
    assert [r.pk for r in exact.page(11)] == list(expected.page(11))
