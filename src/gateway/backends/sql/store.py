"""The SQL backend: tenant-scoped reads, and a writer per transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from gateway.backends.customization import Customization
from gateway.backends.integrations import Integrations
from gateway.backends.sql.customization import SqlCustomization
from gateway.backends.sql.integrations import SqlIntegrations
from gateway.backends.sql.reader import SqlReader
from gateway.backends.sql.writer import SqlWriter
from gateway.outages import commit_outcome_unknown, is_database_outage


class SqlBackend(SqlReader):
    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlWriter]:
        """A writer in one transaction, committed when the block ends without an exception.

        A connection lost while COMMIT was on its way leaves the outcome unknown: the database may have
        committed before the reply was lost. That is told apart (COMMIT_OUTCOME_UNKNOWN) from a failure
        before the commit, which certainly rolled back, so that a client knows a blind retry may duplicate.
        """
        committing = False
        try:
            async with self.engine.begin() as connection:
                yield SqlWriter(connection, self.tenant, self.access, self.cost)
                committing = True
        except Exception as error:
            if committing and is_database_outage(error):
                raise commit_outcome_unknown() from error
            raise

    def integrations(self) -> Integrations:
        return SqlIntegrations(self.engine, self.tenant, self.access.subject, self.cost)

    def customization(self) -> Customization:
        return SqlCustomization(self.engine, self.tenant, self.access.subject, self.cost)
