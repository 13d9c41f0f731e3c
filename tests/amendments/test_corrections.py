"""Correction requests: only a decided request, only an outcome ``CORRECTIONS`` allows, one
open at a time; an approval changes the status everywhere and keeps the first decision."""

from __future__ import annotations

import pytest

from loaportal.amendments.models import CorrectionRequest
from loaportal.amendments.services import AmendmentError
from loaportal.audit.models import AuditEvent
from loaportal.verifications.models import VerificationEvent, VerificationRequest
from loaportal.verifications.selectors import (
    verification_queue,
    verification_request_list_for_officers,
)
from tests.amendments.helpers import (
    ask_correction,
    decide_correction,
    decided_request,
    pending_request,
)

Status = VerificationRequest.Status


@pytest.fixture
def matched(dli):
    return decided_request(dli.institution, dli.secondaries[0])


def test_a_member_asks_and_nothing_changes_until_an_officer_approves(dli, matched):
    correction = ask_correction(matched, dli.primary)
    assert (correction.status, correction.current_outcome, correction.requested_outcome) == (
        "submitted",
        Status.VERIFIED_MATCHED,
        Status.NOT_VERIFIED_CANCELLED,
    )
    matched.refresh_from_db()
    assert matched.status == Status.VERIFIED_MATCHED
    event = VerificationEvent.objects.get(request=matched, kind="correction_requested")
    assert (event.actor, event.outcome) == (dli.primary, Status.NOT_VERIFIED_CANCELLED)
    assert AuditEvent.objects.get(event_type="correction_requested").actor == dli.primary


def test_only_decided_requests_and_allowed_outcomes(dli, matched):
    with pytest.raises(AmendmentError) as refused:
        ask_correction(pending_request(dli.institution), dli.primary)
    assert refused.value.code == "not_decided"
    for outcome in (Status.VERIFIED_MATCHED, Status.PENDING, Status.NO_RESPONSE, "other"):
        with pytest.raises(AmendmentError) as refused:
            ask_correction(matched, dli.primary, outcome=outcome)
        assert (refused.value.code, refused.value.field) == ("outcome_invalid", "outcome")
    with pytest.raises(AmendmentError) as refused:
        ask_correction(matched, dli.primary, ground="labour_dispute")
    assert refused.value.code == "ground_invalid"
    with pytest.raises(AmendmentError) as refused:
        ask_correction(matched, dli.primary, explanation="")
    assert refused.value.code == "explanation_required"
    assert not CorrectionRequest.objects.exists()


def test_one_open_correction_per_request_and_members_of_its_dli_only(
    dli, other_dli, officer, matched
):
    for user in (other_dli.primary, officer):
        with pytest.raises(AmendmentError) as refused:
            ask_correction(matched, user)
        assert refused.value.code == "not_a_member"
    ask_correction(matched, dli.primary)
    with pytest.raises(AmendmentError) as refused:
        ask_correction(matched, dli.secondaries[0], outcome=Status.NOT_VERIFIED_NO_MATCH)
    assert refused.value.code == "already_open"


def test_an_approval_corrects_the_status_everywhere_and_keeps_the_first_decision(
    dli, officer, matched
):
    first_decided_at = matched.decided_at
    correction = ask_correction(matched, dli.primary)
    with pytest.raises(AmendmentError) as refused:
        decide_correction(correction, dli.primary)
    assert refused.value.code == "officers_only"
    approved = decide_correction(correction, officer, reason="Withdrawal confirmed.")
    assert (approved.status, approved.decided_by) == ("approved", officer)
    matched.refresh_from_db()
    assert matched.status == Status.NOT_VERIFIED_CANCELLED
    # The first decision's author and time stay; the comment is the DLI's explanation.
    assert (matched.decided_by, matched.decided_at) == (dli.secondaries[0], first_decided_at)
    assert matched.decision_comment == "The student withdrew on 1 March."
    history = list(
        VerificationEvent.objects.filter(request=matched, kind__in=["decided", "corrected"])
        .order_by("occurred_at", "id")
        .values_list("kind", "outcome", "actor")
    )
    assert history == [
        ("decided", Status.VERIFIED_MATCHED, dli.secondaries[0].pk),
        ("corrected", Status.NOT_VERIFIED_CANCELLED, officer.pk),
    ]
    audit = AuditEvent.objects.get(event_type="correction_approved")
    assert (audit.actor, audit.institution, audit.details["previous_outcome"]) == (
        officer,
        dli.institution,
        Status.VERIFIED_MATCHED,
    )
    # The queue's tabs and the officers' list see the corrected status.
    assert list(verification_queue(institution=dli.institution, tab="decided")) == [matched]
    assert list(verification_request_list_for_officers(status=Status.VERIFIED_MATCHED)) == []
    assert list(verification_request_list_for_officers(status=Status.NOT_VERIFIED_CANCELLED)) == [
        matched
    ]
    # And it can be corrected again, from the new outcome.
    again = ask_correction(matched, dli.primary, outcome=Status.VERIFIED_MATCHED)
    assert again.current_outcome == Status.NOT_VERIFIED_CANCELLED


def test_a_refusal_needs_a_reason_and_changes_nothing(dli, officer, matched):
    correction = ask_correction(matched, dli.primary)
    with pytest.raises(AmendmentError) as refused:
        decide_correction(correction, officer, approve=False, reason="")
    assert refused.value.code == "reason_required"
    decide_correction(correction, officer, approve=False, reason="No proof.")
    matched.refresh_from_db()
    assert matched.status == Status.VERIFIED_MATCHED
    assert VerificationEvent.objects.get(request=matched, kind="correction_refused").actor == (
        officer
    )
    with pytest.raises(AmendmentError) as refused:
        decide_correction(correction, officer)
    assert refused.value.code == "already_decided"
