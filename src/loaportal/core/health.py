"""Readiness and metrics for the load balancer and the monitoring (README "Operations").

- ``/healthz`` (``core.views.health``): the process and its database answer (liveness).
- ``/readyz``: may this instance take traffic? The database, the cache, and what the apps
  registered with ``readiness_check_register`` (the documents' storage, the queue's depth and
  the age of the oldest email waiting). 200 ``{"status": "ready"|"degraded", …}`` or 503
  ``{"status": "unavailable", …}`` when a check that matters fails (the database, the
  storage). An unreachable cache is "degraded", not unavailable: the portal works without
  it (ADR 0011), and taking every instance out because Redis is down would be an outage.
- ``/metrics``: Prometheus text format. Responses by status (counted across instances in
  Redis; per process with the database cache) and what the apps registered with
  ``metric_register`` (queue depth, emails sent and failed, deadlines passed). Only for
  ``METRICS_ALLOWED_IPS`` (default: this machine) or a bearer ``METRICS_TOKEN``; anyone else
  gets a 404.

All three are answered before the host-name check and the HTTPS redirect
(``HealthCheckMiddleware``), so probes can reach each instance at its address. Apps register
from their ``AppConfig.ready`` (a hook, so that this layer imports none of them).
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

# A readiness check returns a JSON-able detail, or raises when the instance should not take
# traffic ("critical") or is only degraded (not critical).
ReadinessCheck = Callable[[], object]
READINESS_CHECKS: dict[str, tuple[ReadinessCheck, bool]] = {}


@dataclass(frozen=True)
class Sample:
    labels: dict[str, str]
    value: float


@dataclass(frozen=True)
class Metric:
    name: str
    help: str
    kind: str  # "gauge" or "counter"
    collect: Callable[[], Iterable[Sample]]


METRICS: dict[str, Metric] = {}


def readiness_check_register(name: str, check: ReadinessCheck, *, critical: bool) -> None:
    READINESS_CHECKS[name] = (check, critical)


def metric_register(
    name: str, help: str, collect: Callable[[], Iterable[Sample]], *, kind: str = "gauge"
) -> None:
    METRICS[name] = Metric(name=name, help=help, kind=kind, collect=collect)


# --- Built-in checks ---------------------------------------------------------------------------


def _database() -> object:
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ms": round((time.monotonic() - started) * 1000, 1)}


def _cache() -> object:
    from django.core.cache import cache

    key = "loaportal:readyz"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not keep a value")
    return "ok"


readiness_check_register("database", _database, critical=True)
readiness_check_register("cache", _cache, critical=False)


def readiness() -> tuple[int, dict[str, object]]:
    checks: dict[str, object] = {}
    status = "ready"
    for name, (check, critical) in READINESS_CHECKS.items():
        try:
            checks[name] = check()
        except Exception as exc:
            logger.warning("Readiness: %s failed (%s)", name, type(exc).__name__)
            checks[name] = {"error": type(exc).__name__}
            if critical:
                status = "unavailable"
            elif status == "ready":
                status = "degraded"
        finally:
            if name == "database":
                # A failed check must not leave a broken connection for the next request.
                from django.db import connection

                if connection.errors_occurred:
                    connection.close()
    return (503 if status == "unavailable" else 200), {"status": status, "checks": checks}


def readiness_view(request: HttpRequest) -> HttpResponse:
    code, body = readiness()
    response = JsonResponse(body, status=code)
    response["Cache-Control"] = "no-store"
    return response


# --- Responses by status ------------------------------------------------------------------------

_local_counts: Counter[str] = Counter()
_local_lock = threading.Lock()
RESPONSES_KEY = "loaportal:metrics:responses"


def _shared_counts() -> bool:
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    return isinstance(caches["default"], RedisCache)


def _redis_client(*, write: bool) -> Any:
    from django.core.cache import caches

    return caches["default"]._cache.get_client(write=write)  # type: ignore[attr-defined]


def response_count(status: int) -> None:
    """Count one response by its status, across instances when the cache is Redis (one
    atomic HINCRBY), else in this process."""
    label = str(status)
    if _shared_counts():
        try:
            client = _redis_client(write=True)
            client.hincrby(RESPONSES_KEY, label, 1)
            return
        except Exception:  # noqa: S110 (Redis away: count here rather than lose it)
            pass
    with _local_lock:
        _local_counts[label] += 1


def _responses() -> Iterable[Sample]:
    counts: Counter[str] = Counter()
    with _local_lock:
        counts.update(_local_counts)
    if _shared_counts():
        try:
            client = _redis_client(write=False)
            for key, value in client.hgetall(RESPONSES_KEY).items():
                label = key.decode() if isinstance(key, bytes) else str(key)
                counts[label] += int(value)
        except Exception:
            logger.warning("Metrics: the cache is unreachable; responses of this process only")
    for status, value in sorted(counts.items()):
        yield Sample({"status": status}, float(value))


metric_register(
    "loaportal_http_responses_total",
    "HTTP responses by status code.",
    _responses,
    kind="counter",
)


# --- /metrics -----------------------------------------------------------------------------------


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header.removeprefix("Bearer ").strip(), token)
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        address in ipaddress.ip_network(allowed, strict=False)
        for allowed in settings.METRICS_ALLOWED_IPS
    )


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def metrics_text() -> str:
    lines: list[str] = []
    for metric in METRICS.values():
        try:
            samples = list(metric.collect())
        except Exception as exc:
            logger.warning("Metrics: %s failed (%s)", metric.name, type(exc).__name__)
            continue
        lines.append(f"# HELP {metric.name} {metric.help}")
        lines.append(f"# TYPE {metric.name} {metric.kind}")
        for sample in samples:
            labels = ",".join(f'{k}="{_escape(v)}"' for k, v in sample.labels.items())
            suffix = f"{{{labels}}}" if labels else ""
            lines.append(f"{metric.name}{suffix} {sample.value:g}")
    return "\n".join(lines) + "\n"


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse("Not found\n", status=404, content_type="text/plain")
    response = HttpResponse(metrics_text(), content_type="text/plain; version=0.0.4")
    response["Cache-Control"] = "no-store"
    return response
