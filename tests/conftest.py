"""Shared fixtures: a real SMTP server on loopback, a real headless Chromium, a movable clock."""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.cache import cache

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _fresh_state(request):
    """Each test starts with no rate-limit counters (they live in the shared cache) and with the
    terms published by the migrations (transactional tests flush every table)."""
    if request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames):
        request.getfixturevalue(
            "transactional_db" if "live_server" in request.fixturenames else "db"
        )
        cache.clear()
        from loaportal.terms.initial import VERSION, initial_terms_fields
        from loaportal.terms.models import TermsVersion

        TermsVersion.objects.get_or_create(version=VERSION, defaults=initial_terms_fields())


# --- Email -----------------------------------------------------------------------------------


@dataclass
class ReceivedEmail:
    to: list[str]
    subject: str
    text: str
    raw: email.message.EmailMessage

    @property
    def first_line(self) -> str:
        return self.text.strip().splitlines()[0].strip()


@dataclass
class SmtpSink:
    """What the loopback SMTP server received, with helpers to wait for a message."""

    host: str
    port: int
    messages: list[ReceivedEmail] = field(default_factory=list)
    lock: threading.Condition = field(default_factory=threading.Condition)

    def receive(self, envelope) -> None:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body else ""
        with self.lock:
            self.messages.append(
                ReceivedEmail(
                    to=[rcpt.lower() for rcpt in envelope.rcpt_tos],
                    subject=str(message["subject"]).strip(),
                    text=text,
                    raw=message,
                )
            )
            self.lock.notify_all()

    def for_address(self, address: str) -> list[ReceivedEmail]:
        with self.lock:
            return [m for m in self.messages if address.lower() in m.to]

    def wait_for(self, address: str, *, count: int = 1, timeout: float = 10.0) -> ReceivedEmail:
        """The ``count``-th message to ``address`` (1-based), waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                received = [m for m in self.messages if address.lower() in m.to]
                if len(received) >= count:
                    return received[count - 1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"no message #{count} for {address}; got {[m.subject for m in received]}"
                    )
                self.lock.wait(remaining)

    def latest_code(self, address: str, *, count: int | None = None) -> str:
        message = self.wait_for(address, count=count or len(self.for_address(address)) or 1)
        return message.first_line


class _Handler:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        self.sink.receive(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def _smtp_controller():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = SmtpSink(host="127.0.0.1", port=port)
    controller = Controller(_Handler(sink), hostname="127.0.0.1", port=port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture
def smtp(_smtp_controller, settings, transactional_db) -> SmtpSink:
    """Deliver the portal's email to a real SMTP server on loopback.

    Email is queued when the transaction commits, so tests that read it run with real commits.
    """
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = _smtp_controller.host
    settings.EMAIL_PORT = _smtp_controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    with _smtp_controller.lock:
        _smtp_controller.messages.clear()
    return _smtp_controller


SIX_DIGITS = re.compile(r"^\d{6}$")
INVITATION_CODE = re.compile(
    r"^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}(-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}){2,}$"
)


# --- Clock -----------------------------------------------------------------------------------


@pytest.fixture
def clock():
    """The real clock, running, that a test can move forward (``clock.shift(seconds)``).

    time-machine patches the clock for every thread, so a live server sees the same time.
    """
    with time_machine.travel(datetime.now(tz=UTC), tick=True) as traveller:
        yield traveller


# --- Browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1100, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()
