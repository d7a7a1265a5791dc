"""Model instances from a hand-written SELECT, as ``Model.objects.raw()`` makes them, for less CPU.

``raw()`` works out again, for every query, which column feeds which field and how each value is
converted (the ORM's converters: text to datetime and aware on SQLite, JSON decoded, ...), and
builds a RawQuerySet and a RawQuery around the cursor: about 0.1 ms of CPU a query on the
benchmark VM, more than the SQL itself, on reads that run on every signed-in page. ``instances``
does the same work once per model, column list and connection, then converts and builds each
row exactly as ``raw()`` does: ``Model.from_db`` with the model's fields in their order, other
columns set as plain attributes, unconverted.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, router
from django.db.models import Model


@dataclass(frozen=True)
class _Plan:
    init_names: tuple[str, ...]  # the model's fields the row holds, in the model's order
    init_positions: tuple[int, ...]  # where each of those is in the row
    annotations: tuple[tuple[str, int], ...]  # other columns: (name, position)
    converters: tuple[tuple[int, tuple, object], ...]  # (position, converters, column)


# Per connection (each thread has its own, and the backend's converters are bound to it).
_plans: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _plan(model: type[Model], columns: tuple[str, ...], connection) -> _Plan:
    by_connection = _plans.setdefault(connection, {})
    key = (model, columns)
    plan = by_connection.get(key)
    if plan is not None:
        return plan
    # As RawQuerySet.model_fields, resolve_model_init_order and SQLCompiler.get_converters.
    identifier = connection.introspection.identifier_converter
    fields = {identifier(field.column): field for field in model._meta.fields}
    init_fields = [field for field in model._meta.fields if identifier(field.column) in columns]
    names = tuple(field.attname for field in init_fields)
    if model._meta.pk.attname not in names:
        raise FieldDoesNotExist("Raw query must include the primary key")
    converters = []
    for position, column in enumerate(columns):
        field = fields.get(column)
        if field is None:
            continue
        col = field.get_col(field.model._meta.db_table)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            converters.append((position, tuple(found), col))
    plan = _Plan(
        init_names=names,
        init_positions=tuple(columns.index(identifier(field.column)) for field in init_fields),
        annotations=tuple(
            (column, position) for position, column in enumerate(columns) if column not in fields
        ),
        converters=tuple(converters),
    )
    by_connection[key] = plan
    return plan


def instances(
    model: type[Model],
    sql: str,
    params: Sequence,
    *,
    using: str | None = None,
    columns: Sequence[str] | None = None,
) -> list[Model]:
    """What ``list(model.objects.db_manager(using).raw(sql, params))`` gives.

    ``columns``, when the caller wrote its SELECT's columns out, names them in order (as the
    cursor would describe them), so that the cursor's description is not read: psycopg builds
    it anew for every statement (an object per column, its type looked up), about 0.05 ms for
    the 14 columns of a lesson page's progress read, more than converting the rows."""
    using = using or router.db_for_read(model)
    connection = connections[using]
    # As RawQuery: the parameters adapted to the database as far as their types tell.
    params = tuple(map(connection.ops.adapt_unknown_value, params))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        identifier = connection.introspection.identifier_converter
        if columns is None:
            columns = [column[0] for column in cursor.description]
        columns = tuple(map(identifier, columns))
        rows = cursor.fetchall()
    plan = _plan(model, columns, connection)
    found = []
    for row in rows:
        if plan.converters:
            row = list(row)
            for position, converters, col in plan.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, col, connection)
                row[position] = value
        instance = model.from_db(using, plan.init_names, [row[i] for i in plan.init_positions])
        for column, position in plan.annotations:
            setattr(instance, column, row[position])
        found.append(instance)
    return found
