from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.utils import translation

from loaportal.verifications.deadlines import DEADLINE_ZONE
from tests.factories import OfficerFactory, dli_with_users
from tests.status_counts import status_counts_exact_after_each_test  # noqa: F401  # autouse

# A Monday morning in Ottawa; the request made then is due at the end of Thursday 12 March.
START = datetime(2026, 3, 2, 10, 0, tzinfo=DEADLINE_ZONE)


@pytest.fixture(autouse=True)
def _documents_dir(settings, tmp_path):
    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "documents"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def at():
    """``at(moment)``: the clock stands at ``moment`` (then moves on from there)."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller.move_to


@pytest.fixture
def dli(db):
    return dli_with_users(name="maple", secondaries=1)


@pytest.fixture
def other_dli(db):
    return dli_with_users(name="birch", secondaries=1)


@pytest.fixture
def officer(db):
    return OfficerFactory(email="officer@ircc.example")
