"""The deadline: decidable up to the end of the 10th calendar day (Eastern), "no response" at
once after it in every reading, and close_overdue records each passage once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import translation

from loaportal.audit.models import AuditEvent
from loaportal.verifications.deadlines import deadline_for, institution_zone
from loaportal.verifications.jobs import verifications_periodic
from loaportal.verifications.models import VerificationEvent, VerificationRequest
from loaportal.verifications.selectors import verification_queue, verification_tab_counts
from loaportal.verifications.services import (
    PastDeadline,
    verification_close_overdue,
    verification_decide,
)
from tests.factories import dli_with_users
from tests.verifications.helpers import make_request

EASTERN = ZoneInfo("America/Toronto")
Status = VerificationRequest.Status

pytestmark = pytest.mark.django_db


def eastern(*args) -> datetime:
    return datetime(*args, tzinfo=EASTERN)


@pytest.mark.parametrize(
    ("requested", "due"),
    [
        # Any time of the request's day gives the same deadline: the end of day + 10.
        (eastern(2026, 2, 1, 0, 0), eastern(2026, 2, 11, 23, 59, 59, 999999)),
        (eastern(2026, 2, 1, 23, 59), eastern(2026, 2, 11, 23, 59, 59, 999999)),
        # The day is the Eastern day: 03:30 UTC on 2 Feb is still 1 Feb in Ottawa.
        (
            datetime(2026, 2, 2, 3, 30, tzinfo=ZoneInfo("UTC")),
            eastern(2026, 2, 11, 23, 59, 59, 999999),
        ),
        # Across the change to daylight time (8 March 2026): still 23:59:59 Eastern.
        (eastern(2026, 3, 5, 9, 0), eastern(2026, 3, 15, 23, 59, 59, 999999)),
        # Across a month end.
        (eastern(2026, 1, 25, 12, 0), eastern(2026, 2, 4, 23, 59, 59, 999999)),
    ],
)
def test_deadline_is_the_end_of_the_tenth_day_in_eastern_time(requested, due):
    assert deadline_for(requested) == due
    assert deadline_for(requested).astimezone(EASTERN).utcoffset() == due.utcoffset()


def test_dli_zone_comes_from_its_province():
    dli = dli_with_users(secondaries=0)
    dli.institution.province = "BC"
    assert institution_zone(dli.institution).key == "America/Vancouver"
    dli.institution.province = ""
    assert institution_zone(dli.institution).key == "America/Toronto"


@pytest.fixture
def overdue_soon(clock):
    """A request made on 1 March 2026 at 10:00 Eastern, the clock then at its last minute."""
    dli = dli_with_users(secondaries=1)
    clock.move_to(eastern(2026, 3, 1, 10, 0))
    request = make_request(dli.institution)
    assert request.due_at == eastern(2026, 3, 11, 23, 59, 59, 999999)
    clock.move_to(eastern(2026, 3, 11, 23, 59, 0))
    return dli, request


def test_decidable_during_the_last_minute_of_day_ten(overdue_soon):
    dli, request = overdue_soon
    assert request.effective_status() == Status.PENDING
    assert request.is_decidable()
    assert timedelta(0) < request.time_left() <= timedelta(minutes=1)
    assert list(verification_queue(institution=dli.institution, tab="todo")) == [request]
    assert list(verification_queue(institution=dli.institution, tab="due_soon")) == [request]
    decided = verification_decide(
        verification_request=request,
        outcome=Status.VERIFIED_MATCHED,
        comment="",
        decided_by=dli.secondaries[0],
    )
    assert decided.status == Status.VERIFIED_MATCHED


def test_no_response_one_minute_later_without_the_job(overdue_soon, clock):
    dli, request = overdue_soon
    clock.move_to(eastern(2026, 3, 12, 0, 0, 0))
    request.refresh_from_db()
    # Nothing has run: the stored status is still pending, what everyone sees is not.
    assert request.status == Status.PENDING
    assert request.effective_status() == Status.NO_RESPONSE
    with translation.override("fr"):
        assert request.effective_status_label() == "Aucune réponse"
    with translation.override("en"):
        assert request.effective_status_label() == "No response"
    assert not request.is_decidable()
    assert request.time_left() < timedelta(0)
    assert list(verification_queue(institution=dli.institution, tab="todo")) == []
    assert list(verification_queue(institution=dli.institution, tab="due_soon")) == []
    assert list(verification_queue(institution=dli.institution, tab="no_response")) == [request]
    assert verification_tab_counts(institution=dli.institution) == {
        "todo": 0,
        "mine": 0,
        "due_soon": 0,
        "decided": 0,
        "no_response": 1,
    }
    with pytest.raises(PastDeadline) as refused:
        verification_decide(
            verification_request=request,
            outcome=Status.VERIFIED_MATCHED,
            comment="",
            decided_by=dli.primary,
        )
    assert refused.value.code == "past_deadline"
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decided_at) == (Status.PENDING, None, None)


def test_close_overdue_records_each_passage_once(overdue_soon, clock):
    dli, request = overdue_soon
    on_time = make_request(dli.institution)  # made on day 10: due ten days later
    # Before the deadline: nothing to record.
    assert verification_close_overdue() == 0
    clock.move_to(eastern(2026, 3, 12, 0, 0, 30))
    assert verification_close_overdue() == 1
    assert verification_close_overdue() == 0
    call_command("close_overdue", stdout=open("/dev/null", "w"))  # noqa: SIM115
    verifications_periodic()  # what the worker runs on its schedule
    clock.shift(timedelta(days=1))
    assert verification_close_overdue() == 0

    request.refresh_from_db()
    assert request.status == Status.NO_RESPONSE
    assert request.no_response_recorded_at is not None
    assert request.effective_status() == Status.NO_RESPONSE
    history = VerificationEvent.objects.filter(request=request, kind="no_response")
    assert history.count() == 1
    audits = AuditEvent.objects.filter(
        event_type="verification_no_response", subject_id=str(request.pk)
    )
    assert audits.count() == 1
    assert audits.get().institution == dli.institution
    on_time.refresh_from_db()
    assert on_time.status == Status.PENDING
    assert not VerificationEvent.objects.filter(request=on_time, kind="no_response").exists()
    # Recorded or not, the queue shows it in the same tab.
    assert list(verification_queue(institution=dli.institution, tab="no_response")) == [request]


def test_worker_runs_close_overdue_on_its_schedule(overdue_soon, clock):
    from loaportal.notifications.maintenance import PERIODIC_JOBS
    from loaportal.notifications.management.commands.worker import Maintenance

    _, request = overdue_soon
    assert PERIODIC_JOBS["verifications"].every_seconds <= 60
    clock.move_to(eastern(2026, 3, 12, 0, 1))
    Maintenance(interval=1.0).run_periodic_jobs()
    request.refresh_from_db()
    assert request.status == Status.NO_RESPONSE
    assert request.events.filter(kind="no_response").count() == 1


@pytest.mark.django_db(transaction=True)
def test_close_overdue_in_several_processes_records_each_passage_once(clock):
    from django.db import connection

    from tests.concurrency import run_concurrently

    if connection.vendor != "postgresql":
        pytest.skip(
            "needs concurrent writers: run with DATABASE_URL=postgres://… (SQLite's IMMEDIATE "
            "transactions serialise writers, so there is no race to test)"
        )
    dli = dli_with_users(secondaries=0)
    requests = [
        make_request(dli.institution, requested_at=clock_now() - timedelta(days=11))
        for _ in range(30)
    ]
    results = run_concurrently(verification_close_overdue, count=3)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 30
    for request in requests:
        assert request.events.filter(kind="no_response").count() == 1
    assert AuditEvent.objects.filter(event_type="verification_no_response").count() == 30


def clock_now() -> datetime:
    from django.utils import timezone

    return timezone.now()
