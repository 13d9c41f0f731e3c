"""``loaportal refresh_statistics [--all]``: recompute the statistics' summary now."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from loaportal.statistics.services import statistics_refresh_all, statistics_refresh_recent


class Command(BaseCommand):
    help = (
        "Recompute the statistics' summary from the verification requests: the recent months "
        "(those whose requests may still change), or every month with --all. The worker does "
        "both on its own; safe to run at any time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Recompute every month.")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        rows = statistics_refresh_all() if options["all"] else statistics_refresh_recent()
        self.stdout.write(f"{rows} summary row(s) written in {time.monotonic() - started:.1f} s.")
