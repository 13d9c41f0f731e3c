"""Session writes (core.sessions.SessionMiddleware, ADR 0020): a page view does not write a
session that did not change and was written less than ``SESSION_WRITE_SECONDS`` ago; the idle
limit still holds, from the last write, with the database alone, with Redis, and with Redis
unreachable."""

from __future__ import annotations

import socket
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from loaportal.core.sessions import WRITTEN_AT, SessionMiddleware
from tests import flows
from tests.factories import dli_with_users

pytestmark = pytest.mark.django_db

IDLE = 30 * 60
INTERVAL = 60


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(params=["database", "redis", "redis unreachable"])
def session_store(request, settings):
    """The three ways a session is kept: the database alone (no ``REDIS_URL``), a cache in
    front of it (locmem standing for Redis), and that cache unreachable."""
    settings.SESSION_COOKIE_AGE = IDLE
    settings.SESSION_WRITE_SECONDS = INTERVAL
    if request.param == "database":
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    else:
        settings.SESSION_ENGINE = "loaportal.core.sessions"
        settings.CACHES = {
            "default": (
                {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
                if request.param == "redis"
                else {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
                    "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
                }
            )
        }
    yield request.param
    caches.close_all()


def _session_writes(client: Client, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    writes = [
        q["sql"]
        for q in captured.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    return response.status_code, writes


def _signed_in(client: Client) -> bool:
    response = client.get(flows.url("home", "en"))
    return response.status_code == 200


def test_a_page_view_does_not_write_a_fresh_session(session_store, signed_in, time_machine):
    time_machine.move_to("2026-11-30 14:00:00+00:00", tick=False)
    client = signed_in(dli_with_users(secondaries=0).primary)
    url = flows.url("home", "en")
    client.get(url)  # the first page after signing in records when (SessionLifetimeMiddleware)
    assert _session_writes(client, url) == (200, [])
    time_machine.shift(INTERVAL - 1)
    assert _session_writes(client, url) == (200, [])
    # Once the last write is SESSION_WRITE_SECONDS old, the next page view writes it again.
    time_machine.shift(1)
    status, writes = _session_writes(client, url)
    assert status == 200 and len(writes) == 1 and writes[0].startswith("UPDATE")
    assert _session_writes(client, url) == (200, [])


def test_a_changed_session_is_written_at_once(settings, time_machine):
    time_machine.move_to("2026-11-30 14:00:00+00:00", tick=False)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    settings.SESSION_WRITE_SECONDS = INTERVAL

    def view(request):
        request.session["step"] = request.GET.get("step")
        return HttpResponse("")

    middleware = SessionMiddleware(view)
    request = RequestFactory().get("/", {"step": "one"})
    middleware.process_request(request)
    middleware.process_response(request, view(request))
    key = request.session.session_key
    time_machine.shift(1)  # fresh, but changed: written
    request = RequestFactory().get("/", {"step": "two"})
    request.COOKIES[settings.SESSION_COOKIE_NAME] = key
    middleware.process_request(request)
    response = middleware.process_response(request, view(request))
    stored = Session.objects.get(session_key=key).get_decoded()
    assert stored["step"] == "two"
    assert stored[WRITTEN_AT] == time.time()
    assert settings.SESSION_COOKIE_NAME in response.cookies


def test_reading_the_stamp_does_not_vary_the_response(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    store = SessionStore()
    store[WRITTEN_AT] = time.time()
    store.save()
    request = RequestFactory().get("/")
    request.COOKIES[settings.SESSION_COOKIE_NAME] = store.session_key
    middleware = SessionMiddleware(lambda request: HttpResponse(""))
    middleware.process_request(request)
    response = middleware.process_response(request, HttpResponse(""))
    assert "Vary" not in response
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_the_idle_limit_runs_from_the_last_write(session_store, signed_in, time_machine):
    """A page view within the interval does not move the expiry: a person is signed out after
    SESSION_COOKIE_AGE without a write, that is between SESSION_COOKIE_AGE minus the interval
    and SESSION_COOKIE_AGE after their last page view, never later."""
    time_machine.move_to("2026-11-30 14:00:00+00:00", tick=False)
    client = signed_in(dli_with_users(secondaries=0).primary)
    assert _signed_in(client)  # written at 14:00:00 (the sign-in's moment recorded)
    time_machine.shift(INTERVAL - 1)
    assert _signed_in(client)  # 14:00:59, not written
    time_machine.shift(IDLE - INTERVAL + 1)
    assert not _signed_in(client)  # 14:30:00: 29 min 1 s after the last page view


def test_the_idle_limit_holds_without_any_page_view(session_store, signed_in, time_machine):
    time_machine.move_to("2026-11-30 14:00:00+00:00", tick=False)
    client = signed_in(dli_with_users(secondaries=0).primary)
    time_machine.shift(IDLE - 1)
    assert _signed_in(client)  # and written again: a new half hour from now
    time_machine.shift(IDLE - 1)
    assert _signed_in(client)
    time_machine.shift(IDLE + 1)
    assert not _signed_in(client)


def test_activity_keeps_the_session(session_store, signed_in, time_machine):
    time_machine.move_to("2026-11-30 14:00:00+00:00", tick=False)
    client = signed_in(dli_with_users(secondaries=0).primary)
    for _ in range(50):  # a page every 50 seconds for about 42 minutes
        time_machine.shift(50)
        assert _signed_in(client)
