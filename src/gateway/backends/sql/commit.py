"""One transaction whose lost COMMIT reply is told apart from a failure before it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.outages import commit_outcome_unknown, is_database_outage


@asynccontextmanager
async def transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in one transaction, committed when the block ends without an exception.

    A connection lost while COMMIT was on its way leaves the outcome unknown: the database may have
    committed before the reply was lost. That is told apart (COMMIT_OUTCOME_UNKNOWN) from a failure
    before the commit, which certainly rolled back, so that a client knows a blind retry may duplicate.
    """
    committing = False
    try:
        async with engine.begin() as connection:
            yield connection
            committing = True
    except Exception as error:
        if committing and is_database_outage(error):
            raise commit_outcome_unknown() from error
        raise
