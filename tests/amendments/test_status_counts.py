"""An officer's approvals change a request's stored status: a correction moves it from one
outcome to another, an extension approved after the deadline's passage reopens it (no
response → pending). The DLI's counts by status follow (ADR 0019)."""

from __future__ import annotations

from datetime import datetime, time

from loaportal.verifications.deadlines import DEADLINE_ZONE
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.selectors import (
    verification_status_counts_stored,
    verification_tab_counts,
)
from loaportal.verifications.services import verification_close_overdue
from tests.amendments.helpers import (
    ask_correction,
    ask_extension,
    decide_correction,
    decide_extension,
    decided_request,
    pending_request,
)
from tests.status_counts import assert_status_counts_exact

Status = VerificationRequest.Status


def end_of(day: int) -> datetime:
    return datetime.combine(datetime(2026, 3, day).date(), time.max, tzinfo=DEADLINE_ZONE)


def test_a_correction_moves_the_count_from_one_outcome_to_the_other(dli, officer, at):
    matched = decided_request(dli.institution, dli.primary)
    decided_request(dli.institution, dli.primary)
    decide_correction(ask_correction(matched, dli.primary), officer)
    assert verification_status_counts_stored()[dli.institution.pk] == {
        "verified_matched": 1,
        "not_verified_no_match": 0,
        "not_verified_cancelled": 1,
        "no_response": 0,
    }
    assert verification_tab_counts(institution=dli.institution)["decided"] == 2
    # A refused correction changes nothing.
    decide_correction(
        ask_correction(matched, dli.primary, outcome=Status.VERIFIED_MATCHED),
        officer,
        approve=False,
        reason="No proof.",
    )
    assert_status_counts_exact()


def test_an_extension_that_reopens_the_request_takes_it_out_of_no_response(dli, officer, at):
    vr = pending_request(dli.institution)
    extension = ask_extension(vr, dli.primary, days=10)
    at(end_of(13))
    assert verification_close_overdue() == 1
    assert verification_status_counts_stored()[dli.institution.pk]["no_response"] == 1
    assert verification_tab_counts(institution=dli.institution)["no_response"] == 1
    decide_extension(extension, officer)
    assert verification_status_counts_stored() == {}
    assert_status_counts_exact()
    counts = verification_tab_counts(institution=dli.institution)
    assert (counts["todo"], counts["no_response"]) == (1, 0)


def test_an_extension_approved_before_the_deadline_moves_no_count(dli, officer, at):
    vr = pending_request(dli.institution)
    decide_extension(ask_extension(vr, dli.primary, days=10), officer)
    assert verification_status_counts_stored() == {}
    assert_status_counts_exact()
