"""The gateway behind PgBouncer in transaction pooling mode (``CRM_GATEWAY_DATABASE_POOLER=transaction``).

The query, mutation and isolation suites also run through PgBouncer (conftest's ``postgresql-pgbouncer``
variant, one client at a time). These tests add what only concurrent clients, or several clients
sharing one server connection, show.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from conftest import APP_ROLE, SECRET, Client, token_for
from factories import Factory
from gateway.app import create_app
from gateway.backends.sql.engine import create_engine, for_tenant
from gateway.settings import DatabasePooler, SettingsError, load_settings
from pgbouncer import pgbouncer, require_pgbouncer, through

NESTED_READ = """
{ contacts(first: 5) { totalCount edges { node {
    firstName emails { email } phones { number }
    accounts(first: 3) { totalCount edges { node { name } } }
    leads(first: 3) { totalCount edges { node { subject } } }
} } } }
"""
CREATE = """
mutation($input: ContactCreateInput!) {
  contactCreate(input: $input) { contact { id lastName emails { email } } errors { code } }
}
"""
CLIENTS, REQUESTS_EACH = 4, 40


@pytest.fixture
def bouncer(postgres_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """``postgres_url`` through a PgBouncer of its own with ``request.param`` server connections."""
    require_pgbouncer()
    with pgbouncer(postgres_url, [APP_ROLE], tmp_path, pool_size=request.param) as port:
        yield through(postgres_url, port)


@pytest.fixture
async def pooled_app(bouncer: str) -> AsyncIterator[Any]:
    settings = load_settings(database_url=bouncer, jwt_secret=SECRET, database_pooler="transaction")
    application = create_app(settings)
    yield application
    await application.state.engine.dispose()


async def _reads_and_creates(client: Client) -> list[str]:
    """Alternating nested reads and creates; the problems found, as text (empty when all went well)."""
    problems = []
    for number in range(REQUESTS_EACH):
        if number % 2:
            person = {"firstName": "Ada", "lastName": f"L{number}"}
            variables = {"input": {**person, "emails": [{"email": f"ada{number}@example.com"}]}}
            response = await client.post(CREATE, variables)
        else:
            response = await client.post(NESTED_READ)
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            problems.append(f"{response.status_code}: {body.get('errors')}")
        elif number % 2 and body["data"]["contactCreate"]["errors"]:
            problems.append(str(body["data"]["contactCreate"]["errors"]))
    return problems


# Fewer server connections than clients: each client's transactions move from one to another.
@pytest.mark.parametrize("bouncer", [3], indirect=True)
async def test_four_clients_reading_and_creating_through_pgbouncer_get_no_errors(
    pooled_app: Any, owner_engine: AsyncEngine
) -> None:
    settings = pooled_app.state.view.settings
    tenants = [f"b{uuid.uuid4().hex[:12]}" for _ in range(CLIENTS)]
    for tenant in tenants:  # some rows for the nested reads to find
        seeded = Factory(owner_engine, tenant)
        ada = seeded.contact("Ada", "Lovelace", emails=["ada@example.test"])
        seeded.account("Pooled Ltd", contacts=[ada])
        seeded.lead("Pooling", contact_id=ada)
        await seeded.save()
    transport = httpx.ASGITransport(app=pooled_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        clients = [Client(http, token_for(settings, tenant)) for tenant in tenants]
        problems = await asyncio.gather(*(_reads_and_creates(client) for client in clients))
        assert problems == [[]] * CLIENTS
        counts = [(await client.execute("{ contacts { totalCount } }"))["data"] for client in clients]
    assert counts == [{"contacts": {"totalCount": 1 + REQUESTS_EACH // 2}}] * CLIENTS


async def _first_names(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(sa.select(sa.column("first_name")).select_from(sa.table("contacts")))
        return sorted(row[0] for row in rows)


# One server connection: each transaction meets whatever the one before it left there.
@pytest.mark.parametrize("bouncer", [1], indirect=True)
async def test_clients_sharing_one_server_connection_see_only_their_tenant(
    bouncer: str, owner_engine: AsyncEngine, tenant: str
) -> None:
    factory = Factory(owner_engine, tenant)
    factory.contact("Mine", "Only")
    await factory.save()
    first, second = (create_engine(bouncer, DatabasePooler.TRANSACTION) for _ in range(2))
    try:
        for _ in range(3):  # alternating client connections, the same server connection
            assert await _first_names(for_tenant(first, tenant)) == ["Mine"]
            assert await _first_names(second) == []  # no tenant set: the last one's did not stay
            assert await _first_names(for_tenant(second, "someone-else")) == []
    finally:
        await first.dispose()
        await second.dispose()


async def _statement_after_another_client_took_its_server_connection(engine: AsyncEngine) -> None:
    statement = sa.text("SELECT count(*) FROM contacts WHERE last_name = :name")
    async with engine.connect() as one, engine.connect() as other:
        await one.execute(statement, {"name": "x"})  # prepared on the one server connection in use
        await one.commit()
        await other.execute(sa.text("SELECT 1"))  # the other's open transaction now holds that one
        await one.execute(statement, {"name": "x"})  # so this transaction runs on a second


@pytest.mark.parametrize("bouncer", [2], indirect=True)
async def test_the_setting_is_what_keeps_statements_working_behind_the_pooler(bouncer: str) -> None:
    """Without it, asyncpg runs the statement it prepared on the first server connection on the second."""
    unsafe = create_engine(bouncer, DatabasePooler.NONE)
    safe = create_engine(bouncer, DatabasePooler.TRANSACTION)
    try:
        with pytest.raises(DBAPIError, match=r"prepared statement .* does not exist"):
            await _statement_after_another_client_took_its_server_connection(unsafe)
        await _statement_after_another_client_took_its_server_connection(safe)
    finally:
        await unsafe.dispose()
        await safe.dispose()


def test_the_pooler_setting_names_what_it_accepts() -> None:
    assert load_settings(jwt_secret=SECRET).database_pooler is DatabasePooler.NONE
    with pytest.raises(SettingsError, match=r"CRM_GATEWAY_DATABASE_POOLER: .*'none' or 'transaction'"):
        load_settings(jwt_secret=SECRET, database_pooler="session-ish")
