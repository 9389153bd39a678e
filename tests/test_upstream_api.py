"""Through the GraphQL API, with contacts routed to a small upstream over real HTTP: the upstream's data is
served, its failures make only the affected field null (HTTP 200, the code on the field's path), and
``extensions.cost`` reports the calls per system."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import SECRET, token_for
from gateway.app import create_app
from gateway.backends.rest.connector import CONNECTORS
from gateway.settings import load_settings
from resolvers.common.ids import encode_global_id
from servers import threaded_server
from upstream_sim import Simulator, WidgetsConnector, routed_gateway, routing_file, running_simulator
from ws_client import authenticated

QUERY = """query($id: ID!) {
  contact(id: $id) { id firstName lastName }
  stages(first: 5) { totalCount }
}"""


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[Simulator]:
    monkeypatch.setitem(CONNECTORS, "conecrm", WidgetsConnector)
    monkeypatch.setenv("WIDGETS_TOKEN", "widgets-service-token")
    contact = uuid.uuid4()
    with running_simulator(
        {str(contact): {"id": str(contact), "firstName": "Ada", "lastName": "Lovelace"}}
    ) as s:
        yield s


def contact_id(sim: Simulator) -> str:
    return encode_global_id("Contact", uuid.UUID(next(iter(sim.contacts))))


async def post(http: Any, tenant: str, query: str, variables: dict[str, Any]) -> tuple[Any, str]:
    token = token_for(load_settings(jwt_secret=SECRET), tenant)
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    return response, token


async def test_routed_entity_is_served_by_the_upstream(
    sim: Simulator, database_url: str, tenant: str, tmp_path: Path
) -> None:
    async with routed_gateway(database_url, routing_file(tmp_path, sim.url)) as (app, http):
        response, token = await post(http, tenant, QUERY, {"id": contact_id(sim)})
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    assert body["data"]["contact"]["firstName"] == "Ada"
    assert body["data"]["stages"] == {"totalCount": 0}  # SQL, as before
    cost = body["extensions"]["cost"]
    assert cost["upstreamCalls"] == 1 and cost["upstreamCallsBySystem"] == {"widgets": 1}
    assert sim.faults.calls("GET", "/contacts") == 1
    scope = app.state.upstreams.connectors["widgets"].scopes[-1]
    assert scope.tenant == tenant and scope.bearer_token == token  # the caller's JWT, for forwarding


@pytest.mark.parametrize(
    ("fault", "code"),
    [("503", "UPSTREAM_UNAVAILABLE"), ("reset", "UPSTREAM_UNAVAILABLE"), ("hang", "UPSTREAM_TIMEOUT")],
)
async def test_upstream_failure_is_a_null_field_with_its_code(
    sim: Simulator, database_url: str, tenant: str, tmp_path: Path, fault: str, code: str
) -> None:
    {"503": lambda: sim.faults.fail(503), "reset": sim.faults.reset, "hang": sim.faults.hang}[fault]()
    async with routed_gateway(database_url, routing_file(tmp_path, sim.url)) as (_, http):
        response, _ = await post(http, tenant, QUERY, {"id": contact_id(sim)})
    body = response.json()
    assert response.status_code == 200, body
    assert body["data"] == {"contact": None, "stages": {"totalCount": 0}}
    [error] = body["errors"]
    assert error["path"] == ["contact"] and error["extensions"]["code"] == code
    assert error["extensions"]["system"] == "widgets"
    assert "widgets-service-token" not in response.text
    calls = body["extensions"]["cost"]["upstreamCallsBySystem"]["widgets"]
    assert calls == (1 if fault == "hang" else 2)  # a GET is tried twice (attempts = 2) unless it timed out


async def test_upstream_list_is_served_and_the_breaker_is_shared_by_requests(
    sim: Simulator, database_url: str, tenant: str, tmp_path: Path
) -> None:
    backends = routing_file(
        tmp_path, sim.url, extra="[upstreams.widgets.breaker]\nfailures = 2\nreset_seconds = 600\n"
    )
    query = "{ contacts(first: 5) { nodes { firstName } } }"
    async with routed_gateway(database_url, backends) as (_, http):
        body = (await post(http, tenant, query, {}))[0].json()
        assert body["data"]["contacts"]["nodes"] == [{"firstName": "Ada"}]
        sim.faults.fail(503)
        first = (await post(http, tenant, query, {}))[0].json()  # two failed attempts open the circuit
        second = (await post(http, tenant, query, {}))[0].json()
    assert first["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert second["errors"][0]["extensions"] == {
        "code": "UPSTREAM_UNAVAILABLE",
        "system": "widgets",
        "circuit": "open",
    }
    assert second["extensions"]["cost"]["upstreamCalls"] == 0
    assert sim.faults.calls("GET", "/contacts") == 3


async def test_operations_over_websocket_are_routed_too(
    sim: Simulator, database_url: str, tenant: str, tmp_path: Path
) -> None:
    settings = load_settings(
        database_url=database_url, jwt_secret=SECRET, backends=routing_file(tmp_path, sim.url)
    )
    app = create_app(settings)
    token = token_for(settings, tenant)
    try:
        with threaded_server(app) as base:  # uvicorn runs the lifespan: it closes the upstreams
            async with authenticated(base, token) as ws:
                await ws.subscribe("1", QUERY, {"id": contact_id(sim)})
                message = await ws.receive()
    finally:
        await app.state.engine.dispose()
    assert message["type"] == "next", message
    assert message["payload"]["data"]["contact"]["firstName"] == "Ada"
    assert message["payload"]["extensions"]["cost"]["upstreamCallsBySystem"] == {"widgets": 1}
    scopes = app.state.upstreams.connectors["widgets"].scopes
    assert scopes[-1].tenant == tenant and scopes[-1].bearer_token == token
