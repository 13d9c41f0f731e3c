"""The DLIs' counts of requests by status (``VerificationStatusCounts``, ADR 0019) against a
fresh count of the requests: equal after every test of the areas that change a status."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from loaportal.verifications.selectors import (
    verification_status_counts_counted,
    verification_status_counts_stored,
)


def assert_status_counts_exact() -> None:
    assert verification_status_counts_stored() == verification_status_counts_counted()


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
