"""Outages of the database and of pub/sub: which exceptions mean one, and what the client is told.

An outage is not the request's fault and not a bug, so it is neither "Internal error" nor a 200: the
answer is HTTP 503 with ``Retry-After`` and one of three codes, on queries, mutations and
subscriptions alike (README "Outages").
"""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import Iterator

import sqlalchemy.exc as sa_exc
from asyncpg.exceptions import CannotConnectNowError, PostgresConnectionError, TooManyConnectionsError
from asyncpg.exceptions import InterfaceError as AsyncpgInterfaceError
from graphql import GraphQLError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from gateway.errors import GatewayError

RETRY_AFTER_SECONDS = 1  # the pool reconnects at the next request, so the next second may succeed
# SQLite's own words for a file it cannot open or use; its OperationalError also means bad SQL.
_SQLITE_OUTAGES = ("unable to open database", "database is locked", "disk i/o error")
_OUTAGES = (
    sa_exc.TimeoutError,  # the pool's checkout timeout
    sa_exc.DisconnectionError,
    PostgresConnectionError,  # SQLSTATE class 08, and a connection closed mid-operation
    CannotConnectNowError,  # starting up or shutting down
    TooManyConnectionsError,
)


class DatabaseUnavailable(GatewayError):
    code = "DATABASE_UNAVAILABLE"


class PubSubUnavailable(GatewayError):
    code = "PUBSUB_UNAVAILABLE"


class CommitOutcomeUnknown(GatewayError):
    """The connection failed after COMMIT was sent: the change may or may not be saved."""

    code = "COMMIT_OUTCOME_UNKNOWN"


RETRYABLE_CODES = frozenset({DatabaseUnavailable.code, PubSubUnavailable.code, CommitOutcomeUnknown.code})


def database_unavailable() -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"The database is unreachable; retry in {RETRY_AFTER_SECONDS} s.", retryAfter=RETRY_AFTER_SECONDS
    )


def pubsub_unavailable() -> PubSubUnavailable:
    return PubSubUnavailable(
        "Live events are unavailable (pub/sub is unreachable); subscribe again in "
        f"{RETRY_AFTER_SECONDS} s, with `after` set to the last cursor you received.",
        retryAfter=RETRY_AFTER_SECONDS,
    )


def commit_outcome_unknown() -> CommitOutcomeUnknown:
    return CommitOutcomeUnknown(
        "The database connection failed after the commit was sent: the change may or may not have been "
        "saved. Retry with the same `idempotencyKey` to get the first result without a duplicate "
        "(send a key with every create); without a key, read before you retry.",
        retryAfter=RETRY_AFTER_SECONDS,
    )


def outage_error(error: BaseException) -> GatewayError | None:
    """The error to answer for an exception that means an outage, or None for any other exception
    (and for an error that already has its code)."""
    if isinstance(error, GraphQLError):
        return None
    if is_pubsub_outage(error):
        return pubsub_unavailable()
    if is_database_outage(error):
        return database_unavailable()
    return None


def is_pubsub_outage(error: BaseException) -> bool:
    return any(isinstance(cause, RedisConnectionError | RedisTimeoutError) for cause in _chain(error))


def is_database_outage(error: BaseException) -> bool:
    """Whether ``error`` (or what caused it) says the database could not be reached or was lost."""
    return any(_means_database_outage(cause) for cause in _chain(error))


def _means_database_outage(error: BaseException) -> bool:
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, _OUTAGES):
        return True
    if isinstance(error, AsyncpgInterfaceError):
        return "connection" in str(error) and "closed" in str(error)  # "the connection is closed"
    if isinstance(error, sqlite3.OperationalError):
        return str(error).lower().startswith(_SQLITE_OUTAGES)
    # Connecting: refused, reset, timed out, or asyncpg's plain OSError over several addresses. Other
    # OSErrors (a file not found) are not about the database.
    return type(error) is OSError or isinstance(error, ConnectionError | TimeoutError | socket.gaierror)


def _chain(error: BaseException) -> Iterator[BaseException]:
    """``error``, what it wraps (SQLAlchemy's ``orig``) and what caused it, each once."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)
        context = None if current.__suppress_context__ else current.__context__  # "raise ... from None"
        pending += [current.__cause__, context, orig if isinstance(orig, BaseException) else None]


def is_retryable(errors: list[GraphQLError] | None) -> bool:
    """Whether a result's errors include an outage: its HTTP answer is then 503 with Retry-After."""
    return any((error.extensions or {}).get("code") in RETRYABLE_CODES for error in errors or ())
