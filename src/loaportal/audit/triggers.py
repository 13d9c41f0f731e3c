"""Database triggers that make ``audit_auditevent`` append-only below the ORM.

PostgreSQL: a row trigger rejects UPDATE and DELETE and a statement trigger rejects TRUNCATE.
SQLite: two ``RAISE(ABORT)`` triggers reject UPDATE and DELETE (SQLite has no TRUNCATE).

Installed by migration ``audit.0002_append_only_triggers``; ``triggers_remove`` is its
reverse. Nothing in the application calls these at run time. The test suite lifts them for
the moment a transactional test empties the database (Django's flush), see
``tests/audit_triggers.py``. In production, also give the application's database role no
privilege to drop triggers on this table (run migrations with a separate owner role).
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

TABLE = "audit_auditevent"
MESSAGE = "audit_auditevent is append-only"

POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    f"""
    CREATE TRIGGER audit_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only()
    """,
    f"""
    CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_append_only()
    """,
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_auditevent_no_update_delete ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_auditevent_append_only()",
]

SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
]


def _statements(vendor: str, *, install: bool) -> list[str]:
    if vendor == "postgresql":
        return POSTGRESQL_INSTALL if install else POSTGRESQL_REMOVE
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    raise ImproperlyConfigured(
        f"LOA Portal runs on PostgreSQL or SQLite; it has no append-only triggers for {vendor}"
    )


def triggers_installed(connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname LIKE %s AND NOT tgisinternal",
                ["audit_auditevent_no_%"],
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                ["audit_auditevent_no_%"],
            )
        return cursor.fetchone()[0] > 0


def triggers_install(connection) -> None:
    if connection.vendor == "postgresql" and triggers_installed(connection):
        return
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, install=True):
            cursor.execute(statement)


def triggers_remove(connection) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, install=False):
            cursor.execute(statement)
