"""Plain multi-row INSERTs for the importer's biggest tables.

`bulk_create` builds a model instance for every row and prepares each of its fields through
the ORM; for the 150,000 questions and options of a 2,116-lesson catalog that was most of the
import's writing time, several times what the database itself spent. The rows here are tuples
of values already in database form (text, integers, booleans, one prepared timestamp), so they
go to the driver as they are, in the import's transaction: on SQLite as VALUES lists within its
parameter limit; on PostgreSQL through COPY. (Django's psycopg cursor binds parameters on the
client, quoting every value into the SQL text in Python: for the arrays of an
`INSERT ... SELECT FROM UNNEST`, what `bulk_create` sends there, that cost the importing
process about 2 s of a cold import, more than the server spent inserting. psycopg formats COPY
rows in C.)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, models

# Rows per statement at most: SQLite also stays within the 999 parameters Django assumes.
SQLITE_BATCH = 500
# Rows per `set_column` UPDATE: three parameters each, within SQLite's 999.
SET_COLUMN_BATCH = 300


def compress_quickly() -> None:
    """Has PostgreSQL compress the large values written in the rest of this transaction (the
    tutor's JSON indexes, sections' HTML and text) with lz4 rather than its default pglz.

    Values over about 2 kB are compressed as they are stored (TOAST); for a 2,116-lesson
    catalog pglz spent about 1.4 s more of the server's CPU than lz4 on the tutor's 44 MB of
    JSON alone, and lz4 also reads back faster. Each value records its method, so rows written
    before or by other code read as they always did. No-op on SQLite and on a server built
    without lz4.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute("SET LOCAL default_toast_compression = lz4")


def db_value(model: type[models.Model], field: str, value: Any) -> Any:
    """``value`` as the database stores it in ``model.field`` (a timestamp, for one)."""
    return model._meta.get_field(field).get_db_prep_save(value, connection)


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning_pks: bool = False,
) -> list[int]:
    """INSERTs ``rows`` (values for ``fields``, in that order) into ``model``'s table.

    Every column without a database default must be among ``fields``; a JSON column takes
    JSON text. With ``returning_pks`` it returns the new primary keys in the order of ``rows``
    (increasing, as `bulk_create` gives them); otherwise an empty list.
    """
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _copy_rows(model, fields, rows, returning_pks)
    meta = model._meta
    quote = connection.ops.quote_name
    model_fields = [meta.get_field(name) for name in fields]
    head = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in model_fields)})"
    )
    returning = f" RETURNING {quote(meta.pk.column)}" if returning_pks else ""
    size = min(SQLITE_BATCH, connection.ops.bulk_batch_size(model_fields, rows) or SQLITE_BATCH)
    placeholder = "(" + ", ".join(["?"] * len(model_fields)) + ")"
    pks: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), max(1, size)):
            batch = rows[start : start + size]
            sql = f"{head} VALUES {', '.join([placeholder] * len(batch))}{returning}"
            _sqlite_execute(cursor, sql, [value for row in batch for value in row])
            if returning_pks:
                pks += [row[0] for row in cursor.fetchall()]
    return pks


def _sqlite_execute(cursor, sql: str, params: list[Any]) -> None:
    """Runs ``sql``, written with sqlite3's own "?" placeholders, on the driver's cursor.

    Django's SQLite cursor rewrites every "%s" of a statement into "?" with a regular
    expression; over the multi-row INSERTs of a big import (thousands of placeholders each)
    that cost about 0.5 s of the importing process's CPU, a tenth of it.
    """
    sqlite3.Cursor.execute(cursor.cursor, sql, params)


def _copy_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    returning_pks: bool,
) -> list[int]:
    """PostgreSQL: COPY, whose rows psycopg formats in C; new primary keys are drawn from the
    table's sequence first (COPY returns none), in one statement, in increasing order."""
    meta = model._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = [quote(meta.get_field(name).column) for name in fields]
    with connection.cursor() as cursor:
        pks: list[int] = []
        if returning_pks:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            pks = sorted(row[0] for row in cursor.fetchall())
            columns.insert(0, quote(meta.pk.column))
        # The driver's own cursor: Django's wrapper has no `copy`.
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            if returning_pks:
                for pk, row in zip(pks, rows, strict=True):
                    copy.write_row((pk, *row))
            else:
                for row in rows:
                    copy.write_row(row)
    return pks


def set_column(model: type[models.Model], field: str, values: Mapping[int, Any]) -> None:
    """Sets ``model.field`` to ``values[pk]`` on each row, in a few UPDATE statements.

    `bulk_update` does this with a `Case(When(...))` expression per row, compiled through the
    ORM: for the 2,116 catalog positions of a first import, more CPU than the database spent.
    Values must be in database form already (integers, text).
    """
    meta = model._meta
    quote = connection.ops.quote_name
    column = quote(meta.get_field(field).column)
    pk = quote(meta.pk.column)
    items = list(values.items())
    with connection.cursor() as cursor:
        for start in range(0, len(items), SET_COLUMN_BATCH):
            batch = items[start : start + SET_COLUMN_BATCH]
            cases = " ".join(["WHEN %s THEN %s"] * len(batch))
            ids = ", ".join(["%s"] * len(batch))
            sql = f"UPDATE {quote(meta.db_table)} SET {column} = CASE {pk} {cases} END"  # noqa: S608 (our names)
            cursor.execute(
                f"{sql} WHERE {pk} IN ({ids})",
                [value for pair in batch for value in pair] + [key for key, _ in batch],
            )
