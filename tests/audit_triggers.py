"""pytest plugin (loaded with ``-p tests.audit_triggers`` from pyproject.toml).

The audit table is append-only down to the database: triggers reject UPDATE, DELETE and, on
PostgreSQL, TRUNCATE (``loaportal.audit.triggers``). Django empties every table after a
transactional test (``flush``: DELETE on SQLite, TRUNCATE on PostgreSQL), which those
triggers refuse. So, for each test that uses the database, this fixture makes sure the
triggers are in place, and lifts them at the end of a transactional test, just before the
flush. The triggers are therefore present while every test runs.
"""

from __future__ import annotations

import pytest


def _database_use(request) -> str | None:
    names = set(request.fixturenames)
    if {"transactional_db", "live_server"} & names:
        return "transactional_db"
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or (marker.args and marker.args[0])
    ):
        return "transactional_db"
    if marker is not None or "db" in names:
        return "db"
    return None


@pytest.fixture(autouse=True)
def _audit_triggers_around_flush(request):
    use = _database_use(request)
    if use is None:
        yield
        return
    request.getfixturevalue(use)
    from django.db import connection

    from loaportal.audit.triggers import triggers_install, triggers_remove

    triggers_install(connection)
    yield
    if use == "transactional_db":
        triggers_remove(connection)
