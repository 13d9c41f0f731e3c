"""What the worker runs for reminders (registered in ``RemindersConfig``)."""

from __future__ import annotations

import logging

from loaportal.reminders.services import reminders_ledger_purge, reminders_send

logger = logging.getLogger(__name__)


def reminders_periodic() -> None:
    """The daily summaries whose hour has come and the 24-hour alerts now due: safe to run
    every minute, in several workers, and beside ``loaportal send_reminders``."""
    sent = reminders_send()
    if sent.summaries or sent.alerts:
        logger.info(
            "Sent %s daily summary email(s) and %s 24-hour alert email(s) (%s request(s))",
            sent.summaries,
            sent.alerts,
            sent.alerted_requests,
        )


def reminders_hourly() -> None:
    """Delete the ledger rows past their use (``reminders_ledger_purge``)."""
    deleted = reminders_ledger_purge()
    if deleted:
        logger.info("Deleted %s reminder ledger row(s) past their use", deleted)
