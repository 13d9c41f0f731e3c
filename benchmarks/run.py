"""`make bench`: seed, serve in production mode, load with locust, write the result and the table.

    make bench                                  # everything, about 20-30 minutes
    .venv/bin/python benchmarks/run.py --help   # the knobs (durations, counts, reseeding)

What it does (README "Benchmarks", docs/performance.md):

1. **Seeds** two PostgreSQL databases once, with COPY (``benchmarks/seed.py``): the country's
   three years (``--requests``, 1,000,000) and the small one for the growth ratio
   (``--small``, 10,000). A seeded database is kept and reused while the parameters and the
   seeder's version stay the same (``--reseed`` forces it); each run works on fresh copies
   (``CREATE DATABASE … TEMPLATE``), so every run starts from the same data.
2. **Serves** each copy as production does (``scripts/prod.sh``): gunicorn with
   ``deploy/gunicorn.conf.py``, ``LOAPORTAL_ENVIRONMENT=production``, Redis for the cache,
   the sessions and the task queue, two task workers delivering email to a local SMTP sink
   (``benchmarks/smtp_sink.py``), the real Argon2id hasher. Plain HTTP on loopback: TLS is the
   load balancer's work (requests carry ``X-Forwarded-Proto: https`` and, with
   ``TRUSTED_PROXY_COUNT=1``, their own ``X-Forwarded-For``). Beside it, the ceiling
   (``benchmarks/ceiling.py``) on the same gunicorn configuration.
3. **Measures** each phase with locust, headless (``benchmarks/locustfile.py``): requests per
   second, p50/p95/p99, the RSS of every server process (psutil, sampled), and SQL queries per
   request, counted in process on the same database with Django's ``CaptureQueriesContext``.
4. **Writes** ``benchmarks/results/<date>.json`` and the table in ``docs/performance.md``,
   compares with the previous result and prints the regressions.

Ports 18200-18299, Redis databases 4-6 and PostgreSQL databases ``loaportal_bench_*`` by default
(``--port-base``, ``--redis-dbs``, ``--db-prefix``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
BENCH = ROOT / "benchmarks"
SEED_VERSION = 1  # bump when seed.py changes what it writes: seeded databases are then rebuilt
PG = ["-h", "127.0.0.1", "-U", "postgres"]


def say(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", flush=True)


# --- Databases --------------------------------------------------------------------------------


def psql(sql: str, database: str = "postgres") -> str:
    out = subprocess.run(
        ["psql", *PG, "-d", database, "-tAqc", sql], check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def database_url(name: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def ensure_seeded(name: str, requests: int, args, env: dict) -> dict:
    """The seeded database ``name`` (kept between runs), seeded now if needed."""
    wanted = {"bench_seed": SEED_VERSION, "requests": requests}
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    if exists and not args.reseed:
        comment = psql(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            f"WHERE datname = '{name}'"
        )
        try:
            made = json.loads(comment)
        except (TypeError, ValueError):
            made = {}
        if all(made.get(k) == v for k, v in wanted.items()):
            say(f"{name}: seeded before ({requests:,} requests), reused")
            # Quick when nothing changed; sets the visibility map as autovacuum would have.
            psql("VACUUM ANALYZE", name)
            return made
    say(f"{name}: seeding {requests:,} requests")
    psql(f'DROP DATABASE IF EXISTS "{name}"')
    psql(f'CREATE DATABASE "{name}"')
    seed_env = {**env, "DATABASE_URL": database_url(name), "LOAPORTAL_ENVIRONMENT": "development"}
    subprocess.run([BIN / "loaportal", "migrate", "--noinput", "-v", "0"], env=seed_env, check=True)
    out = subprocess.run(
        [BIN / "python", __file__, "_seed_step", "--requests", str(requests)],
        env=seed_env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    made = {**json.loads(out.stdout.strip().splitlines()[-1]), **wanted}
    psql(f"COMMENT ON DATABASE \"{name}\" IS '{json.dumps(made)}'")
    return made


def rounds_together(phases: dict, prefix: str, runs: list[dict]) -> dict:
    """One phase made of the rounds whose keys start with ``prefix`` (their locust entries in
    ``runs``): figures over all their requests, the largest RSS, the summed duration."""
    rounds = [k for k in phases if k.startswith(prefix)]
    return {
        "figures": pooled(runs),
        "rss_mib": max(phases[k]["rss_mib"] for k in rounds),
        "seconds": round(sum(phases[k]["seconds"] for k in rounds), 1),
        "rounds": rounds,
    }


def drain_outbox(database: str, timeout: float = 240) -> int:
    """Wait until no email is queued or being sent; the number still waiting at ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        left = int(
            psql(
                "SELECT count(*) FROM notifications_outgoingemail "
                "WHERE status IN ('queued', 'sending')",
                database,
            )
        )
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(1)


