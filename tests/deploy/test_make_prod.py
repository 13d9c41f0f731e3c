"""``make prod`` itself, with two instances (issue 13, done-when): ``scripts/prod.sh`` with
``INSTANCES=2`` serves the portal through two gunicorn instances over HTTPS, with PostgreSQL,
Redis and the S3-compatible store; a person signs in on one instance (password) and continues
on the other (the emailed code, read from the production mail log); then everything stops on
SIGTERM, leaving no process behind.

Runs where PostgreSQL and Redis are reachable and the test database is PostgreSQL (.ci/run's
second pass); its own database (``<test database>_prod_<pid>``), Redis database
(``PROD_TEST_REDIS_DB``, 14 by default), ports (free ones, or four from
``PROD_TEST_BASE_PORT``) and state directory.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests import flows
from tests.factories import PASSWORD
from tests.processes import Browser

REPO = Path(__file__).resolve().parents[2]
EMAIL = "prod-person@college.example"

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="make prod runs on PostgreSQL and Redis: run with DATABASE_URL=postgres://… (as "
    ".ci/run's PostgreSQL pass does)",
)


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive free loopback ports."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count < 65000 and all(_free(first + i) for i in range(count)):
            return first
    raise AssertionError("no consecutive free ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_for(condition, *, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
            raise AssertionError(f"timed out waiting for {what}\n{tail}")
        time.sleep(0.5)


def latest_code(mail_log: Path, email: str) -> str | None:
    if not mail_log.exists():
        return None
    entries = mail_log.read_text(encoding="utf-8").split("=== ")
    for entry in reversed(entries):
        head, _, rest = entry.partition("\n")
        if head.endswith(f"to {email}"):
            body = rest.split("\n\n", 1)[1] if "\n\n" in rest else ""
            match = re.match(r"\s*(\d{6})\b", body)
            if match:
                return match.group(1)
    return None


def _ready(port: int) -> bool:
    try:
        return Browser(port=port, tls=True).get("/readyz").status == 200
    except OSError:
        return False


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_make_prod_serves_two_instances_and_a_sign_in_crosses_them(tmp_path, settings):
    import psycopg

    server = urlsplit(os.environ["DATABASE_URL"])
    host, pg_port = server.hostname or "127.0.0.1", server.port or 5432
    redis_port = 6379
    if not (_reachable(host, pg_port) and _reachable("127.0.0.1", redis_port)):
        pytest.skip("PostgreSQL and Redis must be reachable")
    base_name = str(settings.DATABASES["default"].get("NAME") or "loaportal").removeprefix("test_")
    database = f"{base_name}_prod_{os.getpid()}"
    admin = server._replace(path="/postgres").geturl()
    # PROD_TEST_BASE_PORT: four ports from there (two instances, the object store, SMTP), for
    # a machine where each user of it has a range; free ones otherwise.
    base = int(os.environ.get("PROD_TEST_BASE_PORT", "0"))
    port = base or free_ports(2)
    s3_port, smtp_port = (base + 2, base + 3) if base else (free_ports(1), free_ports(1))
    state = tmp_path / "prod"
    log = tmp_path / "prod.log"
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTEST", "DJANGO_", "DATABASE_", "REDIS_", "TASKS_", "EMAIL_"))
        },
        "PORT": str(port),
        "INSTANCES": "2",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        "TASK_WORKERS": "1",
        "PG_HOST": host,
        "PG_PORT": str(pg_port),
        "PROD_DATABASE": database,
        "REDIS_PORT": str(redis_port),
        "PROD_REDIS_DB": os.environ.get("PROD_TEST_REDIS_DB", "14"),
        "S3_PORT": str(s3_port),
        "SMTP_PORT": str(smtp_port),
        "PROD_STATE_DIR": str(state),
        "LOG_FORMAT": "text",
    }
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 (our own script)
            [str(REPO / "scripts" / "prod.sh")],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: nothing may outlive it
        )
    pgid = process.pid
    try:
        for instance in (port, port + 1):
            wait_for(
                lambda p=instance: _ready(p) or process.poll() is not None,
                timeout=300,
                what=f"/readyz on port {instance}",
                log=log,
            )
            assert process.poll() is None, log.read_text()[-4000:]
        # A person of the portal, made in the production database.
        made = subprocess.run(  # noqa: S603 (our own command)
            [
                str(REPO / ".venv" / "bin" / "loaportal"),
                "shell",
                "-c",
                "from allauth.account.models import EmailAddress\n"
                "from loaportal.accounts.models import User\n"
                f"u = User.objects.create_user({EMAIL!r}, {PASSWORD!r}, surname='Tremblay', "
                "phone='+16135550123', preferred_language='en')\n"
                "EmailAddress.objects.create(user=u, email=u.email, primary=True, verified=True)",
            ],
            env={
                **env,
                "DATABASE_URL": server._replace(path=f"/{database}").geturl(),
                "LOAPORTAL_VAR_DIR": str(tmp_path / "shell"),
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert made.returncode == 0, made.stderr[-3000:]

        browser = Browser(port=port, tls=True)
        other = browser.at(port + 1)  # the second instance, the same cookies
        login = flows.url("account_login")
        response = browser.post(
            login,
            {
                "csrfmiddlewaretoken": browser.form_token(login),
                "login": EMAIL,
                "password": PASSWORD,
            },
        )
        assert response.status == 302, response.body[-2000:]
        confirm = flows.url("account_confirm_login_code")
        assert response.location == confirm
        code = wait_for(
            lambda: latest_code(state / "mail.log", EMAIL),
            timeout=60,
            what="the sign-in code in the production mail log",
            log=log,
        )
        # The code, on the other instance.
        response = other.post(
            confirm,
            {
                "csrfmiddlewaretoken": other.form_token(confirm),
                "action": "verify",
                "code": code,
            },
        )
        assert response.status == 302, response.body[-2000:]
        assert not response.location.startswith(login), response.location
        # Signed in on both: the next step (the terms) on either, never the sign-in page.
        for instance in (browser, other):
            home = instance.get(flows.url("home"))
            assert home.status == 302 and home.location.startswith(flows.url("terms")), (
                instance.port,
                home.status,
                home.location,
            )
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=60)
        stopped = True
        deadline = time.monotonic() + 45
        while _group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.5)
        if _group_alive(pgid):
            stopped = False
            os.killpg(pgid, signal.SIGKILL)
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        import redis

        # The Redis database is the test's own: leave it empty.
        redis.Redis(port=redis_port, db=int(env["PROD_REDIS_DB"])).flushdb()
    assert stopped, "processes of make prod outlived it:\n" + log.read_text()[-3000:]
