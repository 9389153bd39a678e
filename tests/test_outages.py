"""Which exceptions mean an outage (and which code they answer), and which are ordinary failures."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy.exc as sa_exc
from asyncpg.exceptions import CannotConnectNowError, ConnectionDoesNotExistError
from redis.exceptions import ConnectionError as RedisConnectionError

from gateway.errors import InvalidCursor
from gateway.outages import outage_error


def _wrapped(error: Exception) -> sa_exc.DBAPIError:
    """As SQLAlchemy raises a driver's error: wrapped, the driver's error as ``orig`` and cause."""
    try:
        raise sa_exc.OperationalError("SELECT 1", {}, error) from error
    except sa_exc.OperationalError as wrapped:
        return wrapped


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "Connect call failed"),
        OSError("Multiple exceptions: [Errno 111] Connect call failed"),
        TimeoutError(),
        sa_exc.TimeoutError("QueuePool limit of size 10 overflow 10 reached"),
        _wrapped(ConnectionDoesNotExistError("connection was closed in the middle of operation")),
        _wrapped(CannotConnectNowError("the database system is starting up")),
        _wrapped(sqlite3.OperationalError("unable to open database file")),
        _wrapped(sqlite3.OperationalError("database is locked")),
    ],
)
def test_a_lost_or_refused_database_is_database_unavailable(error: Exception) -> None:
    found = outage_error(error)
    assert found is not None and found.extensions == {"code": "DATABASE_UNAVAILABLE", "retryAfter": 1}


def test_a_lost_redis_connection_is_pubsub_unavailable() -> None:
    found = outage_error(RedisConnectionError("Error 111 connecting to 127.0.0.1:6390."))
    assert found is not None and found.extensions is not None
    assert found.extensions["code"] == "PUBSUB_UNAVAILABLE"


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(sqlite3.OperationalError("no such table: contacts")),  # a bug, not an outage
        FileNotFoundError(2, "No such file or directory"),
        ValueError("bad value"),
        InvalidCursor("the cursor is not a queue event cursor"),
    ],
)
def test_other_failures_are_not_outages(error: Exception) -> None:
    assert outage_error(error) is None
