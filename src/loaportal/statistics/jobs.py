"""What the worker runs for the statistics (registered in ``StatisticsConfig``)."""

from __future__ import annotations

import logging
import time

from loaportal.statistics.services import statistics_refresh_all, statistics_refresh_recent

logger = logging.getLogger(__name__)


def statistics_recent() -> None:
    """Recompute the months whose requests may still change (every few minutes)."""
    started = time.monotonic()
    rows = statistics_refresh_recent()
    logger.info(
        "Statistics: recent months recomputed (%s rows, %.1f s)", rows, time.monotonic() - started
    )


def statistics_daily() -> None:
    """Recompute every month (once a day: corrections may change old requests)."""
    started = time.monotonic()
    rows = statistics_refresh_all()
    logger.info(
        "Statistics: every month recomputed (%s rows, %.1f s)", rows, time.monotonic() - started
    )
