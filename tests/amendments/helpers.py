from __future__ import annotations

from loaportal.amendments.services import (
    correction_request_create,
    correction_request_decide,
    extension_request_create,
    extension_request_decide,
)
from loaportal.verifications.models import VerificationRequest
from loaportal.verifications.services import verification_decide
from tests.verifications.ui_support import a_request

Status = VerificationRequest.Status


def pending_request(institution, **fields) -> VerificationRequest:
    return a_request(institution, **fields)


def decided_request(institution, user, outcome=Status.VERIFIED_MATCHED, comment=""):
    return verification_decide(
        verification_request=a_request(institution),
        outcome=outcome,
        comment=comment,
        decided_by=user,
    )


def ask_extension(vr, user, *, days=20, ground="labour_dispute", explanation="Strike.", now=None):
    return extension_request_create(
        verification_request=vr,
        requested_by=user,
        days=days,
        ground=ground,
        explanation=explanation,
        now=now,
    )


def decide_extension(extension, officer, *, approve=True, days=None, reason="", now=None):
    return extension_request_decide(
        extension_request=extension,
        officer=officer,
        approve=approve,
        days=days,
        reason=reason,
        now=now,
    )


def ask_correction(
    vr,
    user,
    *,
    outcome=Status.NOT_VERIFIED_CANCELLED,
    ground="student_withdrew",
    explanation="The student withdrew on 1 March.",
):
    return correction_request_create(
        verification_request=vr,
        requested_by=user,
        outcome=outcome,
        ground=ground,
        explanation=explanation,
    )


def decide_correction(correction, officer, *, approve=True, reason=""):
    return correction_request_decide(
        correction_request=correction, officer=officer, approve=approve, reason=reason
    )
