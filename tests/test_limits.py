"""Per-request limits: tokens, depth, aliases, batch length, body size, cost estimate and timeout.

Each limit is tried just under and just over it, on an app built with that limit; a refusal must be a
GraphQL JSON error with its own code, the right HTTP status, and must not have run any SQL statement.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, get_introspection_query, parse
from sqlalchemy import event

from conftest import SECRET, Client, token_for
from factories import Factory, assert_clean_error
from gateway.app import create_app
from gateway.limits import count_tokens, estimate_nodes, fragments_of, selection_depth
from gateway.settings import Settings, SettingsError, load_settings
from resolvers.schema import schema

ME = "{ me { subject } }"  # 6 tokens, 2 levels, no alias, touches no table

CREATE_MANY = (
    "mutation($rows: [ContactCreateInput!]!) "
    "{ contactCreateMany(inputs: $rows) { results { contact { id } } } }"
)


@contextmanager
def statements(app: Any) -> Iterator[list[str]]:
    """Every SQL statement the app's engine sends while the block runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    sync_engine = app.state.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)


@asynccontextmanager
async def limited_app(database_url: str, tenant: str, **limits: Any) -> AsyncIterator[tuple[Any, Client]]:
    """An app with the given limits and a client of ``tenant`` on it."""
    settings = load_settings(database_url=database_url, jwt_secret=SECRET, **limits)
    app = create_app(settings)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            yield app, Client(http, token_for(settings, tenant))
    finally:
        await app.state.engine.dispose()


def code_of(body: dict[str, Any]) -> str:
    return body["errors"][0]["extensions"]["code"]  # type: ignore[no-any-return]


async def refused(app: Any, call: Awaitable[httpx.Response], status: int, code: str) -> dict[str, Any]:
    """The JSON body of a refusal; asserts its status, code, shape and that no SQL statement ran."""
    with statements(app) as seen:
        response = await call
    body = assert_clean_error(response)
    assert response.status_code == status, body
    assert code_of(body) == code, body
    assert body.get("data") is None
    assert seen == [], seen
    if "extensions" in body:
        assert body["extensions"]["cost"]["sqlStatements"] == 0
    assert response.headers["x-request-id"]
    return body


# --- tokens ---------------------------------------------------------------------------------------


def test_tokens_are_lexer_tokens_without_comments_and_the_count_stops_early() -> None:
    assert count_tokens(ME, 100) == 6
    assert count_tokens("# a comment\n" + ME, 100) == 6
    assert count_tokens("{ a " * 100_000, 10) == 11
    assert count_tokens('{ me(x: "unterminated', 100) == 5  # the parser reports the syntax error


async def test_tokens_just_under_and_over_the_limit(database_url: str, tenant: str) -> None:
    async with limited_app(database_url, tenant, max_tokens=6) as (app, client):
        assert (await client.execute(ME))["data"]["me"]["subject"] == "tester"
        body = await refused(
            app, client.post("{ me { subject tenant { key } } }"), 200, "MAX_TOKENS_EXCEEDED"
        )
        assert "more than 6 tokens" in body["errors"][0]["message"]


async def test_a_huge_document_is_refused_by_its_token_count(client: Client) -> None:
    query = "{ " + "me { subject } " * 50_000 + "}"
    response = await client.post(query)
    assert response.status_code == 200
    assert code_of(assert_clean_error(response)) == "MAX_TOKENS_EXCEEDED"


# --- depth ----------------------------------------------------------------------------------------

DEEP = "{ me { tenant { key } } }"  # 3 levels
DEEP_BY_FRAGMENT = (
    "query Deep { ...Me } fragment Me on Query { me { ...Tenant } } "
    "fragment Tenant on Viewer { tenant { key } }"
)


async def test_depth_just_under_and_over_the_limit(database_url: str, tenant: str) -> None:
    async with limited_app(database_url, tenant, max_depth=3) as (app, client):
        await client.execute(DEEP)
        await client.execute(DEEP_BY_FRAGMENT)
    async with limited_app(database_url, tenant, max_depth=2) as (app, client):
        body = await refused(app, client.post(DEEP), 200, "MAX_DEPTH_EXCEEDED")
        assert body["errors"][0]["extensions"]["depth"] == 3
        assert "the limit is 2" in body["errors"][0]["message"]
        body = await refused(app, client.post(DEEP_BY_FRAGMENT), 200, "MAX_DEPTH_EXCEEDED")
        assert "Operation 'Deep' is 3 levels deep" in body["errors"][0]["message"]


