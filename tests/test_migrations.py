"""The Alembic migrations build exactly the schema the code describes (tables.py)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from conftest import NEEDS_POSTGRES, POSTGRES_URL, postgres_admin
from gateway.backends.sql import tables as t
from gateway.backends.sql.migrate import alembic_config, applied_revisions, shipped_heads
from gateway.backends.sql.rls import TENANT_SETTING
from gateway.backends.sql.tables import SEARCH_INDEX_OBJECTS, metadata
from gateway.backends.sql.types import UtcDateTime


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


# SQLite's per-definition custom field indexes (custom_fields.py, ix_<table>_cf_<digest>) are made when a
# definition is, by any earlier test sharing this database; SQLAlchemy cannot reflect expression
# indexes on SQLite and warns (an error under filterwarnings), and they are not tables.py's to declare.
@pytest.mark.filterwarnings(
    r"ignore:Skipped unsupported reflection of expression-based index ix_\w+_cf_:sqlalchemy.exc.SAWarning"
)
async def test_migrated_database_matches_the_table_definitions(engine: Any) -> None:
    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"include_object": _declared_here(sync.dialect.name)}),
                metadata,
            )
        )
    assert differences == [], "tables.py changed without a migration: " + repr(differences)


def test_the_shipped_heads_read_without_alembic_are_alembic_s(tmp_path: Path) -> None:
    script = ScriptDirectory.from_config(alembic_config(f"sqlite:///{tmp_path / 'unused.db'}"))
    assert shipped_heads() == frozenset(script.get_heads())


async def test_the_applied_revisions_read_with_plain_sql_are_alembic_s(engine: Any, tmp_path: Path) -> None:
    empty = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        for database in (engine, empty):  # migrated, and not migrated at all (no version table)
            async with database.connect() as connection:
                ours = await connection.run_sync(applied_revisions)
                alembic_s = await connection.run_sync(
                    lambda sync: MigrationContext.configure(sync).get_current_heads()
                )
            assert ours == frozenset(alembic_s)
    finally:
        await empty.dispose()
    assert ours == frozenset()


EVENT_ID, LEAD_ID, STAGE_ID, RUN_ID = (uuid.UUID(int=n) for n in (1, 2, 3, 4))
MOVED_AT = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("dialect", ["sqlite", pytest.param("postgresql", marks=NEEDS_POSTGRES)])
async def test_0020_keeps_the_moves_and_runs_recorded_before_it(dialect: str, tmp_path: Path) -> None:
    """The lead.stageChanged events become stage moves and each run is dated by its start, every
    tenant's (on PostgreSQL migrated by a table owner that is no superuser: FORCE binds it)."""
    if dialect == "sqlite":
        await _upgrade_with_old_rows(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
        return
    async with _owned_database() as url:
        await _upgrade_with_old_rows(url)


@asynccontextmanager
async def _owned_database() -> AsyncIterator[str]:
    """A scratch PostgreSQL database owned by a role that is no superuser (the deployment's case)."""
    name = f"crm_mig_{uuid.uuid4().hex[:10]}"
    admin = make_url(POSTGRES_URL).render_as_string(hide_password=False)
    role = f'CREATE ROLE "{name}" LOGIN NOSUPERUSER NOBYPASSRLS'
    await postgres_admin(admin, role, f'CREATE DATABASE "{name}" OWNER "{name}"')
    try:
        yield make_url(admin).set(database=name, username=name).render_as_string(hide_password=False)
    finally:
        await postgres_admin(admin, f'DROP DATABASE "{name}" WITH (FORCE)', f'DROP ROLE "{name}"')


async def _upgrade_with_old_rows(url: str) -> None:
    await asyncio.to_thread(command.upgrade, alembic_config(url), "0017")
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await _as_tenant(connection)
            event = {"trigger": "lead.stageChanged", "entity": "lead", "record_id": LEAD_ID}
            data = json.dumps({"fromStageId": None, "toStageId": str(STAGE_ID)})
            event |= {"data": data, "chain_id": EVENT_ID, "depth": 0, "actor": "ann", "occurred_at": MOVED_AT}
            await connection.execute(sa.insert(t.automation_events).values(id=EVENT_ID, tenant="t1", **event))
            run = {name: event[name] for name in ("trigger", "entity", "record_id", "depth")}
            run |= {
                "automation_id": EVENT_ID,
                "automation_name": "A",
                "event_id": EVENT_ID,
                "status": "SKIPPED",
            }
            run |= {"actions": "[]", "started_at": MOVED_AT, "finished_at": MOVED_AT}
            values = {"id": RUN_ID, "tenant": "t1", **run}
            await connection.execute(sa.insert(_runs_before_0020()).values(values))
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        async with engine.begin() as connection:
            await _as_tenant(connection)
            moves = (await connection.execute(sa.select(t.lead_stage_changes))).mappings().all()
            dated = (await connection.execute(sa.select(t.automation_runs.c.date_created))).scalars().all()
    finally:
        await engine.dispose()
    assert [
        (m["id"], m["lead_id"], m["from_stage_id"], m["to_stage_id"], m["created_by"]) for m in moves
    ] == [(EVENT_ID, LEAD_ID, None, STAGE_ID, "ann")]
    assert [m["date_created"] for m in moves] == [MOVED_AT] and dated == [MOVED_AT]


def _runs_before_0020() -> Any:
    """``automation_runs`` as it was before 0020 (without ``date_created``)."""
    columns = (sa.column(c.name, c.type) for c in t.automation_runs.c if c.name != "date_created")
    return sa.table("automation_runs", *columns)


async def _as_tenant(connection: Any, tenant: str = "t1") -> None:
    if connection.dialect.name == "postgresql":
        await connection.execute(sa.text(f"SELECT set_config('{TENANT_SETTING}', '{tenant}', true)"))


CONTACT_ID, GONE_ID, ACCOUNT_ID = (uuid.UUID(int=n) for n in (11, 12, 13))
SEARCHABLE = [
    (ACCOUNT_ID, "t2", "ACCOUNT", "Analytical Engines", ""),
    (CONTACT_ID, "t1", "CONTACT", "Ada Lovelace", "ada@example.com 442071234567"),
]


@pytest.mark.parametrize("dialect", ["sqlite", pytest.param("postgresql", marks=NEEDS_POSTGRES)])
async def test_0023_indexes_the_records_0014_left_out(dialect: str, tmp_path: Path) -> None:
    """Records written before 0014 are searchable after the migrations, every tenant's, on PostgreSQL
    migrated by a table owner that is no superuser too (FORCE bound 0014's backfill: it indexed none)."""
    if dialect == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        await _write_before_search(url)
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        assert await _search_index(url) == SEARCHABLE
        return
    async with _owned_database() as url:
        await _write_before_search(url)
        await asyncio.to_thread(command.upgrade, alembic_config(url), "0014")
        assert await _search_index(url) == []  # what 0023 mends
        await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
        assert await _search_index(url) == SEARCHABLE
        found = "SELECT id FROM search_documents WHERE document @@ to_tsquery('simple', 'lovelace & 4420:*')"
        assert await _search_index(url, found) == [(CONTACT_ID,)]


async def _write_before_search(url: str) -> None:
    """At 0013, as each tenant writes: a contact with an e-mail and a phone, a deleted contact (t1), and
    an account (t2)."""
    await asyncio.to_thread(command.upgrade, alembic_config(url), "0013")

    def table(name: str, *columns: str, **typed: Any) -> Any:
        ids = {c: sa.Uuid() for c in columns if c in ("id", "owner_id")}
        plain = (sa.column(c) for c in columns if c not in ids)
        return sa.table(name, *plain, *(sa.column(c, k) for c, k in (ids | typed).items()))

    dated = {"date_created": UtcDateTime(timezone=True)}
    contacts = table(
        "contacts",
        "id",
        "tenant",
        "first_name",
        "last_name",
        "is_deleted",
        **dated,
        languages_spoken=sa.JSON(),
    )
    person = {"tenant": "t1", "last_name": "Lovelace", "date_created": MOVED_AT, "languages_spoken": []}
    owned = {"tenant": "t1", "owner_id": CONTACT_ID, "position": 0}
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await _as_tenant(connection)
            await connection.execute(
                sa.insert(contacts),
                [
                    {**person, "id": CONTACT_ID, "first_name": "Ada", "is_deleted": False},
                    {**person, "id": GONE_ID, "first_name": "Gone", "is_deleted": True},
                ],
            )
            emails = table("emails", "id", "tenant", "owner_id", "position", "email")
            await connection.execute(
                sa.insert(emails).values(id=uuid.uuid4(), email="ada@example.com", **owned)
            )
            phones = table("phones", "id", "tenant", "owner_id", "position", "mode", "number")
            phone = {"id": uuid.uuid4(), "mode": "LANDLINE", "number": "+44 20 7123 4567"}
            await connection.execute(sa.insert(phones).values(**phone, **owned))
        async with engine.begin() as connection:
            await _as_tenant(connection, "t2")
            accounts = table("accounts", "id", "tenant", "name", **dated)
            account = {
                "id": ACCOUNT_ID,
                "tenant": "t2",
                "name": "Analytical Engines",
                "date_created": MOVED_AT,
            }
            await connection.execute(sa.insert(accounts).values(account))
    finally:
        await engine.dispose()


async def _search_index(
    url: str, query: str = "SELECT id, tenant, kind, name, channels FROM search_documents ORDER BY kind"
) -> list[tuple[Any, ...]]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(sa.text(query))).all()
    finally:
        await engine.dispose()
    return [(uuid.UUID(str(row[0])), *row[1:]) for row in rows]
