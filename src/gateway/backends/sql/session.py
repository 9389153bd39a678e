"""One database connection shared by the reads of a request, instead of one connection per statement.

A connection per statement costs, besides the statement itself, a pool checkout with its liveness
ping, ``BEGIN``, the tenant's ``set_config`` (PostgreSQL) and a ``ROLLBACK``: four round trips and the
event-loop work around them, for each of the ~7 statements of a list page. A request's reads now share
one connection: opened at the first statement, closed when the request ends.

The loaders of a request may run statements at the same time, and one connection runs one statement at
a time, so statements wait for each other on a lock; the time is spent in the gateway's CPU anyway.
A statement that fails rolls the transaction back, so the next one does not inherit an aborted
transaction. Once the request has ended, a straggler (a loader task of a timed-out request) gets a
connection of its own, as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.backends.sql.engine import SESSION_BEGINS_OPTION, session_began, session_begin
from gateway.internals import raise_as_sqlalchemy_would


@dataclass(frozen=True, slots=True)
class DriverStatement:
    """A statement compiled once into the driver's SQL text and arguments (``driver_statement``) and
    run with ``exec_driver_sql``; its values are bound already, but for its *slots*: the bind
    parameters given per run (a lookup's id), put in their places of the arguments at each run.

    A planned statement (``gateway.planner``) is built once per operation and caller and kept, but
    ``execute`` worked it out again at every run: its cache key (a walk of the whole statement), the
    parameters, and the SQL text anew for the values rendered as literals (page sizes), about a
    quarter of a millisecond of CPU for Q1's. ``exec_driver_sql`` sends the same text and arguments
    through the same connection, cursor and statement events (counters, tracing), minus that work.
    Its rows hold the driver's values: no result processing, which the planned statement's one text
    column does not need.
    """

    sql: str
    arguments: tuple[Any, ...] | Mapping[str, Any]
    # (parameter name, its index or key in ``arguments``, the bind processor of its type or None)
    slots: tuple[tuple[str, Any, Any], ...] = ()
    # The SQL type of each slot's parameter (a cursor's keys are coerced to it: ``paging.per_run_values``)
    slot_types: Mapping[str, Any] = field(default_factory=dict)

    def bound(self, values: Mapping[str, Any] | None) -> tuple[Any, ...] | Mapping[str, Any]:
        """The driver's arguments with ``values`` in the slots (each through its bind processor)."""
        if not self.slots:
            return self.arguments
        if values is None:
            raise ValueError("a statement with per-run parameters run without their values")
        arguments: Any = dict(self.arguments) if isinstance(self.arguments, Mapping) else list(self.arguments)
        for name, place, process in self.slots:
            value = values[name]
            arguments[place] = value if process is None else process(value)
        return arguments if isinstance(arguments, dict) else tuple(arguments)


def driver_statement(
    statement: sa.ClauseElement, dialect: Dialect, per_run: Collection[str] = ()
) -> DriverStatement:
    """``statement`` as ``execute`` would send it on ``dialect``: the text and values of SQLAlchemy's
    expanded state (literal-rendered values in the text, lists expanded), each value through the bind
    processor of its parameter's type, as ``execute`` applies them. The bind parameters named in
    ``per_run`` become slots, filled at each run (``DriverStatement.bound``); they must be plain values
    (not lists to expand). Public API only (``construct_expanded_state``, ``SQLCompiler.binds``,
    ``TypeEngine.dialect_impl``)."""
    compiled: Any = statement.compile(dialect=dialect)
    placeholders = dict.fromkeys(per_run)  # a value is required of each; the slots replace it
    state = compiled.construct_expanded_state(placeholders or None, escape_names=False)  # execution's names
    values = state.parameters

    def processor(name: str) -> Any:
        process = state.processors.get(name)  # those of the expanded lists' elements
        if process is None and (parameter := compiled.binds.get(name)) is not None:
            process = parameter.type.dialect_impl(dialect).bind_processor(dialect)
        return process

    def bound(name: str) -> Any:
        process = processor(name)
        return values[name] if process is None else process(values[name])

    if state.positiontup is None:  # a dialect with named parameters
        arguments: Any = {name: bound(name) for name in values}
        places: list[tuple[str, Any]] = [(name, name) for name in per_run if name in values]
    else:
        arguments = tuple(None if name in placeholders else bound(name) for name in state.positiontup)
        places = [(name, i) for i, name in enumerate(state.positiontup) if name in placeholders]
    if {name for name, _ in places} != set(placeholders):
        raise ValueError(f"per-run parameters the statement does not send as such: {sorted(placeholders)}")
    slots = tuple((name, place, processor(name)) for name, place in places)
    types = {name: compiled.binds[name].type for name in placeholders}
    return DriverStatement(state.statement, arguments, slots, types)


async def run_on(
    connection: AsyncConnection, statement: sa.Executable | DriverStatement, parameters: dict[str, Any] | None
) -> Any:
    """The statement's result on ``connection``, fully fetched (a ``DriverStatement``'s rows)."""
    if isinstance(statement, DriverStatement):
        return (await connection.exec_driver_sql(statement.sql, statement.bound(parameters))).all()
    result = await connection.execute(statement, parameters)
    return result.freeze()()


class SharedConnection:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._lock = asyncio.Lock()
        self._connection: AsyncConnection | None = None
        self._closed = False
        self.users = 0  # sessions using it; the reader closes it when the last one ends

    async def execute(
        self, statement: sa.Executable | DriverStatement, parameters: dict[str, Any] | None = None
    ) -> Any:
        """The statement's result, fully fetched."""
        async with self._lock:
            if self._closed:
                return await run_alone(self.engine, statement, parameters)
            if self._connection is None:
                self._connection = await self._open()
            try:
                return await run_on(self._connection, statement, parameters)
            except BaseException:
                await self._discard()
                raise

    async def close(self) -> None:
        async with self._lock:
            self._closed = True
            await self._discard()

    async def _open(self) -> AsyncConnection:
        """A connection from the pool, in a transaction that has the tenant set (PostgreSQL).

        The transaction is the session's own (``engine.session_begin``): ``BEGIN`` and the settings
        go in one simple query, and SQLAlchemy, in autocommit mode on this connection, starts and
        ends none of its own. It was two round trips of a contact's six in full (Q2).
        """
        connection = await self.engine.connect()
        begin = session_begin(self.engine)
        if begin is None:
            return connection  # SQLite, or no tenant: SQLAlchemy's transactions as before
        try:
            await connection.execution_options(isolation_level="AUTOCOMMIT", **{SESSION_BEGINS_OPTION: True})
            pooled = await connection.get_raw_connection()
            try:
                await pooled.driver_connection.execute(begin)  # type: ignore[union-attr]
            except Exception as error:
                raise_as_sqlalchemy_would(connection, pooled.dbapi_connection, error, begin, [])
        except BaseException:
            await _released(connection)
            raise
        return connection

    async def _discard(self) -> None:
        """Give the connection back to the pool; its transaction, read-only, is rolled back."""
        connection, self._connection = self._connection, None
        if connection is not None:
            await _released(connection)


async def _released(connection: AsyncConnection) -> None:
    """``_release``, finished even when the caller is cancelled meanwhile (a timed-out request): the
    cancellation waits for it, so no request answers before its connection is back in the pool. A
    release left running behind the answer could end after the engine was disposed, and leave its
    connection open in the discarded pool (asyncpg's "unclosed connection" warning)."""
    release = asyncio.ensure_future(_release(connection))
    try:
        await asyncio.shield(release)
    except asyncio.CancelledError:
        await asyncio.wait([release])  # a ROLLBACK and a close; cancelled again, it stops waiting
        raise


async def _release(connection: AsyncConnection) -> None:
    """Close ``connection``, first ending the transaction a session began itself (SQLAlchemy knows
    nothing of it, so its return to the pool would not). One that cannot end it is not pooled again."""
    if session_began(connection) and not connection.invalidated:
        try:
            raw: Any = (await connection.get_raw_connection()).driver_connection
            if raw.is_in_transaction():
                await raw.execute("ROLLBACK")
        except Exception:
            await connection.invalidate()
    await connection.close()


async def run_alone(
    engine: AsyncEngine, statement: sa.Executable | DriverStatement, parameters: dict[str, Any] | None = None
) -> Any:
    """The statement on a connection of its own, fully fetched."""
    async with engine.connect() as connection:
        return await run_on(connection, statement, parameters)