async def test_inline_fragments_count_for_depth(database_url: str, tenant: str) -> None:
    query = "{ me { ... on Viewer { tenant { key } } } }"
    async with limited_app(database_url, tenant, max_depth=2) as (app, client):
        await refused(app, client.post(query), 200, "MAX_DEPTH_EXCEEDED")


async def test_a_fragment_cycle_is_a_validation_error_not_a_hang(database_url: str, tenant: str) -> None:
    query = "{ me { ...A } } fragment A on Viewer { tenant { key } ...B } fragment B on Viewer { ...A }"
    async with limited_app(database_url, tenant, max_depth=3) as (app, client):
        with statements(app) as seen:
            body = assert_clean_error(await client.post(query))
        assert any("cannot spread fragment" in e["message"].lower() for e in body["errors"]), body
        assert seen == []


def test_graphiql_introspection_fits_the_default_depth() -> None:
    document = parse(_full_introspection_query())
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    assert selection_depth(operation.selection_set, fragments_of(document)) == load_settings().max_depth


async def test_graphiql_introspection_passes_with_the_default_limits(client: Client) -> None:
    body = await client.execute(_full_introspection_query())
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def _full_introspection_query() -> str:
    return get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )


# --- aliases --------------------------------------------------------------------------------------

TWO_ALIASES = "{ a: me { subject } b: me { subject } }"
ALIASES_IN_FRAGMENT = "{ ...F } fragment F on Query { a: me { subject } b: me { who: subject } }"


async def test_aliases_just_under_and_over_the_limit(database_url: str, tenant: str) -> None:
    async with limited_app(database_url, tenant, max_aliases=2) as (app, client):
        body = await client.execute(TWO_ALIASES)
        assert body["data"]["a"] == body["data"]["b"]
        body = await refused(app, client.post(ALIASES_IN_FRAGMENT), 200, "MAX_ALIASES_EXCEEDED")
        assert body["errors"][0]["extensions"] == {
            "code": "MAX_ALIASES_EXCEEDED",
            "aliases": 3,
            "maxAliases": 2,
        }


