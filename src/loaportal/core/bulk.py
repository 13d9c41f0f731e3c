"""Inserting many new rows at once, fast, with their primary keys.

Django's ``bulk_create`` on PostgreSQL spends most of its time in Python, quoting every value
into the SQL text (the portal's connections bind parameters on the client): about 120 µs a
row for a history or audit entry, more than the database takes to store it. ``rows_insert``
asks the table's identity sequence for the primary keys in one query and sends the rows with
one ``COPY … FROM STDIN`` (psycopg writes the rows in C). Elsewhere (SQLite), and for a few
rows, it is ``bulk_create``. Like ``bulk_create``: no ``save()``, no signals; constraints,
foreign keys (checked at commit: Django's are deferred) and the table's triggers apply as to
any insert.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar, cast

from django.db import connections, models
from django.db.models.expressions import DatabaseDefault

M = TypeVar("M", bound=models.Model)

# Rows per INSERT statement where COPY is not used (under SQLite's 32,766 parameters).
INSERT_BATCH = 500
# Fewer rows go in one INSERT: COPY needs a second round trip for the keys.
COPY_MIN_ROWS = 50


def rows_insert(objs: Sequence[M], *, using: str = "default") -> list[M]:
    """Insert the new instances ``objs`` (all of one model, none saved yet) in their order
    and give each its primary key. Runs in the caller's transaction, or its own statement
    if there is none. Returns ``objs``."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    connection = connections[using]
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    if (
        connection.vendor != "postgresql"
        or len(objs) < COPY_MIN_ROWS
        or opts.pk is None
        or any(not isinstance(obj, model) or obj.pk is not None for obj in objs)
    ):
        # The base QuerySet's bulk_create: a model may refuse bulk_create on its own queryset
        # (the audit trail) and call this instead, having done what its save() does.
        queryset = cast("models.QuerySet[M]", models.QuerySet(model=model, using=using))
        return queryset.bulk_create(objs, batch_size=INSERT_BATCH)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in [opts.pk, *fields])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [quote(opts.db_table), opts.pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        with cursor.copy(f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN") as copy:
            for obj, pk in zip(objs, ids, strict=True):
                values = [pk]
                for field in fields:
                    value = field.pre_save(obj, True)
                    if isinstance(value, DatabaseDefault):
                        raise ValueError(f"{opts.label}.{field.name}: no database defaults here")
                    values.append(field.get_db_prep_save(value, connection))
                copy.write_row(values)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using
    return objs
