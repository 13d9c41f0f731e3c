"""Each reminder goes once: the worker's job and ``loaportal send_reminders`` run one service,
and two runs at the same time (two workers, or the worker and cron) send each reminder once."""

from __future__ import annotations

import contextlib
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from loaportal.notifications.maintenance import PERIODIC_JOBS
from loaportal.notifications.models import OutgoingEmail
from loaportal.reminders import services
from loaportal.reminders.jobs import reminders_hourly, reminders_periodic
from loaportal.reminders.models import ReminderSent
from loaportal.reminders.services import reminders_send
from tests.concurrency import run_concurrently
from tests.factories import dli_with_users
from tests.reminders.conftest import toronto
from tests.verifications.helpers import make_request

SUMMARY = "reminders/email/daily_summary"
ALERT = "reminders/email/deadline_alert"


def test_the_worker_runs_the_job_every_minute_and_purges_the_ledger_every_hour():
    job = PERIODIC_JOBS["reminders"]
    assert job.run is reminders_periodic
    assert job.every_seconds == 60
    purge = PERIODIC_JOBS["reminders-ledger"]
    assert purge.run is reminders_hourly
    assert purge.every_seconds == 3600


@pytest.mark.django_db
def test_the_ledger_keeps_a_week(mail, clock):
    dli = dli_with_users(secondaries=0)
    make_request(dli.institution, requested_at=toronto(3, 10))
    clock.move_to(toronto(11, 9))
    reminders_send()
    clock.move_to(toronto(13, 9))
    reminders_send()
    assert ReminderSent.objects.count() == 3  # two summaries, one alert
    clock.move_to(toronto(18, 8, 59))
    reminders_hourly()
    assert ReminderSent.objects.count() == 3
    clock.move_to(toronto(18, 9, 1))
    reminders_hourly()
    assert ReminderSent.objects.count() == 2
    clock.move_to(toronto(20, 9, 1))
    reminders_hourly()
    assert ReminderSent.objects.count() == 0


@pytest.mark.django_db
def test_the_worker_job_and_the_command_send_each_reminder_once(mail, clock):
    dli = dli_with_users(secondaries=1)
    make_request(dli.institution, requested_at=toronto(3, 10))
    clock.move_to(toronto(13, 9))
    reminders_periodic()
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue().strip() == (
        "0 daily summary email(s), 0 24-hour alert email(s) (0 request(s))."
    )
    reminders_periodic()
    assert len(mail.for_address(dli.primary.email)) == 2  # the summary and the alert
    assert len(mail.for_address(dli.secondaries[0].email)) == 1


@pytest.mark.django_db
def test_the_command_alone_sends_them(mail, clock):
    dli = dli_with_users(secondaries=0)
    make_request(dli.institution, requested_at=toronto(3, 10))
    clock.move_to(toronto(13, 9))
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert out.getvalue().strip() == (
        "1 daily summary email(s), 1 24-hour alert email(s) (1 request(s))."
    )
    assert len(mail.for_address(dli.primary.email)) == 2


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_reminder_once(monkeypatch, clock):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs concurrent writers: run with DATABASE_URL=postgres://… (SQLite's IMMEDIATE "
            "transactions serialise writers, so there is no race to test)"
        )
    dli = dli_with_users(secondaries=1)
    requests = [make_request(dli.institution, requested_at=toronto(3, h)) for h in (9, 10)]
    clock.move_to(toronto(13, 9))
    # Both runs find the same reminders due, then claim them at the same moment.
    both_found = threading.Barrier(2, timeout=5)
    claims = {"summary": 0, "alerts": 0}
    real_summary_claim, real_alerts_claim = services._summary_claim, services._alerts_claim

    def meet() -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            both_found.wait()

    def summary_claim(**kwargs):
        meet()
        claims["summary"] += 1
        return real_summary_claim(**kwargs)

    def alerts_claim(**kwargs):
        meet()
        claims["alerts"] += 1
        return real_alerts_claim(**kwargs)

    monkeypatch.setattr(services, "_summary_claim", summary_claim)
    monkeypatch.setattr(services, "_alerts_claim", alerts_claim)
    results = run_concurrently(reminders_send)
    assert not [r for r in results if isinstance(r, BaseException)], results
    # Both runs tried every reminder: the race happened, and each one was sent once.
    assert claims == {"summary": 4, "alerts": 2}
    assert sum(r.summaries for r in results) == 2
    assert sorted(r.alerts for r in results) == [0, 1]
    assert sorted(r.alerted_requests for r in results) == [0, 2]
    for user in (dli.primary, dli.secondaries[0]):
        assert OutgoingEmail.objects.filter(kind=SUMMARY, recipients=user.email).count() == 1
    assert OutgoingEmail.objects.filter(kind=ALERT, recipients=dli.primary.email).count() == 1
    assert OutgoingEmail.objects.filter(kind=ALERT).count() == 1
    assert ReminderSent.objects.filter(kind="deadline_alert").count() == len(requests)
    assert ReminderSent.objects.filter(kind="daily_summary").count() == 2
