"""PostgreSQL row-level security: the second tenant wall, which holds even when the gateway's filters fail.

These tests connect as the app's role (``crm_gateway_app``, set up by ``conftest.py`` the way
docs/operations/tenant-isolation.md describes), which the policies bind, and as the owner (the
superuser), which they do not.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from conftest import APP_ROLE, SECRET, Client, _backends, postgres_admin
from factories import Factory
from gateway.app import UnsafeDatabaseRole, create_app
from gateway.backends.access import RowAccess
from gateway.backends.query import ListQuery
from gateway.backends.records import Entity
from gateway.backends.sql import tables as t
from gateway.backends.sql.engine import create_engine, for_tenant
from gateway.backends.sql.migrate import alembic_config, upgrade
from gateway.backends.sql.reader import SqlReader
from gateway.backends.sql.rls import (
    POLICY,
    RLS_EXEMPT_TABLES,
    TENANT_SETTING,
    role_escapes_rls,
    tenant_column,
)
from gateway.backends.sql.store import SqlBackend
from gateway.cost import Cost
from gateway.settings import load_settings


@pytest.fixture
async def two_tenants(owner_engine: AsyncEngine) -> tuple[str, str]:
    """Tenants A (two contacts with an e-mail each) and B (one contact), written by the owner."""
    a, b = f"a{uuid.uuid4().hex[:12]}", f"b{uuid.uuid4().hex[:12]}"
    a_rows, b_rows = Factory(owner_engine, a), Factory(owner_engine, b)
    a_rows.contact("Alice", "A", emails=["alice@a.example"])
    a_rows.contact("Anna", "A", emails=["anna@a.example"])
    b_rows.contact("Bob", "B", emails=["bob@b.example"])
    await a_rows.save()
    await b_rows.save()
    return a, b


async def _tenants_seen(engine: AsyncEngine, table: str) -> list[str]:
    """The tenant of every row a query without any WHERE clause returns: what a filter bug would leak."""
    async with engine.connect() as connection:
        return list((await connection.execute(sa.text(f"SELECT tenant FROM {table}"))).scalars())


async def test_the_app_connects_as_a_role_that_row_level_security_binds(
    app_engine: AsyncEngine, owner_engine: AsyncEngine
) -> None:
    async with app_engine.connect() as connection:
        assert await connection.scalar(sa.text("SELECT current_user")) == APP_ROLE
    assert await role_escapes_rls(app_engine) is None
    assert "is a superuser" in (await role_escapes_rls(owner_engine) or "")


async def test_a_query_without_tenant_filter_sees_only_the_transactions_tenant(
    app_engine: AsyncEngine, owner_engine: AsyncEngine, two_tenants: tuple[str, str]
) -> None:
    a, b = two_tenants
    assert {a, b} <= set(await _tenants_seen(owner_engine, "contacts"))  # both are there ...
    assert await _tenants_seen(for_tenant(app_engine, a), "contacts") == [a, a]  # ... A sees its own
    assert await _tenants_seen(for_tenant(app_engine, a), "emails") == [a, a]
    assert await _tenants_seen(for_tenant(app_engine, b), "contacts") == [b]


async def test_without_a_tenant_no_row_is_visible(
    app_engine: AsyncEngine, two_tenants: tuple[str, str]
) -> None:
    for table in ("contacts", "emails", "tenants"):
        async with app_engine.connect() as connection:
            assert await connection.scalar(sa.text(f"SELECT count(*) FROM {table}")) == 0, table


async def test_rows_of_another_tenant_cannot_be_written(
    app_engine: AsyncEngine, owner_engine: AsyncEngine, two_tenants: tuple[str, str]
) -> None:
    a, b = two_tenants
    as_a = for_tenant(app_engine, a)
    row = {"id": uuid.uuid4(), "tenant": b, "first_name": "Mallory", "version": 1, "is_deleted": False}
    row |= {"created_by": "intruder", "languages_spoken": []}
    with pytest.raises(sa.exc.DBAPIError, match="row-level security"):
        async with as_a.begin() as connection:
            await connection.execute(sa.insert(t.contacts).values(row))
    with pytest.raises(sa.exc.DBAPIError, match="row-level security"):
        async with as_a.begin() as connection:  # moving one's own row to another tenant
            await connection.execute(sa.update(t.contacts).where(t.contacts.c.tenant == a).values(tenant=b))
    async with as_a.begin() as connection:  # B's rows are not even there to update or delete
        updated = await connection.execute(
            sa.update(t.contacts).where(t.contacts.c.tenant == b).values(suffix="x")
        )
        deleted = await connection.execute(sa.delete(t.emails).where(t.emails.c.tenant == b))
    assert (updated.rowcount, deleted.rowcount) == (0, 0)
    assert (await _tenants_seen(owner_engine, "contacts")).count(b) == 1


async def test_the_tenant_does_not_outlive_its_transaction_on_a_pooled_connection(
    app_engine: AsyncEngine, two_tenants: tuple[str, str]
) -> None:
    a, b = two_tenants
    probe = sa.text(
        f"SELECT pg_backend_pid(), current_setting('{TENANT_SETTING}', true), count(*) FROM contacts"
    )
    seen = []
    for engine in (for_tenant(app_engine, a), app_engine, for_tenant(app_engine, b)):
        async with engine.connect() as connection:
            seen.append(tuple((await connection.execute(probe)).one()))
    (pid_a, tenant_a, count_a), (pid_none, tenant_none, count_none), (pid_b, tenant_b, count_b) = seen
    assert pid_a == pid_none == pid_b  # one connection, back in the pool between the three uses
    assert (tenant_a, count_a) == (a, 2)
    assert (tenant_none or None, count_none) == (None, 0)
    assert (tenant_b, count_b) == (b, 1)


@pytest.fixture
def forgotten_tenant_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    """The resolver bug the second wall is for: the reader's tenant condition goes missing."""
    remembered = SqlReader._visible

    def forgetful(self: SqlReader, table: sa.Table, *args: Any, **kwargs: Any) -> list[Any]:
        return [c for c in remembered(self, table, *args, **kwargs) if "tenant" not in str(c)]

    monkeypatch.setattr(SqlReader, "_visible", forgetful)


