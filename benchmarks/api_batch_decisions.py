"""Decisions through the batch API, over HTTP, against gunicorn in production mode.

Creates a database of its own (SQLite: a new file; PostgreSQL: the database named by
``--database-url``, which must not exist yet, created and dropped again), migrates it, makes
one DLI with its primary user and a "decide" API token, writes N pending requests directly in
SQL (their creation is not what is measured), then starts gunicorn with
``deploy/gunicorn.conf.py`` and ``LOAPORTAL_ENVIRONMENT=production`` (a load balancer's
``X-Forwarded-Proto: https`` on each call, as behind TLS termination) and sends every decision
in batches of 1,000 — the most the API takes in one call — from ``--clients`` connections at
once (keep-alive). Each answer must say every item was recorded. Afterwards it checks that
every request is decided once and runs ``verify_audit`` (the hash chain of the N audit
entries), then prints decisions per second, the batches' latencies, the server's memory and
the machine's load.

    .venv/bin/python benchmarks/api_batch_decisions.py                        # SQLite
    .venv/bin/python benchmarks/api_batch_decisions.py --decisions 600000 \\
        --database-url postgres://postgres@127.0.0.1:5432/loaportal_bench_api   # PostgreSQL

Issue 14's target: 600,000 decisions in at most 5 minutes (2,000 a second) on the 2-core
machine (ADR 0018 has the figures and what limits them).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This folder holds a ``statistics.py`` that would hide the standard library's.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1_000)
    parser.add_argument("--clients", type=int, default=2, help="connections sending at once")
    parser.add_argument("--database-url", default="", help="postgres://…/NEW_DATABASE")
    parser.add_argument("--port", type=int, default=18380)
    parser.add_argument("--workers", type=int, default=0, help="WEB_CONCURRENCY (default: conf)")
    parser.add_argument("--threads", type=int, default=0, help="GUNICORN_THREADS (default: conf)")
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="loaportal-bench-api-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "loaportal.settings",
        "LOAPORTAL_ENVIRONMENT": "production",
        "LOAPORTAL_VAR_DIR": str(var),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(50),
        # Nothing is emailed here; production only requires a mail server to be named.
        "EMAIL_URL": f"smtp://127.0.0.1:{args.port + 1}",
        "DATABASE_URL": args.database_url or f"sqlite:///{var / 'bench.sqlite3'}",
        # Connections kept for the whole run (make prod keeps them 60 s): the CPU of each
        # PostgreSQL backend is then counted, none exits before it is read.
        "DATABASE_CONN_MAX_AGE": "3600",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "GUNICORN_LOG_LEVEL": "warning",
        "REQUEST_LOG_LEVEL": "WARNING",
        # gunicorn serves this checkout's code, whatever the virtual environment installed.
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])
        ),
    }
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    if args.threads:
        env["GUNICORN_THREADS"] = str(args.threads)
    os.environ.update(env)
    postgres = args.database_url.startswith("postgres")
    if postgres:
        _database("create", args.database_url)
    try:
        run(args, var)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            if postgres:
                _database("drop", args.database_url)
            shutil.rmtree(var, ignore_errors=True)


def _database(action: str, url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if action == "create":
            conn.execute(f'CREATE DATABASE "{name}"')  # fails if it exists: never reuse one
        else:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def seed(decisions: int) -> tuple[str, list[str]]:
    """A DLI, its primary user, a decide token and ``decisions`` pending requests (one made
    by the intake service with its document, the others copied from it in one INSERT)."""
    from django.db import connection

    from loaportal.accounts.models import User
    from loaportal.api.services import api_token_create
    from loaportal.institutions.models import Institution, Membership
    from loaportal.verifications.letters import letter_pdf
    from loaportal.verifications.models import VerificationRequest
    from loaportal.verifications.services import verification_request_create

    run = secrets.token_hex(3).upper()
    number = f"O{secrets.randbelow(10**11):011d}"
    institution = Institution.objects.create(
        dli_number=number, name_en=f"Bench {run}", name_fr=f"Banc {run}", province="ON"
    )
    primary = User.objects.create_user(
        f"bench-{run.lower()}@college.example", None, surname="Bench", phone="+16135550123"
    )
    Membership.objects.create(user=primary, institution=institution, role="primary")
    model = verification_request_create(
        application_number=f"B{run}000000",
        dli_number=number,
        surname="Tremblay",
        given_names="Marie",
        date_of_birth="2004-05-17",
        document=letter_pdf(title="Benchmark", lines=[]),
        document_name="loa.pdf",
    )
    table = connection.ops.quote_name(VerificationRequest._meta.db_table)
    columns = [
        f.column
        for f in VerificationRequest._meta.concrete_fields
        if f.column not in ("id", "application_number")
    ]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        numbers = "generate_series(1, %s) AS g(n)"
        number_sql = "%s || lpad(g.n::text, 7, '0')"
    else:
        numbers = (
            "(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < %s) "
            "SELECT n FROM s) AS g"
        )
        number_sql = "%s || printf('%%07d', g.n)"
    with connection.cursor() as cursor:
        # Names from the model, values bound.
        sql = (
            f"INSERT INTO {table} (application_number, {quoted}) "  # noqa: S608
            f"SELECT {number_sql}, {quoted} FROM {table}, {numbers} WHERE {table}.id = %s"
        )
        cursor.execute(
            sql,
            [f"B{run}", decisions, model.pk],
        )
    token = api_token_create(
        institution=institution, name="Benchmark", scope="decide", created_by=primary
    ).value
    return token, [f"B{run}{index + 1:07d}" for index in range(decisions)]


def run(args: argparse.Namespace, var: Path) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from loaportal.verifications.models import VerificationEvent, VerificationRequest

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    warmup = args.batch * args.clients
    token, numbers = seed(args.decisions + warmup)
    seeded = time.perf_counter() - started
    connection.close()

    server = subprocess.Popen(  # noqa: S603 (this checkout's own gunicorn)
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            str(ROOT / "deploy" / "gunicorn.conf.py"),
            "loaportal.wsgi",
        ],
        cwd=var,
        stdout=subprocess.DEVNULL,
        stderr=open(var / "gunicorn.log", "wb"),  # noqa: SIM115 (closed with the process)
        start_new_session=True,
    )
    try:
        _wait_ready(args.port)
        # Every worker imports and connects before the clock starts.
        _send_all(args, token, numbers[:warmup], batch=args.batch // 10 or 1)
        load_before = os.getloadavg()
        cpu_before = _cpu(_server_pids(server.pid)), _cpu(_postgres_pids())
        client_before = time.process_time()
        started = time.perf_counter()
        latencies = _send_all(args, token, numbers[warmup:], batch=args.batch)
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - client_before
        cpu_after = _cpu(_server_pids(server.pid)), _cpu(_postgres_pids())
        load_after = os.getloadavg()
        memory = _rss_mib(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    decided = VerificationRequest.objects.exclude(status="pending").count()
    once = VerificationEvent.objects.filter(kind="decided").count()
    assert decided == once == len(numbers), (decided, once, len(numbers))
    call_command("verify_audit")
    rate = args.decisions / elapsed
    database = connection.vendor
    if database == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database += " " + cursor.fetchone()[0].split()[0]
    print(
        f"\n{database}: {args.decisions:,} decisions in {elapsed:.1f} s = {rate:,.0f} decisions/s"
        f" (batches of {args.batch:,}, {args.clients} clients at once)"
    )
    print(
        f"batch latency: p50 {_percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p95 {_percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    print(
        f"gunicorn (production, {os.environ.get('WEB_CONCURRENCY', 2 * _cores())} workers × "
        f"{os.environ.get('GUNICORN_THREADS', 4)} threads): {memory:.0f} MiB RSS in all"
    )
    web_cpu = _cpu_spent(cpu_before[0], cpu_after[0])
    db_cpu = _cpu_spent(cpu_before[1], cpu_after[1])
    per_thousand = (web_cpu + db_cpu) / args.decisions * 1000
    print(
        f"CPU per 1,000 decisions: gunicorn {web_cpu / args.decisions * 1000:.2f} s, "
        + (f"PostgreSQL backends {db_cpu / args.decisions * 1000:.2f} s, " if db_cpu else "")
        + f"this client {client_cpu / args.decisions * 1000:.3f} s; "
        + (
            f"with {_cores()} cores to themselves the server and database would decide about "
            f"{_cores() / per_thousand * 1000:,.0f} a second"
            if db_cpu
            # SQLite writes one transaction at a time, in the server's processes.
            else f"SQLite writes one batch at a time: with {_cores()} free cores, between "
            f"{1 / per_thousand * 1000:,.0f} (all of it one at a time) and "
            f"{_cores() / per_thousand * 1000:,.0f} a second"
        )
    )
    print(f"seeding {args.decisions + warmup:,} requests: {seeded:.1f} s")
    print(
        f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
        f"({os.cpu_count()} CPU, {platform.machine()}, Python {sys.version.split()[0]}, "
        f"Django {django.get_version()}, DEBUG={settings.DEBUG})"
    )
    print(f"600,000 decisions at this rate: {600_000 / rate / 60:.1f} minutes (target: 5)")


def _cores() -> int:
    # As deploy/gunicorn.conf.py counts them.
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _wait_ready(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def _send_all(
    args: argparse.Namespace, token: str, numbers: list[str], *, batch: int
) -> list[float]:
    """Send every decision, ``batch`` per call, from ``args.clients`` threads with a
    keep-alive connection each; returns each call's latency."""
    work: queue.Queue[list[str]] = queue.Queue()
    for start in range(0, len(numbers), batch):
        work.put(numbers[start : start + batch])
    latencies: list[float] = []
    failures: list[str] = []
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Host": "127.0.0.1",
        "X-Forwarded-Proto": "https",
    }

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
        while not failures:
            try:
                chunk = work.get_nowait()
            except queue.Empty:
                return
            body = json.dumps(
                {
                    "decisions": [
                        {"application_number": n, "outcome": "verified_matched"} for n in chunk
                    ]
                }
            )
            began = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/dli/decisions", body, headers)
                response = conn.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as error:
                # A worker recycled (max_requests) closes the connection: send again.
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
                work.put(chunk)
                if isinstance(error, TimeoutError):
                    failures.append(repr(error))
                continue
            latencies.append(time.perf_counter() - began)
            if response.status != 200:
                failures.append(f"{response.status} {answer[:300]!r}")
            elif any(
                not item["recorded"] and item["code"] != "already_decided_same_outcome"
                for item in json.loads(answer)["results"]
            ):
                # (Sent again after a dropped connection, an item may say it was recorded
                # already: the count of decisions is checked in the database afterwards.)
                failures.append(f"not all recorded: {answer[:300]!r}")

    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"batch failed: {failures[0]}")
    return latencies


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def _server_pids(pid: int) -> list[int]:
    """gunicorn's arbiter and its workers."""
    pids = [pid]
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in text:
            pids.append(int(status.parent.name))
    return pids


def _postgres_pids() -> list[int]:
    """The PostgreSQL server processes serving this database (same machine)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    connection.close()
    return pids


def _cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) each process has used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def _cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    # A process that appeared during the run counts from zero.
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def _rss_mib(pid: int) -> float:
    """Resident memory of gunicorn's arbiter and its workers (its children)."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if int(status.parent.name) == pid or int(fields.get("PPid", "0")) == pid:
            total += int(fields.get("VmRSS", "0 kB").split()[0])
    return total / 1024


if __name__ == "__main__":
    main()
