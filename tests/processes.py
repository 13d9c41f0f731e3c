"""The real portal in several server processes (gunicorn workers), and a small HTTP browser.

For tests whose point is what happens across processes: the portal runs as in production,
``gunicorn loaportal.wsgi`` with several worker processes, on a random loopback port, against
the test run's database (PostgreSQL: the test database itself; SQLite: a database file made
for the test, as the test run's own SQLite database lives in memory). Data is set up and read
with ``loaportal shell`` in the servers' environment, so the same test runs on both.
"""

from __future__ import annotations

import http.client
import http.cookies
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection

BIN = Path(sys.executable).parent
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(tmp_path: Path) -> tuple[str, bool]:
    """The servers' database URL, and whether it still needs ``migrate``."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        return (
            f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            False,
        )
    return f"sqlite:///{tmp_path / 'portal.sqlite3'}", True


@dataclass
class Portal:
    base_port: int
    env: dict[str, str]
    process: subprocess.Popen
    log: Path

    def shell(self, code: str) -> object:
        """Run ``code`` in ``loaportal shell`` with the servers' settings; what it prints (JSON)."""
        result = subprocess.run(  # noqa: S603 (our own command)
            [str(BIN / "loaportal"), "shell", "-c", code],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        out = result.stdout.strip().splitlines()
        return json.loads(out[-1]) if out else None

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def browser(self) -> Browser:
        return Browser(port=self.base_port)


@contextmanager
def portal_processes(
    *, tmp_path: Path, smtp_port: int, workers: int = 3, env: dict[str, str] | None = None
) -> Iterator[Portal]:
    """``env``: settings to change for the servers (for example a task queue with a worker)."""
    overrides = env or {}
    url, needs_migrate = database_url(tmp_path)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DJANGO_SETTINGS_MODULE": "loaportal.settings",
        "DATABASE_URL": url,
        "SECRET_KEY": settings.SECRET_KEY,
        "TASKS_BACKEND": "immediate",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "LOAPORTAL_VAR_DIR": str(tmp_path / "var"),
        "ALLOWED_HOSTS": "127.0.0.1",
        **overrides,
    }
    if needs_migrate:
        subprocess.run(  # noqa: S603 (our own command)
            [str(BIN / "loaportal"), "migrate", "--noinput"],
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(  # noqa: S603 (our own command)
            [
                str(BIN / "gunicorn"),
                "loaportal.wsgi:application",
                f"--workers={workers}",
                f"--bind=127.0.0.1:{port}",
                "--timeout=60",
            ],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    portal = Portal(base_port=port, env=env, process=process, log=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if Browser(port=port).get("/healthz").status == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)
        yield portal
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


@dataclass
class Browser:
    """Cookies and CSRF by hand, redirects not followed: what a script attacking the portal
    would use."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    # HTTPS without checking the certificate (make prod's self-signed one), with the Origin
    # Django's CSRF check wants over HTTPS.
    tls: bool = False

    def request(self, method: str, path: str, data: dict | None = None) -> Response:
        headers = dict(self.headers)
        if self.tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=60, context=context
            )
            origin = f"https://127.0.0.1:{self.port}"
            headers.setdefault("Origin", origin)
            headers.setdefault("Referer", origin + path)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read().decode("utf-8", "replace"))
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = http.cookies.SimpleCookie(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Response:
        return self.request("POST", path, data)

    def form_token(self, path: str) -> str:
        match = CSRF_INPUT.search(self.get(path).body)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    def copy(self) -> Browser:
        return Browser(
            port=self.port, cookies=dict(self.cookies), headers=dict(self.headers), tls=self.tls
        )

    def at(self, port: int) -> Browser:
        """The same browser (the same cookie jar) on another instance behind the same name."""
        return replace(self, port=port)


def post_all_at_once(browser: Browser, path: str, payloads: list[dict]) -> list[object]:
    """Each payload posted by its own connection with the browser's cookies, all released at
    the same moment; each response's status, or the exception raised."""
    release = threading.Barrier(len(payloads), timeout=60)
    results: list[object] = [None] * len(payloads)

    def run(index: int, payload: dict) -> None:
        copy = browser.copy()
        try:
            release.wait()
            results[index] = copy.post(path, payload).status
        except Exception as exc:  # asserted on by the caller
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(payloads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
