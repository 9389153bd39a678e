"""``CRM_GATEWAY_ENV=production``: no introspection, no GraphiQL, no suggestions, masked errors.

Each behaviour is checked against a development app too, so a test cannot pass because the feature
it looks for was never there.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import SECRET, Client, token_for
from factories import assert_clean_error
from gateway.app import create_app
from gateway.settings import load_settings


@asynccontextmanager
async def client_of(database_url: str, tenant: str, env: str) -> AsyncIterator[Client]:
    settings = load_settings(env=env, jwt_secret=SECRET, database_url=database_url)
    app = create_app(settings)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            yield Client(http, token_for(settings, tenant))
    finally:
        await app.state.engine.dispose()


@pytest.fixture
async def production(database_url: str, tenant: str) -> AsyncIterator[Client]:
    async with client_of(database_url, tenant, "production") as client:
        yield client


@pytest.fixture
async def development(database_url: str, tenant: str) -> AsyncIterator[Client]:
    async with client_of(database_url, tenant, "development") as client:
        yield client


@pytest.mark.parametrize(
    "query", ["{ __schema { types { name } } }", '{ __type(name: "Contact") { fields { name } } }']
)
async def test_introspection_is_refused_in_production(
    production: Client, development: Client, query: str
) -> None:
    response = await production.post(query)
    body = assert_clean_error(response)
    assert response.status_code == 200
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INTROSPECTION_DISABLED"]
    assert "Contact" not in response.text
    await development.execute(query)


async def test_typename_still_works_in_production(production: Client) -> None:
    body = await production.execute("{ __typename me { __typename subject } }")
    assert body["data"] == {"__typename": "Query", "me": {"__typename": "Viewer", "subject": "tester"}}


async def test_introspection_without_a_token_is_401_in_production(production: Client) -> None:
    response = await production.http.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})
    assert response.status_code == 401


async def test_no_graphiql_page_in_production(production: Client, development: Client) -> None:
    browser = {"Accept": "text/html"}
    assert "graphiql" in (await development.http.get("/graphql", headers=browser)).text.lower()
    page = await production.http.get("/graphql", headers=browser)
    assert "graphiql" not in page.text.lower()
    assert page.status_code in (401, 404)


@pytest.mark.parametrize(
    ("query", "variables", "suggested"),
    [
        ("{ contactz { totalCount } }", None, "'contacts'"),  # unknown field: a validation message
        ("{ contacts(frist: 2) { totalCount } }", None, "'first'"),  # unknown argument
        ("{ contacts(orderBy: [{field: LAST_NAM}]) { totalCount } }", None, "LAST_NAME"),  # enum value
        ('{ contacts(filter: {lastNam: {eq: "x"}}) { totalCount } }', None, "lastName"),  # input field
        ("query($f: ContactFiltr) { contacts(filter: $f) { totalCount } }", None, "'ContactFilter'"),  # type
        ('{ node(id: "x") { firstName } }', None, "'Contact'"),  # a field of an implementation
        (  # an enum value in a variable: a message of execution-time coercion
            "query($order: [ContactOrder!]) { contacts(orderBy: $order) { totalCount } }",
            {"order": [{"field": "LAST_NAM", "direction": "ASC"}]},
            "LAST_NAME",
        ),
        (  # an input field in a variable: graphql-core goes on after the suggestion (" Found: ...")
            "query($f: ContactFilter) { contacts(filter: $f) { totalCount } }",
            {"f": {"lastNam": {"eq": "x"}}},
            "lastName",
        ),
    ],
)
async def test_no_field_suggestions_in_production(
    production: Client, development: Client, query: str, variables: dict[str, Any] | None, suggested: str
) -> None:
    suggesting = (await development.post(query, variables)).text
    assert "Did you mean" in suggesting and suggested in suggesting
    response = await production.post(query, variables)
    assert_clean_error(response)
    assert "Did you mean" not in response.text
    assert suggested not in response.text


async def test_unexpected_errors_are_masked_with_a_logged_request_id(
    tmp_path: Path, tenant: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A real fault: the SQLite file's directory does not exist, so every statement fails."""
    broken = f"sqlite+aiosqlite:///{tmp_path / 'missing-dir' / 'crm.db'}"
    with caplog.at_level(logging.ERROR, logger="gateway"):
        async with client_of(broken, tenant, "production") as client:
            response = await client.post("{ contacts { totalCount } }")
    body = assert_clean_error(response)
    assert response.status_code == 200
    (error,) = body["errors"]
    request_id = response.headers["x-request-id"]
    assert error["message"] == "Internal error"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    for leak in ("sqlite", "OperationalError", "missing-dir", "Traceback", "unable to open"):
        assert leak.lower() not in response.text.lower()
    logged = [r for r in caplog.records if r.name == "gateway" and request_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the log keeps what the response hides
