"""The append-only triggers are there after any ``migrate``, on SQLite and PostgreSQL, and the
migration that introduced the hash chain chains the entries written before it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from loaportal.audit.chain import verify_chain
from loaportal.audit.models import AuditEvent
from loaportal.audit.triggers import EXPECTED, installed_triggers, triggers_installed
from loaportal.audit.triggers import triggers_remove as remove_triggers

pytestmark = pytest.mark.django_db(transaction=True)


def _latest_audit_migration() -> str:
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes("audit")
    (leaf,) = leaves
    return leaf[1]


def test_migrating_backwards_and_forwards_keeps_the_triggers_and_chains_old_entries():
    call_command("migrate", "audit", "0004", verbosity=0)
    # Entries written before the chain existed (the columns did not exist yet).
    with connection.cursor() as cursor:
        for kind, email in (("signin_failed", "a@college.example"), ("signed_out", "b@x.example")):
            cursor.execute(
                "INSERT INTO audit_auditevent (occurred_at, event_type, actor_email, "
                "target_email, details) VALUES (CURRENT_TIMESTAMP, %s, '', %s, %s)",
                [kind, email, '{"invitation": 7}' if kind == "signed_out" else "{}"],
            )
    present = installed_triggers(connection)
    if connection.vendor == "sqlite":
        # Before the chain's columns there is no overwrite trigger yet; the other two are kept.
        assert {"audit_auditevent_no_update", "audit_auditevent_no_delete"} <= present
    else:
        assert EXPECTED["postgresql"] <= present

    call_command("migrate", verbosity=0)

    assert triggers_installed(connection), installed_triggers(connection)
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2]
    assert (events[1].subject_type, events[1].subject_id) == ("invitations.invitation", "7")
    assert verify_chain().ok
    call_command("verify_audit", verbosity=0)


def test_any_migrate_reinstalls_triggers_a_migration_dropped():
    """As when SQLite rebuilds the table for a migration: whatever removed them, the next
    ``migrate`` (even one with nothing to apply) puts them back."""
    remove_triggers(connection)
    assert not installed_triggers(connection)
    call_command("migrate", verbosity=0)
    assert triggers_installed(connection)
    assert installed_triggers(connection) == EXPECTED[connection.vendor]


def test_the_latest_migration_leaves_the_triggers_installed():
    call_command("migrate", "audit", "0003", verbosity=0)
    call_command("migrate", "audit", _latest_audit_migration(), verbosity=0)
    assert triggers_installed(connection)