def fresh_copy(template: str, name: str) -> None:
    psql(f'DROP DATABASE IF EXISTS "{name}"')
    psql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


# --- Processes --------------------------------------------------------------------------------


class Processes:
    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[subprocess.Popen] = []

    def start(self, name: str, command: list, env: dict) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [str(c) for c in command],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def wait_http(port: int, path: str = "/healthz", timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
                if s.recv(12).startswith(b"HTTP/1."):
                    return
                time.sleep(0.3)
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"nothing answers on port {port}")


def warm_up(port: int, pages, rounds: int = 12) -> None:
    """A few requests to every page first, so that each gunicorn worker has imported its
    modules and compiled its templates before anything is measured."""
    import http.client

    for _ in range(rounds):
        for page in pages:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.255.0.1"}
            connection.request("GET", page["url"], headers={**headers, **page["headers"]})
            connection.getresponse().read()
            connection.close()


class RssSampler:
    """The largest total RSS of a process tree (gunicorn's master and workers, plus any other
    roots given) while a phase runs."""

    def __init__(self, roots: list[int]) -> None:
        self.roots = roots
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _total(self) -> int:
        import psutil

        total = 0
        for pid in self.roots:
            try:
                root = psutil.Process(pid)
                for process in [root, *root.children(recursive=True)]:
                    total += process.memory_info().rss
            except psutil.Error:
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._total())
            self._stop.wait(0.25)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._total())


# --- Locust -----------------------------------------------------------------------------------


