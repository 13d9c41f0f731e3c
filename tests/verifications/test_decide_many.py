"""Deciding in batches (``verification_decide_many``): every rule of ``verification_decide``
per item, in one batch of valid and invalid items; every side effect, in a number of queries
that does not grow with the batch; the audit chain intact afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from loaportal.audit.chain import verify_chain
from loaportal.audit.context import acting_through_api_token
from loaportal.audit.models import AuditEvent
from loaportal.institutions.models import Membership
from loaportal.verifications import signals
from loaportal.verifications.models import VerificationEvent, VerificationRequest
from loaportal.verifications.services import (
    AlreadyDecided,
    Decision,
    PastDeadline,
    VerificationError,
    verification_decide,
    verification_decide_many,
)
from tests.factories import dli_with_users
from tests.verifications.helpers import make_request

Status = VerificationRequest.Status
MATCHED, NO_MATCH, CANCELLED = (
    Status.VERIFIED_MATCHED,
    Status.NOT_VERIFIED_NO_MATCH,
    (Status.NOT_VERIFIED_CANCELLED),
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def dli(db):
    return dli_with_users(name="batch-college", secondaries=1)


_copy_numbers = iter(range(10**6))


def copies(request: VerificationRequest, count: int) -> list[VerificationRequest]:
    """``count`` more pending requests like ``request`` (same DLI and deadline), written at
    once: the intake of each, with its document, is not what these tests are about."""
    fields = {
        f.attname: getattr(request, f.attname)
        for f in VerificationRequest._meta.concrete_fields
        if f.attname not in ("id", "application_number")
    }
    made = VerificationRequest.objects.bulk_create(
        [
            VerificationRequest(
                application_number=f"{request.application_number}C{next(_copy_numbers)}",
                **fields,
            )
            for _ in range(count)
        ]
    )
    return list(VerificationRequest.objects.filter(pk__in=[r.pk for r in made]).order_by("pk"))


def test_a_mixed_batch_follows_every_rule_item_by_item(dli, time_machine):
    other = dli_with_users(name="other-college", secondaries=0)
    start = timezone.now()
    overdue = make_request(dli.institution)
    time_machine.move_to(start + timedelta(days=11))
    ok, matched_again, cancelled, blank, too_long, bogus, decided_before = (
        make_request(dli.institution) for _ in range(7)
    )
    theirs = make_request(other.institution)
    colleague = dli.secondaries[0]
    verification_decide(
        verification_request=decided_before,
        outcome=NO_MATCH,
        comment="Not ours",
        decided_by=colleague,
    )
    user = dli.primary
    items = [
        Decision(ok.pk, MATCHED),
        Decision(overdue.pk, MATCHED),
        Decision(blank.pk, NO_MATCH, "   "),
        Decision(too_long.pk, CANCELLED, "x" * 2001),
        Decision(cancelled.pk, CANCELLED, "  Withdrew on 3 March  "),
        Decision(decided_before.pk, MATCHED),
        Decision(theirs.pk, MATCHED),
        Decision(ok.pk, NO_MATCH, "second thoughts"),
        Decision(bogus.pk, "bogus"),
        Decision(matched_again.pk, MATCHED, "Seen the original"),
    ]
    results = verification_decide_many(decisions=items, decided_by=user)

    assert [r.decision for r in results] == items
    assert [r.recorded for r in results] == [
        True, False, False, False, True, False, False, False, False, True
    ]  # fmt: skip
    codes = [r.error.code if r.error else None for r in results]
    assert codes == [
        None,
        "past_deadline",
        "comment_required",
        "comment_too_long",
        None,
        "already_decided",
        "not_a_member",
        "already_decided",
        "outcome_invalid",
        None,
    ]
    assert isinstance(results[1].error, PastDeadline)
    # Already decided: says who (the colleague before the batch; this user for the item the
    # batch itself decided earlier), when and what.
    before, within = results[5].error, results[7].error
    assert isinstance(before, AlreadyDecided) and isinstance(within, AlreadyDecided)
    assert (before.decided_by, before.outcome) == (colleague, NO_MATCH)
    assert colleague.full_name in before.message and "No match" in before.message
    assert (within.decided_by, within.outcome) == (user, MATCHED)
    assert user.full_name in within.message
    # Another DLI's request: the same refusal whatever its state, nothing of it said.
    assert (
        results[6].error.message
        == VerificationError("Only a user of the DLI named in the request can decide it.").message
    )
    assert theirs.application_number not in str(results[6].error.message)

    statuses = dict(VerificationRequest.objects.values_list("pk", "status"))
    assert statuses[ok.pk] == MATCHED
    assert statuses[cancelled.pk] == CANCELLED
    assert statuses[matched_again.pk] == MATCHED
    for refused in (overdue, blank, too_long, bogus, theirs):
        assert statuses[refused.pk] == Status.PENDING
    assert statuses[decided_before.pk] == NO_MATCH
    kept = VerificationRequest.objects.get(pk=cancelled.pk)
    assert (kept.decided_by, kept.decision_comment) == (user, "Withdrew on 3 March")
    assert kept.decided_at == results[4].verification_request.decided_at
    assert VerificationRequest.objects.get(pk=decided_before.pk).decided_by == colleague
    # Exactly the side effects of the three decisions recorded.
    decided_events = VerificationEvent.objects.filter(kind="decided", actor=user)
    assert sorted(decided_events.values_list("request_id", "outcome", "comment")) == sorted(
        [
            (ok.pk, MATCHED, ""),
            (cancelled.pk, CANCELLED, "Withdrew on 3 March"),
            (matched_again.pk, MATCHED, "Seen the original"),
        ]
    )
    entries = AuditEvent.objects.filter(event_type="verification_decided", actor=user)
    assert sorted(
        (e.subject_id, e.details["application_number"], e.details["outcome"], e.institution_id)
        for e in entries
    ) == sorted(
        (str(r.pk), r.application_number, outcome, dli.institution.pk)
        for r, outcome in ((ok, MATCHED), (cancelled, CANCELLED), (matched_again, MATCHED))
    )
    assert verify_chain().ok


def test_side_effects_match_a_single_decision(dli):
    single, batched = make_request(dli.institution), make_request(dli.institution)
    verification_decide(
        verification_request=single, outcome=NO_MATCH, comment="Forged", decided_by=dli.primary
    )
    (result,) = verification_decide_many(
        decisions=[Decision(batched.pk, NO_MATCH, "Forged")], decided_by=dli.primary
    )
    assert result.recorded

    def effects(request):
        row = VerificationRequest.objects.get(pk=request.pk)
        event = VerificationEvent.objects.get(request=request, kind="decided")
        entry = AuditEvent.objects.get(
            event_type="verification_decided", subject_id=str(request.pk)
        )
        return (
            row.status,
            row.decided_by_id,
            row.decision_comment,
            row.updated_at >= row.decided_at,
            (event.actor_id, event.outcome, event.comment, event.occurred_at == row.decided_at),
            (entry.actor_id, entry.actor_email, entry.institution_id, entry.subject_type),
            {k: v for k, v in entry.details.items() if k != "application_number"},
        )

    assert effects(single) == effects(batched)


def test_an_item_of_another_dli_is_refused_the_same_whether_pending_or_decided(dli):
    other = dli_with_users(name="other-college", secondaries=0)
    pending, decided = make_request(other.institution), make_request(other.institution)
    verification_decide(
        verification_request=decided, outcome=MATCHED, comment="", decided_by=other.primary
    )
    results = verification_decide_many(
        decisions=[Decision(pending.pk, MATCHED), Decision(decided.pk, MATCHED)],
        decided_by=dli.primary,
    )
    assert [(r.error.code, str(r.error.message)) for r in results] == [
        ("not_a_member", "Only a user of the DLI named in the request can decide it.")
    ] * 2
    assert other.primary.full_name not in str(results[1].error.message)


@pytest.mark.parametrize("leaves", ["membership_ended", "account_deactivated"])
def test_a_user_who_left_the_dli_decides_nothing(dli, leaves):
    requests = [make_request(dli.institution) for _ in range(2)]
    user = dli.secondaries[0]
    if leaves == "membership_ended":
        Membership.objects.filter(user=user).update(
            ended_at=timezone.now(), end_reason=Membership.EndReason.REMOVED
        )
    else:
        user.is_active = False
        user.save(update_fields=["is_active"])
    results = verification_decide_many(
        decisions=[Decision(r.pk, MATCHED) for r in requests], decided_by=user
    )
    assert {r.error.code for r in results} == {"not_a_member"}
    assert not VerificationEvent.objects.filter(kind="decided").exists()
    assert not AuditEvent.objects.filter(event_type="verification_decided").exists()


def test_the_api_token_is_named_in_every_audit_entry(dli):
    requests = copies(make_request(dli.institution), 3)
    token = {"id": 7, "name": "SIS", "kind": "dli", "dli": dli.institution.dli_number}
    with acting_through_api_token(token):
        results = verification_decide_many(
            decisions=[Decision(r.pk, MATCHED) for r in requests], decided_by=dli.primary
        )
    assert all(r.recorded for r in results)
    entries = AuditEvent.objects.filter(event_type="verification_decided")
    assert [e.details["api_token"] for e in entries] == [token] * 3


def test_history_is_announced_once_after_the_commit(dli, django_capture_on_commit_callbacks):
    requests = copies(make_request(dli.institution), 5)
    heard: list[list[int]] = []

    def receiver(sender, *, event_ids, **kwargs):
        heard.append(sorted(event_ids))

    signals.history_appended.connect(receiver, dispatch_uid="test-batch")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            verification_decide_many(
                decisions=[Decision(r.pk, MATCHED) for r in requests], decided_by=dli.primary
            )
            assert heard == []  # not before the commit
    finally:
        signals.history_appended.disconnect(dispatch_uid="test-batch")
    decided = VerificationEvent.objects.filter(kind="decided").order_by("pk")
    assert heard == [list(decided.values_list("pk", flat=True))]


def test_the_queries_do_not_grow_with_the_batch(dli):
    template = make_request(dli.institution)
    small, large = copies(template, 3), copies(template, 120)

    def queries(requests, outcome, comment):
        with CaptureQueriesContext(connection) as captured:
            results = verification_decide_many(
                decisions=[Decision(r.pk, outcome, comment) for r in requests],
                decided_by=dli.primary,
            )
        assert all(r.recorded for r in results)
        return len(captured.captured_queries)

    # Lock, DLI, membership, UPDATE, history entries, the DLI's counts by status (ADR 0019),
    # audit chain head (lock, read, move), audit entries, the savepoint: about a dozen, per
    # batch, not per item. (An INSERT holds at most 999 values on SQLite, so 120 audit entries
    # take two there; on PostgreSQL more than 50 rows go by COPY, which asks for their keys
    # first.)
    assert queries(small, CANCELLED, "Withdrawn") <= 14
    assert queries(large, CANCELLED, "Withdrawn") <= 17


def test_many_audit_entries_chain_and_stay_append_only(dli):
    # Enough rows for PostgreSQL's COPY path (core.bulk.rows_insert).
    requests = copies(make_request(dli.institution), 70)
    # What COPY's text format must escape: tabs, line breaks, backslashes ("\\N" is its null).
    comments = [f"Reason {n}:\tno\nrecord \\N \\ é" for n in range(len(requests))]
    results = verification_decide_many(
        decisions=[Decision(r.pk, NO_MATCH, c) for r, c in zip(requests, comments, strict=True)],
        decided_by=dli.primary,
    )
    assert all(r.recorded for r in results)
    rows = dict(
        VerificationRequest.objects.filter(pk__in=[r.pk for r in requests]).values_list(
            "pk", "decision_comment"
        )
    )
    assert [rows[r.pk] for r in requests] == comments
    events = VerificationEvent.objects.filter(kind="decided").order_by("pk")
    assert [e.request_id for e in events] == [r.pk for r in requests]
    assert [e.comment for e in events] == comments
    entries = list(AuditEvent.objects.filter(event_type="verification_decided").order_by("seq"))
    assert [e.subject_id for e in entries] == [str(r.pk) for r in requests]
    seqs = [e.seq for e in entries]
    assert seqs == list(range(seqs[0], seqs[0] + len(requests)))
    check = verify_chain()
    assert check.ok and check.head_seq == seqs[-1]


def test_a_request_that_does_not_exist_writes_nothing(dli):
    request = make_request(dli.institution)
    with pytest.raises(VerificationRequest.DoesNotExist):
        verification_decide_many(
            decisions=[
                Decision(request.pk, MATCHED),
                Decision(10**9, MATCHED),
            ],
            decided_by=dli.primary,
        )
    assert VerificationRequest.objects.get(pk=request.pk).status == Status.PENDING
    assert not AuditEvent.objects.filter(event_type="verification_decided").exists()


def test_an_empty_or_all_invalid_batch_reads_nothing(dli):
    request = make_request(dli.institution)
    with CaptureQueriesContext(connection) as captured:
        assert verification_decide_many(decisions=[], decided_by=dli.primary) == []
        (result,) = verification_decide_many(
            decisions=[Decision(request.pk, "bogus")], decided_by=dli.primary
        )
    assert result.error.code == "outcome_invalid"
    assert captured.captured_queries == []
