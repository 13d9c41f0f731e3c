"""Database triggers that make ``audit_auditevent`` append-only below the ORM.

PostgreSQL: a row trigger rejects UPDATE and DELETE (so also ``INSERT ... ON CONFLICT DO
UPDATE``) and a statement trigger rejects TRUNCATE; both are enabled ALWAYS, so a session in
``session_replication_role = replica`` does not bypass them.
SQLite: ``RAISE(ABORT)`` triggers reject UPDATE and DELETE (SQLite has no TRUNCATE), and an
INSERT whose ``id`` or ``seq`` is already taken. The last one is what stops ``INSERT OR
REPLACE``/``REPLACE INTO``: SQLite resolves that conflict by deleting the old row *without*
firing DELETE triggers (unless ``PRAGMA recursive_triggers`` is on), but BEFORE INSERT
triggers run before the conflict is resolved.

Installed by migration ``audit.0002_append_only_triggers`` and again after every ``migrate``
(a ``post_migrate`` receiver, see ``loaportal.audit.apps``), because SQLite drops a table's
triggers whenever a migration rebuilds the table. ``triggers_remove`` is the reverse. Nothing
else in the application calls these at run time. The test suite lifts them for the moment a
transactional test empties the database (Django's flush), see ``tests/audit_triggers.py``.
In production on PostgreSQL, the application's database role must not own the table (it
could then disable the triggers): see ``scripts/postgresql-roles.sql`` and the README.
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
    CREATE OR REPLACE TRIGGER audit_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only()
    """,
    f"""
    CREATE OR REPLACE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_append_only()
    """,
    # ALWAYS: they fire even in a session with session_replication_role = replica.
    f"ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER audit_auditevent_no_update_delete",
    f"ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER audit_auditevent_no_truncate",
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
    """
    CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_replace BEFORE INSERT ON audit_auditevent
    WHEN EXISTS (
        SELECT 1 FROM audit_auditevent
        WHERE id = NEW.id OR (NEW.seq IS NOT NULL AND seq = NEW.seq)
    )
    BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only: overwriting an entry refused');
    END
    """,
]
# Before the columns the hash chain added (migration 0005), the table has no ``seq``.
SQLITE_INSTALL_BEFORE_CHAIN = SQLITE_INSTALL[:2]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_replace",
]

EXPECTED = {
    "postgresql": {"audit_auditevent_no_update_delete", "audit_auditevent_no_truncate"},
    "sqlite": {
        "audit_auditevent_no_update",
        "audit_auditevent_no_delete",
        "audit_auditevent_no_replace",
    },
}


def _statements(vendor: str, *, install: bool) -> list[str]:
    if vendor == "postgresql":
        return POSTGRESQL_INSTALL if install else POSTGRESQL_REMOVE
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_REMOVE
    raise ImproperlyConfigured(
        f"LOA Portal runs on PostgreSQL or SQLite; it has no append-only triggers for {vendor}"
    )


def installed_triggers(connection) -> set[str]:
    """The names of the append-only triggers present (on PostgreSQL: enabled ALWAYS, so that
    ``session_replication_role = replica`` does not silence them)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s) "
                "AND tgname LIKE %s AND NOT tgisinternal AND tgenabled = 'A'",
                [TABLE, "audit_auditevent_no_%"],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
                "AND name LIKE %s",
                [TABLE, "audit_auditevent_no_%"],
            )
        return {row[0] for row in cursor.fetchall()}


def triggers_installed(connection) -> bool:
    """Whether every append-only trigger is present."""
    _statements(connection.vendor, install=True)  # refuses an unsupported database
    return EXPECTED[connection.vendor] <= installed_triggers(connection)


def _has_chain_columns(connection) -> bool:
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, TABLE)
    return any(column.name == "seq" for column in columns)


def triggers_install(connection) -> None:
    """Install the missing append-only triggers (idempotent)."""
    statements = _statements(connection.vendor, install=True)
    if connection.vendor == "sqlite" and not _has_chain_columns(connection):
        statements = SQLITE_INSTALL_BEFORE_CHAIN
    if connection.vendor == "postgresql" and triggers_installed(connection):
        return
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def triggers_remove(connection) -> None:
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor, install=False):
            cursor.execute(statement)