def locust(
    scenario: str,
    host: str,
    config: dict,
    *,
    users: int,
    seconds: float,
    work: Path,
    raw: bool = False,
) -> dict:
    """One locust run; the figures of its requests, by name (``raw``: locust's own entries,
    histograms included, for ``pooled``)."""
    tag = f"{scenario}-{secrets.token_hex(3)}"
    config_file = work / f"{tag}.json"
    config_file.write_text(json.dumps(config))
    env = {**os.environ, "BENCH_SCENARIO": scenario, "BENCH_CONFIG": str(config_file)}
    command = [
        BIN / "locust",
        "-f",
        BENCH / "locustfile.py",
        "--headless",
        "--host",
        host,
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{int(seconds)}s",
        "--stop-timeout",
        "10",
        "--json",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    with open(work / f"{tag}.log", "w") as log:
        out = subprocess.run(
            [str(c) for c in command],
            env=env,
            check=True,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    (work / f"{tag}.stats.json").write_text(out.stdout)
    text = out.stdout
    entries = json.loads(text[text.index("[") :]) if "[" in text else []
    if raw:
        return {entry["name"]: entry for entry in entries}
    return {entry["name"]: _figures(entry) for entry in entries}


def pooled(runs: list[dict]) -> dict:
    """The figures of several locust runs taken together, by name: their histograms merged
    (percentiles over every request of every run), requests per second over their summed
    durations."""
    names = {name for run in runs for name in run}
    out = {}
    for name in sorted(names):
        entries = [run[name] for run in runs if name in run]
        times: dict[str, int] = {}
        for entry in entries:
            for ms, n in entry["response_times"].items():
                times[ms] = times.get(ms, 0) + n
        span = sum(max(e["last_request_timestamp"] - e["start_time"], 1e-3) for e in entries)
        out[name] = _figures(
            {
                "num_requests": sum(e["num_requests"] for e in entries),
                "num_failures": sum(e["num_failures"] for e in entries),
                "response_times": times,
                "start_time": 0.0,
                "last_request_timestamp": span,
            }
        )
    return out


def _figures(entry: dict) -> dict:
    """Requests per second and percentiles from locust's histogram of response times."""
    count = entry["num_requests"]
    histogram = sorted((float(ms), n) for ms, n in entry["response_times"].items())

    def percentile(q: float) -> float | None:
        if not count:
            return None
        seen = 0
        for ms, n in histogram:
            seen += n
            if seen >= q * count:
                return ms
        return histogram[-1][0]

    span = max(entry["last_request_timestamp"] - entry["start_time"], 1e-3)
    return {
        "requests": count,
        "failures": entry["num_failures"],
        "rps": round(count / span, 1),
        "p50_ms": percentile(0.5),
        "p95_ms": percentile(0.95),
        "p99_ms": percentile(0.99),
    }


# --- The run ----------------------------------------------------------------------------------


def machine() -> dict:
    import psutil

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {"python": platform.python_version()}
    for package in ("django", "gunicorn", "locust", "psycopg", "redis", "django-allauth"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:  # noqa: BLE001
            versions[package] = "?"
    versions["postgresql"] = psql("SHOW server_version")
    try:
        versions["redis-server"] = (
            subprocess.run(["redis-server", "--version"], capture_output=True, text=True)
            .stdout.split()[2]
            .removeprefix("v=")
        )
    except (OSError, IndexError):
        versions["redis-server"] = "?"
    git = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    )
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "os": platform.platform(),
        "versions": versions,
        "commit": git.stdout.strip(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="LOA Portal benchmark (issue 14)")
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--batch-decisions", type=int, default=600_000)
    parser.add_argument(
        "--batch-seconds", type=int, default=330, help="time box of the batch phase"
    )
    parser.add_argument("--batch-users", type=int, default=2)
    parser.add_argument("--file-rows", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=15, help="length of each page phase")
    parser.add_argument("--users", type=int, default=16, help="concurrent users of a page phase")
    parser.add_argument("--storm", type=int, default=50, help="concurrent sign-ins")
    parser.add_argument(
        "--page-rounds",
        type=int,
        default=2,
        help="rounds of each page on each data set (large, small, small, large, …), "
        "each --seconds / page-rounds long",
    )
    parser.add_argument(
        "--smtp-rounds",
        type=int,
        default=2,
        help="rounds of the code page with each SMTP server (fast, slow, slow, fast, …)",
    )
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--skip-batch", action="store_true")
    parser.add_argument("--db-prefix", default="loaportal_bench")
    parser.add_argument("--port-base", type=int, default=18200)
    parser.add_argument("--redis-dbs", default="4,5,6")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/performance.md")
    args = parser.parse_args()

    wall = time.perf_counter()
    var = Path(os.environ.get("LOAPORTAL_VAR_DIR", ROOT / "var")) / "bench"
    var.mkdir(parents=True, exist_ok=True)
    work = var / "run"
    shutil.rmtree(work, ignore_errors=True)
    (work / "logs").mkdir(parents=True)
    key_file = var / "audit_hmac_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    redis_big, redis_small, _redis_spare = (int(n) for n in args.redis_dbs.split(","))
    port_ceiling, port_big, port_small, port_smtp = (args.port_base + n for n in (10, 1, 2, 25))
    mail = var / "mail"
    shutil.rmtree(mail, ignore_errors=True)
    base_env = {
        **os.environ,
        "LOAPORTAL_VAR_DIR": str(var),
        "AUDIT_HMAC_KEY": key_file.read_text().strip(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PYTHONPATH": str(BENCH),
    }
    base_env.pop("DJANGO_SETTINGS_MODULE", None)

    seeds = {
        "big": ensure_seeded(f"{args.db_prefix}_seed_big", args.requests, args, base_env),
        "small": ensure_seeded(f"{args.db_prefix}_seed_small", args.small, args, base_env),
    }
    seeded_at = time.perf_counter()
    databases = {"big": f"{args.db_prefix}_bench", "small": f"{args.db_prefix}_small"}
    for size, name in databases.items():
        fresh_copy(f"{args.db_prefix}_seed_{size}", name)
        # The code's migrations since the seeding (new indexes), as a deployment runs them.
        subprocess.run(
            [BIN / "loaportal", "migrate", "--noinput", "-v", "0"],
            env={**base_env, "DATABASE_URL": database_url(name)},
            check=True,
        )
    say("fresh copies of the seeded databases made and migrated")

    result: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "parameters": {k: v for k, v in vars(args).items() if k not in ("reseed", "no_docs")},
        "seeded": seeds,
        "phases": {},
    }

    def portal_env(size: str, redis_db: int, port: int) -> dict:
        return {
            **base_env,
            "LOAPORTAL_ENVIRONMENT": "production",
            "DATABASE_URL": database_url(databases[size]),
            "REDIS_URL": f"redis://127.0.0.1:6379/{redis_db}",
            "TASKS_BACKEND": "redis",
            "EMAIL_URL": f"smtp://127.0.0.1:{port_smtp}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PORTAL_URL": f"https://127.0.0.1:{port}",
            "DATABASE_CONN_MAX_AGE": "60",
            "LOG_FORMAT": "json",
            "TRUSTED_PROXY_COUNT": "1",
            # One load generator stands for many programs: the per-token limit (600 a minute)
            # would measure the limit, not the portal.
            "API_RATE_LIMIT_PER_MINUTE": "0",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_LOG_LEVEL": "warning",
        }

    envs = {
        "big": portal_env("big", redis_big, port_big),
        "small": portal_env("small", redis_small, port_small),
    }
    for redis_db in (redis_big, redis_small):
        subprocess.run(
            ["redis-cli", "-n", str(redis_db), "FLUSHDB"], check=True, capture_output=True
        )

    processes = Processes(work / "logs")
    try:
        processes.start("smtp", [BIN / "python", BENCH / "smtp_sink.py", port_smtp, mail], base_env)
        ceiling = processes.start(
            "ceiling",
            [
                BIN / "gunicorn",
                "-c",
                ROOT / "deploy/gunicorn.conf.py",
                "--chdir",
                BENCH,
                "ceiling:application",
            ],
            {
                **base_env,
                "GUNICORN_BIND": f"127.0.0.1:{port_ceiling}",
                "GUNICORN_LOG_LEVEL": "warning",
            },
        )
        servers = {}
        for size in ("big", "small"):
            servers[size] = processes.start(
                f"gunicorn-{size}",
                [
                    BIN / "gunicorn",
                    "-c",
                    ROOT / "deploy/gunicorn.conf.py",
                    "loaportal.wsgi:application",
                ],
                envs[size],
            )
        workers = [
            processes.start(
                f"worker-{n}", [BIN / "loaportal", "worker", "--no-scheduler"], envs["big"]
            )
            for n in (1, 2)
        ]
        for port in (port_ceiling, port_big, port_small):
            wait_http(port)
        say(
            f"servers up: ceiling, portal ({args.requests:,} requests), portal ({args.small:,}), "
            "2 task workers, SMTP sink"
        )

        # What each phase needs, and the SQL queries per request, in process.
        prepared = {}
        for size in ("big", "small"):
            out = subprocess.run(
                [BIN / "python", __file__, "_prepare"],
                env=envs[size],
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            )
            prepared[size] = json.loads(out.stdout.strip().splitlines()[-1])
        result["queries"] = {size: prepared[size]["queries"] for size in prepared}
        for size, port in (("big", port_big), ("small", port_small)):
            warm_up(port, prepared[size]["pages"].values())
        warm_up(port_ceiling, [{"url": "/bare", "headers": {}}])
        say("sessions, tokens and query counts ready; every worker warmed up")

        phases = result["phases"]

        def phase(
            key: str,
            scenario: str,
            host_port: int,
            config: dict,
            *,
            users: int,
            seconds: float,
            roots: list[int],
            raw: bool = False,
        ) -> dict:
            with RssSampler(roots) as rss:
                started = time.perf_counter()
                entries = locust(
                    scenario,
                    f"http://127.0.0.1:{host_port}",
                    config,
                    users=users,
                    seconds=seconds,
                    work=work,
                    raw=True,
                )
                elapsed = time.perf_counter() - started
            figures = {name: _figures(e) for name, e in entries.items()}
            entry = {
                "figures": figures,
                "rss_mib": round(rss.peak / 2**20),
                "seconds": round(elapsed, 1),
            }
            if raw:
                entry["entries"] = entries
            phases[key] = entry
            main_figure = next(iter(figures.values()), {})
            say(
                f"{key}: {main_figure.get('rps')} req/s, p95 {main_figure.get('p95_ms')} ms, "
                f"failures {sum(f['failures'] for f in figures.values())}, "
                f"RSS {entry['rss_mib']} MiB"
            )
            return entry

        phase(
            "ceiling",
            "get",
            port_ceiling,
            {"url": "/bare", "name": "bare view", "headers": {}},
            users=args.users,
            seconds=args.seconds,
            roots=[ceiling.pid],
        )
        # The ladder from the bare view to a signed-in page, on the portal of the large data
        # set: what each layer costs (README "Benchmarks", docs/performance.md).
        member_headers = prepared["big"]["pages"]["queue"]["headers"]
        ladder = {
            "healthz": ("/healthz", "health check (two middlewares, one query)", {}),
            "sign_in_page": ("/en/account/sign-in/", "sign-in page (anonymous)", {}),
            "home": ("/en/home/", "account home (signed in)", member_headers),
        }
        for key, (url, name, headers) in ladder.items():
            phase(
                f"ladder:{key}",
                "get",
                port_big,
                {"url": url, "name": name, "headers": headers},
                users=args.users,
                seconds=args.seconds,
                roots=[servers["big"].pid],
            )
        # Each page on the large data set and on the small one, in turn: both figures of a
        # growth ratio are made under the same load from whatever else shares the machine.
        sizes = (("big", port_big), ("small", port_small))
        ports = dict(sizes)
        # Alternate rounds (large, small, small, large, …; ``--page-rounds`` of each), their
        # requests taken together: a burst of other load on the machine weighs on both data
        # sets alike instead of on whichever was being measured (README "Benchmarks").
        order = [("big", "small", "small", "big")[n % 4] for n in range(2 * args.page_rounds)]
        round_seconds = max(args.seconds / args.page_rounds, 5)
        for key in prepared["big"]["pages"]:
            runs: dict[str, list[dict]] = {"big": [], "small": []}
            for n, size in enumerate(order, 1):
                entry = phase(
                    f"{size}:{key}:round_{n}",
                    "get",
                    ports[size],
                    prepared[size]["pages"][key],
                    users=args.users,
                    seconds=round_seconds,
                    roots=[servers[size].pid],
                    raw=True,
                )
                runs[size].append(entry.pop("entries"))
            for size, size_runs in runs.items():
                phases[f"{size}:{key}"] = rounds_together(phases, f"{size}:{key}:round_", size_runs)
        for size, port in sizes:
            phase(
                f"{size}:decision_post",
                "decide",
                port,
                prepared[size]["decide"],
                users=args.users,
                seconds=args.seconds,
                roots=[servers[size].pid],
            )

        big = prepared["big"]
        signin = big["signin"]
        accounts = iter(signin["accounts"])

        def take(n: int) -> list[str]:
            return [next(accounts) for _ in range(n)]

        signin_common = {**signin, "codes_dir": str(mail / "codes")}
        roots = [servers["big"].pid]
        phase(
            "signin_storm",
            "signin_storm",
            port_big,
            {**signin_common, "accounts": take(args.storm), "storm_users": args.storm},
            users=args.storm,
            seconds=120,
            roots=roots,
        )
        phase(
            "signin_storm:with_task_workers",
            "get",
            port_big,
            {
                "url": "/healthz",
                "name": "health (memory of the portal and its task workers)",
                "headers": {},
            },
            users=1,
            seconds=2,
            roots=[*roots, *(w.pid for w in workers)],
        )
        # The code page with a fast SMTP server, then with one that waits 5 s before its
        # greeting, in alternate rounds (fast, slow, slow, fast, …) so that whatever else
        # loads the machine weighs on both alike; each round starts once every queued email
        # of the one before is delivered (a backlog left by a slow round would otherwise load
        # the next fast one). The figures compared are the rounds' requests taken together.
        smtp_rounds: dict[str, list[dict]] = {"fast": [], "slow": []}
        order = [("fast", "slow", "slow", "fast")[n % 4] for n in range(2 * args.smtp_rounds)]
        for n, speed in enumerate(order, 1):
            (mail / "slow").unlink(missing_ok=True)
            left = drain_outbox(databases["big"])
            if speed == "slow":
                (mail / "slow").touch()
            entry = phase(
                f"code_page_{speed}_smtp:round_{n}",
                "code_page",
                port_big,
                {**signin_common, "accounts": take(900)},
                users=8,
                seconds=args.seconds,
                roots=roots,
                raw=True,
            )
            entry["outbox_left_before"] = left
            smtp_rounds[speed].append(entry.pop("entries"))
        (mail / "slow").unlink(missing_ok=True)
        for speed, runs in smtp_rounds.items():
            phases[f"code_page_{speed}_smtp"] = rounds_together(
                phases, f"code_page_{speed}_smtp:", runs
            )
            code = phases[f"code_page_{speed}_smtp"]["figures"].get("code page", {})
            say(
                f"code page, {speed} SMTP, {len(runs)} rounds: p50 {code.get('p50_ms')} ms, "
                f"p95 {code.get('p95_ms')} ms"
            )

        if not args.skip_batch:
            out = subprocess.run(
                [BIN / "python", __file__, "_batch", "--count", str(args.batch_decisions)],
                env=envs["big"],
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            )
            batch = json.loads(out.stdout.strip().splitlines()[-1])
            entry = phase(
                "api_batch",
                "batch",
                port_big,
                batch["locust"],
                users=args.batch_users,
                seconds=args.batch_seconds,
                roots=roots,
            )
            result["queries"]["big"]["API batch of 1,000 decisions"] = batch["queries"]
            out = subprocess.run(
                [BIN / "python", __file__, "_count_decided", "--dli", str(batch["dli"])],
                env=envs["big"],
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            )
            decided = int(out.stdout.strip().splitlines()[-1])
            entry["decided"] = decided
            entry["decisions_per_second"] = round(decided / entry["seconds"], 1)
            say(
                f"batch API: {decided:,} decisions in {entry['seconds']} s "
                f"= {entry['decisions_per_second']:,} /s"
            )
            out = subprocess.run(
                [BIN / "python", __file__, "_decision_file", "--rows", str(args.file_rows)],
                # The step runs the check and the recording itself, timed: tasks only queue.
                env={**envs["big"], "TASKS_BACKEND": "database"},
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            )
            phases["decision_file"] = json.loads(out.stdout.strip().splitlines()[-1])
            say(f"decision file: {phases['decision_file']}")
    finally:
        processes.stop_all()

    result["wall_seconds"] = round(time.perf_counter() - wall, 1)
    result["seeding_seconds"] = round(seeded_at - wall, 1)
    import report

    path = report.write(result, ROOT / "benchmarks" / "results")
    say(f"result: {path.relative_to(ROOT)}")
    if not args.no_docs:
        report.write_docs(path, ROOT / "docs" / "performance.md")
        say("table: docs/performance.md")
    report.print_summary(result)
    report.print_regressions(path)
    for name in databases.values():
        psql(f'DROP DATABASE IF EXISTS "{name}"')


# --- Steps run in a subprocess with Django set up on one database -------------------------------


def _django() -> None:
    sys.path.insert(0, str(BENCH))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loaportal.settings")
    import django

    django.setup()


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1].startswith("_"):
    _django()
    import steps  # the in-process steps, with Django set up

    getattr(steps, sys.argv[1].lstrip("_"))(sys.argv[2:])
elif __name__ == "__main__":
    main()
