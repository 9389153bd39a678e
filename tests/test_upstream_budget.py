"""The upstream-call budget: estimated before execution from the routes (batched or not), refused over
CRM_GATEWAY_MAX_UPSTREAM_CALLS without any upstream call, reported in ``extensions.cost``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import parse

from conftest import SECRET, token_for
from gateway.backends.records import Entity
from gateway.backends.rest.connector import CONNECTORS
from gateway.backends.rest.upstreams import UpstreamRoute
from gateway.budget import estimate_upstream_calls
from gateway.settings import load_settings
from resolvers.schema import schema
from upstream_sim import (
    Simulator,
    UnbatchedWidgetsConnector,
    WidgetsConnector,
    routed_gateway,
    routing_file,
    running_simulator,
)

BATCHED = {Entity.CONTACT: UpstreamRoute("widgets", batches=True)}
UNBATCHED = {Entity.CONTACT: UpstreamRoute("widgets", batches=False)}
NESTED = "query($n: Int!) { accounts(first: $n) { nodes { contacts(first: 5) { nodes { id } } } } }"


def estimate(query: str, routes: dict[Entity, Any], variables: dict[str, Any] | None = None) -> int:
    settings = load_settings(jwt_secret=SECRET, default_page_size=20, max_page_size=100)
    return estimate_upstream_calls(schema._schema, parse(query), None, variables or {}, settings, routes)


def test_batched_levels_cost_one_call_whatever_the_rows() -> None:
    assert estimate(NESTED, BATCHED, {"n": 10}) == 1
    assert estimate(NESTED, BATCHED, {"n": 100}) == 1
    assert estimate("{ contacts(first: 3) { totalCount nodes { id } } }", BATCHED) == 2  # page + count
    assert estimate('{ a: contact(id: "x") { id } b: contact(id: "y") { id } }', BATCHED) == 2


def test_unbatched_levels_cost_one_call_per_parent() -> None:
    assert estimate(NESTED, UNBATCHED, {"n": 10}) == 10
    assert estimate(NESTED, UNBATCHED, {"n": 100}) == 100
    assert estimate("{ contacts(first: 3) { nodes { id } } }", UNBATCHED) == 1  # a root list is one call
    deep = "{ leads(first: 4) { nodes { contact { accounts(first: 2) { nodes { contacts { nodes { id } } } } "
    deep += "} } } }"
    assert estimate(deep, UNBATCHED) == 4 + 4 * 2


def test_fragments_and_unrouted_fields() -> None:
    fragment = (
        "query { accounts(first: 7) { nodes { ...A } } } "
        "fragment A on Account { contacts { nodes { ...C } } } fragment C on Contact { id }"
    )
    assert estimate(fragment, UNBATCHED) == 7
    assert estimate(fragment, BATCHED) == 1
    assert estimate(NESTED, {}, {"n": 10}) == 0
    assert estimate("{ leads(first: 5) { nodes { id } } }", BATCHED) == 0


def test_nested_list_across_upstreams_counts_the_link_lookup() -> None:
    query = "{ contacts(first: 10) { nodes { communications(first: 5) { totalCount nodes { id } } } } }"
    crm = {Entity.COMMUNICATION: UpstreamRoute("crm", batches=False)}
    cone = {Entity.CONTACT: UpstreamRoute("cone", batches=True)}
    # contacts: 1 page; communications: a page and a count per contact; their links: 2 batched calls
    assert estimate(query, cone | crm) == 1 + 10 * 2 + 2
    assert estimate(query, crm) == 10 * 2  # contacts in SQL: the links are read there
    same = {
        Entity.CONTACT: UpstreamRoute("crm", batches=True),
        Entity.COMMUNICATION: crm[Entity.COMMUNICATION],
    }
    assert estimate(query, same) == 1 + 10 * 2  # one system: no link to read


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    monkeypatch.setenv("WIDGETS_TOKEN", "t")
    contact = uuid.uuid4()
    with running_simulator({str(contact): {"id": str(contact), "firstName": "Ada"}}) as simulator:
        yield simulator


async def run(
    database_url: str, tmp_path: Path, sim: Simulator, tenant: str, query: str, **limits: Any
) -> Any:
    async with routed_gateway(database_url, routing_file(tmp_path, sim.url), **limits) as (_, http):
        token = token_for(load_settings(jwt_secret=SECRET), tenant)
        response = await http.post(
            "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 200, response.text
    return response.json()


def aliased(count: int) -> str:
    return (
        "{ " + " ".join(f"c{i}: contacts(first: 1) {{ nodes {{ firstName }} }}" for i in range(count)) + " }"
    )


async def test_just_under_the_budget_runs(
    sim: Simulator, database_url: str, tenant: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(CONNECTORS, "conecrm", WidgetsConnector)
    body = await run(database_url, tmp_path, sim, tenant, aliased(3), max_upstream_calls=3)
    assert "errors" not in body, body
    assert body["data"]["c2"]["nodes"] == [{"firstName": "Ada"}]
    cost = body["extensions"]["cost"]
    assert cost["estimatedUpstreamCalls"] == 3 and cost["maxUpstreamCalls"] == 3
    assert cost["upstreamCallsBySystem"] == {"widgets": 3}


async def test_just_over_the_budget_is_refused_before_any_call(
    sim: Simulator, database_url: str, tenant: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(CONNECTORS, "conecrm", WidgetsConnector)
    body = await run(database_url, tmp_path, sim, tenant, aliased(4), max_upstream_calls=3)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": "UPSTREAM_BUDGET_EXCEEDED",
        "estimatedUpstreamCalls": 4,
        "maxUpstreamCalls": 3,
    }
    assert "about 4 calls to upstream systems; the limit is 3" in error["message"]
    assert (
        body["extensions"]["cost"]["upstreamCalls"] == 0 and body["extensions"]["cost"]["sqlStatements"] == 0
    )
    assert sim.faults.log == []


async def test_unbatched_nested_list_counts_per_parent(
    sim: Simulator, database_url: str, tenant: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(CONNECTORS, "conecrm", UnbatchedWidgetsConnector)
    query = NESTED.replace("query($n: Int!)", "").replace("$n", "11")
    body = await run(database_url, tmp_path, sim, tenant, query, max_upstream_calls=10)
    assert body["errors"][0]["extensions"]["estimatedUpstreamCalls"] == 11
    body = await run(database_url, tmp_path, sim, tenant, query.replace("11", "10"), max_upstream_calls=10)
    assert "errors" not in body, body
    assert body["extensions"]["cost"]["estimatedUpstreamCalls"] == 10
