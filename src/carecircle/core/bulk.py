"""Bulk-write helpers: primary keys reserved ahead of the writes (so children can refer to rows
not yet written), and fresh planner statistics after them."""

from __future__ import annotations

from django.db import connection, models


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` consecutive primary keys for new rows of ``model``; call inside the writing
    transaction.

    PostgreSQL: writers wait on the table lock for the load (readers do not), then one ``setval``
    reserves the whole block. SQLite: the transaction holds the write lock, so the ids after the
    highest ever given (AUTOINCREMENT keeps it in ``sqlite_sequence``) are ours.
    """
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                [table, table, count],
            )
            last = cursor.fetchone()[0]
            return list(range(last - count + 1, last + 1))
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        start = cursor.fetchone()[0]
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(start, row[0] if row else 0)
    return list(range(start + 1, start + 1 + count))


def refresh_statistics(*models_: type[models.Model]) -> None:
    """After a bulk write on PostgreSQL, ANALYZE the tables (all when none is named): the
    planner's row estimates are otherwise those of the table before the write, and the
    indicator queries that follow can pick plans hundreds of times slower. SQLite's planner
    needs no statistics here."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models_)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")  # noqa: S608 - quoted table names of our models
