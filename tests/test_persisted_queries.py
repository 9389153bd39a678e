"""Persisted queries: the APQ protocol (memory and Redis stores), and the trusted-documents mode."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from conftest import SECRET, Client, token_for
from factories import Factory, error_code
from gateway.app import create_app
from gateway.cli import main
from gateway.persisted import REDIS_KEY_PREFIX, MemoryStore, sha256_hex
from gateway.settings import Settings, SettingsError, load_settings
from servers import free_port
from test_http_server import server as server  # a server of this module's own (module scope)

CONTACT_NAMES = "{ contacts(first: 5) { totalCount edges { node { firstName } } } }"


def unique(query: str) -> str:
    """The query with a comment that gives it a hash no other test (or earlier run) has registered."""
    return f"# {uuid.uuid4().hex}\n{query}"


def persisted(sha256: str, version: Any = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha256}}


async def send(client: Client, query: str | None, extensions: dict[str, Any] | None) -> httpx.Response:
    payload: dict[str, Any] = {"extensions": extensions} if extensions is not None else {}
    if query is not None:
        payload["query"] = query
    return await client.http.post("/graphql", json=payload, headers=auth(client.token))


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def by_hash(client: Client, query: str) -> httpx.Response:
    return await send(client, None, persisted(sha256_hex(query)))


async def register(client: Client, query: str) -> httpx.Response:
    return await send(client, query, persisted(sha256_hex(query)))


def is_not_found(response: httpx.Response) -> bool:
    return response.status_code == 200 and response.json()["errors"] == [
        {"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}
    ]


@asynccontextmanager
async def gateway(settings: Settings, tenant: str, **overrides: Any) -> AsyncIterator[Client]:
    """A client of a separate app built with other settings; its store and engine closed afterwards."""
    changed = load_settings(database_url=settings.database_url, jwt_secret=SECRET, **overrides)
    app = create_app(changed)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            yield Client(http, token_for(changed, tenant))
    finally:
        await app.state.view.close()
        await app.state.engine.dispose()


# -- automatic persisted queries ----------------------------------------------------------------------


async def test_hash_is_unknown_then_registered_then_runs_with_the_same_data(
    client: Client, factory: Factory
) -> None:
    factory.contact("Ada", "Lovelace")
    factory.contact("Grace", "Hopper")
    await factory.save()
    query = unique(CONTACT_NAMES)

    assert is_not_found(await by_hash(client, query))
    registered = await register(client, query)
    assert registered.status_code == 200
    assert "errors" not in registered.json()
    replayed = await by_hash(client, query)

    assert replayed.status_code == 200
    assert replayed.json()["data"] == registered.json()["data"]
    assert replayed.json()["data"]["contacts"]["totalCount"] == 2


async def test_variables_and_operation_name_travel_with_the_hash(client: Client, factory: Factory) -> None:
    factory.contact("Ada", "Lovelace")
    await factory.save()
    query = unique("query Named($n: Int!) { contacts(first: $n) { edges { node { firstName } } } }")
    await register(client, query)
    payload = {"extensions": persisted(sha256_hex(query)), "variables": {"n": 1}, "operationName": "Named"}

    response = await client.http.post("/graphql", json=payload, headers=auth(client.token))

    assert response.json()["data"]["contacts"]["edges"] == [{"node": {"firstName": "Ada"}}]


async def test_apq_works_over_get(client: Client, factory: Factory) -> None:
    factory.contact("Ada", "Lovelace")
    await factory.save()
    query = unique("query($n: Int!) { contacts(first: $n) { totalCount } }")
    params = {"extensions": json.dumps(persisted(sha256_hex(query))), "variables": json.dumps({"n": 1})}

    async def get(**extra: str) -> httpx.Response:
        return await client.http.get("/graphql", params=params | extra, headers=auth(client.token))

    assert is_not_found(await get())
    assert (await get(query=query)).json()["data"]["contacts"]["totalCount"] == 1
    replayed = await get()
    assert replayed.status_code == 200
    assert replayed.json()["data"]["contacts"]["totalCount"] == 1


async def test_a_stored_mutation_still_cannot_run_over_get(client: Client) -> None:
    mutation = unique('mutation { stageCreate(input: {name: "Via GET"}) { stage { name } } }')
    assert (await register(client, mutation)).json()["data"]["stageCreate"]["stage"]["name"] == "Via GET"
    params = {"extensions": json.dumps(persisted(sha256_hex(mutation)))}

    response = await client.http.get("/graphql", params=params, headers=auth(client.token))

    assert response.status_code == 400
    assert error_code(response) == "BAD_REQUEST"
    assert "mutations are not allowed" in response.json()["errors"][0]["message"].lower()
    stages = await client.execute('{ stages(filter: {name: {eq: "Via GET"}}) { totalCount } }')
    assert stages["data"]["stages"]["totalCount"] == 1


async def test_a_query_that_does_not_match_its_hash_is_refused_and_not_stored(client: Client) -> None:
    query = unique("{ me { subject } }")
    wrong = sha256_hex(query + " ")

    response = await send(client, query, persisted(wrong))

    assert response.status_code == 400
    assert error_code(response) == "PERSISTED_QUERY_HASH_MISMATCH"
    assert is_not_found(await send(client, None, persisted(wrong)))


@pytest.mark.parametrize(
    ("extension", "code"),
    [
        ({"persistedQuery": "abc"}, "PERSISTED_QUERY_INVALID"),
        ({"persistedQuery": ["x"]}, "PERSISTED_QUERY_INVALID"),
        ({"persistedQuery": {"version": 1}}, "PERSISTED_QUERY_INVALID"),
        ({"persistedQuery": {"version": 1, "sha256Hash": "xyz"}}, "PERSISTED_QUERY_INVALID"),
        ({"persistedQuery": {"version": 1, "sha256Hash": "g" * 64}}, "PERSISTED_QUERY_INVALID"),
        ({"persistedQuery": {"version": 1, "sha256Hash": 12}}, "PERSISTED_QUERY_INVALID"),
        ({"persistedQuery": {"version": 2, "sha256Hash": "a" * 64}}, "PERSISTED_QUERY_UNSUPPORTED_VERSION"),
        ({"persistedQuery": {"sha256Hash": "a" * 64}}, "PERSISTED_QUERY_UNSUPPORTED_VERSION"),
    ],
)
async def test_malformed_extensions_are_client_errors(
    client: Client, extension: dict[str, Any], code: str
) -> None:
    for query in (None, "{ me { subject } }"):
        response = await send(client, query, extension)
        assert response.status_code == 400
        assert error_code(response) == code
        assert response.headers["x-request-id"] == response.json()["extensions"]["requestId"]


async def test_a_hash_in_upper_case_finds_the_same_query(client: Client) -> None:
    query = unique("{ me { subject } }")
    await register(client, query)

    response = await send(client, None, persisted(sha256_hex(query).upper()))

    assert response.json()["data"]["me"]["subject"] == "tester"


async def test_without_a_token_nothing_is_registered_or_run(client: Client) -> None:
    query = unique("{ me { subject } }")
    anonymous = Client(client.http, "")
    await register(client, query)

    assert (await by_hash(anonymous, query)).status_code == 401
    other = unique("{ me { subject } }")
    refused = await anonymous.http.post(
        "/graphql", json={"query": other, "extensions": persisted(sha256_hex(other))}
    )
    assert refused.status_code == 401
    assert is_not_found(await by_hash(client, other))


async def test_introspection_without_a_token_runs_but_is_not_registered(client: Client) -> None:
    query = unique("{ __schema { queryType { name } } }")
    payload = {"query": query, "extensions": persisted(sha256_hex(query))}

    response = await client.http.post("/graphql", json=payload)

    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    assert is_not_found(await by_hash(client, query))


async def test_a_query_too_large_to_store_runs_but_is_not_stored(settings: Settings, tenant: str) -> None:
    async with gateway(settings, tenant, apq_max_query_bytes=200) as client:
        query = unique("{ me { subject } }") + "\n# " + "x" * 200
        assert (await register(client, query)).json()["data"]["me"]["subject"] == "tester"
        assert is_not_found(await by_hash(client, query))


async def test_with_apq_off_hashes_are_not_supported_and_full_queries_run(
    settings: Settings, tenant: str
) -> None:
    async with gateway(settings, tenant, apq=False) as client:
        query = unique("{ me { subject } }")
        refused = await by_hash(client, query)
        assert refused.status_code == 200
        assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_SUPPORTED"
        assert (await register(client, query)).json()["data"]["me"]["subject"] == "tester"


async def test_a_batch_with_an_unknown_hash_answers_each_operation(client: Client) -> None:
    known, unknown = unique("{ me { subject } }"), unique("{ me { subject } }")
    await register(client, known)
    batch = [{"extensions": persisted(sha256_hex(q))} for q in (known, unknown)]

    response = await client.http.post("/graphql", json=batch, headers=auth(client.token))

    assert response.status_code == 200
    codes = [body["errors"][0]["extensions"]["code"] for body in response.json()]
    assert codes == ["PERSISTED_QUERY_BATCH_REFUSED", "PERSISTED_QUERY_NOT_FOUND"]


# -- the in-memory LRU ------------------------------------------------------------------------------


async def test_the_memory_store_never_exceeds_its_size_and_keeps_the_recently_used() -> None:
    store = MemoryStore(size=3, max_bytes=1_000)
    for number in range(10):
        await store.put(f"h{number}", f"q{number}")
        assert len(store) <= 3
        await store.get("h0")  # used after every insert, so it is never the least recently used
    assert await store.get("h0") == "q0"
    assert [await store.get(f"h{n}") for n in (7, 8, 9)] == [None, "q8", "q9"]


async def test_the_memory_store_never_holds_more_text_than_its_bytes() -> None:
    store = MemoryStore(size=100, max_bytes=10)
    await store.put("big", "x" * 11)
    await store.put("h1", "q" * 4)
    await store.put("h2", "q" * 4)
    await store.put("h3", "q" * 4)  # 12 characters in all: the least recently used goes
    assert (await store.get("big"), await store.get("h1")) == (None, None)
    assert (await store.get("h2"), await store.get("h3")) == ("qqqq", "qqqq")
    assert store.length == 8


async def test_the_gateway_evicts_the_least_recently_used_query(settings: Settings, tenant: str) -> None:
    async with gateway(settings, tenant, apq_cache_size=2) as client:
        first, second, third = (unique("{ me { subject } }") for _ in range(3))
        for query in (first, second, third):
            await register(client, query)
        assert is_not_found(await by_hash(client, first))
        assert (await by_hash(client, second)).json()["data"]["me"]["subject"] == "tester"
        assert (await by_hash(client, third)).json()["data"]["me"]["subject"] == "tester"


# -- Redis ------------------------------------------------------------------------------------------


async def test_replicas_share_queries_through_redis(settings: Settings, tenant: str, redis_url: str) -> None:
    query = unique("{ me { subject } }")
    async with (
        gateway(settings, tenant, redis_url=redis_url, apq_ttl_seconds=600) as one,
        gateway(settings, tenant, redis_url=redis_url) as other,
    ):
        assert is_not_found(await by_hash(other, query))
        await register(one, query)
        response = await by_hash(other, query)
    assert response.json()["data"]["me"]["subject"] == "tester"
    redis = aioredis.Redis.from_url(redis_url)
    try:
        assert await redis.get(REDIS_KEY_PREFIX + sha256_hex(query)) == query.encode()
        assert 0 < await redis.ttl(REDIS_KEY_PREFIX + sha256_hex(query)) <= 600
    finally:
        await redis.aclose()


async def test_without_redis_full_queries_run_and_hashes_are_not_found(
    settings: Settings, tenant: str, caplog: pytest.LogCaptureFixture
) -> None:
    closed = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    query = unique("{ me { subject } }")
    with caplog.at_level(logging.WARNING, logger="gateway.persisted"):
        async with gateway(settings, tenant, redis_url=closed) as client:
            registered = await register(client, query)
            missing = await by_hash(client, query)
            again = await by_hash(client, query)
    assert registered.status_code == 200
    assert registered.json()["data"]["me"]["subject"] == "tester"
    assert is_not_found(missing)
    assert is_not_found(again)
    warnings = [record.getMessage() for record in caplog.records if record.name == "gateway.persisted"]
    assert len(warnings) == 1, warnings  # one per outage, not one per request
    assert "unavailable" in warnings[0]
    assert "hunter2" not in caplog.text


@pytest.mark.parametrize("url", ["http://user:secret@localhost", "redis://:secret@localhost:port/0"])
def test_a_bad_redis_url_is_a_settings_error_that_hides_the_password(url: str) -> None:
    with pytest.raises(SettingsError, match="CRM_GATEWAY_REDIS_URL") as raised:
        load_settings(redis_url=url)
    assert "secret" not in str(raised.value)


# -- trusted documents ------------------------------------------------------------------------------

LISTED = "query Me { me { subject } }"
LISTED_CONTACTS = "query Names { contacts(first: 5) { totalCount } }"


def apollo_manifest(*bodies: str) -> dict[str, Any]:
    operations = [
        {"id": sha256_hex(body), "name": f"Op{n}", "type": "query", "body": body}
        for n, body in enumerate(bodies)
    ]
    return {"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(apollo_manifest(LISTED, LISTED_CONTACTS)))
    return path


async def test_trusted_documents_run_by_hash_and_by_full_text(
    settings: Settings, tenant: str, manifest: Path, factory: Factory
) -> None:
    factory.contact("Ada", "Lovelace")
    await factory.save()
    async with gateway(settings, tenant, trusted_documents=str(manifest)) as client:
        assert (await by_hash(client, LISTED)).json()["data"]["me"]["subject"] == "tester"
        assert (await client.execute(LISTED_CONTACTS))["data"]["contacts"]["totalCount"] == 1
        assert (await register(client, LISTED)).json()["data"]["me"]["subject"] == "tester"
        params = {"extensions": json.dumps(persisted(sha256_hex(LISTED_CONTACTS)))}
        over_get = await client.http.get("/graphql", params=params, headers=auth(client.token))
        assert over_get.json()["data"]["contacts"]["totalCount"] == 1


async def test_anything_not_listed_is_refused(settings: Settings, tenant: str, manifest: Path) -> None:
    unlisted = "{ me { subject tenant { key } } }"
    async with gateway(settings, tenant, trusted_documents=str(manifest)) as client:
        attempts = [
            await client.post(unlisted),
            await client.post(LISTED + " "),  # a different text is a different document
            await by_hash(client, unlisted),
            await register(client, unlisted),  # no registration in this mode
            await by_hash(client, unlisted),
            await client.http.get("/graphql", params={"query": unlisted}, headers=auth(client.token)),
            await client.http.post("/graphql", json={"query": "{ __schema { queryType { name } } }"}),
        ]
        for response in attempts:
            assert response.status_code == 400, response.text
            assert error_code(response) == "PERSISTED_QUERY_NOT_ALLOWED"


async def test_a_batch_cannot_smuggle_an_unlisted_query(
    settings: Settings, tenant: str, manifest: Path
) -> None:
    batch = [{"query": LISTED}, {"query": "{ me { tenant { key } } }"}]
    async with gateway(settings, tenant, trusted_documents=str(manifest)) as client:
        response = await client.http.post("/graphql", json=batch, headers=auth(client.token))
    assert response.status_code == 400
    codes = [body["errors"][0]["extensions"]["code"] for body in response.json()]
    assert codes == ["PERSISTED_QUERY_BATCH_REFUSED", "PERSISTED_QUERY_NOT_ALLOWED"]


async def test_a_plain_object_of_hashes_is_accepted_as_manifest(
    settings: Settings, tenant: str, tmp_path: Path
) -> None:
    path = tmp_path / "plain.json"
    path.write_text(json.dumps({sha256_hex(LISTED): LISTED}))
    async with gateway(settings, tenant, trusted_documents=str(path)) as client:
        assert (await by_hash(client, LISTED)).json()["data"]["me"]["subject"] == "tester"
        assert error_code(await client.post(LISTED_CONTACTS)) == "PERSISTED_QUERY_NOT_ALLOWED"


def _bad_manifests() -> list[Any]:
    wrong_hash = apollo_manifest(LISTED)
    wrong_hash["operations"][0]["id"] = sha256_hex("something else")
    broken = "query Broken { me { "
    return [
        pytest.param(wrong_hash, "'Op0': id .* is not the SHA-256 of its body", id="wrong-hash"),
        pytest.param(apollo_manifest(broken), "'Op0': body is not valid GraphQL", id="unparsable-body"),
        pytest.param({sha256_hex(broken): broken}, "body is not valid GraphQL", id="plain-unparsable"),
        pytest.param({"format": "other", "operations": []}, "unsupported manifest", id="other-format"),
        pytest.param(apollo_manifest(), "lists no operations", id="empty"),
        pytest.param(["not", "an", "object"], "expected an Apollo persisted query manifest", id="a-list"),
        pytest.param(
            {"format": "apollo-persisted-query-manifest", "version": 1}, "'operations'", id="no-ops"
        ),
    ]


@pytest.mark.parametrize(("content", "problem"), _bad_manifests())
def test_a_bad_manifest_stops_the_gateway(
    settings: Settings, tmp_path: Path, content: Any, problem: str
) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(content))
    changed = load_settings(
        database_url=settings.database_url, jwt_secret=SECRET, trusted_documents=str(path)
    )
    with pytest.raises(SettingsError, match=f"CRM_GATEWAY_TRUSTED_DOCUMENTS: {path}: .*{problem}"):
        create_app(changed)


def test_a_missing_or_unreadable_manifest_stops_the_gateway(settings: Settings, tmp_path: Path) -> None:
    not_json = tmp_path / "broken.json"
    not_json.write_text("{not json")
    for path, problem in [(tmp_path / "missing.json", "cannot read the file"), (not_json, "not a JSON file")]:
        changed = load_settings(
            database_url=settings.database_url, jwt_secret=SECRET, trusted_documents=str(path)
        )
        with pytest.raises(SettingsError, match=problem) as raised:
            create_app(changed)
        assert str(path) in str(raised.value)


def test_serve_refuses_to_start_with_a_bad_manifest(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "missing.json"
    monkeypatch.setenv("CRM_GATEWAY_JWT_SECRET", SECRET)
    monkeypatch.setenv("CRM_GATEWAY_TRUSTED_DOCUMENTS", str(path))

    status = main(["serve", "--database-url", sqlite_url, "--port", str(free_port())])

    assert status == 2
    assert f"CRM_GATEWAY_TRUSTED_DOCUMENTS: {path}: cannot read the file" in capsys.readouterr().err


# -- a real server ----------------------------------------------------------------------------------


def test_the_apq_dance_against_a_real_server(server: str) -> None:
    headers = auth(token_for(load_settings(jwt_secret=SECRET), "demo"))
    query = unique("{ contacts { totalCount } }")
    extensions = json.dumps(persisted(sha256_hex(query)))

    unknown = httpx.get(f"{server}/graphql", params={"extensions": extensions}, headers=headers)
    registered = httpx.post(
        f"{server}/graphql", json={"query": query, "extensions": json.loads(extensions)}, headers=headers
    )
    replayed = httpx.get(f"{server}/graphql", params={"extensions": extensions}, headers=headers)

    assert is_not_found(unknown)
    assert registered.json()["data"]["contacts"]["totalCount"] == 200
    assert replayed.status_code == 200
    assert replayed.json()["data"] == registered.json()["data"]
