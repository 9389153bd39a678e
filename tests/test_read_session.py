"""The reads of one operation share one database connection (``gateway.backends.sql.session``)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from conftest import Client
from factories import Factory
from gateway.backends.sql.engine import for_tenant
from gateway.backends.sql.session import SharedConnection

LIST = """
{ contacts(first: 10) { edges { node {
    id emails { email }
    leads(first: 5) { edges { node { id stage { name } } } }
    tasks(first: 5) { edges { node { id assignee { username } } } }
} } } }
"""


@contextmanager
def checkouts(app: Any) -> Iterator[list[int]]:
    """One entry per connection the app's pool hands out while the block runs."""
    seen: list[int] = []

    def count(*_: Any) -> None:
        seen.append(1)

    pool = app.state.engine.sync_engine.pool
    event.listen(pool, "checkout", count)
    try:
        yield seen
    finally:
        event.remove(pool, "checkout", count)


async def test_the_statements_of_a_query_share_one_connection(
    client: Client, off_client: Client, factory: Factory, app: Any, planner_off: Any, settings: Any
) -> None:
    """The resolvers' statements (the planner off: a statement per level) share one connection; the
    planner's one statement runs in the same read session, one checkout too."""
    user, stage = factory.user("agent"), factory.stage("New", 0)
    for i in range(3):
        contact = factory.contact(f"C{i}", "Shared", emails=[f"c{i}@example.com"])
        factory.lead(f"L{i}", contact_id=contact, stage_id=stage)
        factory.task(f"T{i}", contact_id=contact, assignee_id=user)
    await factory.save()
    with checkouts(planner_off) as seen:
        body = await off_client.execute(LIST)
    assert body["extensions"]["cost"]["sqlStatements"] >= 3  # a statement per level
    assert len(seen) == 1
    assert len(body["data"]["contacts"]["edges"]) == 3
    with checkouts(app) as seen:
        planned = await client.execute(LIST)
    resolved = body["extensions"]["cost"]["sqlStatements"]
    assert planned["extensions"]["cost"]["sqlStatements"] == (1 if settings.planner else resolved)
    assert len(seen) == 1
    assert planned["data"] == body["data"]


async def test_the_operations_of_a_batch_give_their_connections_back(client: Client, app: Any) -> None:
    with checkouts(app) as seen:
        response = await client.http.post(
            "/graphql",
            json=[{"query": "{ contacts(first: 1) { edges { node { id } } } }"}] * 3,
            headers={"Authorization": f"Bearer {client.token}"},
        )
    assert response.status_code == 200, response.text
    assert [len(item["data"]["contacts"]["edges"]) for item in response.json()] == [0, 0, 0]
    assert 1 <= len(seen) <= 3  # they run at the same time, so usually share one
    assert app.state.engine.sync_engine.pool.checkedout() == 0


async def test_a_request_answers_before_its_read_session_ends(client: Client, app: Any) -> None:
    """The session's end (a ROLLBACK on PostgreSQL) does not hold the answer back: the connection is
    still out while the body is sent, and back in the pool once the request has ended."""
    pool = app.state.engine.sync_engine.pool
    out_while_answering: list[int] = []

    async def watching(scope: Any, receive: Any, send: Any) -> None:
        async def watched(message: Any) -> None:
            if message["type"] == "http.response.body":
                out_while_answering.append(pool.checkedout())
            await send(message)

        await app(scope, receive, watched)

    transport = httpx.ASGITransport(app=watching)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        watched_client = Client(http, client.token)
        body = await watched_client.execute("{ contacts(first: 1) { edges { node { id } } } }")
    assert body["extensions"]["cost"]["sqlStatements"] == 1
    assert out_while_answering == [1]
    assert pool.checkedout() == 0


async def test_a_failed_statement_does_not_poison_the_next_one(engine: Any) -> None:
    shared = SharedConnection(engine)
    try:
        with pytest.raises(sa.exc.DBAPIError):
            await shared.execute(sa.text("SELECT * FROM no_such_table"))
        assert (await shared.execute(sa.select(sa.literal(1)))).scalar_one() == 1
    finally:
        await shared.close()
    # After the request, a late statement still runs, on a connection of its own.
    assert (await shared.execute(sa.select(sa.literal(2)))).scalar_one() == 2
    assert engine.sync_engine.pool.checkedout() == 0


