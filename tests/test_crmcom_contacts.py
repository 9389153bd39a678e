"""Contacts routed to CRM.COM too (seed 003 contact_information): lookups with their e-mail, phone and
address sets, lists by e-mail or phone, phone lookup, and creates and updates as set actions."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from conftest import Client
from crmcom_env import Simulator, cost
from factories import gid

ROUTES = {"Contact": "crmcom", "Communication": "crmcom", "CommunicationQueueEntry": "crmcom"}
CONTACT = """query($id: ID!) { contact(id: $id) {
  kind firstName lastName language city emails { email } phones { number mode } addresses { line1 city }
  communications(first: 5) { edges { node { subject } } }
} }"""


@pytest.fixture
def crm_routes() -> dict[str, str]:
    return ROUTES


def _ada(simulator: Simulator, tenant: str) -> str:
    return simulator.store.add_contact(
        tenant,
        first_name="Ada",
        last_name="Lovelace",
        preferred_language="ENG",  # seed 003 line 107
        emails_set=[{"id": "E" * 32, "type": "PERSONAL", "email": "ada@example.com"}],
        phones_set=[{"id": "F" * 32, "type": "MOBILE", "number": "+35799123456"}],
        addresses_set=[{"id": "D" * 32, "type": "HOME", "street_name": "Main St", "town_city": "Nicosia"}],
    )


async def test_a_contact_with_its_sets_and_communications(
    crm_client: Client, simulator: Simulator, tenant: str
) -> None:
    ada = _ada(simulator, tenant)
    simulator.store.add_communication(tenant, ada, subject="Hello Ada")
    body = await crm_client.execute(CONTACT, {"id": gid("Contact", uuid.UUID(hex=ada))})
    assert body["data"]["contact"] == {
        "kind": "PERSON",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "language": "ENG",
        "city": "Nicosia",
        "emails": [{"email": "ada@example.com"}],
        "phones": [{"number": "+35799123456", "mode": "MOBILE"}],
        "addresses": [{"line1": "Main St", "city": "Nicosia"}],
        "communications": {"edges": [{"node": {"subject": "Hello Ada"}}]},
    }
    # show for the contact (its sets come with it), list for its communications, and the login.
    assert cost(body)["upstreamCallsBySystem"] == {"crmcom": 3}


async def test_contacts_listed_by_email_and_found_by_phone(
    crm_client: Client, simulator: Simulator, tenant: str
) -> None:
    _ada(simulator, tenant)
    body = await crm_client.execute(
        """{ contacts(first: 5, filter: {email: {eq: "ada@example.com"}}) { edges { node { firstName } } }
             contactByPhone(phone: "+35799123456") { lastName } }"""
    )
    assert body["data"]["contacts"]["edges"] == [{"node": {"firstName": "Ada"}}]
    assert body["data"]["contactByPhone"] == [{"lastName": "Lovelace"}]
    response = await crm_client.post("{ contacts(first: 5) { totalCount } }")
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INVALID_FILTER" and "e-mail address, phone" in error["message"]


CREATE = """mutation($input: ContactCreateInput!) {
  contactCreate(input: $input) { contact { id firstName emails { email } } errors { code message } }
}"""
UPDATE = """mutation($id: ID!, $input: ContactUpdateInput!) {
  contactUpdate(id: $id, input: $input) {
    contact { lastName emails { email } phones { number } } errors { code }
  }
}"""


async def test_create_and_update_become_set_actions(
    crm_client: Client, simulator: Simulator, tenant: str
) -> None:
    input: dict[str, Any] = {
        "firstName": "Grace",
        "lastName": "Hopper",
        "emails": [{"email": "grace@example.com"}],
    }
    created = (await crm_client.execute(CREATE, {"input": input}))["data"]["contactCreate"]
    assert created["errors"] == [] and created["contact"]["emails"] == [{"email": "grace@example.com"}]
    [stored] = [c for c in simulator.store.org(tenant).contacts.values() if c["first_name"] == "Grace"]
    assert [e["email"] for e in stored["emails_set"]] == ["grace@example.com"]
    change = {
        "lastName": "Murray Hopper",
        "emails": [{"email": "amazing@example.com"}],
        "phones": [{"number": "+35722114455"}],
    }
    updated = (await crm_client.execute(UPDATE, {"id": created["contact"]["id"], "input": change}))["data"]
    assert updated["contactUpdate"]["contact"] == {
        "lastName": "Murray Hopper",
        "emails": [{"email": "amazing@example.com"}],
        "phones": [{"number": "+35722114455"}],
    }
    assert stored["last_name"] == "Murray Hopper" and [e["email"] for e in stored["emails_set"]] == [
        "amazing@example.com"
    ]
    assert simulator.calls("contact_information/create", "POST") == 1


async def test_an_update_shows_the_contact_once_and_answers_from_crmcoms_answer(
    crm_client: Client, simulator: Simulator, tenant: str
) -> None:
    """The show before the update gives the current UDFs; the update answers the whole contact as it now
    is (L3414-3706), which the payload is read from: no second show."""
    node = gid("Contact", uuid.UUID(hex=_ada(simulator, tenant)))
    shows = simulator.calls("contact_information/show")
    change = {"lastName": "King", "phones": [{"number": "+35722114455"}]}
    body = await crm_client.execute(UPDATE, {"id": node, "input": change})
    assert body["data"]["contactUpdate"] == {
        "contact": {
            "lastName": "King",
            "emails": [{"email": "ada@example.com"}],
            "phones": [{"number": "+35722114455"}],
        },
        "errors": [],
    }
    assert simulator.calls("contact_information/show") - shows == 1
    assert simulator.calls("contact_information/update", "POST") == 2  # the members, then the phone_set
    assert cost(body)["upstreamCallsBySystem"] == {"crmcom": 4}  # the login, show, and the two updates
    read = await crm_client.execute(CONTACT, {"id": node})
    assert read["data"]["contact"]["lastName"] == "King"


ITEMS_UPDATE = """mutation($id: ID!, $input: ContactUpdateInput!) {
  contactUpdate(id: $id, input: $input) { contact { emails { itemId email } } errors { code } }
}"""


async def test_per_item_changes_become_seed_set_actions(
    crm_client: Client, simulator: Simulator, tenant: str
) -> None:
    node = gid("Contact", uuid.UUID(hex=_ada(simulator, tenant)))
    before = await crm_client.execute(
        "query($id: ID!) { contact(id: $id) { emails { itemId email } } }", {"id": node}
    )
    [ada_email] = before["data"]["contact"]["emails"]
    change = {"emailItems": [{"action": "ADD", "email": {"email": "ada@two.example"}}]}
    updated = (await crm_client.execute(ITEMS_UPDATE, {"id": node, "input": change}))["data"]["contactUpdate"]
    assert updated["errors"] == []
    assert [e["email"] for e in updated["contact"]["emails"]] == ["ada@example.com", "ada@two.example"]
    assert updated["contact"]["emails"][0]["itemId"] == ada_email["itemId"]
