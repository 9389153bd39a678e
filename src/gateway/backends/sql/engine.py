"""Async engine creation with the per-database settings the gateway relies on."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from gateway.backends.sql.rls import TENANT_SETTING
from gateway.internals import raise_as_cursor_would
from gateway.settings import DatabasePooler, load_settings

TENANT_OPTION = "crm_gateway_tenant"
_TENANT_ENGINES = "_crm_gateway_tenant_engines"
# Transaction-local (third argument true): it ends with the transaction, so a pooled connection
# never carries one request's tenant into the next.
SET_TENANT = f"SELECT set_config('{TENANT_SETTING}', $1, true)"
# Read sessions also plan their statements once per connection (see ``for_tenant``).
GENERIC_PLANS_OPTION = "crm_gateway_generic_plans"
SET_TENANT_WITH_GENERIC_PLANS = f"{SET_TENANT}, set_config('plan_cache_mode', 'force_generic_plan', true)"

# asyncpg keeps prepared statements of up to 15 KiB by default; a planned statement (gateway/planner)
# of a deep query is longer, and a statement prepared anew is planned anew by PostgreSQL (1-3 ms for
# a large one). The cache still holds at most 100 statements per connection.
MAX_CACHED_STATEMENT_BYTES = 1 << 20


# Engines made for a transaction pooler carry this execution option (see ``pooler_safe``).
POOLER_SAFE_OPTION = "crm_gateway_pooler_safe"


def create_engine(database_url: str, pooler: DatabasePooler | None = None) -> AsyncEngine:
    """The engine for ``database_url``; ``pooler`` defaults to ``CRM_GATEWAY_DATABASE_POOLER``."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(database_url, url.database)
    if pooler is None:
        pooler = load_settings().database_pooler
    transaction_pooled = pooler is DatabasePooler.TRANSACTION
    connect_args = _pooler_safe_arguments() if transaction_pooled else _cached_statement_arguments()
    engine = create_async_engine(database_url, pool_size=10, max_overflow=10, connect_args=connect_args)
    engine.update_execution_options(**{POOLER_SAFE_OPTION: transaction_pooled})
    event.listen(engine.sync_engine, "begin", _set_tenant)
    event.listen(engine.sync_engine.pool, "connect", _note_use)
    event.listen(engine.sync_engine.pool, "checkin", _note_use)
    event.listen(engine.sync_engine.pool, "checkout", _ping_if_idle)
    return engine


def _cached_statement_arguments() -> dict[str, Any]:
    return {"max_cacheable_statement_size": MAX_CACHED_STATEMENT_BYTES}


def _pooler_safe_arguments() -> dict[str, Any]:
    """asyncpg's arguments behind a transaction pooler (PgBouncer ``pool_mode = transaction``).

    There a client connection runs each transaction on whichever server connection is free, so a
    statement prepared in one transaction is gone (or belongs to another client) in the next:
    asyncpg's cache is off (it then prepares anonymous statements, within the message batch that
    runs them), SQLAlchemy's own cache is off, and the statements SQLAlchemy still names get names no
    other client can pick. The price is a parse and plan per statement (docs/operations/scaling.md).
    """
    return {
        "statement_cache_size": 0,
        "prepared_statement_cache_size": 0,
        "prepared_statement_name_func": unique_statement_name,
    }


def unique_statement_name() -> str:
    """A prepared statement name no other connection through the same pooler will pick."""
    return f"__asyncpg_{uuid4().hex}__"


def pooler_safe(connection: AsyncConnection) -> bool:
    """Whether ``connection`` goes through a transaction pooler (``create_engine``'s ``pooler``)."""
    sync = connection.sync_connection
    return sync is not None and bool(sync.get_execution_options().get(POOLER_SAFE_OPTION))


# A pooled connection that was in use less than this long ago is handed out without a ping.
PING_AFTER_IDLE_SECONDS = 1.0
_LAST_USED = "crm_gateway_last_used"


