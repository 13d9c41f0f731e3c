"""Locust scenarios of the benchmark (``benchmarks/run.py`` starts one per phase, headless).

The phase is chosen by ``BENCH_SCENARIO``; what it needs (session cookies, tokens, addresses,
accounts) is in the JSON file ``BENCH_CONFIG`` that ``run.py`` wrote. Every request says it came
over HTTPS through one proxy (``X-Forwarded-Proto``, ``X-Forwarded-For``: the portal runs with
``TRUSTED_PROXY_COUNT=1``, as behind a load balancer), each simulated person from their own
address, so per-address limits apply per person as in real life.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from pathlib import Path

import gevent
from locust import HttpUser, constant, events, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

SCENARIO = os.environ.get("BENCH_SCENARIO", "get")
CONFIG = (
    json.loads(Path(os.environ["BENCH_CONFIG"]).read_text()) if "BENCH_CONFIG" in os.environ else {}
)
_addresses = itertools.count(1)


def _address() -> str:
    n = next(_addresses)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def _headers(extra: dict | None = None) -> dict:
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": _address()}
    headers.update(extra or {})
    return headers


def _end_run(environment) -> None:
    # From another greenlet: stopping the users from one of them would cut the run short
    # before locust writes its figures.
    gevent.spawn(environment.runner.quit)


class PageUser(FastHttpUser):
    """GET one address again and again (``BENCH_URL``), with the session cookie given."""

    wait_time = constant(0)
    abstract = SCENARIO not in ("get",)

    def on_start(self) -> None:
        self.request_headers = _headers(CONFIG.get("headers", {}))

    @task
    def page(self) -> None:
        with self.client.get(
            CONFIG["url"], headers=self.request_headers, name=CONFIG["name"], catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")


_pending = iter(CONFIG.get("pending", []))


class DecideUser(FastHttpUser):
    """The decision form's last step on pending requests, one each (POST, then the redirect
    to the request page is not followed: the POST is what is measured)."""

    wait_time = constant(0)
    abstract = SCENARIO != "decide"

    def on_start(self) -> None:
        self.request_headers = _headers(CONFIG["headers"])
        self.request_headers["Origin"] = CONFIG["origin"]
        self.request_headers["Content-Type"] = "application/x-www-form-urlencoded"

    @task
    def decide(self) -> None:
        pk = next(_pending, None)
        if pk is None:
            raise StopUser
        body = (
            f"csrfmiddlewaretoken={CONFIG['csrf']}&outcome=verified_matched&comment=&action=submit"
        )
        with self.client.post(
            CONFIG["url"].format(pk=pk),
            data=body,
            headers=self.request_headers,
            name=CONFIG["name"],
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"status {response.status_code}")


_chunks = iter(CONFIG.get("chunks", []))
_in_flight = {"n": 0}


class BatchUser(FastHttpUser):
    """The batch API: 1,000 decisions a call, until the numbers run out or time is up."""

    wait_time = constant(0)
    abstract = SCENARIO != "batch"
    # A batch is slow on purpose-built hardware too: wait for its answer rather than count a
    # recorded batch as failed (the run's time box still applies).
    network_timeout = 600.0

    def on_start(self) -> None:
        self.request_headers = _headers(
            {"Authorization": f"Bearer {CONFIG['token']}", "Content-Type": "application/json"}
        )

    @task
    def batch(self) -> None:
        chunk = next(_chunks, None)
        if chunk is None:
            while _in_flight["n"]:  # the other users' last batches
                gevent.sleep(0.1)
            _end_run(self.environment)
            raise StopUser
        _in_flight["n"] += 1
        try:
            self._send(chunk)
        finally:
            _in_flight["n"] -= 1

    def _send(self, chunk: list[str]) -> None:
        body = json.dumps(
            {"decisions": [{"application_number": n, "outcome": "verified_matched"} for n in chunk]}
        )
        with self.client.post(
            "/api/v1/dli/decisions",
            data=body,
            headers=self.request_headers,
            name="API batch of 1,000 decisions",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return
            recorded = response.json().get("recorded", 0)
            if recorded != len(chunk):
                response.failure(f"recorded {recorded} of {len(chunk)}")


_accounts = iter(CONFIG.get("accounts", []))
_storm = {"done": 0, "failed": 0}


class SignInUser(HttpUser):
    """A person signing in: the sign-in page, password, the emailed code (read from the local
    SMTP sink), the home page. ``signin_storm``: each user signs in once, then the run ends
    when all have; ``code_page``: sign in with the password again and again (a fresh account
    each time), up to the code page, which is what is measured."""

    wait_time = constant(0)
    abstract = SCENARIO not in ("signin_storm", "code_page")

    def on_start(self) -> None:
        self.client.headers.update(_headers({"Origin": CONFIG["origin"]}))

    def _cookies(self) -> dict:
        """The portal's cookies are ``Secure`` and the benchmark speaks plain HTTP on loopback
        (TLS ends at the "load balancer"): requests would not send them back by itself."""
        jar = self.client.cookies
        return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in jar)}

    def _password_step(self, account: str) -> bool:
        self.client.cookies.clear()
        self.client.headers["X-Forwarded-For"] = _address()
        page = self.client.get(CONFIG["login_url"], name="sign-in page", headers=self._cookies())
        token = self.client.cookies.get("csrftoken")
        if page.status_code != 200 or not token:
            return False
        with self.client.post(
            CONFIG["login_url"],
            data={"login": account, "password": CONFIG["password"], "csrfmiddlewaretoken": token},
            name="sign-in: password (sends the code)",
            headers=self._cookies(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "code" not in response.headers.get("Location", ""):
                response.failure(f"status {response.status_code}")
                return False
        with self.client.get(
            CONFIG["code_url"], name="code page", headers=self._cookies(), catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return False
        return True

    @task
    def sign_in(self) -> None:
        account = next(_accounts, None)
        if account is None:
            raise StopUser
        started = time.time()
        ok = self._password_step(account)
        if SCENARIO == "code_page":
            return
        if ok:
            ok = self._code_step(account, started)
        _storm["done"] += 1
        _storm["failed"] += 0 if ok else 1
        events.request.fire(
            request_type="FLOW",
            name="complete sign-in (password + emailed code)",
            response_time=(time.time() - started) * 1000,
            response_length=0,
            exception=None if ok else RuntimeError("sign-in failed"),
            context={},
        )
        if _storm["done"] >= CONFIG["storm_users"]:
            _end_run(self.environment)
        raise StopUser

    def _code_step(self, account: str, started: float) -> bool:
        mailbox = Path(CONFIG["codes_dir"]) / account.lower()
        deadline = time.time() + 60
        code = None
        while time.time() < deadline:
            if mailbox.exists():
                stamp, code = mailbox.read_text().split("\n")[:2]
                if float(stamp) >= started - 1:
                    break
                code = None
            time.sleep(0.2)
        if not code:
            return False
        token = self.client.cookies.get("csrftoken")
        with self.client.post(
            CONFIG["code_url"],
            data={"code": code, "csrfmiddlewaretoken": token},
            name="sign-in: code",
            headers=self._cookies(),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"status {response.status_code}")
                return False
        home = self.client.get(
            CONFIG["home_url"], name="home after sign-in", headers=self._cookies()
        )
        return home.status_code == 200
