"""Many audit entries at once (``audit_record_many``): what ``audit_record`` would write for
each, chained in order under one lock of the chain head, and still append-only."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from loaportal.audit.chain import verify_chain
from loaportal.audit.context import acting_through_api_token
from loaportal.audit.models import (
    AppendOnlyError,
    AuditChainHead,
    AuditEvent,
    UnknownEventTypeError,
)
from loaportal.audit.services import AuditEntry, audit_record, audit_record_many
from tests.factories import dli_with_users

pytestmark = pytest.mark.django_db
T = AuditEvent.Type
# More than core.bulk.COPY_MIN_ROWS: PostgreSQL inserts them with COPY.
MANY = 75


def _columns(event: AuditEvent) -> dict:
    return {
        f.attname: getattr(event, f.attname)
        for f in AuditEvent._meta.concrete_fields
        if f.attname not in ("id", "seq", "chain_hash", "occurred_at")
    }


def _head() -> tuple[int, str]:
    head = AuditChainHead.objects.filter(pk=1).first()
    return (head.seq, head.chain_hash) if head else (0, "")


def test_each_entry_is_what_audit_record_writes():
    dli = dli_with_users(name="many-college", secondaries=1)
    kwargs = [
        {
            "event_type": T.VERIFICATION_EXPORTED,
            "actor": dli.primary,
            "institution": dli.institution,
            "details": {"scope": "dli", "note": "é"},
        },
        {"event_type": T.USER_REMOVED, "actor": dli.primary, "target_user": dli.secondaries[0]},
        {"event_type": T.SIGNIN_FAILED, "target_email": " Someone@College.Example "},
        {"event_type": T.SIGNIN_SUCCEEDED, "actor": dli.primary, "institution_from": dli.primary},
    ]
    token = {"id": 3, "name": "SIS", "kind": "dli"}
    with acting_through_api_token(token):
        singles = [audit_record(**each, ip_address="192.0.2.7") for each in kwargs]
        batch = audit_record_many(AuditEntry(**each, ip_address="192.0.2.7") for each in kwargs)
    assert [_columns(e) for e in batch] == [_columns(e) for e in singles]
    stored = [AuditEvent.objects.get(pk=e.pk) for e in batch]
    assert [_columns(e) for e in stored] == [_columns(e) for e in singles]
    assert all(e.details["api_token"] == token for e in stored)
    assert [e.seq for e in stored] == [singles[-1].seq + n for n in range(1, 5)]
    assert verify_chain().ok


def test_many_entries_chain_in_order_under_one_head_move():
    audit_record(event_type=T.SIGNIN_FAILED, target_email="before@college.example")
    seq_before, _hash = _head()
    events = audit_record_many(
        AuditEntry(event_type=T.SIGNIN_FAILED, target_email=f"p{n}@college.example")
        for n in range(MANY)
    )
    assert all(e.pk is not None for e in events)
    stored = list(AuditEvent.objects.filter(seq__gt=seq_before).order_by("seq"))
    assert [e.target_email for e in stored] == [f"p{n}@college.example" for n in range(MANY)]
    assert [e.seq for e in stored] == list(range(seq_before + 1, seq_before + MANY + 1))
    assert [e.pk for e in stored] == [e.pk for e in events]
    assert _head() == (stored[-1].seq, stored[-1].chain_hash)
    after = audit_record(event_type=T.SIGNIN_FAILED, target_email="after@college.example")
    assert after.seq == seq_before + MANY + 1
    assert verify_chain().ok
    call_command("verify_audit")


def test_an_unknown_kind_writes_nothing():
    audit_record(event_type=T.SIGNIN_FAILED)
    head = _head()
    with pytest.raises(UnknownEventTypeError):
        audit_record_many(
            [AuditEntry(event_type=T.SIGNIN_FAILED), AuditEntry(event_type="made_up")]
        )
    assert _head() == head
    assert AuditEvent.objects.count() == 1


def test_a_rolled_back_batch_leaves_no_entry_and_the_chain_whole():
    audit_record(event_type=T.SIGNIN_FAILED)
    head = _head()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record_many(AuditEntry(event_type=T.SIGNED_OUT) for _ in range(MANY))
        raise RuntimeError("the action failed")
    assert _head() == head
    assert AuditEvent.objects.count() == 1
    assert verify_chain().ok


def test_entries_inserted_in_bulk_stay_append_only():
    events = audit_record_many(AuditEntry(event_type=T.SIGNED_OUT) for _ in range(MANY))
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE audit_auditevent SET actor_email = 'x@y.example' WHERE id = %s",
            [events[0].pk],
        )
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    # Only the chained path inserts several: bulk_create is still refused, and append_many
    # takes no entry already saved.
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(event_type=T.SIGNED_OUT)])
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.append_many([events[0]])
    assert AuditEvent.objects.count() == MANY
    assert verify_chain().ok
