"""One query over three systems, as the routing file splits them: contacts, their leads and tasks in
ConeCRM; their communications in CRM.COM, reached through each contact's ThirdPartyId (systemName
``CRM.COM``); stages in the gateway's own SQL database. The client's query does not change."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import Client, token_for
from crmcom_env import PASSWORD, CrmSeed, Simulator, cost, routing_file, sms_input
from gateway.app import create_app
from gateway.settings import Settings
from simulators.conecrm.store import Store
from simulators.faults import Faults

ROUTES = {
    "Contact": "conecrm",
    "Account": "conecrm",
    "Lead": "conecrm",
    "Task": "conecrm",
    "Communication": "crmcom",
    "CommunicationQueueEntry": "crmcom",
}
CONECRM = """
[upstreams.conecrm]
kind = "conecrm"
base_url = "{url}"
system_name = "ConeCRM"
options = {{ forward_caller_token = true }}
"""
QUERY = """query($n: Int!) {
  contacts(first: $n, filter: {lastName: {eq: "Mixed"}}, orderBy: [{field: FIRST_NAME}]) {
    edges { node {
      firstName
      thirdPartyIds { systemName }
      leads(first: 2) { edges { node { subject stage { name } } } }
      communications(first: 2) { totalCount edges { node { subject } } }
    } }
  }
  stages(first: 5) { edges { node { name } } }
}"""
CREATE = """mutation($input: CommunicationCreateInput!) {
  communicationCreate(input: $input) { communication { subject contact { id } } errors { code } }
}"""


@pytest.fixture
def seed(seed: CrmSeed, conecrm_sim: tuple[str, Faults, Store]) -> CrmSeed:
    """crmcom_env's seed, whose contacts and leads also go to the ConeCRM simulator's own store."""
    seed.comms.mirrors.append(conecrm_sim[2])
    return seed


@pytest.fixture
async def mixed_client(
    settings: Settings,
    tenant: str,
    simulator: Simulator,
    conecrm_sim: tuple[str, Faults],
    tmp_path: Path,
) -> AsyncIterator[Client]:
    simulator.store.add_user(tenant, "gateway", PASSWORD)
    path = routing_file(tmp_path, simulator.url, tenant, ROUTES)
    path.write_text(path.read_text() + CONECRM.format(url=conecrm_sim[0]))
    # CRM.COM has no batch form for a contact's communications: one call per contact.
    app = create_app(settings.model_copy(update={"backends": str(path), "max_upstream_calls": 1_000}))
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as http:
            yield Client(http, token_for(settings, tenant))
    finally:
        await app.state.view.close()
        await app.state.engine.dispose()


async def _seed(seed: CrmSeed, rows: int) -> None:
    stage = seed.comms.stage("Qualified")
    for i in range(rows):
        contact = seed.linked_contact(f"C{i:03}", "Mixed")
        seed.comms.lead(f"Lead {i}", contact_id=contact, stage_id=stage)
        for j in range(3):
            seed.communication(contact, f"{i}-{j}")
    await seed.save()


@pytest.mark.parametrize("rows", [10, 100])
async def test_one_query_reads_conecrm_crmcom_and_sql_together(
    mixed_client: Client, seed: CrmSeed, rows: int
) -> None:
    await _seed(seed, rows)
    body = await mixed_client.execute(QUERY, {"n": rows})
    assert "errors" not in body, body.get("errors")
    contacts = [edge["node"] for edge in body["data"]["contacts"]["edges"]]
    assert [c["firstName"] for c in contacts] == [f"C{i:03}" for i in range(rows)]
    first, last = contacts[0], contacts[-1]
    assert first["thirdPartyIds"] == [{"systemName": "CRM.COM"}]  # from ConeCRM's contact JSON
    assert first["leads"]["edges"] == [{"node": {"subject": "Lead 0", "stage": {"name": "Qualified"}}}]
    assert first["communications"]["totalCount"] == 3
    assert [e["node"]["subject"] for e in last["communications"]["edges"]] == [
        f"{rows - 1}-0",
        f"{rows - 1}-1",
    ]
    assert body["data"]["stages"]["edges"] == [{"node": {"name": "Qualified"}}]
    calls = cost(body)["upstreamCallsBySystem"]
    # ConeCRM batches each level: contacts, then their leads (plus, on this gateway's first request, the
    # catalog it learns once: GET /api/filters); the stages come from SQL by id.
    assert calls["conecrm"] == 3
    # CRM.COM: the login, then a page and a count per contact (it has no batch form).
    assert calls["crmcom"] == rows + 1  # login, one communications/list per contact (page and count)


async def test_a_crmcom_outage_nulls_only_the_communications(
    mixed_client: Client, seed: CrmSeed, simulator: Simulator
) -> None:
    await _seed(seed, 3)
    await mixed_client.execute(QUERY, {"n": 1})  # logs in while CRM.COM is up
    simulator.faults.fail(503)
    response = await mixed_client.post(QUERY, {"n": 3})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    contacts = [edge["node"] for edge in body["data"]["contacts"]["edges"]]
    assert [c["firstName"] for c in contacts] == ["C000", "C001", "C002"]
    assert all(c["communications"] is None and c["leads"]["edges"] for c in contacts)
    # Retries exhaust, then the breaker opens for the rest of the page: same code, the system named.
    assert {error["extensions"]["code"] for error in body["errors"]} == {"UPSTREAM_UNAVAILABLE"}
    assert {error["extensions"]["system"] for error in body["errors"]} == {"crmcom"}
    assert {tuple(error["path"][-1:]) for error in body["errors"]} == {("communications",)}


async def test_a_communication_for_a_conecrm_contact_is_refused_before_anything_lands(
    mixed_client: Client, seed: CrmSeed, simulator: Simulator, tenant: str
) -> None:
    """The contact lives in ConeCRM, its communications in CRM.COM. Seed 004 offers no lookup of
    contacts by third-party id, so a communication written under the contact's CRM.COM id could not be
    read back under the graph's contact: the create sends the graph's id, which CRM.COM does not know,
    and is refused with a code, nothing stored (SQL contacts translate: tests/test_crmcom_mutations.py)."""
    contact = seed.linked_contact("Linked", "Mixed")
    system_id, _ = seed.external_system("SMS gateway")
    await seed.save()
    input = sms_input(contact, system_id, "Across systems")
    response = await mixed_client.post(CREATE, {"input": input})
    body = response.json()
    assert response.status_code == 200 and body["data"] == {"communicationCreate": None}
    [error] = body["errors"]
    assert error["extensions"]["code"] not in ("INTERNAL_SERVER_ERROR", None), error
    assert simulator.store.org(tenant).communications == {}
