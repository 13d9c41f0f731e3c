"""Several instances of the portal as production runs them, on this machine: two gunicorn
instances (deploy/gunicorn.conf.py, each with its own processes, on their own ports, no
sticky sessions) and two ``loaportal worker`` processes, sharing one PostgreSQL database, one
Redis and one S3-compatible store, with ``LOAPORTAL_ENVIRONMENT=production``.

Every outside part can fail on demand: PostgreSQL is reached through a TCP proxy that cuts
every connection (``cut_database``), Redis is a server of the cluster's own (``stop_redis``),
so that nothing else that uses the machine's Redis notices.

PostgreSQL only: the point is several processes on one shared server.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tests.faults.proxy import TcpProxy
from tests.notifications.faults import FaultySmtp, free_port
from tests.processes import Browser

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def wait_until(condition: Callable[[], object], *, timeout: float, message: str = "") -> object:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s: {message}"[-4000:])
        time.sleep(0.2)


class HttpsBrowser(Browser):
    """A browser behind the load balancer: it says the request came over HTTPS (the portal
    runs with production's HTTPS redirect and Secure cookies)."""

    def __init__(self, port: int, *, address: str = "198.51.100.10", **kwargs):
        super().__init__(port=port, **kwargs)
        # What the load balancer passes on: one host name for every instance, HTTPS, the
        # browser's address (TRUSTED_PROXY_COUNT=1) and its Origin (Django's CSRF check
        # wants it on HTTPS).
        self.headers.setdefault("Host", "127.0.0.1")
        self.headers.setdefault("X-Forwarded-For", address)
        self.headers.setdefault("X-Forwarded-Proto", "https")
        self.headers.setdefault("Origin", "https://127.0.0.1")

    def on(self, port: int) -> HttpsBrowser:
        """The same browser (cookies) sent to another instance, as a load balancer would."""
        self.port = port
        return self

    def copy(self) -> HttpsBrowser:
        return HttpsBrowser(port=self.port, cookies=dict(self.cookies), headers=dict(self.headers))


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")


@dataclass
class Cluster:
    root: Path
    server_url: str
    storage_url: str
    smtp: FaultySmtp = field(default_factory=FaultySmtp)
    web_ports: list[int] = field(default_factory=list)
    web: list[Process] = field(default_factory=list)
    workers: list[Process] = field(default_factory=list)
    redis: Process | None = None

    def __post_init__(self) -> None:
        import psycopg

        server = urlsplit(self.server_url)
        self.db_name = f"loaportal_cluster_{os.getpid()}_{free_port()}"
        self.admin = server._replace(path="/postgres").geturl()
        with psycopg.connect(self.admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.db_name}"')
        self.direct = server._replace(path=f"/{self.db_name}").geturl()
        self.proxy = TcpProxy(server.hostname or "127.0.0.1", server.port or 5432)
        user = server.username or "postgres"
        auth = f"{user}:{server.password}" if server.password else user
        self.redis_port = free_port()
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("PYTEST", "DJANGO_", "DATABASE_", "REDIS_", "TASKS_"))
            },
            "LOAPORTAL_ENVIRONMENT": "production",
            "LOAPORTAL_VAR_DIR": str(self.root / "var"),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "AUDIT_HMAC_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": self.direct,
            "DATABASE_CONN_MAX_AGE": "60",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "TASKS_BACKEND": "redis",
            "EMAIL_URL": self.smtp.url,
            "EMAIL_RETRY_FIRST_SECONDS": "1",
            "EMAIL_RETRY_MAX_INTERVAL_SECONDS": "2",
            "DOCUMENTS_STORAGE_URL": self.storage_url,
            "ALLOWED_HOSTS": "127.0.0.1",
            # Behind the (simulated) load balancer: each browser has its own address.
            "TRUSTED_PROXY_COUNT": "1",
            "PORTAL_URL": "https://127.0.0.1",
            "LOG_FORMAT": "json",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(REPO),
            "WEB_CONCURRENCY": "2",
            "GUNICORN_THREADS": "2",
        }
        self.command("migrate", "--noinput", "-v", "0")
        self.env["DATABASE_URL"] = server._replace(
            netloc=f"{auth}@127.0.0.1:{self.proxy.port}", path=f"/{self.db_name}"
        ).geturl()

    # --- Processes ------------------------------------------------------------------------

    def _start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> Process:
        log = self.root / f"{name}.log"
        with log.open("a") as out:
            popen = subprocess.Popen(  # noqa: S603 (our own commands)
                args,
                env=env or self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return Process(name=name, popen=popen, log=log)

    def start(self) -> Cluster:
        self.smtp.start()
        self.start_redis()
        for index in (1, 2):
            port = free_port()
            self.web_ports.append(port)
            self.web.append(
                self._start(
                    f"web{index}",
                    [
                        str(BIN / "gunicorn"),
                        "-c",
                        str(REPO / "deploy" / "gunicorn.conf.py"),
                        "loaportal.wsgi:application",
                    ],
                    {**self.env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                )
            )
        for index in (1, 2):
            # Both also run the scheduled jobs: each job must still run once per interval.
            self.workers.append(
                self._start(
                    f"worker{index}",
                    [str(BIN / "loaportal"), "worker", "--maintenance-interval", "1"],
                )
            )
        for port, process in zip(self.web_ports, self.web, strict=True):
            wait_until(
                lambda port=port: self._healthy(port),
                timeout=90,
                message=process.text(),
            )
        return self

    def _healthy(self, port: int) -> bool:
        try:
            return HttpsBrowser(port).get("/healthz").status == 200
        except OSError:
            return False

    def start_redis(self) -> None:
        self.redis = self._start(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
        )
        wait_until(self._redis_answers, timeout=20, message="redis-server did not start")

    def _redis_answers(self) -> bool:
        result = subprocess.run(  # noqa: S603
            ["redis-cli", "-p", str(self.redis_port), "ping"],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip() == "PONG"

    def stop_redis(self) -> None:
        assert self.redis is not None
        self.redis.popen.terminate()
        self.redis.popen.wait(timeout=20)
        self.redis = None

    def cut_database(self) -> None:
        self.proxy.cut()

    def restore_database(self) -> None:
        self.proxy.start()

    def stop(self) -> None:
        import psycopg

        for process in [*self.web, *self.workers, *([self.redis] if self.redis else [])]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.popen.pid, 15)
        for process in [*self.web, *self.workers, *([self.redis] if self.redis else [])]:
            try:
                process.popen.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(process.popen.pid, 9)
                process.popen.wait()
        self.smtp.stop()
        self.proxy.cut()
        with psycopg.connect(self.admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    # --- Reading and writing the shared state ----------------------------------------------

    def command(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603
            [str(BIN / "loaportal"), *args],
            env={**self.env, "DATABASE_URL": self.direct},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
        return result.stdout

    def shell(self, code: str) -> object:
        """Run ``code`` in ``loaportal shell`` with the cluster's settings (directly on the
        database, not through the proxy); the JSON its last line prints."""
        out = self.command("shell", "-c", code).strip().splitlines()
        return json.loads(out[-1]) if out else None

    def rows(self, sql: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.direct) as connection:
            return connection.execute(sql).fetchall()

    def browser(self, index: int = 0, *, address: str = "198.51.100.10") -> HttpsBrowser:
        return HttpsBrowser(self.web_ports[index], address=address)

    def logs(self) -> str:
        return "\n".join(p.text() for p in [*self.web, *self.workers])
