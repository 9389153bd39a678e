"""Reads run straight on asyncpg: the reader's cached statements, compiled once, sent by the driver.

Profiles of Q2 (one contact with every relation, nine statements) put about a third of its CPU in
SQLAlchemy's execution of statements that never change: per statement an execution context, the
parameters constructed and processed, a cursor adapter behind a greenlet switch, a ``CursorResult``
and its frozen copy. The reader builds its statements by id list once per shape and caller
(``SqlReader._cached``), so all of that can be worked out once: the SQL text, which positional
argument each bound name fills, the bind processors, the column names. A run is then one asyncpg
``fetch`` on the request's connection, inside the transaction SQLAlchemy began (which set the tenant
that row-level security checks), so nothing changes for PostgreSQL.

What stays as it was: statements other than the cached ones, SQLite, and statement listeners
(``before_cursor_execute`` / ``after_cursor_execute`` still see every statement, with the driver's
SQL text and arguments), and result processors: the first run in a process asks PostgreSQL for the
columns' types and applies the processors SQLAlchemy would (none of the gateway's columns needs one
on asyncpg today), so rows hold the values SQLAlchemy would have returned;
``tests/test_direct_reads.py`` compares the two.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.sql.engine import pooler_safe, session_began, unique_statement_name

Processor = Callable[[Any], Any] | None


@dataclass
class DirectRead:
    """One cached statement in the form asyncpg takes: built once, run many times."""

    sql: str
    keys: tuple[str, ...]
    result_types: tuple[Any, ...]
    constant_arguments: tuple[Any, ...]
    # (position, bound name, bind processor) of the names given at each run, e.g. the id list
    variable_arguments: tuple[tuple[int, str, Processor], ...]
    # SQLAlchemy's result processor of each column, known after the first run: None until then,
    # an empty tuple when no column needs one
    result_processors: tuple[Processor, ...] | None = None

    def arguments(self, parameters: Mapping[str, Any] | None) -> list[Any]:
        arguments = list(self.constant_arguments)
        given = parameters or {}
        for position, name, process in self.variable_arguments:
            value = given[name]
            arguments[position] = value if process is None else process(value)
        return arguments

    async def run(self, connection: AsyncConnection, parameters: Mapping[str, Any] | None) -> Rows:
        """The rows, fully fetched, on ``connection`` inside its transaction (begun here if need be)."""
        if not connection.in_transaction() and not session_began(connection):
            await connection.begin()  # the engine's "begin" listener sets the tenant (engine.py)
        arguments = self.arguments(parameters)
        sync = connection.sync_connection
        listened = sync is not None and (sync._has_events or sync.engine._has_events)
        if listened:
            sync.dispatch.before_cursor_execute(sync, None, self.sql, arguments, None, False)  # type: ignore[arg-type,union-attr]
        pooled = await connection.get_raw_connection()
        raw: Any = pooled.driver_connection
        try:
            if self.result_processors is None:
                name = unique_statement_name() if pooler_safe(connection) else None
                rows = await self._first_run(raw, connection.dialect, arguments, name)
            else:
                rows = await raw.fetch(self.sql, *arguments)
        except Exception as error:
            raise_as_sqlalchemy_would(connection, pooled.dbapi_connection, error, self.sql, arguments)
        if listened:
            sync.dispatch.after_cursor_execute(sync, None, self.sql, arguments, None, False)  # type: ignore[arg-type,union-attr]
        if self.result_processors:
            rows = _processed(self.result_processors, rows)
        return Rows(self.keys, rows)

    async def _first_run(self, raw: Any, dialect: Dialect, arguments: list[Any], name: str | None) -> Any:
        """Prepares the statement to learn the type code of each column, which SQLAlchemy's result
        processors take, then runs it. Later runs use asyncpg's statement cache and skip this.

        asyncpg names the statement from a counter of its own connection unless given ``name``; behind
        a transaction pooler another client's statement of the same name may already live on the
        server connection, so there the name is unique (``engine.unique_statement_name``)."""
        prepared = await raw.prepare(self.sql, name=name)
        codes = [attribute.type.oid for attribute in prepared.get_attributes()]
        processors = tuple(
            type_._cached_result_processor(dialect, code)
            for type_, code in zip(self.result_types, codes, strict=True)
        )
        rows = await prepared.fetch(*arguments)
        self.result_processors = processors if any(processors) else ()
        return rows


def raise_as_sqlalchemy_would(
    connection: AsyncConnection, adapted: Any, error: Exception, sql: str, arguments: list[Any]
) -> NoReturn:
    """The error SQLAlchemy raises for it: asyncpg's exception becomes the DBAPI error of SQLAlchemy's
    adapter, then a ``sqlalchemy.exc.DBAPIError``, and a dropped connection is invalidated rather
    than given back to the pool."""
    sync = connection.sync_connection
    assert sync is not None
    try:
        adapted._handle_exception(error)  # raises the translated error
    except Exception as dbapi_error:
        sync._handle_dbapi_exception(dbapi_error, sql, tuple(arguments), None, None)  # type: ignore[arg-type]
    raise error  # not reached: both calls above raise


def _processed(processors: Sequence[Processor], rows: Sequence[Any]) -> list[tuple[Any, ...]]:
    pairs = [(index, process) for index, process in enumerate(processors) if process is not None]
    converted = []
    for row in rows:
        values = list(row)
        for index, process in pairs:
            values[index] = process(values[index])
        converted.append(tuple(values))
    return converted


class Rows:
    """What the reader reads of a result (``keys()`` and ``all()``), over asyncpg's records."""

    __slots__ = ("_keys", "_rows")

    def __init__(self, keys: tuple[str, ...], rows: Sequence[Any]) -> None:
        self._keys = keys
        self._rows = rows

    def keys(self) -> tuple[str, ...]:
        return self._keys

    def all(self) -> Sequence[Any]:
        return self._rows


def direct_read(dialect: Dialect, statement: sa.Executable, variable: Sequence[str]) -> DirectRead | None:
    """``statement`` compiled for asyncpg, the names in ``variable`` left to each run; None when it
    cannot run straight on the driver (another driver, lists expanded at execution)."""
    if dialect.driver != "asyncpg" or not isinstance(statement, sa.Select | sa.CompoundSelect):
        return None
    compiled: Any = statement.compile(dialect=dialect)
    if compiled.literal_execute_params or compiled.post_compile_params or not compiled.positional:
        return None
    parameters = compiled.construct_params(dict.fromkeys(variable), escape_names=False)
    processors: Mapping[str, Processor] = compiled._bind_processors
    constant: list[Any] = []
    variables: list[tuple[int, str, Processor]] = []
    for position, name in enumerate(compiled.positiontup):
        process = processors.get(name)
        if name in variable:
            variables.append((position, name, process))
            constant.append(None)
        else:
            value = parameters[name]
            constant.append(value if process is None else process(value))
    columns = compiled._result_columns
    keys = tuple(column[0] for column in columns)
    types = tuple(column[3] for column in columns)
    return DirectRead(compiled.string, keys, types, tuple(constant), tuple(variables))
