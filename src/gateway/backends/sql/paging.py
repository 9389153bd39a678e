"""Keyset ordering: every order ends with the id, and a cursor holds the row's sort-key values.

Nullable sort columns are compared through ``COALESCE`` with a floor value, so rows without a
value sort first and keyset comparisons never meet NULL.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from gateway.backends.query import CursorKey, ListQuery, OrderKey, PageRequest, PerRun
from gateway.backends.sql.custom_fields import JsonScalar, cursor_value, custom_field_name
from gateway.backends.sql.custom_fields import sort_key as custom_sort_key
from gateway.backends.sql.types import UtcDateTime
from gateway.errors import InvalidCursor

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1  # sa.Integer is 32-bit on PostgreSQL
DATETIME_FLOOR = datetime(1, 1, 1, tzinfo=UTC)


def sort_expressions(table: sa.Table, order: tuple[OrderKey, ...]) -> list[tuple[Any, bool]]:
    """(expression, descending) for each order key, ending with the id as the tie-breaker."""
    keys = [(_sort_key(table, key.field), key.descending) for key in order]
    return [*keys, (table.c.id, order[-1].descending if order else False)]


def _sort_key(table: sa.Table, field: str) -> Any:
    name = custom_field_name(field)
    if name is not None and "custom_fields" in table.c:
        return custom_sort_key(table, name)
    return _sort_expression(table.c[field])


def _sort_expression(column: sa.Column[Any]) -> Any:
    if not column.nullable:
        return column
    floor: Any = DATETIME_FLOOR if isinstance(column.type, UtcDateTime) else _floor_for(column)
    return sa.func.coalesce(column, sa.literal(floor, column.type))


def _floor_for(column: sa.Column[Any]) -> Any:
    python_type = column.type.python_type
    if python_type is bool:
        return False
    if python_type is int:
        # The smallest value the column's own type holds: PostgreSQL binds the floor with that type.
        if isinstance(column.type, sa.SmallInteger):
            return -(2**15)
        if isinstance(column.type, sa.BigInteger):
            return -(2**63)
        return -(2**31)
    if python_type is float:
        return float("-inf")
    if python_type is uuid.UUID:
        return uuid.UUID(int=0)
    return ""


def row_columns(table: sa.Table, wanted: frozenset[str] | None) -> list[Any]:
    """The columns of ``table`` a read selects: those named in ``wanted`` (``ListQuery.columns``)
    and the id, or every column when ``wanted`` is None. Names that are no column are no concern
    here: a record field without a column keeps its default either way."""
    if wanted is None:
        return list(table.c)
    return [column for column in table.c if column.name in wanted or column.name == "id"]


def omitted_columns(table: sa.Table, wanted: frozenset[str] | None) -> frozenset[str]:
    """The column names ``row_columns`` leaves out: the fields a partial record lacks."""
    selected = {column.name for column in row_columns(table, wanted)}
    return frozenset(column.name for column in table.c if column.name not in selected)


def order_by(keys: list[tuple[Any, bool]], backwards: bool) -> list[Any]:
    return [expr.desc() if descending != backwards else expr.asc() for expr, descending in keys]


def windowed_pages(
    source: Any, parent_column: Any, conditions: list[Any], query: ListQuery
) -> tuple[sa.Select[Any], int]:
    """(statement, number of sort keys): each parent's rows of ``source`` numbered in the query's order,
    the first page size + 1 of each kept (the extra row tells whether a next page exists)."""
    table = query_table(source)
    keys = sort_expressions(table, query.order)
    keyset = keyset_predicate(keys, query.page)
    if keyset is not None:
        conditions = [*conditions, keyset]
    row_number = sa.func.row_number(type_=sa.Integer).over(
        partition_by=parent_column, order_by=order_by(keys, query.page.backwards)
    )
    numbered = (
        sa.select(
            *row_columns(table, query.columns),
            parent_column.label("_parent"),
            row_number.label("_rn"),
            *(expr.label(f"_k{i}") for i, (expr, _) in enumerate(keys)),
        )
        .select_from(source)
        .where(*conditions)
        .subquery()
    )
    statement = (
        sa.select(numbered)
        .where(numbered.c["_rn"] <= query.page.size + 1)
        .order_by(numbered.c["_parent"], numbered.c["_rn"])
    )
    return statement, len(keys)


def query_table(source: Any) -> sa.Table:
    """The child table of a source: the table itself or the left side of its join with a link table."""
    return source if isinstance(source, sa.Table) else source.left


def keyset_predicate(keys: list[tuple[Any, bool]], page: PageRequest) -> ColumnElement[bool] | None:
    """Rows strictly after ``page.after`` and strictly before ``page.before`` in this ordering."""
    conditions = []
    if page.after is not None:
        conditions.append(_beyond(keys, _coerce(keys, page.after), forward=True))
    if page.before is not None:
        conditions.append(_beyond(keys, _coerce(keys, page.before), forward=False))
    return sa.and_(*conditions) if conditions else None


def _beyond(keys: list[tuple[Any, bool]], values: list[Any], forward: bool) -> ColumnElement[bool]:
    # (a, b, id) > (va, vb, vid) expanded, because each key may sort in its own direction.
    alternatives = []
    for index, (expr, descending) in enumerate(keys):
        equal_prefix = [keys[i][0] == values[i] for i in range(index)]
        later = expr < values[index] if descending == forward else expr > values[index]
        alternatives.append(sa.and_(*equal_prefix, later))
    # The alternatives imply ``a >= va`` (``<=`` the other way), but a database does not see it in
    # an OR: stated on its own it bounds the index scan, which otherwise reads and discards every row
    # before the cursor (PostgreSQL: 5,000 of them for a page 5,000 rows in).
    first, descending = keys[0]
    bound = first <= values[0] if descending == forward else first >= values[0]
    return sa.and_(bound, sa.or_(*alternatives))


def _coerce(keys: list[tuple[Any, bool]], values: tuple[Any, ...]) -> list[Any]:
    if len(values) != len(keys):
        raise InvalidCursor("cursor does not match this ordering")
    if all(isinstance(value, PerRun) for value in values):  # bound per run (``per_run_values``)
        return [
            sa.bindparam(value.name, type_=expr.type) for (expr, _), value in zip(keys, values, strict=True)
        ]
    try:
        return [_coerce_value(expr.type, value) for (expr, _), value in zip(keys, values, strict=True)]
    except (TypeError, ValueError) as error:
        raise InvalidCursor("cursor does not match this ordering") from error


def _coerce_value(sql_type: Any, value: Any) -> Any:
    if isinstance(sql_type, JsonScalar):  # a custom field's value: any JSON scalar
        if isinstance(value, str) and "\x00" in value:
            raise TypeError("not a storable string")
        return cursor_value(value)
    return coerce_cursor_value(sql_type.python_type, value)


def per_run_values(values: Mapping[str, Any], types: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` with each ``CursorKey`` coerced to the type of its bind parameter (``types``), as
    ``keyset_predicate`` coerces a cursor's keys it is given: ``InvalidCursor`` when one cannot be."""
    coerced = dict(values)
    for name, value in values.items():
        if isinstance(value, CursorKey):
            try:
                coerced[name] = _coerce_value(types[name], value.value)
            except (TypeError, ValueError) as error:
                raise InvalidCursor("cursor does not match this ordering") from error
    return coerced


