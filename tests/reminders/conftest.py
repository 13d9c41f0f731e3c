from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

TORONTO = ZoneInfo("America/Toronto")

# A Tuesday in October, far from a daylight-saving change.
START = datetime(2026, 10, 6, 12, 0, tzinfo=TORONTO)


def toronto(day: int, hour: int, minute: int = 0, *, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TORONTO)


@pytest.fixture(autouse=True)
def _documents_dir(settings, tmp_path):
    settings.VERIFICATION_DOCUMENTS_DIR = tmp_path / "documents"


@pytest.fixture
def clock():
    """The clock at ``START`` (running), moved by ``clock.move_to(when)``."""
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller
