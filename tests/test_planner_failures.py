"""A planned statement the database refuses is left to the resolvers for a while, not sent with every
request (``resolvers/planner/extension.py``, ``RETRY_FAILED_AFTER``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from conftest import Client
from factories import Factory
from gateway.app import create_app
from gateway.documents import BoundedCache
from gateway.settings import Settings
from resolvers.planner import extension

QUERY = "{ contacts(first: 5) { nodes { id firstName } } }"


class Refusal:
    """``crm_global_id``, the function the planned statement encodes global ids with on SQLite
    (``gateway/planner/sql.py`` ``sqlite_functions``) and no resolver calls, replaced on each connection
    by one that fails: SQLite refuses the statement while it runs."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, _type_name: Any, _record_id: Any) -> None:
        self.calls += 1
        raise ValueError("refused")


@pytest.fixture
async def refusing(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Refusal]]:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip(
            "the refusal is an SQLite function registered per connection; PostgreSQL has no such hook"
        )
    if not settings.planner:
        pytest.skip("CRM_GATEWAY_PLANNER=false: there is no planned statement to refuse")
    refused = Refusal()
    application = create_app(settings)
    engine = application.state.engine

    def register(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.create_function("crm_global_id", 2, refused)  # SQLAlchemy's aiosqlite adapter

    event.listen(engine.sync_engine, "connect", register)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application), base_url="http://gateway"
    ) as http:
        yield http, refused
    await engine.dispose()


async def test_a_refused_planned_statement_is_not_sent_again_until_the_retry_time(
    refusing: tuple[httpx.AsyncClient, Refusal],
    client: Client,
    off_client: Client,
    factory: Factory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    http, refused = refusing
    for i in range(3):
        factory.contact(f"Refused{i}", "Plan")
    await factory.save()
    caller = Client(http, client.token)
    expected = await off_client.execute(QUERY)
    assert [n["firstName"] for n in expected["data"]["contacts"]["nodes"]][:3] == [
        f"Refused{i}" for i in range(3)
    ]

    resolved = expected.pop("extensions")["cost"]["sqlStatements"]

    async def sent() -> int:
        """The answer is the resolvers'; how many times the refused function has run so far. The cost
        counts the refused statement besides the resolvers' when it was sent."""
        before = refused.calls
        body = await caller.execute(QUERY)
        statements = body.pop("extensions")["cost"]["sqlStatements"]
        assert body == expected
        assert statements == resolved + (refused.calls > before)
        return refused.calls

    monkeypatch.setattr(extension, "RETRY_FAILED_AFTER", 0.0)  # a mark that has expired by the next request
    first = await sent()
    assert first > 0  # the planned statement was sent and refused ...
    assert await sent() > first  # ... and, its mark expired, sent again
    monkeypatch.setattr(extension, "RETRY_FAILED_AFTER", 60.0)
    marked = await sent()  # sent once more: its mark is set for a minute
    assert await sent() == await sent() == marked  # the resolvers answer without sending it again


CREATE = "mutation($input: ContactCreateInput!) { contactCreate(input: $input) { contact { id } } }"


async def test_mutations_take_no_entry_in_the_plan_cache_whatever_their_variables(
    client: Client, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every mutation sends new variables; the plan cache is keyed by them, so each took an entry
    (unplannable) until the cache's byte budget was full: ~4 KB of the server's memory per request."""
    # This test's entries alone: after the rest of the suite the cache is full (512), and the one new
    # query below would evict another entry instead of adding one.
    monkeypatch.setattr(extension, "_PLANNED", BoundedCache())
    before = len(extension._PLANNED)
    for number in range(5):
        person = {"firstName": f"Cached{number}", "lastName": "Never"}
        body = await client.execute(CREATE, {"input": person})
        assert body["data"]["contactCreate"]["contact"]["id"]
    assert len(extension._PLANNED) == before
    if settings.planner:
        await client.execute(QUERY)  # a query is still planned and kept
        assert len(extension._PLANNED) == before + 1