def coerce_cursor_value(python_type: Any, value: Any) -> Any:
    """A cursor's sort-key value as ``python_type``; TypeError/ValueError when it cannot be one.

    Shared with the REST backends, whose cursors hold the same values."""
    if python_type in (datetime, uuid.UUID) and not isinstance(value, str):
        raise TypeError("not a string")
    if python_type is datetime:
        return _in_utc_range(datetime.fromisoformat(value))
    if python_type is uuid.UUID:
        return uuid.UUID(value)
    if python_type is bool:
        if not isinstance(value, bool):
            raise TypeError("not a boolean")
        return value
    if python_type is int:
        if not isinstance(value, int) or isinstance(value, bool) or not INT32_MIN <= value <= INT32_MAX:
            raise TypeError("not a 32-bit integer")
        return value
    if not isinstance(value, str) or "\x00" in value:
        raise TypeError("not a storable string")
    return value


def _in_utc_range(value: datetime) -> datetime:
    """``value`` when it has a UTC time (the bind parameter converts it, ``types.UtcDateTime``): a key
    such as ``0001-01-01T00:00:00+01:00`` parses but overflows there, while the statement runs, where a
    planned list's per-request key would fail the plan every page shares instead of this cursor."""
    try:
        (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError as error:
        raise ValueError("a date-time outside the UTC range") from error
    return value


def plain_key(value: Any) -> Any:
    """A sort-key value in a JSON-friendly form, for a cursor."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value
