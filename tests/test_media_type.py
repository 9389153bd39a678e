"""``application/graphql-response+json`` (GraphQL over HTTP): status codes that speak, for clients that ask.

Each behaviour of the new type is checked beside ``application/json`` for the same request, so a test
cannot pass because the gateway answers both alike.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from conftest import SECRET, token_for
from gateway.app import create_app
from gateway.media import GRAPHQL_RESPONSE_JSON, JSON, negotiate
from gateway.settings import load_settings

RESPONSE_TYPE = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
ME = "{ me { subject } }"
PARSE_ERROR = "{ me { "
VALIDATION_ERROR = "{ noSuchField }"
COERCION = "query Page($n: Int!) { contacts(first: $n) { totalCount } }"


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("application/json", JSON),
        ("text/html", JSON),  # nothing acceptable: the header is disregarded, as the spec allows
        (GRAPHQL_RESPONSE_JSON, GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON}, {JSON}", GRAPHQL_RESPONSE_JSON),  # graphql-http's client
        (f"{GRAPHQL_RESPONSE_JSON},{JSON};q=0.9", GRAPHQL_RESPONSE_JSON),  # Apollo Client 4
        (f"{GRAPHQL_RESPONSE_JSON};q=0.5, {JSON}", JSON),
        (f"{GRAPHQL_RESPONSE_JSON};charset=utf-8", GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON}, */*;q=0.1", GRAPHQL_RESPONSE_JSON),
        (f"{JSON};q=0, */*", GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=0, */*", JSON),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON),  # a browser
        ("APPLICATION/GRAPHQL-RESPONSE+JSON", GRAPHQL_RESPONSE_JSON),
        (f"{GRAPHQL_RESPONSE_JSON};q=bad, {JSON}", JSON),
        ("garbage, ;;, /", JSON),
    ],
)
def test_accept_negotiation_honours_quality_and_wildcards(accept: str | None, chosen: str) -> None:
    assert negotiate(accept) == chosen


@pytest.fixture(scope="module")
async def http(sqlite_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = load_settings(jwt_secret=SECRET, database_url=sqlite_url)
    app = create_app(settings)
    headers = {"Authorization": f"Bearer {token_for(settings, 'media')}"}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://gateway", headers=headers
        ) as client:
            yield client
    finally:
        await app.state.engine.dispose()


async def post(http: httpx.AsyncClient, accept: str, query: str, **payload: Any) -> httpx.Response:
    return await http.post("/graphql", json={"query": query, **payload}, headers={"Accept": accept})


async def test_an_executed_operation_is_200_in_the_new_type(http: httpx.AsyncClient) -> None:
    response = await post(http, GRAPHQL_RESPONSE_JSON, ME)
    assert response.status_code == 200
    assert response.headers["content-type"] == RESPONSE_TYPE
    assert response.json()["data"] == {"me": {"subject": "tester"}}


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        (PARSE_ERROR, None, "GRAPHQL_PARSE_FAILED"),
        (VALIDATION_ERROR, None, "GRAPHQL_VALIDATION_FAILED"),
        (COERCION, {"n": "five"}, "GRAPHQL_VALIDATION_FAILED"),
    ],
    ids=["parse", "validation", "variable-coercion"],
)
async def test_a_request_error_is_400_without_data_for_clients_asking_for_the_new_type(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None, code: str
) -> None:
    response = await post(http, GRAPHQL_RESPONSE_JSON, query, variables=variables)
    assert response.status_code == 400
    assert response.headers["content-type"] == RESPONSE_TYPE
    body = response.json()
    assert "data" not in body
    assert [error["extensions"]["code"] for error in body["errors"]] == [code]

    legacy = await post(http, JSON, query, variables=variables)
    assert legacy.status_code == 200
    assert legacy.headers["content-type"] == JSON
    assert legacy.json()["data"] is None


async def test_a_field_error_is_200_with_data_since_execution_ran(http: httpx.AsyncClient) -> None:
    forbidden = token_for(load_settings(jwt_secret=SECRET), "media", permissions=["CRM_READ"])
    response = await http.post(
        "/graphql",
        json={"query": "{ me { subject } contacts(first: 1) { totalCount } }"},
        headers={"Accept": GRAPHQL_RESPONSE_JSON, "Authorization": f"Bearer {forbidden}"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"]["me"] == {"subject": "tester"}
    assert body["errors"][0]["path"] == ["contacts"]


async def test_get_requests_negotiate_too(http: httpx.AsyncClient) -> None:
    accept = {"Accept": GRAPHQL_RESPONSE_JSON}
    ok = await http.get("/graphql", params={"query": ME}, headers=accept)
    assert (ok.status_code, ok.headers["content-type"]) == (200, RESPONSE_TYPE)
    invalid = await http.get("/graphql", params={"query": VALIDATION_ERROR}, headers=accept)
    assert (invalid.status_code, invalid.headers["content-type"]) == (400, RESPONSE_TYPE)


async def test_refusals_keep_their_status_and_carry_the_negotiated_type(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql",
        json={"query": ME},
        headers={"Accept": GRAPHQL_RESPONSE_JSON, "Authorization": "Bearer not-a-token"},
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == RESPONSE_TYPE
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_malformed_body_is_400_in_the_negotiated_type(http: httpx.AsyncClient) -> None:
    headers = {"Accept": GRAPHQL_RESPONSE_JSON, "Content-Type": JSON}
    response = await http.post("/graphql", content=b"{not json", headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"] == RESPONSE_TYPE
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_a_batch_answers_200_whatever_its_operations_did(http: httpx.AsyncClient) -> None:
    batch = [{"query": ME}, {"query": VALIDATION_ERROR}]
    response = await http.post("/graphql", json=batch, headers={"Accept": GRAPHQL_RESPONSE_JSON})
    assert response.status_code == 200
    assert [("errors" in result) for result in response.json()] == [False, True]


async def test_a_timeout_keeps_its_504_and_its_data_entry(
    database_url: str, factory: Any, tenant: str
) -> None:
    """A timeout's error has no path either, but the operation ran: it is no request error."""
    from test_limits import (
        STALL,
        TIMEOUT,
        _seed_contacts_with_leads,
        limited_app,
        slow_after_first,
        timeout_of,
    )

    await _seed_contacts_with_leads(factory, 20, 3)
    query = "{ contacts(first: 20) { edges { node { id leads(first: 5) { nodes { subject } } } } } }"
    async with limited_app(database_url, tenant) as (app, client):
        await client.execute(query)  # warms up, so that the stall below is the only slowness
        with slow_after_first(app, "SELECT", STALL), timeout_of(app, TIMEOUT):
            response = await client.post(query, Accept=GRAPHQL_RESPONSE_JSON)
    assert response.status_code == 504
    assert response.headers["content-type"] == RESPONSE_TYPE
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
