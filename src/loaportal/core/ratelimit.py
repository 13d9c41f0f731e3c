"""Rate limits counted with atomic increments, for allauth's limits and the portal's own.

allauth (65.x) keeps each limit as a list of timestamps in the cache, read and rewritten under
a cache lock that it waits for at most one second; a request that does not get the lock in
time is refused. Under concurrent requests (20 at once) that gave false "too many attempts"
answers. Here each attempt is one atomic increment of a counter per time window instead — no
lock, no waiting — and the limit is a sliding window estimated from the current and previous
windows' counts (Cloudflare's approximation): ``previous × (share of the previous window
still in range) + current``.

Counters live in the cache when its increment is atomic (Redis, memcached, the in-process
cache), and otherwise (the embedded default, Django's database cache, whose ``incr`` is a
read then a write) in the ``core_ratecounter`` table with one UPSERT per attempt.

``install()`` (called from ``CoreConfig.ready``) puts this counting under allauth's
``ratelimit.consume``/``clear``, which both allauth's limits and the portal's ``rate_limit``
decorators (invitations, user-change requests) go through: the settings
(``ACCOUNT_RATE_LIMITS``) and the 429 page stay as they are.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.dummy import DummyCache
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

logger = logging.getLogger(__name__)

PURGE_PROBABILITY = 0.01


def _database_counters() -> bool:
    return isinstance(cache, DatabaseCache | DummyCache) or _cache_down_until > time.monotonic()


# When the shared cache (Redis) cannot be reached, counting falls back to the database's
# counters (``core_ratecounter``, which every instance shares too) for ``CACHE_RETRY_SECONDS``,
# then tries the cache again: limits keep holding across instances during an outage, never
# fail open, and sign-in keeps working (ADR 0011). Counts made in Redis before the outage are
# not seen by the database's counters and the other way round, so a window that spans the
# switch counts afresh: at most one window's worth of extra attempts, per switch.
CACHE_RETRY_SECONDS = 15.0
_cache_down_until = 0.0


def _cache_failed(exc: Exception) -> None:
    global _cache_down_until
    if _cache_down_until <= time.monotonic():
        logger.warning(
            "Rate limits: the cache is unreachable (%s); counting in the database",
            type(exc).__name__,
        )
    _cache_down_until = time.monotonic() + CACHE_RETRY_SECONDS


def _cache_errors() -> tuple[type[Exception], ...]:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (RedisConnectionError, RedisTimeoutError, OSError)


def _add(key: str, delta: int, ttl: float) -> int:
    """Add ``delta`` to the counter ``key`` atomically; its new value."""
    if _database_counters():
        return _add_in_database(key, delta, ttl)
    try:
        for _ in range(3):
            cache.add(key, 0, timeout=int(ttl) + 1)
            try:
                return cache.incr(key, delta)
            except ValueError:  # expired between add and incr: start again
                continue
    except _cache_errors() as exc:
        _cache_failed(exc)
        return _add_in_database(key, delta, ttl)
    return delta


def _add_in_database(key: str, delta: int, ttl: float) -> int:
    from loaportal.core.models import RateCounter

    table = connection.ops.quote_name(RateCounter._meta.db_table)
    key_column = connection.ops.quote_name("key")
    expires_at = timezone.now() + timedelta(seconds=ttl)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, count, expires_at) "  # noqa: S608
            f"VALUES (%s, %s, %s) ON CONFLICT ({key_column}) "
            f"DO UPDATE SET count = {table}.count + excluded.count RETURNING count",
            [key, delta, expires_at],
        )
        (value,) = cursor.fetchone()
        if random.random() < PURGE_PROBABILITY:  # noqa: S311 (housekeeping, not security)
            RateCounter.objects.filter(expires_at__lt=timezone.now()).delete()
    return int(value)


def _sum(keys: list[str]) -> int:
    if not keys:
        return 0
    if _database_counters():
        from django.db.models import Sum

        from loaportal.core.models import RateCounter

        live = RateCounter.objects.filter(key__in=keys, expires_at__gte=timezone.now())
        return live.aggregate(total=Sum("count"))["total"] or 0
    try:
        return sum(int(value or 0) for value in cache.get_many(keys).values())
    except _cache_errors() as exc:
        _cache_failed(exc)
        return _sum(keys)


def _delete(*keys: str) -> None:
    if _database_counters():
        from loaportal.core.models import RateCounter

        RateCounter.objects.filter(key__in=keys).delete()
        return
    try:
        cache.delete_many(keys)
    except _cache_errors() as exc:
        _cache_failed(exc)
        _delete(*keys)


BUCKETS = 10


def _bucket_keys(cache_key: str, duration: float, now: float) -> tuple[str, list[str], float]:
    """The current tenth's counter, those of the nine before it, and a counter's lifetime."""
    length = duration / BUCKETS
    index = int(now // length)
    earlier = [f"{cache_key}:b{index - back}" for back in range(1, BUCKETS)]
    return f"{cache_key}:b{index}", earlier, duration + length


@dataclass
class CounterUsage:
    """One counted attempt, which ``rollback`` uncounts (allauth's usage interface)."""

    key: str
    ttl: float

    def rollback(self) -> None:
        _add(self.key, -1, self.ttl)


def attempt(
    cache_key: str, *, amount: int, duration: float, dry_run: bool = False
) -> CounterUsage | None:
    """Count one attempt against ``amount`` per ``duration`` seconds: a usage, or ``None``
    when the limit is reached (a refused attempt is not counted)."""
    current, earlier_keys, ttl = _bucket_keys(cache_key, duration, time.time())
    earlier = _sum(earlier_keys)
    if dry_run:
        return CounterUsage(current, ttl) if earlier + _sum([current]) + 1 <= amount else None
    count = _add(current, 1, ttl)
    if earlier + count <= amount:
        return CounterUsage(current, ttl)
    _add(current, -1, ttl)
    return None


def clear(cache_key: str, *, duration: float) -> None:
    current, earlier_keys, _ = _bucket_keys(cache_key, duration, time.time())
    _delete(current, *earlier_keys)


def install(allauth_ratelimit: Any) -> None:
    """Count allauth's rate limits (and the portal's, which use allauth's decorator) here.

    ``allauth_ratelimit`` is allauth's internal rate-limit module, handed over by the accounts
    app (``accounts.allauth_internals``, where every allauth internal is imported).
    """
    from allauth.core import exceptions

    def consume_single_rate(
        request: HttpRequest,
        *,
        app: str,
        action: str,
        rate: Any,
        key: str | None = None,
        user: Any = None,
        dry_run: bool = False,
        raise_exception: bool = False,
    ) -> CounterUsage | None:
        cache_key = allauth_ratelimit.get_cache_key(
            request, app=app, action=action, rate=rate, key=key, user=user
        )
        usage = attempt(cache_key, amount=rate.amount, duration=rate.duration, dry_run=dry_run)
        if usage is None and raise_exception:
            raise exceptions.RateLimited
        return usage

    def clear_rates(
        request: HttpRequest,
        *,
        app: str,
        action: str,
        config: dict[str, Any] | None = None,
        key: str | None = None,
        user: Any = None,
    ) -> None:
        for rate in allauth_ratelimit.get_rates(app=app, action=action, config=config):
            cache_key = allauth_ratelimit.get_cache_key(
                request, app=app, action=action, rate=rate, key=key, user=user
            )
            clear(cache_key, duration=rate.duration)

    allauth_ratelimit._consume_single_rate = consume_single_rate
    allauth_ratelimit.clear = clear_rates
