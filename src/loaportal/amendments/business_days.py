"""IRCC's answer-by date for an extension request: 5 business days after it was submitted
(IRCC answers within 5 business days, R222.1(2)(a) as IRCC applies it).

Business days are Monday to Friday except Canada's federal statutory holidays, the days off of
IRCC's officers wherever they work: the ``holidays`` package's "government" category for
Canada, without a province (New Year's Day, Good Friday, Victoria Day, Canada Day, Labour Day,
National Day for Truth and Reconciliation, Thanksgiving, Remembrance Day, Christmas and Boxing
Day, with their observed days when they fall on a weekend). Days are counted in Eastern time,
the deadlines' zone.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

from loaportal.verifications.deadlines import DEADLINE_ZONE

ANSWER_BUSINESS_DAYS = 5


@lru_cache(maxsize=32)
def federal_holidays(year: int) -> frozenset[date]:
    calendar = holidays.country_holidays(
        "CA", years=year, categories=(holidays.GOVERNMENT,), language="en_US"
    )
    return frozenset(calendar.keys())


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in federal_holidays(day.year)


def add_business_days(start: date, count: int) -> date:
    """The ``count``-th business day after ``start`` (``start`` itself not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day


def answer_by(submitted_at: datetime) -> date:
    """The day by which IRCC answers an extension request submitted at ``submitted_at``."""
    return add_business_days(submitted_at.astimezone(DEADLINE_ZONE).date(), ANSWER_BUSINESS_DAYS)