# On PostgreSQL a session with a tenant begins its transaction itself: BEGIN and the settings in one
# simple query (``engine.session_begin``), ROLLBACK when it ends.

PROBE = sa.text(
    "SELECT pg_backend_pid(), current_setting('crm_gateway.tenant', true), "
    "current_setting('plan_cache_mode'), now(), txid_current_if_assigned() IS NULL"
)


async def _probe(shared: SharedConnection) -> tuple[Any, ...]:
    return tuple((await shared.execute(PROBE)).one())


async def test_a_read_session_runs_in_one_transaction_with_its_tenant_set(app_engine: Any) -> None:
    shared = SharedConnection(for_tenant(app_engine, "acme", generic_plans=True))
    try:
        first = await _probe(shared)
        await asyncio.sleep(0.01)
        second = await _probe(shared)
    finally:
        await shared.close()
    assert first[1:3] == ("acme", "force_generic_plan")
    assert first == second  # same connection, and now() is the start of one transaction
    async with app_engine.connect() as connection:  # the same pooled connection, settings gone
        pid, tenant, plan_mode, *_ = (await connection.execute(PROBE)).one()
    assert pid == first[0] and (tenant or None) is None and plan_mode == "auto"
    assert app_engine.sync_engine.pool.checkedout() == 0


@pytest.mark.parametrize(
    "tenant", ["o'brien", "back\\slash\\", "x'); SELECT set_config('a.b', 'c', false); --"]
)
async def test_a_tenant_is_set_exactly_as_written(app_engine: Any, tenant: str) -> None:
    shared = SharedConnection(for_tenant(app_engine, tenant))
    try:
        seen = await _probe(shared)
        leaked = (await shared.execute(sa.text("SELECT current_setting('a.b', true)"))).scalar_one()
    finally:
        await shared.close()
    assert seen[1] == tenant
    assert leaked in (None, "")  # nothing of the name ran as SQL


async def test_a_failed_statement_in_a_tenant_session_leaves_a_clean_connection(app_engine: Any) -> None:
    shared = SharedConnection(for_tenant(app_engine, "acme"))
    try:
        with pytest.raises(sa.exc.DBAPIError):
            await shared.execute(sa.text("SELECT * FROM no_such_table"))
        assert (await _probe(shared))[1] == "acme"  # a new transaction, tenant set again
    finally:
        await shared.close()
    async with app_engine.connect() as connection:
        raw = (await connection.get_raw_connection()).driver_connection
        assert not raw.is_in_transaction()
    assert app_engine.sync_engine.pool.checkedout() == 0


async def test_a_session_whose_connection_died_gives_no_dead_connection_back(
    app_engine: Any, owner_engine: Any
) -> None:
    shared = SharedConnection(for_tenant(app_engine, "acme"))
    pid = (await _probe(shared))[0]
    async with owner_engine.connect() as owner:
        await owner.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    await shared.close()  # its ROLLBACK fails: the connection is dropped, not pooled
    async with app_engine.connect() as connection:
        assert (await connection.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one() != pid


async def test_a_tenant_session_costs_one_round_trip_to_begin_and_one_to_end(app_engine: Any) -> None:
    engine = for_tenant(app_engine, "acme", generic_plans=True)
    simple_queries: list[str] = []  # asyncpg logs the simple-protocol queries, not the prepared ones

    def log(record: Any) -> None:
        simple_queries.append(record.query)

    shared = SharedConnection(engine)
    try:
        await shared.execute(PROBE)
        raw = (await shared._connection.get_raw_connection()).driver_connection  # type: ignore[union-attr]
        raw.add_query_logger(log)
    finally:
        await shared.close()
    shared = SharedConnection(engine)  # the same pooled connection again: its whole life is logged
    try:
        assert (await _probe(shared))[1:3] == ("acme", "force_generic_plan")
    finally:
        await shared.close()
    raw.remove_query_logger(log)
    begin = "BEGIN; SELECT set_config('crm_gateway.tenant', E'acme', true), "
    begin += "set_config('plan_cache_mode', 'force_generic_plan', true)"
    assert simple_queries == ["ROLLBACK", begin, "ROLLBACK"]
