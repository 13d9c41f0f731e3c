"""The DLIs' counts of requests by status (``VerificationStatusCounts``, ADR 0019) against a
fresh count of the requests: equal after every test of the areas that change a status."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db.models import Count

from loaportal.verifications.models import (
    COUNTED_STATUSES,
    VerificationRequest,
    VerificationStatusCounts,
)


def status_counts_fresh() -> dict[int, dict[str, int]]:
    """Per DLI, how many requests hold each counted status, counted now (DLIs with none left
    out)."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        VerificationRequest.objects.filter(status__in=COUNTED_STATUSES)
        .values_list("institution_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for institution_id, status, n in rows:
        counts.setdefault(institution_id, dict.fromkeys(COUNTED_STATUSES, 0))[status] = n
    return counts


def status_counts_stored() -> dict[int, dict[str, int]]:
    """What ``VerificationStatusCounts`` holds (rows of zeros left out)."""
    return {
        row.institution_id: row.as_dict()
        for row in VerificationStatusCounts.objects.all()
        if any(row.as_dict().values())
    }


def assert_status_counts_exact() -> None:
    assert status_counts_stored() == status_counts_fresh()


@pytest.fixture(autouse=True)
def status_counts_exact_after_each_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """For a conftest to import: after each test that used the database, the stored counts
    equal a fresh count (whatever path the test took to change a status)."""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db"} & set(request.fixturenames)
    )
    if not uses_db:
        yield
        return
    # Set up the database first, so that it is torn down after this check.
    request.getfixturevalue("_django_db_helper")
    yield
    assert_status_counts_exact()
