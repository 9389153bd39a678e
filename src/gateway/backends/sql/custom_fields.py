"""Custom field values in SQL: conditions and sort keys on one field of the ``custom_fields`` JSON column.

A field is named ``customFields.<fieldName>`` in filters and orderings. Values are stored typed as their
definition (JSON number, boolean or text; dates and date-times as ISO 8601 text in UTC, which sorts as
time does), so a condition reads the field as the kind of the value it compares with, and a value of
another kind (a definition deleted and made again with another type) is no value: it matches nothing,
rather than failing a cast.

PostgreSQL (jsonb): ``custom_fields -> 'name'`` read with ``jsonb_typeof`` guards; equality is
``custom_fields @> '{"name": value}'``, which the GIN index (jsonb_path_ops) answers. SQLite (JSON text):
``json_extract`` with ``json_type`` guards, the field's name inlined (a literal rendered at execution, so
the statement cache stays per shape): each definition has an expression index on (tenant, its typed
read, date_created, id) (``sqlite_index``), which answers equality and ranges on the field. Sort keys
compare the raw JSON values, which both databases order by kind and then by value (PostgreSQL's jsonb
order; SQLite's numbers before text).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from gateway.backends.custom_values import stored_instant

PREFIX = "customFields."
_SQLITE_FLOOR = -1e308  # below every number and, as a number, below every text in SQLite's order


def custom_field_name(field: str) -> str | None:
    """``customFields.shoeSize`` -> ``shoeSize``; None for a field of the table itself."""
    return field[len(PREFIX) :] if field.startswith(PREFIX) else None


class JsonScalar(sa.types.TypeDecorator[Any]):
    """A JSON scalar read out of the values: jsonb on PostgreSQL (bound values sent as JSON, so a
    cursor's value compares as jsonb), the plain value on SQLite (json_extract returns one)."""

    impl = sa.types.NullType
    cache_ok = True

    def load_dialect_impl(self, dialect: Any) -> Any:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.JSONB())
        return dialect.type_descriptor(sa.types.NullType())


class _Read(FunctionElement[Any]):
    """custom_fields[name] read as one kind; ``kinds`` are (jsonb_typeof, json_type names, SQL cast)."""

    inherit_cache = True
    jsonb_type = ""
    sqlite_types: tuple[str, ...] = ()
    sql_cast = ""


class _Text(_Read):
    type = sa.String()
    inherit_cache = True
    jsonb_type, sqlite_types, sql_cast = "string", ("text",), ""


class _Number(_Read):
    type = sa.Numeric()
    inherit_cache = True
    jsonb_type, sqlite_types, sql_cast = "number", ("integer", "real"), "numeric"


class _Boolean(_Read):
    type = sa.Boolean()
    inherit_cache = True
    jsonb_type, sqlite_types, sql_cast = "boolean", ("true", "false"), "boolean"


class _Raw(FunctionElement[Any]):
    """custom_fields[name] as stored: NULL when the row has no value."""

    type = JsonScalar()
    inherit_cache = True


class _SortKey(FunctionElement[Any]):
    """custom_fields[name] with a floor below every value for rows without one (keysets never meet NULL)."""

    type = JsonScalar()
    inherit_cache = True


class _Contains(FunctionElement[Any]):
    """custom_fields contains {name: value} (PostgreSQL's ``@>``); elsewhere an equality. Untyped: typed
    Boolean, SQLite would get ``(read = value) = 1``, which its planner cannot match to the field's index."""

    type = sa.types.NullType()
    inherit_cache = True


class _CursorValue(FunctionElement[Any]):
    """A cursor's sort-key value of a custom field, to compare with ``_SortKey``: jsonb on PostgreSQL (the
    floor is JSON null, which SQL comparisons would otherwise take for NULL), the value itself on SQLite."""

    type = JsonScalar()
    inherit_cache = True


@compiles(_CursorValue, "postgresql")
def _cursor_pg(element: _CursorValue, compiler: Any, **kw: Any) -> str:
    (document,) = _args(element, compiler, 0, **kw)
    return f"CAST({document} AS JSONB)"


@compiles(_CursorValue)
def _cursor_sqlite(element: _CursorValue, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element, compiler, 1, **kw)
    return value


def cursor_value(value: Any) -> Any:
    return _CursorValue(sa.literal(json.dumps(value), sa.String()), sa.literal(value))


def _args(element: Any, compiler: Any, *indexes: int, **kw: Any) -> list[str]:
    """The element's arguments as SQL; only those at ``indexes`` when given (the others stay unbound)."""
    clauses = element.clauses.clauses
    return [compiler.process(clauses[i], **kw) for i in (indexes or range(len(clauses)))]


def _sqlite_path(element: Any, compiler: Any, **kw: Any) -> str:
    """The JSON path of the element's field: its name as a literal (rendered when the statement runs,
    so cached SQL is shared by every name), for SQLite to match the expression of the field's index."""
    name = compiler.process(element.clauses.clauses[1], **{**kw, "literal_execute": True})
    return f"'$.' || json_quote({name})"


