"""Extension requests: who may ask, for what, one open at a time, 30 days in all; only an
approval moves the deadline, and the request is decidable until the new end of day."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from loaportal.amendments.models import ExtensionRequest
from loaportal.amendments.services import AmendmentError
from loaportal.audit.models import AuditEvent
from loaportal.verifications.deadlines import DEADLINE_ZONE, deadline_extended
from loaportal.verifications.models import VerificationEvent, VerificationRequest
from loaportal.verifications.services import (
    PastDeadline,
    VerificationError,
    verification_close_overdue,
    verification_decide,
)
from tests.amendments.conftest import START
from tests.amendments.helpers import (
    ask_extension,
    decide_extension,
    decided_request,
    pending_request,
)
from tests.factories import MembershipFactory

Status = VerificationRequest.Status


def end_of(day: int, month: int = 3) -> datetime:
    return datetime.combine(datetime(2026, month, day).date(), time.max, tzinfo=DEADLINE_ZONE)


@pytest.fixture
def vr(dli, at):
    request = pending_request(dli.institution)
    assert request.due_at == end_of(12)
    return request


def test_the_extended_deadline_is_the_end_of_the_day_days_after_the_current_one():
    assert deadline_extended(end_of(12), 15) == end_of(27)
    # Across the change to daylight time (8 March 2026): still the end of the Eastern day.
    assert deadline_extended(end_of(1), 10) == end_of(11)
    assert deadline_extended(end_of(28, 2), 1) == end_of(1)


def test_a_member_asks_and_the_deadline_does_not_move(dli, vr):
    extension = ask_extension(vr, dli.secondaries[0], days=20, explanation="  Strike.  ")
    assert (extension.status, extension.days_requested, extension.ground) == (
        "submitted",
        20,
        "labour_dispute",
    )
    assert extension.explanation == "Strike."
    assert extension.institution == dli.institution
    assert extension.due_at_when_requested == end_of(12)
    vr.refresh_from_db()
    assert (vr.due_at, vr.original_due_at) == (end_of(12), None)
    event = VerificationEvent.objects.get(request=vr, kind="extension_requested")
    assert (event.actor, event.details["days"]) == (dli.secondaries[0], 20)
    audit = AuditEvent.objects.get(event_type="extension_requested")
    assert (audit.actor, audit.institution, audit.subject_id) == (
        dli.secondaries[0],
        dli.institution,
        str(extension.pk),
    )


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"days": 0}, "days_invalid", "days"),
        ({"days": 31}, "days_invalid", "days"),
        ({"days": "many"}, "days_invalid", "days"),
        ({"ground": "holiday"}, "ground_invalid", "ground"),
        ({"explanation": "   "}, "explanation_required", "explanation"),
        ({"explanation": "x" * 2001}, "explanation_too_long", "explanation"),
    ],
)
def test_the_shape_of_a_request_is_checked(dli, vr, changes, code, field):
    with pytest.raises(AmendmentError) as refused:
        ask_extension(vr, dli.primary, **changes)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not ExtensionRequest.objects.exists()


def test_only_a_current_member_of_the_requests_dli_may_ask(dli, other_dli, officer, vr):
    former = MembershipFactory(institution=dli.institution)
    former.user.is_active = False
    former.user.save()
    for user in (other_dli.primary, officer, former.user):
        with pytest.raises(AmendmentError) as refused:
            ask_extension(vr, user)
        assert refused.value.code == "not_a_member"
    assert not ExtensionRequest.objects.exists()


def test_only_a_pending_request_within_its_deadline_can_be_extended(dli, at):
    decided = decided_request(dli.institution, dli.primary)
    with pytest.raises(AmendmentError) as refused:
        ask_extension(decided, dli.primary)
    assert refused.value.code == "not_pending"
    late = pending_request(dli.institution)
    at(end_of(12) + timedelta(seconds=1))
    with pytest.raises(AmendmentError) as refused:
        ask_extension(late, dli.primary)
    assert refused.value.code == "not_pending"


def test_one_open_extension_request_per_verification_request(dli, officer, vr):
    first = ask_extension(vr, dli.primary, days=5)
    with pytest.raises(AmendmentError) as refused:
        ask_extension(vr, dli.secondaries[0], days=3)
    assert refused.value.code == "already_open"
    decide_extension(first, officer, approve=False, reason="Not a ground.")
    second = ask_extension(vr, dli.secondaries[0], days=3)
    assert second.is_open


def test_thirty_days_in_all(dli, officer, vr):
    decide_extension(ask_extension(vr, dli.primary, days=20), officer)
    with pytest.raises(AmendmentError) as refused:
        ask_extension(vr, dli.primary, days=11)
    assert (refused.value.code, refused.value.field) == ("days_over_limit", "days")
    decide_extension(ask_extension(vr, dli.primary, days=10), officer)
    with pytest.raises(AmendmentError) as refused:
        ask_extension(vr, dli.primary, days=1)
    assert refused.value.code == "no_days_left"
    vr.refresh_from_db()
    assert (vr.original_due_at, vr.due_at) == (end_of(12), end_of(11, 4))


def test_a_refused_extension_leaves_the_due_date(dli, officer, vr, at):
    extension = ask_extension(vr, dli.primary)
    with pytest.raises(AmendmentError) as refused:
        decide_extension(extension, officer, approve=False, reason="  ")
    assert (refused.value.code, refused.value.field) == ("reason_required", "reason")
    at(START + timedelta(days=2))
    refused_extension = decide_extension(
        extension, officer, approve=False, reason="A strike elsewhere."
    )
    assert refused_extension.status == "refused"
    assert (refused_extension.decided_by, refused_extension.days_granted) == (officer, None)
    vr.refresh_from_db()
    assert (vr.due_at, vr.original_due_at, vr.status) == (end_of(12), None, Status.PENDING)
    event = VerificationEvent.objects.get(request=vr, kind="extension_refused")
    assert (event.actor, event.comment) == (officer, "A strike elsewhere.")
    audit = AuditEvent.objects.get(event_type="extension_refused")
    assert (audit.actor, audit.details["reason"]) == (officer, "A strike elsewhere.")
    # Past the original deadline, the request is "no response": the refusal gave no time.
    at(end_of(12) + timedelta(seconds=1))
    assert vr.effective_status() == Status.NO_RESPONSE


def test_an_approved_extension_moves_the_deadline_and_the_request_is_decidable_until_its_end(
    dli, officer, vr, at
):
    extension = ask_extension(vr, dli.primary, days=20)
    at(START + timedelta(days=3))
    approved = decide_extension(extension, officer, days=15, reason="Strike confirmed.")
    assert (approved.status, approved.days_granted, approved.decided_by) == (
        "approved",
        15,
        officer,
    )
    vr.refresh_from_db()
    assert (vr.original_due_at, vr.due_at) == (end_of(12), end_of(27))
    event = VerificationEvent.objects.get(request=vr, kind="extension_approved")
    assert (event.actor, event.details["days"], event.details["reopened"]) == (officer, 15, False)
    audit = AuditEvent.objects.get(event_type="extension_approved")
    assert (audit.actor, audit.institution, audit.details["days"]) == (
        officer,
        dli.institution,
        15,
    )
    # Past the original deadline: still pending, still decidable, until the new end of day.
    at(end_of(12) + timedelta(hours=1))
    assert vr.is_decidable()
    assert verification_close_overdue() == 0
    at(end_of(27) - timedelta(seconds=1))
    assert vr.is_decidable()
    at(end_of(27) + timedelta(microseconds=1))
    assert not vr.is_decidable()
    with pytest.raises(PastDeadline):
        verification_decide(
            verification_request=vr,
            outcome=Status.VERIFIED_MATCHED,
            comment="",
            decided_by=dli.primary,
        )
    at(end_of(27) - timedelta(minutes=1))
    verification_decide(
        verification_request=vr, outcome=Status.VERIFIED_MATCHED, comment="", decided_by=dli.primary
    )


def test_the_days_granted_are_one_to_those_asked(dli, officer, vr):
    extension = ask_extension(vr, dli.primary, days=10)
    for days in (0, 11, 31):
        with pytest.raises(AmendmentError) as refused:
            decide_extension(extension, officer, days=days)
        assert (refused.value.code, refused.value.field) == ("days_invalid", "days")
    assert decide_extension(extension, officer).days_granted == 10


def test_only_officers_decide_and_only_once(dli, officer, vr):
    extension = ask_extension(vr, dli.primary)
    with pytest.raises(AmendmentError) as refused:
        decide_extension(extension, dli.primary)
    assert refused.value.code == "officers_only"
    decide_extension(extension, officer, approve=False, reason="No.")
    with pytest.raises(AmendmentError) as refused:
        decide_extension(extension, officer)
    assert refused.value.code == "already_decided"
    vr.refresh_from_db()
    assert vr.due_at == end_of(12)


def test_a_request_decided_meanwhile_cannot_be_extended(dli, officer, vr):
    extension = ask_extension(vr, dli.primary)
    verification_decide(
        verification_request=vr, outcome=Status.VERIFIED_MATCHED, comment="", decided_by=dli.primary
    )
    with pytest.raises(VerificationError) as refused:
        decide_extension(extension, officer)
    assert refused.value.code == "request_decided"
    extension.refresh_from_db()
    assert extension.is_open
    assert decide_extension(extension, officer, approve=False, reason="Decided.").status == (
        "refused"
    )


def test_an_approval_after_the_deadline_reopens_the_request(dli, officer, vr, at):
    """Asked for in time, decided by IRCC after the deadline (5 business days may be longer
    than what was left): the approval reopens the request until the new deadline."""
    extension = ask_extension(vr, dli.primary, days=10)
    at(end_of(13))
    assert verification_close_overdue() == 1
    vr.refresh_from_db()
    assert vr.status == Status.NO_RESPONSE
    decide_extension(extension, officer)
    vr.refresh_from_db()
    assert (vr.status, vr.no_response_recorded_at, vr.due_at) == (
        Status.PENDING,
        None,
        end_of(22),
    )
    assert VerificationEvent.objects.get(request=vr, kind="extension_approved").details["reopened"]
    assert vr.is_decidable()
    # The new deadline's passage is recorded too, once.
    at(end_of(23))
    assert verification_close_overdue() == 1
    assert verification_close_overdue() == 0
    assert VerificationEvent.objects.filter(request=vr, kind="no_response").count() == 2


def test_an_approval_whose_new_deadline_has_passed_is_refused(dli, officer, vr, at):
    extension = ask_extension(vr, dli.primary, days=2)
    at(end_of(15))
    with pytest.raises(VerificationError) as refused:
        decide_extension(extension, officer)
    assert (refused.value.code, refused.value.field) == ("extended_deadline_passed", "days")
    vr.refresh_from_db()
    assert vr.due_at == end_of(12)
    assert ExtensionRequest.objects.get().is_open
