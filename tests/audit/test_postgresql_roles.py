"""PostgreSQL: the application's role cannot get around the audit trail's triggers; only the
migration role, which owns the table, could (``scripts/postgresql-roles.sql``)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from loaportal.audit.chain import verify_chain
from loaportal.audit.models import AuditEvent
from loaportal.audit.services import audit_record

pytestmark = pytest.mark.django_db
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "postgresql-roles.sql"


@pytest.fixture
def roles():
    """The script's two roles, under names of this test's own (roles are cluster-wide), set
    up in the test's transaction: everything, roles included, is rolled back afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's; run with DATABASE_URL=postgres://…")
    suffix = uuid.uuid4().hex[:8]
    owner, app = f"loaportal_owner_{suffix}", f"loaportal_app_{suffix}"
    script = SCRIPT.read_text().replace("loaportal_owner", owner).replace("loaportal_app", app)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(script)
        cursor.execute(script)  # idempotent
    return owner, app


def _as(role: str, statement: str, params=None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{role}"')
        cursor.execute(statement, params)
        cursor.execute("RESET ROLE")


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        ("UPDATE audit_auditevent SET actor_email = 'forged@college.example'", "denied"),
        ("DELETE FROM audit_auditevent", "denied"),
        ("TRUNCATE audit_auditevent", "denied"),
        ("ALTER TABLE audit_auditevent DISABLE TRIGGER USER", "owner"),
        ("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_no_update_delete", "owner"),
        ("DROP TRIGGER audit_auditevent_no_update_delete ON audit_auditevent", "owner"),
        ("SET session_replication_role = replica", "denied"),
        ("ALTER TABLE audit_auditevent OWNER TO CURRENT_USER", "owner"),
    ],
)
def test_the_application_role_cannot_get_around_the_triggers(roles, statement, refusal):
    _, app = roles
    audit_record(event_type=AuditEvent.Type.SIGNED_OUT, target_email="a@college.example")
    with pytest.raises(DatabaseError, match=refusal):
        _as(app, statement)
    assert AuditEvent.objects.get().actor_email == ""
    assert verify_chain().ok


def test_the_application_role_writes_the_trail_and_uses_the_other_tables(roles):
    _, app = roles
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{app}"')
        for i in range(3):
            audit_record(event_type=AuditEvent.Type.SIGNIN_FAILED, target_email=f"{i}@x.example")
        cursor.execute("UPDATE accounts_user SET given_names = given_names")
        cursor.execute("DELETE FROM django_session")
        cursor.execute("RESET ROLE")
    assert verify_chain().ok and verify_chain().checked == 3


def test_the_migration_role_owns_the_table_and_its_triggers(roles):
    owner, _ = roles
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'audit_auditevent'"
        )
        assert cursor.fetchone()[0] == owner
    # The owner can, which is why the portal must not connect as the owner.
    _as(owner, "ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
