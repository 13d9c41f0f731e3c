"""The suite runs in several pytest-xdist worker processes at once (`make test`, `.ci/run`):
each worker keeps to state of its own (tests/settings.py, tests/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from tests.conftest import _cache_clear

WORKER = os.environ.get("PYTEST_XDIST_WORKER")


@pytest.mark.skipif(not WORKER, reason="runs under pytest-xdist (`make test`)")
def test_each_worker_has_its_own_var_directory_and_test_database(db):
    assert Path(settings.VAR_DIR).name == WORKER
    assert os.environ["LOAPORTAL_VAR_DIR"] == str(settings.VAR_DIR)
    if connection.vendor == "postgresql":
        assert connection.settings_dict["NAME"].endswith(f"_{WORKER}")


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="needs a Redis server: run with REDIS_URL=redis://127.0.0.1:6379/15 (as .ci/run does)",
)
def test_clearing_the_cache_leaves_other_workers_keys_alone():
    client = cache._cache.get_client(write=True)
    other = "loaportal-test-another-worker:1:counter"
    client.set(other, "7", ex=60)
    try:
        cache.set("counter", 3)
        _cache_clear()
        assert cache.get("counter") is None
        assert client.get(other) == b"7"
    finally:
        client.delete(other)
