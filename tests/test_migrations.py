"""The Alembic migrations build exactly the schema the code describes (tables.py)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gateway.backends.sql.tables import SEARCH_INDEX_OBJECTS, metadata


def _declared_here(dialect: str) -> Any:
    """Leaves out the indexes tables.py declares for another database only (``Index.ddl_if``), such
    as PostgreSQL's GIN index on custom field values: the migrations create them there alone. So are
    the full-text index's objects of one database (``SEARCH_INDEX_OBJECTS``)."""

    def include(item: Any, name: Any, type_: str, reflected: bool, compare_to: Any) -> bool:
        if reflected and name in SEARCH_INDEX_OBJECTS:
            return False
        only = getattr(item, "_ddl_if", None)
        return not (type_ == "index" and only is not None and only.dialect not in (None, dialect))

    return include


async def test_migrated_database_matches_the_table_definitions(engine: Any) -> None:
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"include_object": _declared_here(sync.dialect.name)}),
                metadata,
            )
        )
    assert differences == [], "tables.py changed without a migration: " + repr(differences)
