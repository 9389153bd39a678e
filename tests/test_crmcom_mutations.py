"""Communication mutations with communications in CRM.COM: update, complete, set viewed, and an
outgoing create that CRM.COM queues itself."""

from __future__ import annotations

from typing import Any

from conftest import Client
from crmcom_env import CrmSeed, Simulator, sms_input
from factories import gid

UPDATE = """mutation($id: ID!, $input: CommunicationUpdateInput!) {
  communicationUpdate(id: $id, input: $input) {
    communication { subject notes lifeCycleState } errors { code }
  }
}"""
COMPLETE = """mutation($id: ID!) {
  communicationComplete(id: $id) { communication { lifeCycleState } errors { code } }
}"""
VIEWED = """mutation($id: ID!) {
  communicationSetViewed(id: $id) { communication { viewed viewedOn } errors { code } }
}"""
CREATE = """mutation($input: CommunicationCreateInput!) {
  communicationCreate(input: $input) {
    communication { subject queueEntries(first: 2) { edges { node { lifeCycleState media } } } }
    errors { code }
  }
}"""


def _stored(simulator: Simulator, tenant: str, communication: Any) -> dict[str, Any]:
    return simulator.store.org(tenant).communications[communication.hex.upper()]  # type: ignore[no-any-return]


async def test_update_complete_and_set_viewed(
    crm_client: Client, seed: CrmSeed, simulator: Simulator, tenant: str
) -> None:
    ada = seed.contact("Ada", "Lovelace")
    draft = seed.communication(ada, "Draft", media="LETTER", life_cycle_state="DRAFT")
    await seed.save()
    node = gid("Communication", draft)
    body = await crm_client.execute(UPDATE, {"id": node, "input": {"subject": "Contract", "notes": "Signed"}})
    assert body["data"]["communicationUpdate"] == {
        "communication": {"subject": "Contract", "notes": "Signed", "lifeCycleState": "DRAFT"},
        "errors": [],
    }
    assert _stored(simulator, tenant, draft)["subject"] == "Contract"
    body = await crm_client.execute(COMPLETE, {"id": node})
    assert body["data"]["communicationComplete"]["communication"] == {"lifeCycleState": "COMPLETED"}
    body = await crm_client.execute(VIEWED, {"id": node})
    viewed = body["data"]["communicationSetViewed"]["communication"]
    assert viewed["viewed"] is True and viewed["viewedOn"] is not None
    assert simulator.calls("communications/set_as_viewed", "POST") == 1


async def test_an_outgoing_create_is_queued_by_crmcom(
    crm_client: Client, seed: CrmSeed, simulator: Simulator, tenant: str
) -> None:
    ada = seed.contact("Ada", "Lovelace")
    system_id, _ = seed.external_system("SMS gateway")
    await seed.save()
    input = sms_input(ada, system_id, "Your code")
    body = await crm_client.execute(CREATE, {"input": input})
    created = body["data"]["communicationCreate"]
    assert created["errors"] == []
    assert created["communication"]["queueEntries"]["edges"] == [
        {"node": {"lifeCycleState": "PENDING", "media": "SMS"}}
    ]
    assert len(simulator.store.org(tenant).queue) == 1
    assert simulator.calls("communications/create", "POST") == 1


async def test_a_create_names_a_linked_sql_contact_by_its_crmcom_id(
    crm_client: Client, seed: CrmSeed, simulator: Simulator, tenant: str
) -> None:
    """The contact is in SQL and linked to its CRM.COM contact by a ThirdPartyId: CRM.COM gets that
    contact's id (not the gateway's), and the communication reads back under the SQL contact."""
    ada = seed.linked_contact("Ada", "Linked")
    system_id, _ = seed.external_system("SMS gateway")
    await seed.save()
    input = sms_input(ada, system_id, "Linked code")
    query = CREATE.replace("communication { subject", "communication { id subject contact { id }")
    body = await crm_client.execute(query, {"input": input})
    created = body["data"]["communicationCreate"]
    assert created["errors"] == []
    assert created["communication"]["contact"] == {"id": gid("Contact", ada)}
    [stored] = simulator.store.org(tenant).communications.values()
    assert seed.crm_ids[ada].hex.upper() in str(stored) and ada.hex.upper() not in str(stored).upper()
