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
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

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
