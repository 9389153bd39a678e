"""The Alembic migrations build exactly the schema the code describes (tables.py)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gateway.backends.sql.tables import metadata


async def test_migrated_database_matches_the_table_definitions(engine: Any) -> None:
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
        )
    assert differences == [], "tables.py changed without a migration: " + repr(differences)
