"""What the worker runs for matching help (registered in ``AdmissionsConfig``)."""

from __future__ import annotations

import logging

from loaportal.admissions.services import admissions_purge

logger = logging.getLogger(__name__)


def admissions_purge_job() -> None:
    deleted = admissions_purge()
    if deleted:
        logger.info("Deleted %s admissions list(s) past their retention", deleted)
