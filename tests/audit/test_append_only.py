"""Nothing can change or delete an audit entry: not the model, not its queryset, not raw SQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from loaportal.audit.models import AppendOnlyError, AuditEvent
from loaportal.audit.services import audit_record
from loaportal.audit.triggers import triggers_installed

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return audit_record(
        event_type=AuditEvent.Type.SIGNIN_FAILED,
        target_email="someone@college.example",
        ip_address="192.0.2.10",
    )


def test_triggers_are_installed_by_the_migrations():
    assert triggers_installed(connection)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET actor_email = 'forged@college.example' WHERE id = %s",
        "UPDATE audit_auditevent SET event_type = 'signin_succeeded'",
        "DELETE FROM audit_auditevent WHERE id = %s",
        "DELETE FROM audit_auditevent",
    ],
)
def test_the_database_refuses_update_and_delete(event, statement):
    params = [event.pk] if "%s" in statement else None
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, params)
    kept = AuditEvent.objects.get(pk=event.pk)
    assert (kept.event_type, kept.actor_email, kept.ip_address) == (
        "signin_failed",
        "",
        "192.0.2.10",
    )


@pytest.mark.django_db(transaction=True)
def test_postgresql_also_refuses_truncate():
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL (SQLite's DELETE is covered above)")
    # Committed first: PostgreSQL refuses TRUNCATE in a transaction that itself wrote to the
    # table for another reason, which would hide the trigger.
    event = audit_record(event_type=AuditEvent.Type.SIGNIN_FAILED, target_email="x@y.example")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("TRUNCATE audit_auditevent CASCADE")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_model_and_queryset_refuse_changes(event):
    event.actor_email = "forged@college.example"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(actor_email="forged@college.example")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["actor_email"])
    assert AuditEvent.objects.get(pk=event.pk).actor_email == ""
