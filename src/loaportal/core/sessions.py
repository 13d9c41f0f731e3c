"""Sessions read from Redis and written through to the database, that survive Redis going away.

Django's ``cached_db`` store reads a session from the cache and falls back to the database,
but a few of its cache calls are unguarded: with Redis unreachable, creating or cycling a
session (every sign-in) raised. Here every cache call is guarded: an unreachable cache is a
miss, and the database answers (ADR 0011). Sign-in and every page keep working; only the fast
path is lost until Redis returns.

A cached copy lives at most ``SESSION_CACHE_SECONDS`` (5 minutes) and never past the session's
own expiry (the copy carries it): a session ended while Redis could not be told (its cache
delete failed) cannot outlive that in a Redis that kept its data. The database row, which
every instance checks on a miss, is deleted in any case.

``SessionMiddleware`` writes a session that did not change at most once every
``SESSION_WRITE_SECONDS`` (ADR 0020) instead of on every request: the idle limit runs from the
last write, so a person is signed out after between ``SESSION_COOKIE_AGE`` minus that interval
and ``SESSION_COOKIE_AGE`` of inactivity, never later, with or without Redis.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("loaportal.sessions")


class _GuardedCache:
    """The calls ``cached_db`` makes, each one turned into a miss when the cache fails."""

    def __init__(self, cache: Any) -> None:
        self._cache = cache

    def get(self, key: str, default: Any = None) -> Any:
        try:
            entry = self._cache.get(key, None)
        except Exception as exc:
            logger.warning("Session cache unreachable on read (%s)", type(exc).__name__)
            return default
        # The copy carries the session's own expiry: past it, the database decides (which
        # then finds the session expired), whatever the cache's clock says.
        if isinstance(entry, dict) and time.time() < entry.get("until", 0):
            return entry.get("session", default)
        return default

    def set(self, key: str, value: Any, timeout: Any = None) -> None:
        ceiling = settings.SESSION_CACHE_SECONDS
        timeout = ceiling if timeout is None else min(int(timeout), ceiling)
        if timeout <= 0:
            return
        try:
            self._cache.set(key, {"session": value, "until": time.time() + timeout}, timeout)
        except Exception as exc:
            logger.warning("Session cache unreachable on write (%s)", type(exc).__name__)

    def delete(self, key: str) -> None:
        try:
            self._cache.delete(key)
        except Exception as exc:
            logger.error(
                "Session cache unreachable on delete (%s): the cached copy expires within "
                "SESSION_CACHE_SECONDS",
                type(exc).__name__,
            )

    def __contains__(self, key: str) -> bool:
        try:
            return key in self._cache
        except Exception:
            return False


class SessionStore(CachedDBStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        cache: Any = self._cache  # type: ignore[has-type]
        self._cache = _GuardedCache(cache)


# When the session was last written (seconds since the epoch), kept in the session itself so
# that every instance, with or without Redis, knows it.
WRITTEN_AT = "_loaportal_written_at"


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, writing a session that did not change only when its last
    write is ``SESSION_WRITE_SECONDS`` old or more (ADR 0020).

    ``SESSION_SAVE_EVERY_REQUEST`` wrote every signed-in page's session to Redis and to the
    database (an ``UPDATE`` in its own transaction) just to move its expiry: the idle limit. A
    write now also happens whenever the session changed (sign-in, a message, a form's state),
    and each write stamps ``WRITTEN_AT``; the expiry, in Redis and in the database, is the last
    write plus ``SESSION_COOKIE_AGE``.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and response.status_code != 500 and not session.is_empty():
            accessed = session.accessed
            now = time.time()
            if session.modified:
                session[WRITTEN_AT] = now
            else:
                written_at = session.get(WRITTEN_AT)
                stale = not isinstance(written_at, (int, float)) or not (
                    0 <= now - written_at < settings.SESSION_WRITE_SECONDS
                )
                # ``is_empty`` is false for a cookie whose session is gone; loading it (above)
                # found nothing: nothing to keep alive.
                if stale and not session.is_empty():
                    session[WRITTEN_AT] = now
            # Reading the stamp is not the page using the session (``Vary: Cookie``).
            session.accessed = accessed
        return super().process_response(request, response)
