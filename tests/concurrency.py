"""Run the same action in several threads at once, as simultaneous requests would."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def run_concurrently(action: Callable[[], object], *, count: int = 2) -> list[object]:
    """Each thread's result, or the exception it raised; each thread closes its own connection."""
    results: list[object] = []

    def run() -> None:
        try:
            results.append(action())
        except Exception as exc:  # the caller asserts on what came back
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results
