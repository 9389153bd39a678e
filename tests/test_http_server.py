"""HTTP behaviour against a real uvicorn server started by ``crm-gateway serve``."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from conftest import SECRET, token_for
from gateway.settings import load_settings
from servers import gateway_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("server")
    database = f"sqlite+aiosqlite:///{folder / 'server.db'}"
    with gateway_server(
        folder, {"CRM_GATEWAY_JWT_SECRET": SECRET, "CRM_GATEWAY_DATABASE_URL": database}
    ) as base:
        yield base


def _demo_token() -> str:
    return token_for(load_settings(jwt_secret=SECRET), "demo")


def test_a_query_without_token_is_refused_with_401(server: str) -> None:
    response = httpx.post(f"{server}/graphql", json={"query": "{ contacts { totalCount } }"})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_bad_token_is_refused_with_401(server: str) -> None:
    headers = {"Authorization": "Bearer not-a-jwt"}
    response = httpx.post(f"{server}/graphql", json={"query": "{ me { subject } }"}, headers=headers)
    assert response.status_code == 401
    assert "not-a-jwt" not in response.text


def test_demo_data_is_served_with_cost(server: str) -> None:
    headers = {"Authorization": f"Bearer {_demo_token()}"}
    query = (
        "{ contacts(first: 3) { totalCount edges { node { displayName leads(first: 2) { totalCount } } } } }"
    )
    body = httpx.post(f"{server}/graphql", json={"query": query}, headers=headers).json()
    assert "errors" not in body, body
    assert body["data"]["contacts"]["totalCount"] == 200
    assert len(body["data"]["contacts"]["edges"]) == 3
    # The planner: one statement; the resolvers: contacts, their count, leads, the leads' counts.
    assert body["extensions"]["cost"]["sqlStatements"] == (1 if load_settings().planner else 4)
    assert body["extensions"]["cost"]["upstreamCalls"] == 0


def test_graphiql_page_is_served_to_browsers(server: str) -> None:
    response = httpx.get(f"{server}/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_introspection_works_before_a_token_is_pasted(server: str) -> None:
    response = httpx.post(f"{server}/graphql", json={"query": "{ __schema { queryType { name } } }"})
    assert response.status_code == 200
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


def test_queries_work_over_get(server: str) -> None:
    headers = {"Authorization": f"Bearer {_demo_token()}"}
    response = httpx.get(f"{server}/graphql", params={"query": "{ me { tenant { key } } }"}, headers=headers)
    assert response.json()["data"]["me"]["tenant"]["key"] == "demo"


def test_health_and_metrics(server: str) -> None:
    assert httpx.get(f"{server}/healthz").json() == {"status": "ok"}
    metrics = httpx.get(f"{server}/metrics").text
    assert "crm_gateway_responses_total" in metrics


def test_malformed_json_is_a_client_error(server: str) -> None:
    headers = {"Authorization": f"Bearer {_demo_token()}", "Content-Type": "application/json"}
    response = httpx.post(f"{server}/graphql", content=b"{not json", headers=headers)
    assert 400 <= response.status_code < 500
