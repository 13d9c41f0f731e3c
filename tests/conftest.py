"""Shared fixtures: a real SMTP server on loopback, a real headless Chromium, a movable clock."""

from __future__ import annotations

import contextlib
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


# --- Spreading the tests over the pytest-xdist workers ---------------------------------------

# Browser tests: each one is a unit of its own (they share no module-level fixture), and the
# sweeps of every page are the longest tests of all.
BROWSER_TESTS = "tests/browser/"
PAGE_SWEEPS = ("tests/browser/test_accessibility.py", "tests/browser/test_narrow_screens.py")


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile`` (as `make test` runs it), with the longest work handed out first.

    xdist's own scheduler keeps a file's tests together and hands out the files with the most
    tests first, so a file of two long tests (the axe sweep: about a minute per language) comes
    last and one worker runs it alone while the others have finished. Here a browser test is a
    unit of its own, and the units go out longest first: the page sweeps, the other browser
    tests, then the files by their number of tests. Non-browser files stay whole (their
    module-scoped fixtures are set up once).
    """
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class LongestFirstScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(BROWSER_TESTS):
                return nodeid
            return super()._split_scope(nodeid)

        def schedule(self) -> None:
            # xdist's LoadScopeScheduling.schedule (3.8), with the queue sorted as said above.
            assert self.collection_is_completed
            if self.collection is not None:
                for node in self.nodes:
                    self._reschedule(node)
                return
            if not self._check_nodes_have_same_collection():
                self.log("**Different tests collected, aborting run**")
                return
            self.collection = list(next(iter(self.registered_collections.values())))
            if not self.collection:
                return
            units: dict[str, dict[str, bool]] = {}
            for nodeid in self.collection:
                units.setdefault(self._split_scope(nodeid), {})[nodeid] = False
            for scope, nodeids in sorted(
                units.items(),
                key=lambda unit: (
                    not unit[0].startswith(PAGE_SWEEPS),
                    not unit[0].startswith(BROWSER_TESTS),
                    -len(unit[1]),
                ),
            ):
                self.workqueue[scope] = nodeids
            for _ in range(len(self.nodes) - len(self.workqueue)):
                unused_node, _assigned = self.assigned_work.popitem()
                unused_node.shutdown()
            for node in self.nodes:
                self._assign_work_unit(node)
            for node in self.nodes:
                self._reschedule(node)
            if not self.workqueue:
                for node in self.nodes:
                    node.shutdown()

    return LongestFirstScheduling(config, log)


# --- Test database ---------------------------------------------------------------------------


def _sqlite_in_memory(connection) -> bool:
    return connection.vendor == "sqlite" and connection.creation.is_in_memory_db(
        connection.creation._get_test_db_name()
    )


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_blocker, tmp_path_factory, worker_id):
    """The test database, migrated once per run and copied into each pytest-xdist worker.

    On SQLite (in memory, the default) the first worker migrates as usual and saves the
    result to a file beside the run's temporary directories; every other worker copies that
    file into its own in-memory database instead of running the ~90 migrations again (some
    five seconds of CPU each). The copy is the migrated database itself: schema, the rows the
    migrations write and the audit triggers. In one process, on PostgreSQL, or with
    ``--reuse-db``/``--no-migrations``, pytest-django's own set-up runs.
    """
    import fcntl
    import sqlite3

    from django.db import connections

    connection = connections["default"]
    options = request.config.option
    if (
        worker_id == "master"
        or len(connections.all()) != 1
        or not _sqlite_in_memory(connection)
        or getattr(options, "reuse_db", False)
        or getattr(options, "nomigrations", False)
    ):
        request.getfixturevalue("django_db_setup")  # pytest-django's fixture of the same name
        with _restored_after_each_test(connection, django_db_blocker):
            yield
        return

    request.getfixturevalue("django_test_environment")
    request.getfixturevalue("django_db_modify_db_settings")
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    shared = tmp_path_factory.getbasetemp().parent  # the same for every worker of this run
    template = shared / "migrated-test-database.sqlite3"
    verbosity = options.verbose
    with django_db_blocker.unblock(), open(shared / "migrated-test-database.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            db_cfg = setup_databases(verbosity=verbosity, interactive=False, aliases={"default"})
            connection.ensure_connection()
            with sqlite3.connect(shared / "migrated-test-database.partial") as copy:
                connection.connection.backup(copy)
            copy.close()
            (shared / "migrated-test-database.partial").rename(template)
            cleanup = lambda: teardown_databases(db_cfg, verbosity=verbosity)  # noqa: E731
        else:
            old_name = connection.settings_dict["NAME"]
            test_name = connection.creation._get_test_db_name()
            connection.close()
            settings.DATABASES["default"]["NAME"] = test_name
            connection.settings_dict["NAME"] = test_name
            # An in-memory database lives while a connection to it is open: hold one until
            # Django's own connection is open.
            memory = sqlite3.connect(test_name, uri=True)
            source = sqlite3.connect(f"file:{template}?mode=ro", uri=True)
            source.backup(memory)
            source.close()
            connection.ensure_connection()
            memory.close()
            cleanup = lambda: connection.creation.destroy_test_db(old_name, verbosity)  # noqa: E731
    with _restored_after_each_test(connection, django_db_blocker):
        yield
    with django_db_blocker.unblock():
        cleanup()


@contextlib.contextmanager
def _restored_after_each_test(connection, django_db_blocker):
    """After a transactional test (live server, several threads), put the database back as it
    was when migrated, from a copy taken now, instead of Django's flush.

    On SQLite in memory the copy is SQLite's own backup: a few milliseconds, where the flush
    empties every table and then runs the post-migrate handlers again (content types,
    permissions, the audit triggers), some 100 ms of CPU per test. The result is the same
    database: the migrated schema, its rows and triggers (and row ids that start again where
    the migrations left them). Tests that flush only some apps, or roll back by serialising,
    and every other engine keep Django's flush.
    """
    import sqlite3

    from django.test import TransactionTestCase

    if not _sqlite_in_memory(connection):
        yield
        return
    with django_db_blocker.unblock():
        connection.ensure_connection()
        snapshot = sqlite3.connect(":memory:")
        connection.connection.backup(snapshot)
    flush = TransactionTestCase._fixture_teardown

    def restore(test_case):
        if (
            test_case.available_apps is not None
            or test_case.serialized_rollback
            or list(test_case._databases_names(include_mirrors=False)) != [connection.alias]
        ):
            flush(test_case)
            return
        connection.ensure_connection()
        snapshot.backup(connection.connection)

    TransactionTestCase._fixture_teardown = restore
    try:
        yield
    finally:
        TransactionTestCase._fixture_teardown = flush
        snapshot.close()


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
        _cache_clear()
        from loaportal.terms.initial import VERSION, initial_terms_fields
        from loaportal.terms.models import TermsVersion

        TermsVersion.objects.get_or_create(version=VERSION, defaults=initial_terms_fields())


def _cache_clear() -> None:
    """Empty the cache: on Redis only this test run's keys (its worker's ``KEY_PREFIX``, see
    tests/settings.py), as ``cache.clear()`` would empty the whole Redis database under the
    feet of the other pytest-xdist workers."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    default = caches["default"]
    if not isinstance(default, RedisCache):
        cache.clear()
        return
    client = default._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{default.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


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


def _deliver_to(sink: SmtpSink, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = sink.host
    settings.EMAIL_PORT = sink.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    with sink.lock:
        sink.messages.clear()


@pytest.fixture
def smtp(_smtp_controller, settings, transactional_db) -> SmtpSink:
    """Deliver the portal's email to a real SMTP server on loopback, with real commits.

    For tests where the commit itself matters: a running server (browser tests), the worker
    reading its queue, several connections at once. Other email tests use ``mail``.
    """
    _deliver_to(_smtp_controller, settings)
    return _smtp_controller


class CommittedMail:
    """The loopback SMTP server's messages in a test that runs inside one transaction.

    Email is queued on commit (``transaction.on_commit``). In an ordinary test every write
    happens inside the test's transaction, which is rolled back at the end, so nothing ever
    commits. Before reading the mailbox, this runs the on-commit callbacks that the code under
    test registered in blocks that completed, exactly what a real commit would run (callbacks
    of a block that rolled back were discarded by Django already), as Django's
    ``captureOnCommitCallbacks(execute=True)`` does. Same reading methods as ``SmtpSink``.
    """

    def __init__(self, sink: SmtpSink):
        from django.db import connection

        self.sink = sink
        self.host, self.port = sink.host, sink.port
        self._connection = connection
        self._done = len(connection.run_on_commit)

    def deliver(self) -> None:
        """Run the on-commit callbacks registered since the last call (and those they add)."""
        pending = self._connection.run_on_commit
        while self._done < len(pending):
            _savepoints, callback, robust = pending[self._done]
            self._done += 1
            if robust:
                # Django logs and ignores a robust callback's error.
                with contextlib.suppress(Exception):
                    callback()
            else:
                callback()

    @property
    def messages(self) -> list[ReceivedEmail]:
        self.deliver()
        return self.sink.messages

    def for_address(self, address: str) -> list[ReceivedEmail]:
        self.deliver()
        return self.sink.for_address(address)

    def wait_for(self, address: str, *, count: int = 1, timeout: float = 10.0) -> ReceivedEmail:
        self.deliver()
        return self.sink.wait_for(address, count=count, timeout=timeout)

    def latest_code(self, address: str, *, count: int | None = None) -> str:
        self.deliver()
        return self.sink.latest_code(address, count=count)


@pytest.fixture
def mail(_smtp_controller, settings, db) -> CommittedMail:
    """Deliver the portal's email to the real SMTP server on loopback, in an ordinary
    (non-transactional, so faster) test: see ``CommittedMail``."""
    _deliver_to(_smtp_controller, settings)
    return CommittedMail(_smtp_controller)


SIX_DIGITS = re.compile(r"^\d{6}$")
INVITATION_CODE = re.compile(
    r"^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}(-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}){2,}$"
)


# --- Signed-in users -------------------------------------------------------------------------


@pytest.fixture
def signed_in(db):
    """``signed_in(user)``: a new test client signed in as ``user``, password and emailed code
    done and the current terms accepted, without going through the pages
    (``flows.sign_in_quickly``). ``signed_in(user, client=client)`` signs in a given client;
    ``accept_terms=False`` leaves the terms to accept.

    For tests whose subject is a page behind the sign-in. Tests of the sign-in itself (password,
    code, terms) go through the pages with ``flows.sign_in``.
    """
    from django.test import Client

    from tests import flows

    def sign_in(user, *, client: Client | None = None, accept_terms: bool = True) -> Client:
        client = client or Client()
        flows.sign_in_quickly(client, user, accept_terms=accept_terms)
        return client

    return sign_in


@pytest.fixture
def production_password_hasher(settings):
    """The portal's real Argon2id parameters (tests otherwise hash with cheap ones, see
    ``tests/settings.py``), for the tests about password hashing."""
    from loaportal import settings as portal_settings

    settings.PASSWORD_HASHERS = portal_settings.PASSWORD_HASHERS


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
def live_server(request):
    """pytest-django's live server, with static files served as in production: by WhiteNoise
    (``loaportal.settings``), with its cache headers, not by Django's development view (no cache
    headers, a finder lookup per request). A browser context then keeps a page's scripts,
    styles and fonts for WhiteNoise's 60 seconds instead of fetching them again on every page."""
    import os

    from pytest_django.live_server_helper import LiveServer

    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.static_handler = lambda handler: handler
    server.start()
    yield server
    server.stop()


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
