"""Assigning a request (``verification_assign``): to a colleague of the same DLI, to oneself or
to nobody, each step in the request's history and the audit trail; never to a user of another
DLI, never by one; only while the request is pending. Anyone of the DLI still decides."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from loaportal.audit.models import AuditEvent
from loaportal.institutions.models import Membership
from loaportal.verifications.models import VerificationEvent, VerificationRequest
from loaportal.verifications.selectors import verification_assignees
from loaportal.verifications.services import (
    MSG_ASSIGN_CLOSED,
    MSG_ASSIGN_NOT_A_MEMBER,
    MSG_ASSIGNEE_NOT_A_MEMBER,
    VerificationError,
    verification_assign,
    verification_decide,
)
from tests.factories import OfficerFactory, dli_with_users
from tests.verifications.ui_support import a_request

pytestmark = pytest.mark.django_db

Status = VerificationRequest.Status


@pytest.fixture
def world():
    a, b = dli_with_users(name="a", secondaries=2), dli_with_users(name="b", secondaries=1)
    return a, b, a_request(a.institution)


def _assigned(vr) -> list[VerificationEvent]:
    return list(vr.events.filter(kind=VerificationEvent.Kind.ASSIGNED).order_by("id"))


def test_a_member_assigns_a_request_to_a_colleague_recorded_in_history_and_audit(world):
    a, _, vr = world
    colleague = a.secondaries[0]
    result = verification_assign(verification_request=vr, assignee=colleague, assigned_by=a.primary)
    assert result.assigned_to == colleague
    vr.refresh_from_db()
    assert vr.assigned_to == colleague
    (event,) = _assigned(vr)
    assert event.actor == a.primary
    assert event.details["assignee"] == {
        "id": colleague.pk,
        "name": colleague.full_name,
        "email": colleague.email,
    }
    assert event.details["previous"]["id"] is None
    audit = AuditEvent.objects.get(event_type=AuditEvent.Type.VERIFICATION_ASSIGNED)
    assert audit.actor == a.primary and audit.institution == a.institution
    assert audit.target_user == colleague
    assert audit.details["application_number"] == vr.application_number


def test_take_reassign_and_unassign_each_name_the_previous_assignee(world):
    a, _, vr = world
    first, second = a.secondaries
    verification_assign(verification_request=vr, assignee=first, assigned_by=first)  # takes it
    verification_assign(verification_request=vr, assignee=second, assigned_by=first)
    verification_assign(verification_request=vr, assignee=None, assigned_by=a.primary)
    vr.refresh_from_db()
    assert vr.assigned_to is None
    steps = [(e.details["assignee"]["id"], e.details["previous"]["id"]) for e in _assigned(vr)]
    assert steps == [(first.pk, None), (second.pk, first.pk), (None, second.pk)]
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.VERIFICATION_ASSIGNED).count() == 3


def test_assigning_to_whoever_has_it_records_nothing(world):
    a, _, vr = world
    verification_assign(verification_request=vr, assignee=a.primary, assigned_by=a.primary)
    verification_assign(verification_request=vr, assignee=a.primary, assigned_by=a.primary)
    verification_assign(
        verification_request=a_request(a.institution), assignee=None, assigned_by=a.primary
    )
    assert len(_assigned(vr)) == 1


def test_a_request_is_never_assigned_to_a_user_of_another_dli(world):
    a, b, vr = world
    for stranger in (b.primary, b.secondaries[0], OfficerFactory()):
        with pytest.raises(VerificationError) as refused:
            verification_assign(verification_request=vr, assignee=stranger, assigned_by=a.primary)
        assert refused.value.code == "assignee_not_a_member"
        assert refused.value.field == "assignee"
        assert refused.value.message == MSG_ASSIGNEE_NOT_A_MEMBER
    vr.refresh_from_db()
    assert vr.assigned_to is None and _assigned(vr) == []
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.VERIFICATION_ASSIGNED).exists()


def test_a_user_of_another_dli_or_an_officer_cannot_assign(world):
    a, b, vr = world
    for stranger in (b.primary, OfficerFactory()):
        for assignee in (a.primary, stranger):
            with pytest.raises(VerificationError) as refused:
                verification_assign(
                    verification_request=vr, assignee=assignee, assigned_by=stranger
                )
            assert refused.value.code == "not_a_member"
            assert refused.value.message == MSG_ASSIGN_NOT_A_MEMBER
    vr.refresh_from_db()
    assert vr.assigned_to is None


def test_former_and_deactivated_colleagues_cannot_be_assigned(world):
    a, _, vr = world
    former, deactivated = a.secondaries
    Membership.objects.filter(user=former).update(
        ended_at=timezone.now(), end_reason=Membership.EndReason.REMOVED
    )
    deactivated.is_active = False
    deactivated.save(update_fields=["is_active"])
    assert list(verification_assignees(institution=a.institution)) == [a.primary]
    for person in (former, deactivated):
        with pytest.raises(VerificationError) as refused:
            verification_assign(verification_request=vr, assignee=person, assigned_by=a.primary)
        assert refused.value.code == "assignee_not_a_member"


def test_only_a_pending_request_can_be_assigned(world, clock):
    a, _, vr = world
    verification_decide(
        verification_request=vr, outcome=Status.VERIFIED_MATCHED, comment="", decided_by=a.primary
    )
    late = a_request(a.institution)
    clock.move_to(late.due_at + dt.timedelta(seconds=1))
    for closed in (vr, late):
        with pytest.raises(VerificationError) as refused:
            verification_assign(
                verification_request=closed, assignee=a.primary, assigned_by=a.primary
            )
        assert refused.value.code == "assign_closed"
        assert refused.value.message == MSG_ASSIGN_CLOSED


def test_anyone_of_the_dli_still_decides_an_assigned_request(world):
    a, _, vr = world
    verification_assign(verification_request=vr, assignee=a.secondaries[0], assigned_by=a.primary)
    decided = verification_decide(
        verification_request=vr,
        outcome=Status.VERIFIED_MATCHED,
        comment="",
        decided_by=a.secondaries[1],
    )
    assert decided.decided_by == a.secondaries[1]
    assert decided.assigned_to == a.secondaries[0]


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_assignments_chain_in_the_history(monkeypatch):
    import contextlib
    import threading

    from django.db import connection

    from loaportal.verifications import services
    from tests.concurrency import run_concurrently

    if connection.vendor != "postgresql":
        pytest.skip(
            "needs concurrent writers: run with DATABASE_URL=postgres://… (SQLite's IMMEDIATE "
            "transactions serialise writers, so there is no race to test)"
        )
    dli = dli_with_users(secondaries=2)
    vr = a_request(dli.institution)
    # Each assignment waits, once it has its checks' reads, for the other: without the row lock
    # both would read "nobody assigned" and both would record it as the previous assignee.
    both_read = threading.Barrier(2, timeout=3)
    real_membership_current = services.membership_current

    def read_then_wait(user):
        if user in dli.secondaries:
            with contextlib.suppress(threading.BrokenBarrierError):
                both_read.wait()
        return real_membership_current(user)

    monkeypatch.setattr(services, "membership_current", read_then_wait)
    people = iter(dli.secondaries)
    lock = threading.Lock()

    def take_it():
        with lock:
            user = next(people)
        return verification_assign(
            verification_request=VerificationRequest.objects.get(pk=vr.pk),
            assignee=user,
            assigned_by=user,
        )

    results = run_concurrently(take_it)
    assert all(isinstance(r, VerificationRequest) for r in results), results
    first, second = _assigned(vr)
    assert first.details["previous"]["id"] is None
    assert second.details["previous"]["id"] == first.details["assignee"]["id"]
    vr.refresh_from_db()
    assert vr.assigned_to_id == second.details["assignee"]["id"]
