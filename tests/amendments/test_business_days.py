"""IRCC's answer-by date: 5 business days after the day of submission (Eastern time), without
weekends and Canada's federal statutory holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from loaportal.amendments.business_days import answer_by, is_business_day
from loaportal.verifications.deadlines import DEADLINE_ZONE


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [
        # A plain week: Monday → the next Monday.
        (datetime(2026, 3, 2, 10, 0, tzinfo=DEADLINE_ZONE), date(2026, 3, 9)),
        # Canada Day (Wednesday 1 July) does not count.
        (datetime(2026, 6, 26, 16, 0, tzinfo=DEADLINE_ZONE), date(2026, 7, 6)),
        # Christmas (Friday) and Boxing Day observed (Monday 28 December) do not count.
        (datetime(2026, 12, 22, 9, 0, tzinfo=DEADLINE_ZONE), date(2026, 12, 31)),
        # Submitted on a Saturday: counting starts on Monday.
        (datetime(2026, 3, 7, 12, 0, tzinfo=DEADLINE_ZONE), date(2026, 3, 13)),
        # 02:00 UTC on a Tuesday is still Monday evening in Ottawa.
        (datetime(2026, 3, 10, 2, 0, tzinfo=UTC), date(2026, 3, 16)),
    ],
)
def test_answer_by(submitted, expected):
    assert answer_by(submitted) == expected


def test_federal_holidays_are_not_business_days():
    for holiday in (date(2026, 7, 1), date(2026, 9, 30), date(2026, 11, 11), date(2027, 1, 1)):
        assert not is_business_day(holiday)
    assert is_business_day(date(2026, 6, 24))  # Saint-Jean-Baptiste: Quebec's, not federal
