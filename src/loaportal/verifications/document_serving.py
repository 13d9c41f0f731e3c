"""Serving a request's document: who may read it is decided by
``verification_request_visible_to`` (in the view); each read is recorded in the request's
history and the audit trail (``verification_document_viewed``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.http import FileResponse, Http404, HttpResponse
from django.template.loader import render_to_string

from loaportal.verifications.services import verification_document_viewed

if TYPE_CHECKING:
    from loaportal.accounts.models import User
    from loaportal.verifications.models import VerificationRequest

logger = logging.getLogger(__name__)


def _is_not_found(exc: Exception) -> bool:
    """An object store's "no such key" (botocore's ClientError with a 404 or NoSuchKey)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    code = str(response.get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound"}


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
) -> FileResponse | HttpResponse:
    """The document as a response (inline for the viewer, or as a download); the reading is
    recorded first. A document deleted under the retention rule, or missing from the storage,
    is a 404; a storage that does not answer, the 503 page."""
    if not verification_request.document:
        raise Http404("The document was deleted under the retention rule.")
    try:
        handle = verification_request.document.open("rb")
    except FileNotFoundError:
        logger.error("Document of request %s is missing from the storage", verification_request.pk)
        raise Http404("The document is missing.") from None
    except Exception as exc:
        if _is_not_found(exc):
            logger.error(
                "Document of request %s is missing from the storage", verification_request.pk
            )
            raise Http404("The document is missing.") from None
        logger.exception("The document storage does not answer")
        unavailable = HttpResponse(render_to_string("503.html"), status=503)
        unavailable["Retry-After"] = "30"
        return unavailable
    verification_document_viewed(verification_request=verification_request, user=user)
    response = FileResponse(
        handle,
        as_attachment=download,
        filename=verification_request.document_name,
        content_type=verification_request.document_content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOCUMENT_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
