"""Overlapping batches and single decisions at once, on PostgreSQL (real concurrent
transactions): each request is decided exactly once, every loser is told who won, nobody
deadlocks, and the audit chain holds."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import translation

from loaportal.audit.chain import verify_chain
from loaportal.audit.models import AuditEvent
from loaportal.verifications.models import VerificationEvent, VerificationRequest
from loaportal.verifications.services import (
    AlreadyDecided,
    Decision,
    verification_decide,
    verification_decide_many,
)
from tests.factories import dli_with_users
from tests.verifications.test_decide_many import copies, make_request

Status = VerificationRequest.Status


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_overlapping_batches_and_single_decisions_decide_each_request_once(round_):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: run with DATABASE_URL=postgres://…")
    dli = dli_with_users(name="race-college", secondaries=3)
    requests = copies(make_request(dli.institution), 90)
    first, second, single, other_single = dli.primary, *dli.secondaries
    # Two batches of 60 sharing 30 requests, the second in the reverse order (its locks are
    # still taken in primary-key order), big enough for the COPY path; single decisions on
    # requests of both, from two more threads.
    plans = {
        first: ("batch", [Decision(r.pk, Status.VERIFIED_MATCHED) for r in requests[:60]]),
        second: (
            "batch",
            [
                Decision(r.pk, Status.NOT_VERIFIED_NO_MATCH, "No record")
                for r in requests[30:][::-1]
            ],
        ),
        single: ("single", [Decision(r.pk, Status.VERIFIED_MATCHED) for r in requests[20:80:5]]),
        other_single: (
            "single",
            [Decision(r.pk, Status.NOT_VERIFIED_CANCELLED, "Withdrew") for r in requests[25:75:10]],
        ),
    }
    start = threading.Barrier(len(plans), timeout=10)
    outcomes: dict[object, list[tuple[Decision, object]]] = {}
    crashes: list[BaseException] = []

    def work(user, kind, decisions):
        try:
            with translation.override("en"):
                start.wait()
                if kind == "batch":
                    results = verification_decide_many(decisions=decisions, decided_by=user)
                    done = [(r.decision, r.error or r.verification_request) for r in results]
                else:
                    done = []
                    for decision in decisions:
                        try:
                            decided = verification_decide(
                                verification_request=VerificationRequest(pk=decision.request_id),
                                outcome=decision.outcome,
                                comment=decision.comment,
                                decided_by=user,
                            )
                        except AlreadyDecided as refused:
                            done.append((decision, refused))
                        else:
                            done.append((decision, decided))
                outcomes[user] = done
        except BaseException as exc:  # a deadlock or anything else fails the test below
            crashes.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=(user, kind, decisions))
        for user, (kind, decisions) in plans.items()
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    assert crashes == []
    assert set(outcomes) == set(plans)

    final = {r.pk: r for r in VerificationRequest.objects.filter(pk__in=[r.pk for r in requests])}
    assert all(r.status != Status.PENDING for r in final.values())
    decided_events = Counter(
        VerificationEvent.objects.filter(kind="decided").values_list("request_id", flat=True)
    )
    assert decided_events == Counter({pk: 1 for pk in final})
    recorded = Counter()
    for user, done in outcomes.items():
        for decision, result in done:
            row = final[decision.request_id]
            if isinstance(result, AlreadyDecided):
                # The loser is told who won, and what.
                assert (result.decided_by, result.outcome) == (row.decided_by, row.status)
                assert row.decided_by.full_name in str(result.message)
                assert row.decided_by != user or decision.outcome != row.status
            else:
                assert isinstance(result, VerificationRequest), result
                assert (row.decided_by, row.status) == (user, decision.outcome)
                recorded[row.pk] += 1
    assert recorded == Counter({pk: 1 for pk in final})
    entries = AuditEvent.objects.filter(event_type="verification_decided")
    assert sorted(int(e.subject_id) for e in entries) == sorted(final)
    check = verify_chain()
    assert check.ok, check.finding
