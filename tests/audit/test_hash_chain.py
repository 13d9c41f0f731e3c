"""The audit trail is tamper-evident: each entry is chained to the previous one by an HMAC, and
``loaportal verify_audit`` names the first entry that was changed, forged or removed — however
the append-only triggers were got around."""

from __future__ import annotations

import time

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from loaportal.audit import chain
from loaportal.audit.chain import verify_chain
from loaportal.audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from loaportal.audit.services import audit_record
from loaportal.audit.triggers import triggers_remove
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db
T = AuditEvent.Type


def _record(n: int) -> list[AuditEvent]:
    return [
        audit_record(
            event_type=T.SIGNIN_FAILED,
            target_email=f"person{i}@college.example",
            ip_address="192.0.2.10",
            details={"attempt": i, "note": "é"},
        )
        for i in range(1, n + 1)
    ]


def _sql(statement: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _verify_fails(match: str) -> str:
    with pytest.raises(CommandError, match=match) as failure:
        call_command("verify_audit")
    return str(failure.value)


def test_an_untouched_trail_verifies(capsys):
    events = _record(3)
    assert [e.seq for e in events] == [1, 2, 3]
    assert len({e.chain_hash for e in events}) == 3
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "3 entries" in out and events[-1].chain_hash in out
    head = AuditChainHead.objects.get()
    assert (head.seq, head.chain_hash) == (3, events[-1].chain_hash)


def test_the_key_is_outside_the_database(settings):
    """The same rows under another key do not verify: the HMAC key is what vouches."""
    _record(2)
    assert verify_chain().ok
    settings.AUDIT_HMAC_KEY = "another key entirely"
    assert verify_chain().finding.seq == 1


def test_an_update_after_dropping_the_triggers_is_found():
    first, second, third = _record(3)
    triggers_remove(connection)
    _sql(
        "UPDATE audit_auditevent SET ip_address = '198.51.100.7' WHERE id = %s",
        [second.pk],
    )
    message = _verify_fails("position 2")
    assert f"id {second.pk}" in message and "changed or forged" in message


def test_a_rehashed_update_without_the_key_is_still_found():
    """Recomputing a plain SHA-256 does not help: the hash is keyed."""
    _, second, _ = _record(3)
    triggers_remove(connection)
    _sql("UPDATE audit_auditevent SET details = '{}' WHERE id = %s", [second.pk])
    assert verify_chain().finding.seq == 2


def test_deleting_a_middle_entry_is_found():
    _, second, _ = _record(3)
    triggers_remove(connection)
    _sql("DELETE FROM audit_auditevent WHERE id = %s", [second.pk])
    _verify_fails("missing entries 2")


def test_deleting_the_last_entries_is_found():
    _, second, third = _record(3)
    triggers_remove(connection)
    _sql("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [second.pk, third.pk])
    finding = verify_chain().finding
    assert finding.seq == 2 and "last entries removed" in finding.problem


def test_an_entry_inserted_around_the_service_is_found():
    _record(2)
    _sql(
        "INSERT INTO audit_auditevent (occurred_at, event_type, actor_email, target_email, "
        "details, subject_type, subject_id, chain_hash) VALUES (CURRENT_TIMESTAMP, "
        "'signin_succeeded', 'forged@college.example', '', '{}', '', '', '')"
    )
    _verify_fails("outside the chain")


def test_a_forged_entry_at_the_end_of_the_chain_is_found():
    events = _record(2)
    _sql(
        "INSERT INTO audit_auditevent (occurred_at, event_type, actor_email, target_email, "
        "details, subject_type, subject_id, seq, chain_hash) VALUES (CURRENT_TIMESTAMP, "
        "'signin_succeeded', 'forged@college.example', '', '{}', '', '', 3, %s)",
        [events[-1].chain_hash],
    )
    assert verify_chain().finding.seq == 3


def test_insert_or_replace_is_refused_on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("INSERT OR REPLACE is SQLite's (PostgreSQL's ON CONFLICT is tested below)")
    (event,) = _record(1)
    replace = (
        "INSERT OR REPLACE INTO audit_auditevent (id, occurred_at, event_type, actor_email, "
        "target_email, details, subject_type, subject_id, seq, chain_hash) SELECT id, "
        "occurred_at, 'signin_succeeded', 'forged@college.example', target_email, details, "
        "subject_type, subject_id, seq, chain_hash FROM audit_auditevent WHERE id = %s"
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql(replace, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).event_type == T.SIGNIN_FAILED
    # Why the dedicated trigger: REPLACE deletes the old row without firing DELETE triggers
    # (unless PRAGMA recursive_triggers is on), so with only the UPDATE and DELETE triggers
    # the overwrite goes through...
    _sql("DROP TRIGGER audit_auditevent_no_replace")
    _sql(replace, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).event_type == T.SIGNIN_SUCCEEDED
    # ...and the chain still gives it away.
    assert verify_chain().finding.seq == 1


def test_an_upsert_overwrite_is_refused():
    """INSERT ... ON CONFLICT DO UPDATE, on both databases."""
    (event,) = _record(1)
    upsert = (
        "INSERT INTO audit_auditevent (id, occurred_at, event_type, actor_email, target_email, "
        "details, subject_type, subject_id, chain_hash) VALUES (%s, CURRENT_TIMESTAMP, "
        "'signin_succeeded', '', '', '{}', '', '', '') "
        "ON CONFLICT (id) DO UPDATE SET actor_email = 'forged@college.example'"
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql(upsert, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).actor_email == ""
    assert verify_chain().ok


def test_postgresql_replica_mode_does_not_silence_the_triggers():
    if connection.vendor != "postgresql":
        pytest.skip("session_replication_role is PostgreSQL's")
    _, second, _ = _record(3)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("SET LOCAL session_replication_role = replica")
        _sql("UPDATE audit_auditevent SET actor_email = 'x@y.example' WHERE id = %s", [second.pk])
    assert verify_chain().ok


def test_postgresql_a_disabled_trigger_is_found():
    if connection.vendor != "postgresql":
        pytest.skip("ALTER TABLE ... DISABLE TRIGGER is PostgreSQL's")
    _, second, _ = _record(3)
    _sql("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check
    _sql("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
    _sql("UPDATE audit_auditevent SET actor_email = 'x@y.example' WHERE id = %s", [second.pk])
    message = _verify_fails("position 2")
    assert f"id {second.pk}" in message


def test_the_triggers_missing_fail_the_check_even_with_an_intact_chain():
    _record(1)
    triggers_remove(connection)
    _verify_fails("triggers are missing")


def test_a_bulk_insert_would_skip_the_chain_so_it_is_refused():
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(event_type=T.SIGNED_OUT)])


@pytest.mark.django_db(transaction=True)
def test_simultaneous_writers_take_turns_and_never_fork_the_chain(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs concurrent writers: run with DATABASE_URL=postgres://… (SQLite's IMMEDIATE "
            "transactions serialise writers)"
        )
    # Widen the window between reading the head and inserting: without the lock, writers
    # would all chain onto the same previous entry.
    compute = chain.entry_hash

    def slow_entry_hash(event, previous_hash):
        time.sleep(0.02)
        return compute(event, previous_hash)

    monkeypatch.setattr(chain, "entry_hash", slow_entry_hash)

    def writer():
        for i in range(10):
            audit_record(event_type=T.SIGNIN_FAILED, target_email=f"w{i}@college.example")
        return "done"

    assert run_concurrently(writer, count=4) == ["done"] * 4
    monkeypatch.setattr(chain, "entry_hash", compute)
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 41))
    result = verify_chain()
    assert result.ok, result.finding
    assert result.checked == 40


WRITER = """
import time
import django
django.setup()
from loaportal.audit import chain
from loaportal.audit.services import audit_record
compute = chain.entry_hash
def slow(event, previous_hash):
    time.sleep(0.02)  # widen the window between reading the head and inserting
    return compute(event, previous_hash)
chain.entry_hash = slow
for i in range(15):
    audit_record(event_type="signin_failed", target_email=f"p{i}@college.example")
print("done")
"""


@pytest.mark.django_db(transaction=True)
def test_two_processes_appending_at_once_never_fork_the_chain():
    if connection.vendor != "postgresql":
        pytest.skip("needs a database two processes share: run with DATABASE_URL=postgres://…")
    import os
    import subprocess
    import sys

    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "loaportal.settings", "DATABASE_URL": url}
    writers = [
        subprocess.Popen(  # noqa: S603 (our own interpreter and code)
            [sys.executable, "-c", WRITER], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [writer.communicate(timeout=120)[0] for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0]
    assert outputs == ["done\n", "done\n"]
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 31))
    result = verify_chain()
    assert result.ok, result.finding