def _fragment_fan(levels: int) -> str:
    """Each fragment spreads the next one twice: 2**levels aliased objects in a few hundred tokens."""
    fragments = [
        f"fragment F{i} on Viewer {{ t{i}: tenant {{ key }} ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    ]
    return "{ me { ...F0 } } " + " ".join([*fragments, f"fragment F{levels} on Viewer {{ subject }}"])


async def test_fragments_spread_exponentially_are_counted_without_expanding_them(
    client: Client, app: Any
) -> None:
    """Walking such a document naively takes 2**40 steps; each fragment must be walked once."""
    body = await refused(app, client.post(_fragment_fan(40)), 200, "MAX_ALIASES_EXCEEDED")
    assert body["errors"][0]["extensions"]["aliases"] == 2**40 - 1
    assert _estimate(_fragment_fan(40)) == 1 + 2**40 - 1


# --- batches --------------------------------------------------------------------------------------


async def _post_batch(client: Client, operations: Any) -> httpx.Response:
    return await client.http.post(
        "/graphql", json=operations, headers={"Authorization": f"Bearer {client.token}"}
    )


async def test_a_batch_up_to_the_limit_runs_each_operation(database_url: str, tenant: str) -> None:
    async with limited_app(database_url, tenant, max_batch_operations=2) as (_, client):
        batch = [{"query": ME}, {"query": "{ contacts { totalCount } }"}]
        response = await _post_batch(client, batch)
        assert response.status_code == 200, response.text
        first, second = response.json()
        assert first["data"]["me"]["subject"] == "tester"
        assert second["data"]["contacts"]["totalCount"] == 0


async def test_a_batch_over_the_limit_is_refused_whole(database_url: str, tenant: str) -> None:
    create = 'mutation { contactCreate(input: {firstName: "Batch", lastName: "Over"}) { errors { code } } }'
    async with limited_app(database_url, tenant, max_batch_operations=2) as (app, client):
        body = await refused(app, _post_batch(client, [{"query": create}] * 3), 400, "BATCH_TOO_LARGE")
        assert "3 operations; the limit is 2" in body["errors"][0]["message"]
        assert (await client.execute("{ contacts { totalCount } }"))["data"]["contacts"]["totalCount"] == 0


async def test_each_operation_of_a_batch_has_the_per_operation_limits(database_url: str, tenant: str) -> None:
    async with limited_app(database_url, tenant, max_depth=2) as (_, client):
        response = await _post_batch(client, [{"query": ME}, {"query": DEEP}])
        shallow, deep = response.json()
        assert shallow["data"]["me"]["subject"] == "tester"
        assert code_of(deep) == "MAX_DEPTH_EXCEEDED"


@pytest.mark.parametrize(
    "batch", [[], [1], [{"query": 5}], [{"query": ME, "variables": [1]}], [{"query": ME}, "x"]]
)
async def test_malformed_batches_are_clear_400s(client: Client, app: Any, batch: Any) -> None:
    await refused(app, _post_batch(client, batch), 400, "BAD_REQUEST")


# --- body size ------------------------------------------------------------------------------------


def _body_of_size(size: int) -> bytes:
    """A valid GraphQL request of exactly ``size`` bytes: the query padded with a comment."""
    template = '{"query": "#%s\\n{ me { subject } }"}'
    padding = size - len(template % "")
    return (template % ("x" * padding)).encode()


async def test_body_just_under_and_over_the_limit(database_url: str, tenant: str) -> None:
    async with limited_app(database_url, tenant, max_body_bytes=2048) as (app, client):
        headers = {"Authorization": f"Bearer {client.token}", "Content-Type": "application/json"}
        ok = await client.http.post("/graphql", content=_body_of_size(2048), headers=headers)
        assert ok.json()["data"]["me"]["subject"] == "tester"
        too_big = client.http.post("/graphql", content=_body_of_size(2049), headers=headers)
        body = await refused(app, too_big, 413, "PAYLOAD_TOO_LARGE")
        assert "2048 bytes" in body["errors"][0]["message"]


async def test_a_streamed_body_is_cut_off_at_the_limit(database_url: str, tenant: str) -> None:
    """No Content-Length (chunked): the view stops reading once the limit is passed."""
    chunks_read = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal chunks_read
        yield b'{"query": "#'
        while True:
            chunks_read += 1
            yield b"x" * 1024

    async with limited_app(database_url, tenant, max_body_bytes=4096) as (app, client):
        headers = {"Authorization": f"Bearer {client.token}", "Content-Type": "application/json"}
        await refused(
            app, client.http.post("/graphql", content=endless(), headers=headers), 413, "PAYLOAD_TOO_LARGE"
        )
    assert chunks_read <= 5


async def test_a_declared_content_length_over_the_limit_is_refused_upfront(
    database_url: str, tenant: str
) -> None:
    async with limited_app(database_url, tenant, max_body_bytes=1024) as (app, client):
        headers = {
            "Authorization": f"Bearer {client.token}",
            "Content-Type": "application/json",
            "Content-Length": "999999999",
        }

        async def never_sent() -> AsyncIterator[bytes]:
            raise AssertionError("the body was read")
            yield b""  # pragma: no cover

        await refused(
            app, client.http.post("/graphql", content=never_sent(), headers=headers), 413, "PAYLOAD_TOO_LARGE"
        )


# --- cost estimate --------------------------------------------------------------------------------

NESTED = "query($n: Int!) { contacts(first: $n) { edges { node { leads(first: 10) { nodes { id } } } } } }"


def _estimate(query: str, variables: dict[str, Any] | None = None, **settings: Any) -> int:
    configured = load_settings(jwt_secret=SECRET, **settings)
    return estimate_nodes(schema._schema, parse(query), None, variables or {}, configured)


def test_the_estimate_multiplies_page_sizes_down_the_tree() -> None:
    assert _estimate(NESTED, {"n": 10}) == 10 + 10 * 10
    # no first: the default page size; over the maximum: clamped to it
    assert _estimate("{ contacts { nodes { id } } }", default_page_size=20) == 20
    assert _estimate("{ contacts(first: 5000) { nodes { id } } }", max_page_size=100) == 100
    assert _estimate("{ contacts(last: 7) { edges { node { id } } pageInfo { hasNextPage } } }") == 7
    assert _estimate("query($n: Int = 3) { contacts(first: $n) { nodes { id } } }") == 3


def test_the_estimate_follows_fragments_and_counts_plain_lists() -> None:
    fragment = (
        "{ leads(first: 4) { nodes { ...L } } } "
        "fragment L on Lead { stage { name } contact { emails { email } } }"
    )
    assert _estimate(fragment) == 4 + 4 + 4 + 4 * 5  # leads, their stage and contact, 5 assumed e-mails
    inline = '{ nodes(ids: ["a", "b", "c"]) { ... on Contact { leads(first: 2) { nodes { id } } } } }'
    assert _estimate(inline) == 3 + 3 * 2
    assert _estimate(CREATE_MANY, {"rows": [{}] * 8}) == 1 + 8 + 8


async def test_cost_just_under_and_over_the_limit(database_url: str, tenant: str) -> None:
    async with limited_app(database_url, tenant, max_estimated_nodes=110) as (app, client):
        body = await client.execute(NESTED, {"n": 10})
        cost = body["extensions"]["cost"]
        assert cost["estimatedNodes"] == 110 and cost["maxEstimatedNodes"] == 110
        assert cost["sqlStatements"] > 0 and cost["upstreamCalls"] == 0
    async with limited_app(database_url, tenant, max_estimated_nodes=109) as (app, client):
        body = await refused(app, client.post(NESTED, {"n": 10}), 200, "COST_LIMIT_EXCEEDED")
        assert "about 110 objects; the limit is 109" in body["errors"][0]["message"]
        assert body["extensions"]["cost"] == {
            "sqlStatements": 0,
            "upstreamCalls": 0,
            "estimatedNodes": 110,
            "maxEstimatedNodes": 109,
        }


async def test_a_kept_estimate_follows_the_variables_and_the_limit(database_url: str, tenant: str) -> None:
    """Estimates are kept per document and variable values (``limits.estimate_nodes``): another value
    is estimated anew, and an app with a lower limit refuses what another app's estimate let through."""
    async with limited_app(database_url, tenant, max_estimated_nodes=110) as (app, client):
        for n, expected in ((10, 110), (2, 22), (10, 110)):
            body = await client.execute(NESTED, {"n": n})
            assert body["extensions"]["cost"]["estimatedNodes"] == expected
    async with limited_app(database_url, tenant, max_estimated_nodes=109) as (app, client):
        await refused(app, client.post(NESTED, {"n": 10}), 200, "COST_LIMIT_EXCEEDED")


@pytest.mark.same_both_ways
async def test_a_bulk_mutation_over_the_cost_limit_writes_nothing(database_url: str, tenant: str) -> None:
    rows = [{"firstName": f"R{i}", "lastName": "Bulk"} for i in range(10)]
    async with limited_app(database_url, tenant, max_estimated_nodes=20) as (app, client):
        await refused(app, client.post(CREATE_MANY, {"rows": rows}), 200, "COST_LIMIT_EXCEEDED")
        assert (await client.execute("{ contacts { totalCount } }"))["data"]["contacts"]["totalCount"] == 0


# --- timeout --------------------------------------------------------------------------------------


async def _seed_contacts_with_leads(factory: Factory, contacts: int, leads: int) -> None:
    for i in range(contacts):
        contact = factory.contact(f"C{i:03d}", "Slow")
        for j in range(leads):
            factory.lead(f"L{j}", contact_id=contact)
    await factory.save()


# The database stalls for longer than the timeout, so the timeout fires during the stall on any machine.
TIMEOUT = 0.5
STALL = 1.5


@contextmanager
def slow_after_first(app: Any, verb: str, seconds: float) -> Iterator[list[str]]:
    """The database stalls (blocking, as a slow disk would) right after the first ``verb`` statement."""
    seen: list[str] = []

    def stall(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(verb):
            seen.append(statement)
            if len(seen) == 1:
                time.sleep(seconds)

    sync_engine = app.state.engine.sync_engine
    event.listen(sync_engine, "after_cursor_execute", stall)
    try:
        yield seen
    finally:
        event.remove(sync_engine, "after_cursor_execute", stall)


@contextmanager
def timeout_of(app: Any, seconds: float) -> Iterator[None]:
    """The app's execution timeout is ``seconds`` inside the block only.

    Warm-up and the checks afterwards run under the default timeout, so a busy machine cannot make
    them time out too: only the stalled call is meant to.
    """
    settings = app.state.view.settings
    default = settings.execution_timeout_seconds
    settings.execution_timeout_seconds = seconds
    try:
        yield
    finally:
        settings.execution_timeout_seconds = default


@pytest.mark.parametrize(
    "planner",
    [pytest.param(True, id="planner", marks=pytest.mark.same_both_ways), pytest.param(False, id="resolvers")],
)
async def test_a_slow_query_times_out_with_504(
    database_url: str, factory: Factory, tenant: str, settings: Settings, planner: bool
) -> None:
    """The planner's one statement stalls after it ran, the resolvers' first of several: either way
    the operation is cancelled at the timeout, and its connection is back in the pool before the 504."""
    await _seed_contacts_with_leads(factory, 20, 3)
    query = "{ contacts(first: 20) { edges { node { id leads(first: 5) { nodes { subject } } } } } }"
    async with limited_app(database_url, tenant, planner=planner and settings.planner) as (app, client):
        await client.execute(query)  # connects and warms up: the stall below is then the only slowness
        with slow_after_first(app, "SELECT", STALL), timeout_of(app, TIMEOUT):
            response = await client.post(query)
        assert app.state.engine.sync_engine.pool.checkedout() == 0
        body = assert_clean_error(response)
        assert response.status_code == 504
        assert code_of(body) == "TIMEOUT"
        assert f"{TIMEOUT} s" in body["errors"][0]["message"]
        assert body["data"] is None
        # the pool is healthy afterwards: the cancelled connection was cleaned up
        again = await client.execute(query)
        assert len(again["data"]["contacts"]["edges"]) == 20


@pytest.mark.same_both_ways
async def test_a_mutation_cancelled_by_the_timeout_leaves_no_row(database_url: str, tenant: str) -> None:
    rows = [{"firstName": f"R{i}", "lastName": "Cancelled"} for i in range(20)]
    async with limited_app(database_url, tenant) as (app, client):
        await client.execute("{ contacts { totalCount } }")  # connects and warms up
        with slow_after_first(app, "INSERT", STALL) as inserts, timeout_of(app, TIMEOUT):
            response = await client.post(CREATE_MANY, {"rows": rows})
        assert response.status_code == 504, response.text
        assert code_of(response.json()) == "TIMEOUT"
        assert inserts, "the mutation was cancelled before it wrote anything, so proves nothing"
        count = await client.execute("{ contacts { totalCount } }")
        assert count["data"]["contacts"]["totalCount"] == 0


async def test_an_operation_that_blocks_the_loop_past_the_deadline_still_answers_504(
    database_url: str, factory: Factory, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The operation finishes, but it held the event loop (a stalled driver, a CPU-bound step) past
    the deadline and awaited nothing after it, so the timeout never got to cancel it. Its read session
    now ends after the answer is sent, outside the timeout: the deadline is checked as the operation
    returns (``http._raise_if_past``), and the answer is the 504 a cancelled one gets."""
    from strawberry.http.async_base_view import AsyncBaseHTTPView

    await _seed_contacts_with_leads(factory, 2, 1)
    query = "{ contacts(first: 2) { edges { node { id } } } }"
    finished: list[Any] = []
    run = AsyncBaseHTTPView.execute_single

    async def blocking(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = await run(self, *args, **kwargs)
        if stalling:
            finished.append(result)
            time.sleep(STALL - TIMEOUT)  # past the deadline, without yielding to the loop
        return result

    stalling = False
    monkeypatch.setattr(AsyncBaseHTTPView, "execute_single", blocking)
    async with limited_app(database_url, tenant) as (app, client):
        await client.execute(query)  # connects and warms up
        stalling = True
        with timeout_of(app, TIMEOUT):
            response = await client.post(query)
        stalling = False
        assert finished and not finished[0].errors, "the operation itself must have finished"
        assert response.status_code == 504, response.text
        body = assert_clean_error(response)
        assert code_of(body) == "TIMEOUT" and body["data"] is None
        assert app.state.engine.sync_engine.pool.checkedout() == 0
        assert len((await client.execute(query))["data"]["contacts"]["edges"]) == 2


# --- settings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("max_depth", 0),
        ("max_tokens", 0),
        ("max_batch_operations", 101),
        ("max_body_bytes", 10),
        ("max_estimated_nodes", 0),
        ("execution_timeout_seconds", 0),
        ("rate_limit_per_second", -1),
        ("rate_limit_burst", 0),
        ("redis_url", "http://127.0.0.1:6379"),
    ],
)
def test_bad_limit_settings_are_refused_by_name(name: str, value: Any) -> None:
    with pytest.raises(SettingsError, match=f"CRM_GATEWAY_{name.upper()}"):
        load_settings(**{name: value})


def test_the_defaults_are_the_documented_ones() -> None:
    settings: Settings = load_settings()
    assert (settings.max_depth, settings.max_aliases, settings.max_tokens) == (15, 30, 2_000)
    assert (settings.max_batch_operations, settings.max_body_bytes) == (10, 1_048_576)
    assert (settings.max_estimated_nodes, settings.execution_timeout_seconds) == (100_000, 10.0)
    assert (settings.rate_limit_per_second, settings.rate_limit_burst, settings.redis_url) == (
        50.0,
        200,
        None,
    )
