"""The sessions' store with Redis (core.sessions): a cache that fails is a miss and the
database answers; a cached copy never outlives the session's own expiry."""

from __future__ import annotations

import socket
import time

import pytest
from django.core.cache import caches

from loaportal.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_redis_is_a_miss_and_the_database_answers(settings):
    # Changing CACHES makes Django drop its cache connections (django.test.signals).
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    try:
        store = SessionStore()
        store["who"] = "someone"
        store.create()
        store.save()
        again = SessionStore(store.session_key)
        assert again["who"] == "someone"  # from the database
        again.cycle_key()  # what a sign-in does
        assert SessionStore(again.session_key)["who"] == "someone"
        again.delete()
        assert SessionStore(again.session_key).get("who") is None
    finally:
        caches.close_all()


def test_a_cached_copy_does_not_outlive_the_session(settings, time_machine):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    try:
        settings.SESSION_COOKIE_AGE = 60
        store = SessionStore()
        store["who"] = "someone"
        store.save()
        assert SessionStore(store.session_key)["who"] == "someone"
        time_machine.move_to(time.time() + 120, tick=False)
        assert SessionStore(store.session_key).get("who") is None  # expired everywhere
    finally:
        caches.close_all()
