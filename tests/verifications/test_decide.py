"""Deciding: comment rules, finality, the deadline, only a current member of the request's DLI,
and two simultaneous decisions → exactly one recorded."""

from __future__ import annotations

import contextlib
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation

from loaportal.audit.models import AuditEvent
from loaportal.verifications import services
from loaportal.verifications.models import VerificationEvent, VerificationRequest
from loaportal.verifications.services import (
    AlreadyDecided,
    PastDeadline,
    VerificationError,
    verification_decide,
)
from tests.concurrency import run_concurrently
from tests.factories import OfficerFactory, dli_with_users
from tests.verifications.helpers import make_request

Status = VerificationRequest.Status


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def dli(db):
    return dli_with_users(secondaries=2)


@pytest.fixture
def pending(dli):
    return make_request(dli.institution)


def decide(request, user, outcome=Status.VERIFIED_MATCHED, comment=""):
    return verification_decide(
        verification_request=request, outcome=outcome, comment=comment, decided_by=user
    )


def test_verified_matched_needs_no_comment_and_is_recorded(dli, pending):
    decided = decide(pending, dli.secondaries[0])
    decided.refresh_from_db()
    assert decided.status == Status.VERIFIED_MATCHED
    assert decided.decided_by == dli.secondaries[0]
    assert timezone.now() - decided.decided_at < timedelta(minutes=1)
    assert decided.decision_comment == ""
    event = VerificationEvent.objects.get(request=decided, kind="decided")
    assert (event.actor, event.outcome) == (dli.secondaries[0], Status.VERIFIED_MATCHED)
    audit = AuditEvent.objects.get(event_type="verification_decided")
    assert (audit.actor, audit.institution, audit.subject_id) == (
        dli.secondaries[0],
        dli.institution,
        str(decided.pk),
    )
    assert audit.details["outcome"] == "verified_matched"


@pytest.mark.parametrize("outcome", [Status.NOT_VERIFIED_NO_MATCH, Status.NOT_VERIFIED_CANCELLED])
@pytest.mark.parametrize("comment", ["", "   \n "])
def test_not_verified_needs_a_comment(dli, pending, outcome, comment):
    with pytest.raises(VerificationError) as refused:
        decide(pending, dli.primary, outcome, comment)
    assert (refused.value.code, refused.value.field) == ("comment_required", "comment")
    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert not VerificationEvent.objects.filter(kind="decided").exists()


@pytest.mark.parametrize("outcome", [Status.NOT_VERIFIED_NO_MATCH, Status.NOT_VERIFIED_CANCELLED])
def test_not_verified_with_a_comment(dli, pending, outcome):
    decided = decide(pending, dli.primary, outcome, "  Not issued by us.  ")
    assert (decided.status, decided.decision_comment) == (outcome, "Not issued by us.")


def test_comment_length_and_unknown_outcomes_refused(dli, pending):
    with pytest.raises(VerificationError) as too_long:
        decide(pending, dli.primary, Status.NOT_VERIFIED_NO_MATCH, "x" * 2001)
    assert too_long.value.code == "comment_too_long"
    for outcome in (Status.PENDING, Status.NO_RESPONSE, "approved", ""):
        with pytest.raises(VerificationError) as unknown:
            decide(pending, dli.primary, outcome)
        assert (unknown.value.code, unknown.value.field) == ("outcome_invalid", "outcome")


def test_a_decision_is_final(dli, pending):
    first = dli.secondaries[0]
    decide(pending, first, Status.NOT_VERIFIED_CANCELLED, "Withdrew on 2 March.")
    for user in (first, dli.primary):
        with pytest.raises(AlreadyDecided) as again:
            decide(pending, user)
        assert again.value.decided_by == first
        assert again.value.outcome == Status.NOT_VERIFIED_CANCELLED
        assert first.full_name in again.value.message
        assert "Not verified – Cancelled or withdrawn" in again.value.message
    pending.refresh_from_db()
    assert pending.status == Status.NOT_VERIFIED_CANCELLED
    assert VerificationEvent.objects.filter(kind="decided").count() == 1


def test_past_deadline_refused(dli, clock):
    request = make_request(dli.institution, requested_at=timezone.now() - timedelta(days=12))
    with pytest.raises(PastDeadline):
        decide(request, dli.primary)


def test_member_of_another_dli_officer_and_former_member_refused(dli, pending):
    other = dli_with_users(name="other", secondaries=0)
    officer = OfficerFactory()
    leaver = dli.secondaries[1]
    # Removed from the DLI, the account still active.
    leaver.membership.ended_at = timezone.now()
    leaver.membership.end_reason = "removed"
    leaver.membership.save()
    leaver.refresh_from_db()
    for user in (other.primary, officer, leaver):
        with pytest.raises(VerificationError) as refused:
            decide(pending, user)
        assert refused.value.code == "not_a_member"
    # The refusal does not say whether or how the request was decided.
    decide(pending, dli.primary)
    with pytest.raises(VerificationError) as refused:
        decide(pending, other.primary)
    assert refused.value.code == "not_a_member"
    assert dli.primary.full_name not in refused.value.message


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_decisions_record_exactly_one(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs concurrent writers: run with DATABASE_URL=postgres://… (SQLite's IMMEDIATE "
            "transactions serialise writers, so there is no race to test)"
        )
    dli = dli_with_users(secondaries=1)
    request = make_request(dli.institution)
    # Each decision waits, once it has read the request, for the other to have read it too:
    # without the row lock both would read "pending" and both would write.
    both_read = threading.Barrier(2, timeout=3)
    real_membership_current = services.membership_current

    def read_then_wait(user):
        # A broken barrier: the other decision is blocked on the lock, the expected case.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait()
        return real_membership_current(user)

    monkeypatch.setattr(services, "membership_current", read_then_wait)
    users = iter([dli.primary, dli.secondaries[0]])
    lock = threading.Lock()

    def one_decision():
        with lock:
            user = next(users)
        with translation.override("en"):
            return decide(
                VerificationRequest.objects.get(pk=request.pk),
                user,
                Status.NOT_VERIFIED_NO_MATCH,
                f"Decided by {user.email}",
            )

    results = run_concurrently(one_decision)
    recorded = [r for r in results if isinstance(r, VerificationRequest)]
    told = [r for r in results if isinstance(r, AlreadyDecided)]
    assert len(recorded) == 1 and len(told) == 1, results
    winner = recorded[0].decided_by
    assert told[0].decided_by == winner
    assert winner.full_name in told[0].message
    assert "Not verified – No match" in told[0].message
    request.refresh_from_db()
    assert request.decided_by == winner
    assert request.decision_comment == f"Decided by {winner.email}"
    assert VerificationEvent.objects.filter(request=request, kind="decided").count() == 1
    assert AuditEvent.objects.filter(event_type="verification_decided").count() == 1


def test_history_is_never_overwritten(dli, pending):
    from loaportal.verifications.models import HistoryAppendOnlyError

    decide(pending, dli.primary, Status.NOT_VERIFIED_NO_MATCH, "Altered letter.")
    events = VerificationEvent.objects.filter(request=pending)
    assert list(events.values_list("kind", flat=True)) == ["created", "decided"]
    decided = events.get(kind="decided")
    decided.comment = "Rewritten"
    with pytest.raises(HistoryAppendOnlyError):
        decided.save()
    with pytest.raises(HistoryAppendOnlyError):
        decided.delete()
    with pytest.raises(HistoryAppendOnlyError):
        events.update(comment="Rewritten")
    with pytest.raises(HistoryAppendOnlyError):
        events.delete()
    assert events.get(kind="decided").comment == "Altered letter."
