"""The SQL backend: tenant-scoped reads, and a writer per transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from gateway.backends.customization import Customization
from gateway.backends.integrations import Integrations
from gateway.backends.sql.commit import transaction
from gateway.backends.sql.customization import SqlCustomization
from gateway.backends.sql.integrations import SqlIntegrations
from gateway.backends.sql.reader import SqlReader
from gateway.backends.sql.writer import SqlWriter


class SqlBackend(SqlReader):
    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlWriter]:
        """A writer in one transaction (see ``commit.transaction``: a lost COMMIT reply is its own error)."""
        async with transaction(self.engine) as connection:
            yield SqlWriter(connection, self.tenant, self.access, self.cost)

    def integrations(self) -> Integrations:
        return SqlIntegrations(self.engine, self.tenant, self.access.subject, self.cost)

    def customization(self) -> Customization:
        return SqlCustomization(self.engine, self.tenant, self.access.subject, self.cost)