def _note_use(_dbapi_connection: Any, record: Any) -> None:
    record.info[_LAST_USED] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Pessimistic disconnect handling for connections that sat idle, as HikariCP does.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout, and on asyncpg a ping is three round trips
    (BEGIN, an empty statement, ROLLBACK): a fifth of Q2's. A connection given back moments ago is
    alive unless PostgreSQL restarted since, and then the statement's failure invalidates the whole
    pool anyway; one that sat idle (a restart, a firewall's idle timeout) is pinged, and a dead one
    replaced before the request sees it.
    """
    if time.monotonic() - record.info.get(_LAST_USED, 0.0) < PING_AFTER_IDLE_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as error:
        raise DisconnectionError("the pooled connection did not answer a ping") from error


def for_tenant(engine: AsyncEngine, tenant: str, *, generic_plans: bool = False) -> AsyncEngine:
    """The same engine and pool, but each transaction it begins tells PostgreSQL whose rows it may touch.

    The row-level security policies (see ``rls.py``) compare each row's tenant with that setting.
    SQLite has no such policies, so it gets the engine unchanged.

    With ``generic_plans`` (the reads of a session) the transaction also sets ``plan_cache_mode`` to
    ``force_generic_plan``, in the same statement. A read's statements are prepared once per
    connection (asyncpg's cache), but PostgreSQL's default keeps planning a statement bound to an id
    array at every run: its generic plan, costed for an array of unknown length, never looks cheaper
    than a custom plan for the one id at hand. Planning took about 1 ms of a contact in full (Q2, its
    level statement a ``UNION ALL`` of nine subqueries); the plans are the same index scans by tenant
    and id list, by parent, or along the order of a page's index. Writes keep PostgreSQL's default.
    """
    if engine.dialect.name != "postgresql":
        return engine
    # One option engine per tenant, kept on the engine: making one costs ~20 µs per request.
    by_tenant: dict[tuple[str, bool], AsyncEngine]
    by_tenant = engine.sync_engine.__dict__.setdefault(_TENANT_ENGINES, {})
    found = by_tenant.get((tenant, generic_plans))
    if found is None:
        if len(by_tenant) >= 4096:  # bounds the memory a stream of tenants could hold
            by_tenant.clear()
        options = {TENANT_OPTION: tenant, GENERIC_PLANS_OPTION: generic_plans}
        found = by_tenant[(tenant, generic_plans)] = engine.execution_options(**options)
    return found


# A read session (``session.py``) begins its own transaction and sets the tenant in the same round
# trip; SQLAlchemy, told so by this option, leaves both to it.
SESSION_BEGINS_OPTION = "crm_gateway_session_begins"


def session_begin(engine: AsyncEngine) -> str | None:
    """The simple query that begins a read session's transaction on PostgreSQL and sets what
    ``_set_tenant`` would, or None when the engine carries no tenant (or is not PostgreSQL's).

    asyncpg sends ``BEGIN`` as a simple query and ``set_config`` after it as a prepared statement: two
    round trips, a sixth of a contact in full (Q2). A simple query may hold several statements but
    takes no parameters, so the tenant is written as a literal: an escape string (``E'...'``), which
    reads backslashes the same whatever ``standard_conforming_strings`` says, with backslashes and
    quotes doubled. A tenant holding a NUL character (which no PostgreSQL text can) gets None.
    """
    options = engine.get_execution_options()
    tenant = options.get(TENANT_OPTION)
    if engine.dialect.name != "postgresql" or tenant is None or "\x00" in tenant:
        return None
    literal = "E'" + tenant.replace("\\", "\\\\").replace("'", "''") + "'"
    settings = f"set_config('{TENANT_SETTING}', {literal}, true)"
    if options.get(GENERIC_PLANS_OPTION):
        settings += ", set_config('plan_cache_mode', 'force_generic_plan', true)"
    return f"BEGIN; SELECT {settings}"


def session_began(connection: AsyncConnection) -> bool:
    """Whether ``connection`` is in a read session's own transaction (``session_begin``)."""
    sync = connection.sync_connection
    return sync is not None and bool(sync.get_execution_options().get(SESSION_BEGINS_OPTION))


def _set_tenant(connection: Connection) -> None:
    """Runs as a transaction begins: set ``crm_gateway.tenant`` when the engine carries a tenant.

    The statement goes straight to the driver's cursor, past SQLAlchemy's execution events: it is
    bookkeeping, not a query, so it is neither counted in ``cost.sql_statements`` nor seen by
    statement listeners. It costs one round trip per transaction (its prepared statement is cached
    per connection): asyncpg sends BEGIN alone as a simple query and every other statement through
    the extended protocol, one statement per message, so the setting cannot ride along on either
    without reaching into asyncpg's private transaction state. Read sessions avoid that round trip by
    beginning their transaction themselves (``session_begin``); this listener then leaves them be.
    """
    options = connection.get_execution_options()
    tenant = options.get(TENANT_OPTION)
    if tenant is None or options.get(SESSION_BEGINS_OPTION):
        return
    statement = SET_TENANT_WITH_GENERIC_PLANS if options.get(GENERIC_PLANS_OPTION) else SET_TENANT
    cursor = connection.connection.cursor()
    try:
        cursor.execute(statement, (tenant,))
    except Exception as error:
        # SQLAlchemy's own handling: wraps the driver error and invalidates a dropped connection.
        raise_as_cursor_would(connection, error, statement, (tenant,), cursor)
    finally:
        cursor.close()


def _sqlite_engine(database_url: str, database: str | None) -> AsyncEngine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(database_url, connect_args={"timeout": 30})
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    event.listen(engine.sync_engine, "connect", _sqlite_functions)
    return engine


def _sqlite_functions(dbapi_connection: Any, _record: Any) -> None:
    from gateway.planner.sql import sqlite_functions  # the planner builds on this module

    sqlite_functions(dbapi_connection)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside a writer; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
