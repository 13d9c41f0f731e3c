"""THE deadline rule of a verification request, in one place (README "Verification requests").

A DLI must answer within 10 calendar days (IRPR R222.1(1)(a)). The portal reads that as: the
request may be decided until the **end of the 10th calendar day after the day of the
request, in Eastern time (Ottawa, ``America/Toronto``)**, that is 23:59:59.999999 Eastern on
that day. A request made at any time on 1 March (Eastern) is due at the end of 11 March
(Eastern). Daylight-saving changes are handled by computing the date in Eastern time and
then the end of that day in Eastern time.

Once that instant has passed, the request is "no response" at once
(``VerificationRequest.effective_status``); the ``close_overdue`` job only records the passage.

Dates are shown to a DLI in its own time zone (``institution_zone``, from its province).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

DEADLINE_ZONE = ZoneInfo("America/Toronto")
DEADLINE_DAYS = 10

# One zone per province or territory: the zone of its capital or largest city.
PROVINCE_ZONES = {
    "AB": "America/Edmonton",
    "BC": "America/Vancouver",
    "MB": "America/Winnipeg",
    "NB": "America/Moncton",
    "NL": "America/St_Johns",
    "NS": "America/Halifax",
    "NT": "America/Yellowknife",
    "NU": "America/Iqaluit",
    "ON": "America/Toronto",
    "PE": "America/Halifax",
    "QC": "America/Toronto",
    "SK": "America/Regina",
    "YT": "America/Whitehorse",
}


def deadline_for(requested_at: datetime) -> datetime:
    """The last instant at which a request made at ``requested_at`` can be decided: the end
    (23:59:59.999999) of the 10th calendar day after the request's day, in Eastern time."""
    if timezone.is_naive(requested_at):
        raise ValueError("deadline_for needs an aware datetime")
    request_day = requested_at.astimezone(DEADLINE_ZONE).date()
    last_day = request_day + timedelta(days=DEADLINE_DAYS)
    return datetime.combine(last_day, time.max, tzinfo=DEADLINE_ZONE)


def institution_zone(institution: Any) -> ZoneInfo:
    """The DLI's own time zone, from its province; Eastern time when the province is unknown."""
    return ZoneInfo(
        PROVINCE_ZONES.get(getattr(institution, "province", "") or "", "America/Toronto")
    )


def deadline_extended(due_at: datetime, days: int) -> datetime:
    """The deadline after an extension of ``days`` calendar days: the end (23:59:59.999999,
    Eastern) of the day ``days`` days after the current deadline's day (Eastern). A request due
    at the end of 11 March and extended by 15 days is due at the end of 26 March."""
    if timezone.is_naive(due_at):
        raise ValueError("deadline_extended needs an aware datetime")
    if days < 1:
        raise ValueError("an extension is at least one day")
    last_day = due_at.astimezone(DEADLINE_ZONE).date() + timedelta(days=days)
    return datetime.combine(last_day, time.max, tzinfo=DEADLINE_ZONE)
