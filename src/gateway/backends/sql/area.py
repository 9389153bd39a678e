"""``SqlArea``: the common ground of the SQL implementations of the areas that are no graph entity
(customization, integrations). Each call is one short transaction of the caller's tenant, as each call
of an upstream API is one request: it reads or writes, then commits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.backends.errors import Rejected
from gateway.backends.sql.commit import transaction
from gateway.cost import Cost


class SqlArea:
    def __init__(self, engine: AsyncEngine, tenant: str, actor: str, cost: Cost) -> None:
        """``engine`` is the tenant's (``engine.for_tenant``): PostgreSQL's row-level security checks
        the tenant as well as every statement's WHERE clause."""
        self.engine = engine
        self.tenant = tenant
        self.actor = actor
        self.cost = cost

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        async with transaction(self.engine) as connection:  # a lost COMMIT reply: COMMIT_OUTCOME_UNKNOWN
            yield connection

    async def run(self, connection: AsyncConnection, statement: sa.Executable) -> Any:
        self.cost.sql_statements += 1
        return await connection.execute(statement)

    async def read(self, statement: sa.Executable) -> Any:
        """One statement in a transaction of its own, rolled back when it closes: a read has nothing to
        commit (and a read inside a mutation must not send a COMMIT the write's could be taken for)."""
        async with self.engine.connect() as connection:
            return await self.run(connection, statement)


def storable(values: dict[str, Any]) -> dict[str, Any]:
    """The values, unless a text holds NUL, which PostgreSQL cannot store (SQLite would): both refuse it."""
    for name, value in values.items():
        if isinstance(value, str) and "\x00" in value:
            field = name.split("_")[0] + "".join(part.title() for part in name.split("_")[1:])
            raise Rejected("INVALID", "Text may not contain NUL characters.", field=field)
    return values
