"""CRM.COM as seeds 001 and 003 define it, under every profile of the simulator (``crmcom_env``), where
the connector once followed its own conventions: what it sends is checked against
``tests/contracts/crmcom`` on every call; these tests drive the parts the seeds make precise (F2F on
writes) or leave open (an answer the connector cannot read), and the child-to-parent link across
systems (a communication in CRM.COM whose contact lives in SQL under another id)."""

from __future__ import annotations

import httpx
import pytest

from conftest import Client
from crmcom_env import CrmSeed, Simulator, cost, error_codes
from factories import gid
from gateway.backends.rest.crmcom.api import read_envelope
from gateway.backends.rest.errors import UpstreamBadResponse

CREATE = """mutation($input: CommunicationCreateInput!) {
  communicationCreate(input: $input) { communication { subject media } errors { code } }
}"""


async def test_face_to_face_is_sent_as_f2f_and_read_back_as_face_to_face(
    crm_client: Client, seed: CrmSeed, simulator: Simulator, tenant: str
) -> None:
    """Seed 001 lines 177/491: create takes F2F; the simulator refuses FACE_TO_FACE there."""
    ada = seed.contact("Ada", "Lovelace")
    await seed.save()
    input = {
        "contactId": gid("Contact", ada),
        "direction": "INCOMING",
        "media": "FACE_TO_FACE",
        "subject": "Visit",
        "content": "At the shop",
    }
    body = await crm_client.execute(CREATE, {"input": input})
    assert body["data"]["communicationCreate"] == {
        "communication": {"subject": "Visit", "media": "FACE_TO_FACE"},
        "errors": [],
    }
    [stored] = simulator.store.org(tenant).communications.values()
    assert stored["media"] == "FACE_TO_FACE" and stored["subject"] == "Visit"
    assert simulator.calls("communications/create", "POST") == 1


async def test_a_record_the_connector_cannot_read_is_upstream_bad_response_on_its_field(
    crm_client: Client, seed: CrmSeed, simulator: Simulator, tenant: str
) -> None:
    ada = seed.contact("Ada", "Lovelace")
    seed.communication(ada, "Readable")
    await seed.save()
    simulator.store.add_communication(tenant, ada.hex, id="not-an-id", subject="Unreadable")
    simulator.contracts.enabled = False  # the simulator answers outside seed 001 on purpose
    response = await crm_client.post(
        """query($c: ID!) {
          me { subject }
          communications(first: 5, filter: {contactId: {eq: $c}}) { edges { node { subject } } }
        }""",
        {"c": gid("Contact", ada)},
    )
    body = response.json()
    assert response.status_code == 200 and body["data"] == {
        "me": {"subject": "tester"},
        "communications": None,
    }
    assert error_codes(body) == ["UPSTREAM_BAD_RESPONSE"]
    assert body["errors"][0]["extensions"]["system"] == "crmcom"
    assert body["errors"][0]["path"] == ["communications"]


COMMUNICATION_WITH_CONTACT = """query($ids: [ID!]!, $c: ID!) {
  nodes(ids: $ids) { ... on Communication { subject contact { id firstName } } }
  communications(first: 10, filter: {contactId: {eq: $c}}) {
    edges { node { subject contact { firstName } } }
  }
}"""

NODES_WITH_CONTACT = """query($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Communication { subject contact { id firstName } } }
}"""


async def test_a_communication_finds_its_sql_contact_through_the_third_party_id(
    crm_client: Client, seed: CrmSeed
) -> None:
    """CRM.COM names the contact by its own id; the SQL contact carries it as a ThirdPartyId whose
    systemName is the upstream's: ``Communication.contact`` is the SQL contact, looked up once."""
    linked = [seed.linked_contact(f"L{i}", "Linked") for i in range(3)]
    calls = [seed.communication(contact, f"Call {i}") for i, contact in enumerate(linked)]
    same_id = seed.contact("Same", "Id")  # no ThirdPartyId: the same id in both systems
    calls.append(seed.communication(same_id, "Call same"))
    await seed.save()
    body = await crm_client.execute(
        COMMUNICATION_WITH_CONTACT,
        {"ids": [gid("Communication", c) for c in calls], "c": gid("Contact", linked[0])},
    )
    assert body["data"]["nodes"] == [
        {"subject": "Call 0", "contact": {"id": gid("Contact", linked[0]), "firstName": "L0"}},
        {"subject": "Call 1", "contact": {"id": gid("Contact", linked[1]), "firstName": "L1"}},
        {"subject": "Call 2", "contact": {"id": gid("Contact", linked[2]), "firstName": "L2"}},
        {"subject": "Call same", "contact": {"id": gid("Contact", same_id), "firstName": "Same"}},
    ]
    assert body["data"]["communications"] == {
        "edges": [{"node": {"subject": "Call 0", "contact": {"firstName": "L0"}}}]
    }
    # Not one lookup per communication: the nodes alone (one root field, so no timing-dependent batches
    # with the other root list) cost the same for one communication as for all four.
    one, four = [
        await crm_client.execute(NODES_WITH_CONTACT, {"ids": [gid("Communication", c) for c in ids]})
        for ids in (calls[:1], calls)
    ]
    assert [n["contact"]["firstName"] for n in four["data"]["nodes"]] == ["L0", "L1", "L2", "Same"]
    assert cost(four)["sqlStatements"] == cost(one)["sqlStatements"]


def test_an_answer_that_is_not_crmcoms_envelope_is_upstream_bad_response() -> None:
    """Seed 003 lines 93-99: every answer is {status: {code, ...}, data}; anything else is unreadable."""
    for answer in ({"result": "ok"}, [1, 2], {"status": "OK"}):
        with pytest.raises(UpstreamBadResponse) as raised:
            read_envelope("crmcom", "communications/show", httpx.Response(200, json=answer))
        assert raised.value.extensions == {"code": "UPSTREAM_BAD_RESPONSE", "system": "crmcom"}
    ok = httpx.Response(200, json={"status": {"code": "OK", "message": None}, "data": {"id": "A" * 32}})
    assert read_envelope("crmcom", "communications/show", ok) == {"id": "A" * 32}


async def test_a_queue_entry_finds_its_sql_contact_through_the_third_party_id(
    crm_client: Client, seed: CrmSeed
) -> None:
    contact = seed.linked_contact("Queued", "Linked")
    _, system = seed.external_system("SMS gateway")
    call = seed.communication(contact, "Your code", media="SMS")
    entry = seed.entry(call, system)
    await seed.save()
    body = await crm_client.execute(
        """query($id: ID!) {
          node(id: $id) { ... on CommunicationQueueEntry { media contact { id firstName } } }
        }""",
        {"id": gid("CommunicationQueueEntry", entry)},
    )
    assert body["data"]["node"] == {
        "media": "SMS",
        "contact": {"id": gid("Contact", contact), "firstName": "Queued"},
    }
