"""Fault tests with real processes: ``loaportal worker`` killed with SIGKILL in the middle of an
SMTP exchange, the database gone for ten seconds, and ``make run``'s worker dying.

Each test runs the portal's own commands in subprocesses on an SQLite file of its own (copied
from one migrated once per session), with a real SMTP server on loopback. The database outage
is real for SQLite: the directory that holds the database file (and its WAL) is moved away, so
every connection attempt fails ("unable to open database file"), then moved back. On a
PostgreSQL run (DATABASE_URL=postgres://…) the outage is also tested on a database of its own
reached through a TCP proxy that drops every connection and refuses new ones for ten seconds.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.faults.proxy import TcpProxy
from tests.notifications.faults import FaultySmtp, free_port

REPO = Path(__file__).resolve().parents[2]
LOAPORTAL = str(Path(sys.executable).with_name("loaportal"))
REP = "rep@maple.example"
# The migrated database file is made once per test process: `make test` runs pytest-xdist with
# `--dist loadfile`, which keeps a module's tests on one worker, so it is made once per run.


def portal_environment(root: Path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_", "REDIS_", "EMAIL_", "TASKS_"))
    }
    env.update(
        {
            "LOAPORTAL_VAR_DIR": str(root / "var"),
            "DATABASE_URL": f"sqlite:///{root / 'db' / 'portal.sqlite3'}",
            "SECRET_KEY": "fault-tests-" + "k" * 40,
            "TASKS_BACKEND": "database",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("migrated")
    (root / "db").mkdir()
    subprocess.run(  # noqa: S603
        [LOAPORTAL, "migrate", "--noinput", "-v", "0"],
        env=portal_environment(root),
        check=True,
        timeout=300,
    )
    return root / "db" / "portal.sqlite3"


class Portal:
    """The portal's commands on a database file of its own."""

    def __init__(self, root: Path, template: Path, smtp: FaultySmtp):
        self.root = root
        self.db_dir = root / "db"
        self.db_dir.mkdir()
        self.db = self.db_dir / "portal.sqlite3"
        with sqlite3.connect(template) as source, sqlite3.connect(self.db) as target:
            source.backup(target)
        self.env = {
            **portal_environment(root),
            "EMAIL_URL": smtp.url,
            "EMAIL_RETRY_FIRST_SECONDS": "1",
            "EMAIL_RETRY_MAX_INTERVAL_SECONDS": "2",
            "EMAIL_SENDING_LEASE_SECONDS": "3",
            "TASKS_RUNNING_TIMEOUT_SECONDS": "3",
        }
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def command(self, *args: str) -> None:
        subprocess.run([LOAPORTAL, *args], env=self.env, check=True, timeout=120)  # noqa: S603

    def start_worker(self) -> subprocess.Popen:
        log = self.root / f"worker-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("w") as out:
            process = subprocess.Popen(  # noqa: S603
                [LOAPORTAL, "worker", "--interval", "0.2", "--maintenance-interval", "0.5"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def rows(self, sql: str) -> list[tuple]:
        connection = sqlite3.connect(self.db, timeout=10)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    def outbox(self) -> list[tuple]:
        return self.rows(
            "SELECT status, attempts, message_id, content FROM notifications_outgoingemail"
        )

    def queue_invitation(self) -> None:
        self.command(
            "create_dli",
            "--number",
            "O12345678901",
            "--name",
            "Maple College",
            "--primary-email",
            REP,
        )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


def wait_until(condition, *, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(message)


@pytest.fixture
def smtp():
    server = FaultySmtp()
    yield server
    server.stop()


@pytest.fixture
def portal(tmp_path, migrated_database, smtp):
    portal = Portal(tmp_path, migrated_database, smtp)
    yield portal
    portal.stop()


def test_an_email_whose_worker_was_killed_mid_delivery_is_delivered_after_a_restart(portal, smtp):
    smtp.start()
    smtp.stall()  # the server takes the message and never answers
    worker = portal.start_worker()
    portal.queue_invitation()
    assert smtp.stalled.wait(60), portal.logs[0].read_text()
    ((status, attempts, message_id, content),) = portal.outbox()
    assert (status, attempts) == ("sending", 1) and content

    worker.kill()  # SIGKILL: no chance to record anything
    worker.wait(timeout=10)
    smtp.resume()
    assert smtp.sink.for_address(REP) == []
    assert portal.rows("SELECT status FROM django_tasks_database_dbtaskresult") == [("RUNNING",)]

    portal.start_worker()
    message = smtp.sink.wait_for(REP, timeout=60)
    assert str(message.raw["Message-ID"]) == message_id
    wait_until(
        lambda: portal.outbox()[0][0] == "sent", timeout=20, message="outbox row not marked sent"
    )
    assert portal.outbox()[0][3] == ""  # the delivered message is erased
    # The task the dead worker left RUNNING was put back in the queue, then ran (and found
    # the message already sent).
    wait_until(
        lambda: (
            not portal.rows(
                "SELECT 1 FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
            )
        ),
        timeout=30,
        message="a task is still RUNNING",
    )
    time.sleep(1)
    assert len(smtp.sink.for_address(REP)) == 1


def survives_ten_seconds_without_its_database(portal, smtp, *, cut, restore) -> None:
    worker = portal.start_worker()
    portal.queue_invitation()  # the mail server is down: the invitation waits for a retry
    wait_until(
        lambda: portal.outbox()[0][1] >= 1, timeout=60, message="no delivery attempt was made"
    )

    cut()  # the database is unreachable
    try:
        time.sleep(10)
        assert worker.poll() is None, portal.logs[0].read_text()
        smtp.start()
    finally:
        restore()

    smtp.sink.wait_for(REP, timeout=60)
    assert worker.poll() is None
    wait_until(
        lambda: portal.outbox()[0][0] == "sent", timeout=20, message="outbox row not marked sent"
    )
    assert "The database is unreachable" in portal.logs[0].read_text()


def test_the_worker_survives_ten_seconds_without_its_sqlite_database_then_delivers(portal, smtp):
    away = portal.root / "db-away"
    survives_ten_seconds_without_its_database(
        portal,
        smtp,
        # Every connection attempt fails ("unable to open database file") while the directory
        # that holds the file and its WAL is elsewhere.
        cut=lambda: portal.db_dir.rename(away),
        restore=lambda: away.rename(portal.db_dir),
    )


class PostgresPortal(Portal):
    """The portal's commands on a PostgreSQL database of its own, reached through a proxy."""

    def __init__(self, root: Path, smtp: FaultySmtp, server_url: str):
        import psycopg

        self.root = root
        self.processes, self.logs = [], []
        server = urlsplit(server_url)
        self.name = f"loaportal_faults_{os.getpid()}_{free_port()}"
        self.admin = server._replace(path="/postgres").geturl()
        with psycopg.connect(self.admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.name}"')
        self.direct = server._replace(path=f"/{self.name}").geturl()
        self.proxy = TcpProxy(server.hostname or "127.0.0.1", server.port or 5432)
        netloc = f"{server.username or 'postgres'}@127.0.0.1:{self.proxy.port}"
        if server.password:
            netloc = f"{server.username}:{server.password}@127.0.0.1:{self.proxy.port}"
        self.env = {
            **portal_environment(root),
            "DATABASE_URL": self.direct,
            "EMAIL_URL": smtp.url,
            "EMAIL_RETRY_FIRST_SECONDS": "1",
            "EMAIL_RETRY_MAX_INTERVAL_SECONDS": "2",
        }
        self.command("migrate", "--noinput", "-v", "0")
        self.env["DATABASE_URL"] = server._replace(netloc=netloc, path=f"/{self.name}").geturl()

    def rows(self, sql: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.direct) as connection:
            return connection.execute(sql).fetchall()

    def stop(self) -> None:
        import psycopg

        super().stop()
        self.proxy.cut()
        with psycopg.connect(self.admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs a PostgreSQL server: run with DATABASE_URL=postgres://… (as .ci/run does)",
)
def test_the_worker_survives_ten_seconds_without_postgresql_then_delivers(tmp_path, smtp):
    portal = PostgresPortal(tmp_path, smtp, os.environ["DATABASE_URL"])
    try:
        survives_ten_seconds_without_its_database(
            portal, smtp, cut=portal.proxy.cut, restore=portal.proxy.start
        )
    finally:
        portal.stop()


def descendants(pid: int) -> dict[int, str]:
    """Every live process below ``pid``: its command line, by process id."""
    children: dict[int, list[int]] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] == "Z":
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        commands[int(entry.name)] = command
    found: dict[int, str] = {}
    stack = [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found[child] = commands[child]
            stack.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def worker_pids(pid: int) -> set[int]:
    return {p for p, command in descendants(pid).items() if "loaportal worker" in command}


def test_make_run_starts_a_worker_again_when_it_dies(tmp_path, migrated_database, smtp):
    portal = Portal(tmp_path, migrated_database, smtp)
    port = free_port()
    env = {**portal.env, "PORT": str(port)}
    del env["EMAIL_URL"]  # as on a laptop: the development mailbox
    with (tmp_path / "run.log").open("w") as out:
        run = subprocess.Popen(  # noqa: S603
            ["/bin/bash", str(REPO / "scripts" / "run.sh")],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def mailbox_answers():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/en/mailbox/", timeout=5) as r:  # noqa: S310
                    return r.status == 200
            except (urllib.error.URLError, ConnectionError):
                return False

        wait_until(mailbox_answers, timeout=120, message=(tmp_path / "run.log").read_text())
        (first,) = wait_until(lambda: worker_pids(run.pid), timeout=30, message="no worker")
        os.kill(first, signal.SIGKILL)
        (second,) = wait_until(
            lambda: worker_pids(run.pid) - {first},
            timeout=30,
            message=(tmp_path / "run.log").read_text(),
        )
        assert second != first
        assert "The worker stopped" in (tmp_path / "run.log").read_text()

        # Ctrl-C stops everything make run started: server, supervisor and worker.
        started = set(descendants(run.pid))
        os.killpg(run.pid, signal.SIGINT)
        run.wait(timeout=30)
        wait_until(
            lambda: not any(alive(pid) for pid in started),
            timeout=30,
            message=f"left running: {[pid for pid in started if alive(pid)]}",
        )
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait(timeout=10)
