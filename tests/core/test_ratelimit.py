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


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("rate", "allowed"), [("100/h/user", 20), ("10/h/user", 10)])
def test_simultaneous_posts_to_a_rate_limited_page_get_no_false_429(smtp, settings, rate, allowed):
    """The portal's own limit (requests to IRCC) through its pages: 20 posts at once by one
    primary user — all served under a high limit, exactly the limit under a low one."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: run with DATABASE_URL=postgres://…")
    from django.test import Client

    from tests import flows
    from tests.factories import MembershipFactory

    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "user_change_request": rate}
    primary = MembershipFactory(role="primary").user
    signed_in = flows.signed_in_client(smtp, email=primary.email)
    session_cookie = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    url = flows.url("user_changes:request_remove")
    start = threading.Barrier(20, timeout=20)

    def post():
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = session_cookie
        start.wait()
        return client.post(url, {"reason": ""}).status_code  # invalid: the form comes back

    statuses = run_concurrently(post, count=20)
    assert sorted(statuses) == sorted([200] * allowed + [429] * (20 - allowed)), statuses
