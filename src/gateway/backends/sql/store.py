"""The SQL backend: tenant-scoped reads, and a writer per transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from gateway.backends.sql.reader import SqlReader
from gateway.backends.sql.writer import SqlWriter


class SqlBackend(SqlReader):
    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlWriter]:
        async with self.engine.begin() as connection:
            yield SqlWriter(connection, self.tenant, self.cost, visible_media=self.visible_media)
