"""The extension and correction requests of a verification request, on its pages (the panel
``verifications.panels`` shows): their status and IRCC's decisions, the notice that the
original deadline still counts while an extension waits, and the "Request an extension" /
"Request a correction" buttons when the request allows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from loaportal.amendments.business_days import answer_by
from loaportal.amendments.selectors import amendment_requests_of
from loaportal.amendments.services import extension_days_left_of
from loaportal.verifications.deadlines import institution_zone
from loaportal.verifications.models import VerificationRequest


def request_panel(
    request: HttpRequest, verification_request: VerificationRequest, now: datetime, officer: bool
) -> str:
    amendments = amendment_requests_of(verification_request=verification_request)
    extensions, corrections = amendments.extensions, amendments.corrections
    open_extension = next((e for e in extensions if e.is_open), None)
    open_correction = next((c for c in corrections if c.is_open), None)
    context: dict[str, Any] = {
        "vr": verification_request,
        "officer": officer,
        "extensions": extensions,
        "corrections": corrections,
        "open_extension": open_extension,
        "open_extension_answer_by": answer_by(open_extension.requested_at)
        if open_extension
        else None,
        "open_correction": open_correction,
        "zone": institution_zone(verification_request.institution),
        "now": now,
        "can_extend": (
            not officer
            and open_extension is None
            and verification_request.is_decidable(now)
            and extension_days_left_of(extensions=extensions) > 0
        ),
        "can_correct": (
            not officer and open_correction is None and verification_request.is_decided
        ),
    }
    return render_to_string("amendments/includes/request_panel.html", context, request=request)