@compiles(_Read, "postgresql")
def _read_pg(element: _Read, compiler: Any, **kw: Any) -> str:
    column, name = _args(element, compiler, **kw)
    value = f"({column} ->> {name})" + (f"::{element.sql_cast}" if element.sql_cast else "")
    return f"CASE WHEN jsonb_typeof({column} -> {name}) = '{element.jsonb_type}' THEN {value} END"


@compiles(_Read)
def _read_sqlite(element: _Read, compiler: Any, **kw: Any) -> str:
    (column,) = _args(element, compiler, 0, **kw)
    path = _sqlite_path(element, compiler, **kw)
    kinds = ", ".join(f"'{kind}'" for kind in element.sqlite_types)
    return f"CASE WHEN json_type({column}, {path}) IN ({kinds}) THEN json_extract({column}, {path}) END"


@compiles(_Raw, "postgresql")
def _raw_pg(element: _Raw, compiler: Any, **kw: Any) -> str:
    column, name = _args(element, compiler, **kw)
    return f"({column} -> {name})"


@compiles(_Raw)
def _raw_sqlite(element: _Raw, compiler: Any, **kw: Any) -> str:
    (column,) = _args(element, compiler, 0, **kw)
    return f"json_extract({column}, {_sqlite_path(element, compiler, **kw)})"


@compiles(_SortKey, "postgresql")
def _sort_pg(element: _SortKey, compiler: Any, **kw: Any) -> str:
    column, name = _args(element, compiler, **kw)
    return f"coalesce({column} -> {name}, 'null'::jsonb)"  # jsonb sorts null below every other value


@compiles(_SortKey)
def _sort_sqlite(element: _SortKey, compiler: Any, **kw: Any) -> str:
    (column,) = _args(element, compiler, 0, **kw)
    return f"coalesce(json_extract({column}, {_sqlite_path(element, compiler, **kw)}), {_SQLITE_FLOOR!r})"


@compiles(_Contains, "postgresql")
def _contains_pg(element: _Contains, compiler: Any, **kw: Any) -> str:
    column, document = _args(element, compiler, 0, 3, **kw)
    return f"({column} @> {document})"


@compiles(_Contains)
def _contains_sqlite(element: _Contains, compiler: Any, **kw: Any) -> str:
    read, value = _args(element, compiler, 1, 2, **kw)
    return f"({read} = {value})"


def _name(name: str) -> Any:
    return sa.literal(name, sa.String())


def plain_value(value: Any) -> Any:
    """A filter value as stored: date-times as ISO 8601 text in UTC, dates as ISO dates, numbers as
    they are; a tuple (``in``, ``between``) value by value."""
    if isinstance(value, tuple):
        return tuple(plain_value(item) for item in value)
    if isinstance(value, datetime):
        return stored_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def value_expression(table: sa.Table, name: str, sample: Any) -> Any:
    """The field read as the kind of ``sample`` (a filter value); the raw value for a presence test."""
    column = table.c.custom_fields
    if isinstance(sample, tuple):
        sample = sample[0] if sample else ""
    if isinstance(sample, bool):
        return _Boolean(column, _name(name))
    if isinstance(sample, int | float):
        return _Number(column, _name(name))
    return _Text(column, _name(name))


# The read each definition type's filters use (``value_expression`` picks by the filter value's kind: the
# values of string, enum, date and datetime fields are text).
_READ_OF_TYPE: dict[str, type[_Read]] = {"number": _Number, "boolean": _Boolean}
_INDEXABLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


def sqlite_index(table: str, name: str, field_type: str) -> str | None:
    """SQLite's ``CREATE INDEX`` for one custom field's values: (tenant, the typed read its filters
    compile to, then the lists' default order), so SQLite's planner matches a filter's expression to it
    and, for equality, needs no sort either (else it prefers the order's own index and reads every row of
    the tenant); None for a name the graph would not accept (nothing to index, never inlined in DDL)."""
    if not _INDEXABLE_NAME.fullmatch(name):
        return None
    read = _READ_OF_TYPE.get(field_type, _Text)(sa.column("custom_fields"), _name(name))
    expression = read.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
    digest = hashlib.sha256(f"{name}:{read.jsonb_type}".encode()).hexdigest()[:16]
    columns = f"tenant, {expression}, date_created, id"
    return f"CREATE INDEX IF NOT EXISTS ix_{table}_cf_{digest} ON {table} ({columns})"


def presence_expression(table: sa.Table, name: str) -> Any:
    return _Raw(table.c.custom_fields, _name(name))


def equals(table: sa.Table, name: str, value: Any) -> Any:
    """``customFields.name = value``: on PostgreSQL a containment the GIN index answers."""
    read = value_expression(table, name, value)
    document = sa.literal({name: value}, postgresql.JSONB())
    return _Contains(table.c.custom_fields, read, sa.literal(value), document)


def sort_key(table: sa.Table, name: str) -> Any:
    return _SortKey(table.c.custom_fields, _name(name))