@pytest.mark.usefixtures("forgotten_tenant_filter")
async def test_a_resolver_that_forgets_the_tenant_filter_still_sees_one_tenant(
    app_engine: AsyncEngine,
    owner_engine: AsyncEngine,
    two_tenants: tuple[str, str],
) -> None:
    a, _ = two_tenants
    # As a superuser the bug leaks every tenant's contacts; as the app's role the policy stops it.
    access = RowAccess.unrestricted("fixture")
    assert await SqlBackend(owner_engine, a, access, Cost()).count(Entity.CONTACT, ListQuery()) > 2
    assert await SqlBackend(app_engine, a, access, Cost()).count(Entity.CONTACT, ListQuery()) == 2


@pytest.mark.parametrize("database_url", _backends()[1:], indirect=True)  # PostgreSQL only
async def test_through_the_api_a_forgotten_filter_leaks_nothing(
    client: Client, other_client: Client, factory: Factory, request: pytest.FixtureRequest
) -> None:
    factory.contact("Mine", "Only")
    await factory.save()
    request.getfixturevalue("forgotten_tenant_filter")  # after the factory's rows are in
    query = "{ contacts(first: 100) { totalCount edges { node { firstName } } } }"
    mine = (await client.execute(query))["data"]["contacts"]
    theirs = (await other_client.execute(query))["data"]["contacts"]
    assert mine == {"totalCount": 1, "edges": [{"node": {"firstName": "Mine"}}]}
    assert theirs == {"totalCount": 0, "edges": []}


