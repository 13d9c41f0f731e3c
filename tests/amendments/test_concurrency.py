"""Two members asking at once get one extension request; two officers deciding at once record
one decision (PostgreSQL: SQLite serialises writers, so there is no race to test there)."""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.db import connection
from django.utils import translation

from loaportal.amendments import services
from loaportal.amendments.models import ExtensionRequest
from loaportal.amendments.services import AmendmentError
from loaportal.audit.models import AuditEvent
from loaportal.verifications.deadlines import deadline_extended
from loaportal.verifications.models import VerificationEvent, VerificationRequest
from tests.amendments.helpers import ask_extension, decide_extension, pending_request
from tests.concurrency import run_concurrently
from tests.factories import OfficerFactory, dli_with_users

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs concurrent writers: run with DATABASE_URL=postgres://… (SQLite's IMMEDIATE "
            "transactions serialise writers, so there is no race to test)"
        )


def _wait_for_the_other(monkeypatch, name: str) -> None:
    """Make ``services.<name>`` wait, once called, for the other thread to call it too: without
    the row locks both would read the same state and both would write."""
    both_read = threading.Barrier(2, timeout=3)
    real = getattr(services, name)

    def read_then_wait(*args, **kwargs):
        # A broken barrier: the other thread is blocked on the lock, the expected case.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(services, name, read_then_wait)


def _each(items):
    items, lock = iter(items), threading.Lock()

    def take():
        with lock:
            return next(items)

    return take


def test_two_extension_requests_at_once_make_one(monkeypatch):
    dli = dli_with_users(secondaries=1)
    vr = pending_request(dli.institution)
    _wait_for_the_other(monkeypatch, "extension_days_left")
    next_user = _each([dli.primary, dli.secondaries[0]])

    def one_request():
        with translation.override("en"):
            return ask_extension(VerificationRequest.objects.get(pk=vr.pk), next_user(), days=7)

    results = run_concurrently(one_request)
    created = [r for r in results if isinstance(r, ExtensionRequest)]
    refused = [r for r in results if isinstance(r, AmendmentError)]
    assert len(created) == 1 and len(refused) == 1, results
    assert refused[0].code == "already_open"
    assert ExtensionRequest.objects.count() == 1
    assert VerificationEvent.objects.filter(kind="extension_requested").count() == 1


def test_two_officers_deciding_at_once_record_one_decision(monkeypatch):
    dli = dli_with_users(secondaries=0)
    vr = pending_request(dli.institution)
    extension = ask_extension(vr, dli.primary, days=10)
    first, second = OfficerFactory(), OfficerFactory()
    _wait_for_the_other(monkeypatch, "extension_days_left")
    # Both approve, for different numbers of days: without the lock both would add theirs.
    next_decision = _each([(first, 4), (second, 6)])

    def one_decision():
        officer, days = next_decision()
        with translation.override("en"):
            return decide_extension(
                ExtensionRequest.objects.get(pk=extension.pk), officer, days=days
            )

    results = run_concurrently(one_decision)
    decided = [r for r in results if isinstance(r, ExtensionRequest)]
    refused = [r for r in results if isinstance(r, AmendmentError)]
    assert len(decided) == 1 and len(refused) == 1, results
    assert refused[0].code == "already_decided"
    extension.refresh_from_db()
    assert extension.decided_by == decided[0].decided_by
    vr.refresh_from_db()
    assert vr.due_at == deadline_extended(vr.original_due_at, extension.days_granted)
    assert VerificationEvent.objects.filter(kind="extension_approved").count() == 1
    assert AuditEvent.objects.filter(event_type="extension_approved").count() == 1
