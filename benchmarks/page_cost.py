"""CPU milliseconds per request of the member's pages, in process (issue 14, "Pages against the
ceiling").

Usage (a copy of the benchmark database, never the seeded template; a Redis database of your
own)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<copy> REDIS_URL=redis://127.0.0.1:6379/<n> \\
        .venv/bin/python benchmarks/page_cost.py [--requests 200] [--profile queue]

Production settings as ``run.py`` gives the servers (``LOAPORTAL_ENVIRONMENT=production``,
Redis sessions and cache, kept connections), a signed-in client as ``steps.py`` makes it (the
primary user of the largest DLI), and for each page: one request to count its queries
(``BEGIN``/``COMMIT`` not counted), a warm-up, then ``--requests`` requests timed with
``time.process_time`` (this process's CPU: Python, templates, the database driver's work, not
PostgreSQL's or Redis's) and ``time.perf_counter`` (wall, including the servers' time).
Each loop runs ``--rounds`` times and the fastest counts (the machine is shared). The Python
function calls per request (10 requests under cProfile) do not depend on the machine's load.
``--profile PAGE`` runs the loop of that page under cProfile (CPU time) and prints the top
functions.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def _environment() -> None:
    for variable in ("DATABASE_URL", "REDIS_URL"):
        if variable not in os.environ:
            sys.exit(f"{variable} must be set (your own copy of the database, your Redis db)")
    defaults = {
        "LOAPORTAL_ENVIRONMENT": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(50),
        "EMAIL_URL": "smtp://127.0.0.1:1",
        "TASKS_BACKEND": "redis",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PORTAL_URL": "https://127.0.0.1",
        "DATABASE_CONN_MAX_AGE": "60",
        "LOG_FORMAT": "json",
        "TRUSTED_PROXY_COUNT": "1",
        "LOG_LEVEL": "WARNING",
    }
    for variable, value in defaults.items():
        os.environ.setdefault(variable, value)
    os.environ["DJANGO_SETTINGS_MODULE"] = "loaportal.settings"
    sys.path.insert(0, str(BENCH))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="timed loops; the fastest counts")
    parser.add_argument("--profile", help="page to profile (queue, decided, request, pending)")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    args = parser.parse_args()
    _environment()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from steps import FORWARDED, TRANSACTION, _client

    from loaportal.accounts.models import User
    from loaportal.verifications.models import VerificationRequest

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT institution_id FROM verifications_verificationrequest "
            "GROUP BY institution_id ORDER BY count(*) DESC LIMIT 1"
        )
        (largest_id,) = cursor.fetchone()
    primary = User.objects.get(membership__institution_id=largest_id, membership__role="primary")
    one = (
        VerificationRequest.objects.filter(
            institution_id=largest_id, status__in=VerificationRequest.OUTCOMES
        )
        .order_by("pk")
        .first()
    )
    pending = (
        VerificationRequest.objects.filter(
            institution_id=largest_id, status="pending", due_at__gt=timezone.now()
        )
        .order_by("due_at")
        .last()
    )
    assert one is not None and pending is not None
    client, _session = _client(primary)
    pages = {
        "queue": "/en/verifications/",
        "decided": "/en/verifications/?tab=decided",
        "request": f"/en/verifications/{one.pk}/",
        "pending": f"/en/verifications/{pending.pk}/",
    }

    def get(url: str) -> None:
        response = client.get(url, secure=True, **FORWARDED)
        assert response.status_code == 200, (url, response.status_code)

    print(
        f"{'page':<10} {'queries':>7} {'calls':>7} {'CPU ms':>8} {'wall ms':>8}"
        f"   ({args.requests} requests)"
    )
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as captured:
            get(url)
        queries = [
            q["sql"]
            for q in captured.captured_queries
            if not q["sql"].lstrip().upper().startswith(TRANSACTION)
        ]
        for _ in range(args.warmup):
            get(url)
        # Python function calls per request: a noise-free companion of the CPU time.
        counter = cProfile.Profile()
        counter.enable()
        for _ in range(10):
            get(url)
        counter.disable()
        calls = pstats.Stats(counter).total_calls // 10  # type: ignore[attr-defined]
        profiler = cProfile.Profile(time.process_time) if args.profile == name else None
        timings = []
        for _ in range(1 if profiler else args.rounds):
            cpu, wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            for _ in range(args.requests):
                get(url)
            if profiler:
                profiler.disable()
            timings.append((time.process_time() - cpu, time.perf_counter() - wall))
        cpu, wall = min(timings)
        print(
            f"{name:<10} {len(queries):>7} {calls:>7} {1000 * cpu / args.requests:>8.2f} "
            f"{1000 * wall / args.requests:>8.2f}   rounds (CPU ms): "
            + ", ".join(f"{1000 * c / args.requests:.2f}" for c, _ in timings),
            flush=True,
        )
        if os.environ.get("PAGE_COST_SQL"):
            for sql in queries:
                print("   ", sql[:300])
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
            print(out.getvalue())


if __name__ == "__main__":
    main()
