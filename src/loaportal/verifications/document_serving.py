"""Serving a request's document: who may read it is decided by
``verification_request_visible_to`` (in the view); each read is recorded in the request's
history and the audit trail (``verification_document_viewed``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import FileResponse

from loaportal.verifications.services import verification_document_viewed

if TYPE_CHECKING:
    from loaportal.accounts.models import User
    from loaportal.verifications.models import VerificationRequest

# The document is the student's upload: never run it, never let it frame or fetch anything.
# ``sandbox`` gives it a unique origin with no scripts, forms or plugins; only this portal
# may frame it (the request page's viewer).
DOCUMENT_CSP = "; ".join(
    [
        "default-src 'none'",
        "img-src 'self'",
        "style-src 'unsafe-inline'",
        "frame-ancestors 'self'",
        "sandbox",
    ]
)


def verification_document_response(
    *, verification_request: VerificationRequest, user: User, download: bool = False
) -> FileResponse:
    """The document as a response (inline for the viewer, or as a download); the reading is
    recorded first."""
    verification_document_viewed(verification_request=verification_request, user=user)
    response = FileResponse(
        verification_request.document.open("rb"),
        as_attachment=download,
        filename=verification_request.document_name,
        content_type=verification_request.document_content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOCUMENT_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
