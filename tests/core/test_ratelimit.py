"""Rate limits count with atomic increments: exact under concurrency, no false "too many
attempts" (allauth's own counting refused requests that waited over a second for its lock)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from allauth.core.internal import ratelimit
from django.db import connection
from django.test import RequestFactory

from loaportal.core import ratelimit as counters
from tests.concurrency import run_concurrently


@pytest.fixture(params=["cache", "database"])
def backend(request, monkeypatch, settings):
    """Both places counters live: the cache (Redis when REDIS_URL is set) and the table used
    with Django's database cache."""
    if request.param == "database":
        monkeypatch.setattr(counters, "_database_counters", lambda: True)
    elif counters._database_counters():
        pytest.skip("the configured cache is the database cache: covered by 'database'")
    return request.param


def _limit(settings, rate: str) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": rate}


def _consume(key: str = "someone@college.example"):
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.1")
    return ratelimit.consume(request, app="allauth.account", action="login_failed", key=key)


@pytest.mark.django_db
def test_the_limit_holds_and_rollback_and_clear_give_attempts_back(backend, settings, clock):
    _limit(settings, "3/m/key")
    usages = [_consume() for _ in range(3)]
    assert all(usages)
    assert not _consume()
    assert _consume(key="someone.else@college.example")  # another key, its own count
    usages[0].rollback()
    assert _consume()
    assert not _consume()
    ratelimit.clear(
        RequestFactory().post("/"),
        app="allauth.account",
        action="login_failed",
        key="someone@college.example",
    )
    assert _consume()


@pytest.mark.django_db
def test_attempts_stop_counting_once_the_window_has_passed(backend, settings, clock):
    _limit(settings, "2/m/key")
    assert _consume() and _consume()
    assert not _consume()
    clock.shift(timedelta(seconds=30))
    assert not _consume()  # still within the minute
    clock.shift(timedelta(seconds=31))
    assert _consume()


def _simultaneous(count: int):
    start = threading.Barrier(count, timeout=20)

    def attempt():
        start.wait()
        return bool(_consume())

    return run_concurrently(attempt, count=count)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_attempts_under_the_limit_are_all_allowed(backend, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: run with DATABASE_URL=postgres://…")
    _limit(settings, "100/m/key")
    assert _simultaneous(20) == [True] * 20


@pytest.mark.django_db(transaction=True)
def test_simultaneous_attempts_over_the_limit_allow_exactly_the_limit(backend, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: run with DATABASE_URL=postgres://…")
    _limit(settings, "10/m/key")
    results = _simultaneous(20)
    assert results.count(True) == 10
    assert results.count(False) == 10