async def test_every_tenant_table_has_a_forced_policy(owner_engine: AsyncEngine) -> None:
    """A table added without ``enable_tenant_rls`` in its migration fails here (unless it is exempt)."""
    query = sa.text(
        """SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, p.qual, p.with_check
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_policies p ON p.tablename = c.relname AND p.schemaname = n.nspname
                                   AND p.policyname = :policy
           WHERE n.nspname = 'public' AND c.relkind = 'r'"""
    )
    async with owner_engine.connect() as connection:
        found = {row[0]: row[1:] for row in await connection.execute(query, {"policy": POLICY})}
    guarded = {table.name: tenant_column(table) for table in t.metadata.sorted_tables}
    guarded = {name: column for name, column in guarded.items() if column and name not in RLS_EXEMPT_TABLES}
    assert {"contacts", "tenants", "idempotency_keys"} <= set(guarded)
    for name, column in guarded.items():
        enabled, forced, using, check = found[name]
        assert (enabled, forced) == (True, True), name
        for expression in (using, check):
            assert expression is not None and column in expression and TENANT_SETTING in expression, name


def _settings(url: str, env: str) -> Any:
    return load_settings(database_url=url, jwt_secret=SECRET, env=env)


async def test_production_refuses_to_start_as_a_role_that_escapes_the_policies(owner_url: str) -> None:
    app = create_app(_settings(owner_url, "production"))
    try:
        with pytest.raises(
            UnsafeDatabaseRole, match=r"'postgres' is a superuser.*without SUPERUSER and BYPASSRLS"
        ):
            async with app.router.lifespan_context(app):
                pass
    finally:
        await app.state.engine.dispose()


async def test_development_starts_as_such_a_role_with_a_warning(
    owner_url: str, app_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    for url, env in ((owner_url, "development"), (app_url, "production")):
        app = create_app(_settings(url, env))
        try:
            with caplog.at_level(logging.WARNING, logger="gateway.app"):
                async with app.router.lifespan_context(app):
                    pass
        finally:
            await app.state.engine.dispose()
    warnings = [record.getMessage() for record in caplog.records if record.name == "gateway.app"]
    assert len(warnings) == 1  # the superuser in development; the app's role starts silently
    assert "'postgres' is a superuser" in warnings[0] and "not production" in warnings[0]


def test_serve_in_production_as_a_superuser_exits_with_a_plain_message(
    owner_url: str, tmp_path: Path
) -> None:
    env = {
        "CRM_GATEWAY_ENV": "production",
        "CRM_GATEWAY_JWT_SECRET": SECRET,
        "CRM_GATEWAY_DATABASE_URL": owner_url,
    }
    command = [sys.executable, "-m", "gateway.cli", "serve", "--port", "1"]
    done = subprocess.run(
        command,
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "CRM_GATEWAY_DATABASE_URL: the database role 'postgres' is a superuser" in done.stderr
    assert "Traceback" not in done.stderr
    assert "GraphiQL" not in done.stdout  # it stopped before announcing a server


async def _policy_state(url: str) -> tuple[int, int]:
    """(tables with row-level security enabled, policies named ``POLICY``) in the database at ``url``."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            enabled = await connection.scalar(sa.text("SELECT count(*) FROM pg_class WHERE relrowsecurity"))
            policies = await connection.scalar(
                sa.text("SELECT count(*) FROM pg_policies WHERE policyname = :p"), {"p": POLICY}
            )
    finally:
        await engine.dispose()
    return int(enabled or 0), int(policies or 0)


def test_downgrading_to_0001_removes_the_policies_and_upgrading_restores_them(owner_url: str) -> None:
    admin = make_url(owner_url)
    name = f"crm_rls_{uuid.uuid4().hex[:12]}"
    scratch = admin.set(database=name).render_as_string(hide_password=False)
    asyncio.run(postgres_admin(admin.render_as_string(hide_password=False), f'CREATE DATABASE "{name}"'))
    try:
        upgrade(scratch)
        at_head = asyncio.run(_policy_state(scratch))
        command.downgrade(alembic_config(scratch), "0001")
        assert asyncio.run(_policy_state(scratch)) == (0, 0)
        upgrade(scratch)
        assert asyncio.run(_policy_state(scratch)) == at_head
        assert at_head[0] == at_head[1] >= 16  # migration 0002 alone guards 16 tables
    finally:
        drop = f'DROP DATABASE "{name}" WITH (FORCE)'
        asyncio.run(postgres_admin(admin.render_as_string(hide_password=False), drop))
