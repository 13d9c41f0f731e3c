"""The audit trail's event kinds live in a Python registry (``EventType``), not in the database:
a new kind needs no audit migration, and an unregistered kind is still refused."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from loaportal.audit.models import AuditEvent, EventType, UnknownEventTypeError
from loaportal.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_the_table_has_no_check_on_the_event_kind():
    """A kind the database has never heard of is stored: only the registry limits kinds."""
    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute(
            "INSERT INTO audit_auditevent (occurred_at, event_type, actor_email, "
            "target_email, details) VALUES (CURRENT_TIMESTAMP, 'kind_of_next_stage', '', "
            "'', '{}')"
        )
        cursor.execute("SELECT event_type FROM audit_auditevent")
        assert cursor.fetchall() == [("kind_of_next_stage",)]
        transaction.set_rollback(True)


def test_the_migrated_field_has_no_choices_so_new_kinds_make_no_migration():
    """The migrations' picture of the field carries no list of kinds: adding a member to
    ``EventType`` cannot make the autodetector write an AlterField."""
    state = MigrationExecutor(connection).loader.project_state()
    field = state.models["audit", "auditevent"].fields["event_type"]
    assert not field.choices
    assert state.models["audit", "auditevent"].options.get("constraints", []) == []
    assert not AuditEvent._meta.get_field("event_type").choices


def test_the_service_refuses_an_unregistered_kind():
    with pytest.raises(UnknownEventTypeError):
        audit_record(event_type="made_up_kind", target_email="x@college.example")
    with pytest.raises(UnknownEventTypeError):
        AuditEvent(event_type="made_up_kind").save()
    assert not AuditEvent.objects.exists()


def test_a_registered_kind_is_stored_and_labelled_in_both_languages():
    from django.utils import translation

    event = audit_record(event_type="password_reset", target_email="x@college.example")
    event.refresh_from_db()
    assert event.event_type == EventType.PASSWORD_RESET
    with translation.override("en"):
        assert event.get_event_type_display() == "Password reset"
    with translation.override("fr"):
        assert event.get_event_type_display() != "Password reset"


def test_a_kind_no_longer_registered_still_displays():
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (occurred_at, event_type, actor_email, target_email, "
            "details) VALUES (CURRENT_TIMESTAMP, 'retired_kind', '', '', '{}')"
        )
    assert AuditEvent.objects.get().get_event_type_display() == "retired_kind"
