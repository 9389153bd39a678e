"""The upstream-call budget: estimated before execution from the routes (batched or not), refused over
CRM_GATEWAY_MAX_UPSTREAM_CALLS without any upstream call, reported in ``extensions.cost``."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import parse

from conftest import SECRET, token_for
from gateway.backends.base import Capability
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


# -- node/nodes, areas served by an upstream (customization, Akixi) and totalCount ----------------------


def gid(type_name: str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{uuid.uuid4()}".encode()).decode().rstrip("=")


def test_node_and_nodes_cost_what_their_ids_name() -> None:
    contact, lead = gid("Contact"), gid("Lead")
    assert estimate(f'{{ node(id: "{contact}") {{ id }} }}', BATCHED) == 1
    assert estimate(f'{{ node(id: "{lead}") {{ id }} }}', BATCHED) == 0  # leads are not routed
    assert estimate("query($id: ID!) { node(id: $id) { id } }", BATCHED, {"id": contact}) == 1
    ids = [gid("Contact") for _ in range(4)] + [lead]
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    assert estimate(query, BATCHED, {"ids": ids}) == 1  # one batch for the four contacts
    assert estimate(query, UNBATCHED, {"ids": ids}) == 4  # one call per contact
    assert estimate('{ node(id: "not-an-id") { id } }', BATCHED) == 1  # unreadable: counted, not skipped
    account = gid("Account")
    nested = f'{{ node(id: "{account}") {{ ... on Account {{ contacts(first: 6) {{ nodes {{ id }} }} }} }} }}'
    assert estimate(nested, BATCHED) == 1 and estimate(nested, UNBATCHED) == 1


def test_areas_served_upstream_cost_a_call_per_root_field() -> None:
    settings = load_settings(jwt_secret=SECRET)
    query = parse(
        "{ customFields { id } customLabels { id } a: akixiCrmConfigs { totalCount } "
        'b: akixiCrmConfig(id: "1") { id } }'
    )

    def calls(*areas: Capability) -> int:
        return estimate_upstream_calls(schema._schema, query, None, {}, settings, {}, frozenset(areas))

    assert calls() == 0
    assert calls(Capability.CUSTOMIZATION) == 2
    assert calls(Capability.INTEGRATIONS) == 2
    assert calls(Capability.CUSTOMIZATION, Capability.INTEGRATIONS) == 4


def test_total_counts_cost_one_more_call_at_every_level() -> None:
    query = "{ accounts(first: 5) { totalCount nodes { contacts(first: 2) { totalCount nodes { id } } } } }"
    account = {Entity.ACCOUNT: UpstreamRoute("widgets", batches=True)}
    assert estimate(query, BATCHED | account) == 2 + 2
    assert estimate(query, UNBATCHED | account) == 2 + 5 * 2
    assert estimate(query.replace("totalCount ", ""), UNBATCHED | account) == 1 + 5


async def test_node_nodes_and_total_counts_over_the_budget_are_refused_before_any_call(
    sim: Simulator, database_url: str, tenant: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(CONNECTORS, "conecrm", UnbatchedWidgetsConnector)
    ids = ", ".join(f'"{gid("Contact")}"' for _ in range(3))
    for query in (
        f"{{ nodes(ids: [{ids}]) {{ id }} }}",
        "{ "
        + " ".join(f'n{i}: node(id: "{gid("Contact")}") {{ id }}' for i in range(2))
        + ' x: node(id: "x") { id } }',
        "{ a: contacts(first: 1) { totalCount } b: contacts(first: 1) { totalCount } }",
    ):
        body = await run(database_url, tmp_path, sim, tenant, query, max_upstream_calls=2)
        assert body["data"] is None, query
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UPSTREAM_BUDGET_EXCEEDED"]
        assert body["errors"][0]["extensions"]["estimatedUpstreamCalls"] in (3, 4)
        assert body["extensions"]["cost"]["upstreamCalls"] == 0
    assert sim.faults.log == []


async def test_customization_over_the_budget_is_refused_before_any_call(
    sqlite_url: str, tenant: str, tmp_path: Path
) -> None:
    from conecrm_support import routing_file as conecrm_routing
    from conecrm_support import serve_simulator

    query = "{ customFields { id } customLabels { id } savedFilters { id } }"
    with serve_simulator() as (url, faults, _):
        backends = conecrm_routing(tmp_path, url, routed=())
        async with routed_gateway(sqlite_url, backends, max_upstream_calls=2) as (_, http):
            token = token_for(load_settings(jwt_secret=SECRET), tenant)
            body = (await http.post("/graphql", json={"query": query}, headers=bearer(token))).json()
            assert body["data"] is None
            assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_BUDGET_EXCEEDED"
            assert body["errors"][0]["extensions"]["estimatedUpstreamCalls"] == 3
            assert faults.log == []
            fits = (
                await http.post("/graphql", json={"query": "{ customLabels { id } }"}, headers=bearer(token))
            ).json()
            assert "errors" not in fits and fits["extensions"]["cost"]["estimatedUpstreamCalls"] == 1


async def test_akixi_over_the_budget_is_refused_before_any_call(
    sqlite_url: str, tenant: str, tmp_path: Path
) -> None:
    from akixi_support import API_KEY, serve_akixi
    from akixi_support import routing_file as akixi_routing

    query = "{ a: akixiCrmConfigs { totalCount } b: akixiCrmConfigs(offset: 1) { totalCount } }"
    with serve_akixi() as akixi:
        backends = akixi_routing(tmp_path, akixi.url, f'api_key = "{API_KEY}"', tenants=[tenant])
        async with routed_gateway(sqlite_url, str(backends), max_upstream_calls=1) as (_, http):
            token = token_for(load_settings(jwt_secret=SECRET), tenant, permissions=["CRM_ALL"])
            body = (await http.post("/graphql", json={"query": query}, headers=bearer(token))).json()
            assert body["data"] is None
            assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_BUDGET_EXCEEDED"
            assert body["errors"][0]["extensions"]["estimatedUpstreamCalls"] == 2
            assert akixi.calls() == 0


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_count_the_connector_reads_in_windows_costs_its_most_windows() -> None:
    """ConeCRM has no contact total (seed 004): a count reads the plain list in up to ten windows, and
    the estimate says so rather than one call."""
    windowed = {Entity.CONTACT: UpstreamRoute("cone", batches=True, count_calls=10)}
    assert estimate("{ contacts(first: 3) { totalCount nodes { id } } }", windowed) == 1 + 10
    assert estimate("{ contacts(first: 3) { nodes { id } } }", windowed) == 1


def test_the_conecrm_connector_declares_its_windowed_contact_count() -> None:
    from types import SimpleNamespace

    from gateway.backends.rest.conecrm import ConeCrmConnector
    from gateway.backends.rest.conecrm.plain import MAX_COUNT_WINDOWS
    from gateway.backends.rest.upstreams import _count_calls

    connector = ConeCrmConnector(SimpleNamespace(config=SimpleNamespace(options={})))  # type: ignore[arg-type]
    assert _count_calls(connector, Entity.CONTACT) == MAX_COUNT_WINDOWS
    assert _count_calls(connector, Entity.ACCOUNT) == 1  # the account list answers its total
