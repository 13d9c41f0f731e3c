"""A known data set for the statistics: three DLIs (Ontario, Quebec, British Columbia), 14
requests over March to June 2026, seen at ``NOW`` (15 June 2026, noon Eastern). Every figure
the tests expect is worked out by hand in ``EXPECTED`` below.

Times to decide are whole hours, so medians and 90th percentiles are exact:

- DLI A (ON): March: verified after 1 day and 2 days, no match after 3 days, no response;
  April: verified after 4 days, cancelled after 9 days, one still "pending" in the table but
  past its deadline (requested 30 April at 23:30 Eastern, which is already 1 May in UTC: it
  belongs to April); June: two pending, one due within 24 hours, one within 72 hours.
- DLI B (QC): March: verified after 12 hours and 5 days; May: no response, verified after
  6 days.
- DLI C (BC): May: no match after 1 day.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from loaportal.institutions.models import Institution
from loaportal.verifications.deadlines import deadline_for
from loaportal.verifications.models import VerificationRequest, name_search_key
from tests.factories import Dli, InstitutionFactory, dli_with_users

EASTERN = ZoneInfo("America/Toronto")
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=EASTERN)
Status = VerificationRequest.Status

V, NM, C, NR, P = (
    Status.VERIFIED_MATCHED,
    Status.NOT_VERIFIED_NO_MATCH,
    Status.NOT_VERIFIED_CANCELLED,
    Status.NO_RESPONSE,
    Status.PENDING,
)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=EASTERN)


# (DLI, requested at, stored status, hours to decide)
ROWS = [
    ("a", at(3, 2), V, 24),
    ("a", at(3, 3), V, 48),
    ("a", at(3, 4), NM, 72),
    ("a", at(3, 5), NR, None),
    ("a", at(4, 1), V, 96),
    ("a", at(4, 2), C, 216),
    ("a", at(4, 30, 23, 30), P, None),  # past its deadline: no response
    ("a", at(6, 5), P, None),  # due at the end of 15 June: within 24 hours
    ("a", at(6, 6), P, None),  # due at the end of 16 June: within 72 hours
    ("b", at(3, 2), V, 12),
    ("b", at(3, 3), V, 120),
    ("b", at(5, 4), NR, None),
    ("b", at(5, 5), V, 144),
    ("c", at(5, 6), NM, 24),
]

# The thresholds the tests set (settings.STATISTICS_AT_RISK_*).
AT_RISK_SETTINGS = {
    "STATISTICS_AT_RISK_HOURS": 72,
    "STATISTICS_AT_RISK_SOON_HOURS": 24,
    "STATISTICS_AT_RISK_PENDING": 2,
    "STATISTICS_AT_RISK_DAYS": 90,
    "STATISTICS_AT_RISK_MIN_CLOSED": 2,
    "STATISTICS_AT_RISK_NO_RESPONSE_RATE": 0.4,
}

DAY = dt.timedelta(days=1)
EXPECTED = {
    "totals": {"verified": 6, "no_match": 2, "cancelled": 1, "no_response": 3, "pending": 2},
    "closed": 12,
    "rates": {"verified": 0.5, "no_match": 2 / 12, "cancelled": 1 / 12, "no_response": 0.25},
    # Decided: 0.5, 1, 1, 2, 3, 4, 5, 6, 9 days.
    "median": 3 * DAY,
    "p90": dt.timedelta(days=6.6),  # position 7.2: 6 + 0.2 × (9 − 6)
    "months": {
        dt.date(2026, 3, 1): {
            "counts": {"verified": 4, "no_match": 1, "cancelled": 0, "no_response": 1},
            "median": 2 * DAY,  # 0.5, 1, 2, 3, 5
            "p90": dt.timedelta(days=4.2),  # position 3.6: 3 + 0.6 × 2
        },
        dt.date(2026, 4, 1): {
            "counts": {"verified": 1, "no_match": 0, "cancelled": 1, "no_response": 1},
            "median": dt.timedelta(days=6.5),  # 4, 9
            "p90": dt.timedelta(days=8.5),
        },
        dt.date(2026, 5, 1): {
            "counts": {"verified": 1, "no_match": 1, "cancelled": 0, "no_response": 1},
            "median": dt.timedelta(days=3.5),  # 1, 6
            "p90": dt.timedelta(days=5.5),
        },
        dt.date(2026, 6, 1): {
            "counts": {"verified": 0, "no_match": 0, "cancelled": 0, "no_response": 0},
            "pending": 2,
            "median": None,
            "p90": None,
        },
    },
    "dlis": {
        "a": {
            "counts": {"verified": 3, "no_match": 1, "cancelled": 1, "no_response": 2},
            "pending": 2,
            "median": 3 * DAY,  # 1, 2, 3, 4, 9
            "p90": 7 * DAY,  # position 3.6: 4 + 0.6 × 5
        },
        "b": {
            "counts": {"verified": 3, "no_match": 0, "cancelled": 0, "no_response": 1},
            "pending": 0,
            "median": 5 * DAY,  # 0.5, 5, 6
            "p90": dt.timedelta(days=5.8),
        },
        "c": {
            "counts": {"verified": 0, "no_match": 1, "cancelled": 0, "no_response": 0},
            "pending": 0,
            "median": DAY,
            "p90": DAY,
        },
    },
    "provinces": {"ON": 9, "QC": 4, "BC": 1},
    # A: two pending due within 72 hours (one within 24); B: 1 of 2 recent deadlines missed.
    "at_risk": [("a", 1, 2, 3, 1, True, False), ("b", 0, 0, 2, 1, False, True)],
}


@dataclass
class DataSet:
    a: Dli
    b: Dli
    c: Institution
    requests: list[VerificationRequest]


_numbers = itertools.count(1)


def build() -> DataSet:
    a = dli_with_users(name="stats-a", secondaries=1)
    b = dli_with_users(name="stats-b", secondaries=1)
    a.institution.province, b.institution.province = "ON", "QC"
    a.institution.save()
    b.institution.save()
    c = InstitutionFactory(province="BC")
    deciders = {"a": a.primary, "b": b.primary, "c": a.primary}
    institutions = {"a": a.institution, "b": b.institution, "c": c}
    rows = []
    for key, requested_at, status, hours in ROWS:
        number = f"S{700000000 + next(_numbers):09d}"
        decided = hours is not None
        rows.append(
            VerificationRequest(
                application_number=number,
                institution=institutions[key],
                surname="Statistique",
                given_names="Élodie",
                name_key=name_search_key("Statistique Élodie"),
                date_of_birth=dt.date(2004, 5, 17),
                requested_at=requested_at,
                due_at=deadline_for(requested_at),
                status=status,
                # Elapsed time, not wall-clock time: 8 March 2026 is a daylight-saving change.
                decided_at=requested_at.astimezone(dt.UTC) + dt.timedelta(hours=hours)
                if decided
                else None,
                decided_by=deciders[key] if decided else None,
                decision_comment="" if status in (V, P, NR) else "Not ours.",
                no_response_recorded_at=deadline_for(requested_at) if status == NR else None,
                document="none.pdf",
                document_name="none.pdf",
                document_content_type="application/pdf",
                document_size=1,
            )
        )
    created = VerificationRequest.objects.bulk_create(rows)
    return DataSet(a=a, b=b, c=c, requests=created)
