"""Each scheduled job runs once per interval across every worker and scheduler process, on
every machine (``periodic_job_claim``), whatever job an app registers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from loaportal.notifications.maintenance import (
    PERIODIC_JOBS,
    PeriodicJob,
    periodic_job_claim,
    periodic_job_register,
)
from loaportal.notifications.management.commands.worker import Maintenance
from loaportal.notifications.models import PeriodicJobRun
from tests.concurrency import run_concurrently


@pytest.fixture
def counted_job():
    runs: list[str] = []
    lock = threading.Lock()

    def run() -> None:
        with lock:
            runs.append(threading.current_thread().name)

    saved = dict(PERIODIC_JOBS)
    PERIODIC_JOBS.clear()
    periodic_job_register("test-counted", run, every_seconds=60)
    yield runs
    PERIODIC_JOBS.clear()
    PERIODIC_JOBS.update(saved)


@pytest.mark.django_db
def test_two_workers_run_a_job_once_per_interval(counted_job):
    first, second = Maintenance(interval=1.0), Maintenance(interval=1.0)
    first.run_periodic_jobs()
    second.run_periodic_jobs()
    first.next_run.clear()
    first.run_periodic_jobs()
    assert len(counted_job) == 1
    row = PeriodicJobRun.objects.get(name="test-counted")
    assert row.last_finished_at is not None and row.holder
    # Once the interval has passed (on the database's clock), whichever worker asks runs it.
    PeriodicJobRun.objects.filter(pk=row.pk).update(
        next_run_at=timezone.now() - timedelta(seconds=1)
    )
    second.next_run.clear()
    second.run_periodic_jobs()
    assert len(counted_job) == 2


@pytest.mark.django_db
def test_a_failing_job_keeps_its_claim_and_the_others_run():
    calls: list[str] = []

    def broken() -> None:
        calls.append("broken")
        raise RuntimeError("boom")

    saved = dict(PERIODIC_JOBS)
    PERIODIC_JOBS.clear()
    try:
        periodic_job_register("test-broken", broken, every_seconds=60)
        periodic_job_register("test-fine", lambda: calls.append("fine"), every_seconds=60)
        Maintenance(interval=1.0).run_periodic_jobs()
        Maintenance(interval=1.0).run_periodic_jobs()
    finally:
        PERIODIC_JOBS.clear()
        PERIODIC_JOBS.update(saved)
    assert calls == ["broken", "fine"]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_claims_give_the_run_to_exactly_one():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs concurrent writers: run with DATABASE_URL=postgres://… (SQLite's IMMEDIATE "
            "transactions serialise writers, so there is no race to test)"
        )
    job = PeriodicJob(name="test-race", run=lambda: None, every_seconds=60)
    for _ in range(5):
        PeriodicJobRun.objects.filter(name=job.name).delete()
        results = run_concurrently(lambda: periodic_job_claim(job), count=6)
        assert sorted(results, key=str) == [False] * 5 + [True], results
