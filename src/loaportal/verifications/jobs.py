"""What the worker runs for verification requests (registered in ``VerificationsConfig``)."""

from __future__ import annotations

import logging

from loaportal.verifications.services import (
    verification_announcements_send,
    verification_close_overdue,
    verification_documents_sweep,
)

logger = logging.getLogger(__name__)


def verifications_periodic() -> None:
    """Record deadlines that passed, and send the grouped emails an earlier batch left
    waiting for the hour to pass. Both are safe to run often and in several workers."""
    closed = verification_close_overdue()
    if closed:
        logger.info("Recorded %s verification request(s) past their deadline", closed)
    sent = verification_announcements_send()
    if sent:
        logger.info("Sent %s grouped new-request email(s)", sent)


def verifications_hourly() -> None:
    """Delete stored documents no request names (see ``verification_documents_sweep``)."""
    deleted = verification_documents_sweep()
    if deleted:
        logger.warning("Deleted %s stored document(s) that no request names", deleted)
