"""The reads of one operation share one database connection (``gateway.backends.sql.session``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from conftest import Client
from factories import Factory
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
    client: Client, factory: Factory, app: Any
) -> None:
    user, stage = factory.user("agent"), factory.stage("New", 0)
    for i in range(3):
        contact = factory.contact(f"C{i}", "Shared", emails=[f"c{i}@example.com"])
        factory.lead(f"L{i}", contact_id=contact, stage_id=stage)
        factory.task(f"T{i}", contact_id=contact, assignee_id=user)
    await factory.save()
    with checkouts(app) as seen:
        body = await client.execute(LIST)
    assert body["extensions"]["cost"]["sqlStatements"] >= 3  # a statement per level
    assert len(seen) == 1
    assert len(body["data"]["contacts"]["edges"]) == 3


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
