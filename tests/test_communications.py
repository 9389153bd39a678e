"""Communication queries (seed 001): by id and number, filters, nested batched lists, nodes, media rules."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from comms_factory import CommsFactory
from conftest import Client, token_for
from factories import gid
from test_nested_cost import statements_executed

VIEW_ALL = ["CRM_COMMUNICATION_VIEW", "CRM_VIEW_EMAIL", "CRM_VIEW_SMS", "CUST_READ", "CRM_LEAD_VIEW"]


@pytest.fixture
def comms(engine: Any, tenant: str) -> CommsFactory:
    return CommsFactory(engine, tenant)


def _caller(client: Client, settings: Any, tenant: str, permissions: list[str]) -> Client:
    return Client(client.http, token_for(settings, tenant, permissions=permissions))


def _subjects(body: dict[str, Any], *path: str) -> list[str]:
    node: Any = body["data"]
    for key in path:
        node = node[key]
    return [edge["node"]["subject"] for edge in node["edges"]]


async def _mixed(comms: CommsFactory) -> dict[str, Any]:
    """One contact with an e-mail, an SMS, a call and a letter; a second contact with one call."""
    ada, bob = comms.contact("Ada", "Lovelace"), comms.contact("Bob", "Stone")
    billing = comms.category("Billing")
    ids = {
        "email": comms.communication(
            ada, "Invoice", media="EMAIL", to="ada@example.com", category_id=billing
        ),
        "sms": comms.communication(ada, "Reminder", media="SMS", direction="OUTGOING"),
        "call": comms.communication(ada, "Call back", category_id=billing),
        "letter": comms.communication(ada, "Contract", media="LETTER", life_cycle_state="DRAFT"),
        "bob": comms.communication(bob, "Hello Bob"),
    }
    await comms.save()
    return {"ada": ada, "bob": bob, "billing": billing, **ids}


async def test_communication_by_id_and_by_number(client: Client, comms: CommsFactory) -> None:
    data = await _mixed(comms)
    query = """query($id: ID, $number: String) {
      communication(id: $id, number: $number) {
        id number subject media direction lifeCycleState to contact { firstName } category { name }
      }
    }"""
    by_id = (await client.execute(query, {"id": gid("Communication", data["email"])}))["data"][
        "communication"
    ]
    assert by_id["subject"] == "Invoice" and by_id["media"] == "EMAIL" and by_id["to"] == "ada@example.com"
    assert by_id["contact"] == {"firstName": "Ada"} and by_id["category"] == {"name": "Billing"}
    by_number = (await client.execute(query, {"number": by_id["number"]}))["data"]["communication"]
    assert by_number["id"] == by_id["id"]
    missing = await client.execute(query, {"number": "no-such-number"})
    assert missing["data"]["communication"] is None


async def test_communication_needs_exactly_one_of_id_and_number(client: Client, comms: CommsFactory) -> None:
    data = await _mixed(comms)
    both = {"id": gid("Communication", data["call"]), "number": "F1"}
    for variables in ({}, both):
        response = await client.post(
            "query($id: ID, $number: String) { communication(id: $id, number: $number) { id } }", variables
        )
        assert response.status_code == 200
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_communications_filtered_by_contact_category_direction_and_media(
    client: Client, comms: CommsFactory
) -> None:
    data = await _mixed(comms)
    query = """query($filter: CommunicationFilter) {
      communications(first: 10, filter: $filter) { totalCount edges { node { subject } } }
    }"""
    ada, billing = gid("Contact", data["ada"]), gid("CommunicationCategory", data["billing"])
    cases = [
        ({"contactId": {"eq": ada}}, ["Invoice", "Reminder", "Call back", "Contract"]),
        ({"categoryId": {"eq": billing}}, ["Invoice", "Call back"]),
        ({"direction": {"eq": "OUTGOING"}}, ["Reminder"]),
        ({"media": {"in": ["PHONE", "LETTER"]}}, ["Call back", "Contract", "Hello Bob"]),
        ({"lifeCycleState": {"eq": "DRAFT"}}, ["Contract"]),
    ]
    for filter, expected in cases:
        body = await client.execute(query, {"filter": filter})
        assert _subjects(body, "communications") == expected, filter
        assert body["data"]["communications"]["totalCount"] == len(expected)


async def test_media_rule_hides_emails_and_sms_on_every_path(
    client: Client, comms: CommsFactory, settings: Any, tenant: str
) -> None:
    """Without CRM_VIEW_EMAIL / CRM_VIEW_SMS those communications do not exist for the caller."""
    data = await _mixed(comms)
    entry_system = comms.external_system("SMS gateway")
    entry = comms.queue_entry(data["sms"], data["ada"], entry_system)
    await comms.save()
    phone_only = _caller(client, settings, tenant, ["CRM_COMMUNICATION_VIEW", "CUST_READ", "CRM_QUEUE_VIEW"])
    body = await phone_only.execute(
        """query($c: ID!, $email: ID!, $entry: ID!) {
          communications(first: 10) { totalCount edges { node { subject } } }
          contact(id: $c) { communications(first: 10) { totalCount edges { node { subject } } } }
          communication(id: $email) { id }
          node(id: $email) { id }
          communicationQueueEntry(id: $entry) { media communication { id } }
        }""",
        {
            "c": gid("Contact", data["ada"]),
            "email": gid("Communication", data["email"]),
            "entry": gid("CommunicationQueueEntry", entry),
        },
    )
    assert _subjects(body, "communications") == ["Call back", "Contract", "Hello Bob"]
    assert body["data"]["communications"]["totalCount"] == 3
    assert _subjects(body, "contact", "communications") == ["Call back", "Contract"]
    assert body["data"]["contact"]["communications"]["totalCount"] == 2
    assert body["data"]["communication"] is None and body["data"]["node"] is None
    assert body["data"]["communicationQueueEntry"] == {"media": "SMS", "communication": None}

    # The e-mail is incoming: reading it also takes CRM_RECEIVE_EMAIL (tests/test_people.py).
    email_reader = _caller(
        client, settings, tenant, ["CRM_COMMUNICATION_VIEW", "CRM_VIEW_EMAIL", "CRM_RECEIVE_EMAIL"]
    )
    body = await email_reader.execute(
        "{ communications(first: 10, filter: {media: {in: [EMAIL, SMS]}}) { totalCount } }"
    )
    assert body["data"]["communications"]["totalCount"] == 1


async def test_communications_need_the_area_permission(
    client: Client, comms: CommsFactory, settings: Any, tenant: str
) -> None:
    await _mixed(comms)
    outsider = _caller(client, settings, tenant, ["CRM_VIEW_EMAIL", "CRM_VIEW_SMS", "CUST_READ"])
    response = await outsider.post("{ communications(first: 1) { totalCount } me { subject } }")
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["data"]["communications"] is None and body["data"]["me"] == {"subject": "tester"}


async def test_node_resolves_communications_and_settings(client: Client, comms: CommsFactory) -> None:
    data = await _mixed(comms)
    template = comms.template("Welcome", media="EMAIL", direction="OUTGOING", subject="Hi", content="Hello")
    system = comms.external_system("Mailer")
    await comms.save()
    ids = [
        gid("Communication", data["call"]),
        gid("CommunicationCategory", data["billing"]),
        gid("CommunicationTemplate", template),
        gid("CommunicationQueueExternalSystem", system),
        gid("Communication", uuid.UUID(int=5)),
    ]
    body = await client.execute(
        """query($ids: [ID!]!) { nodes(ids: $ids) {
          __typename
          ... on Communication { subject }
          ... on CommunicationCategory { name }
          ... on CommunicationTemplate { name media templateSubject: subject }
          ... on CommunicationQueueExternalSystem { name }
        } }""",
        {"ids": ids},
    )
    assert body["data"]["nodes"] == [
        {"__typename": "Communication", "subject": "Call back"},
        {"__typename": "CommunicationCategory", "name": "Billing"},
        {"__typename": "CommunicationTemplate", "name": "Welcome", "media": "EMAIL", "templateSubject": "Hi"},
        {"__typename": "CommunicationQueueExternalSystem", "name": "Mailer"},
        None,
    ]


async def test_other_tenants_communications_are_invisible(
    client: Client, other_client: Client, comms: CommsFactory
) -> None:
    data = await _mixed(comms)
    body = await other_client.execute(
        "query($id: ID!) { communications(first: 5) { totalCount } communication(id: $id) { id } }",
        {"id": gid("Communication", data["call"])},
    )
    assert body["data"] == {"communications": {"totalCount": 0}, "communication": None}


async def test_referring_to_and_lead_and_account_communications(client: Client, comms: CommsFactory) -> None:
    ada = comms.contact("Ada", "Lovelace")
    lead, account = comms.lead("Deal", contact_id=ada), comms.account("Acme", contacts=[ada])
    first = comms.communication(ada, "About the deal", refers_to=(("Lead", lead), ("Account", account)))
    comms.communication(ada, "Follow-up", refers_to=(("Communication", first), ("Lead", lead)))
    comms.communication(ada, "Unrelated")
    await comms.save()
    body = await client.execute(
        """query($lead: ID!, $account: ID!, $first: ID!) {
          lead(id: $lead) { communications(first: 5) { totalCount edges { node { subject } } } }
          account(id: $account) { communications(first: 5) { totalCount edges { node { subject } } } }
          communication(id: $first) { referringTo { __typename id } }
        }""",
        {"lead": gid("Lead", lead), "account": gid("Account", account), "first": gid("Communication", first)},
    )
    assert _subjects(body, "lead", "communications") == ["About the deal", "Follow-up"]
    assert _subjects(body, "account", "communications") == ["About the deal"]
    assert body["data"]["communication"]["referringTo"] == [
        {"__typename": "Lead", "id": gid("Lead", lead)},
        {"__typename": "Account", "id": gid("Account", account)},
    ]


async def test_referring_to_leaves_out_what_the_caller_may_not_read(
    client: Client, comms: CommsFactory, settings: Any, tenant: str
) -> None:
    ada = comms.contact("Ada", "Lovelace")
    lead, account = comms.lead("Deal"), comms.account("Acme")
    first = comms.communication(ada, "About", refers_to=(("Lead", lead), ("Account", account)))
    await comms.save()
    reader = _caller(client, settings, tenant, ["CRM_COMMUNICATION_VIEW", "CRM_LEAD_VIEW"])
    body = await reader.execute(
        "query($id: ID!) { communication(id: $id) { referringTo { __typename } } }",
        {"id": gid("Communication", first)},
    )
    assert body["data"]["communication"]["referringTo"] == [{"__typename": "Lead"}]


async def test_a_reference_of_an_unknown_type_is_a_clear_error_not_an_internal_one(
    client: Client, comms: CommsFactory
) -> None:
    """A row written outside the gateway may name a type in another spelling ('LEAD', not 'Lead')."""
    ada = comms.contact("Ada", "Lovelace")
    lead = comms.lead("Deal", contact_id=ada)
    odd = comms.communication(ada, "Odd", refers_to=(("LEAD", lead), ("Lead", lead)))
    await comms.save()
    response = await client.post(
        "query($id: ID!) { communication(id: $id) { subject referringTo { __typename } } }",
        {"id": gid("Communication", odd)},
    )
    assert response.status_code == 200
    body = response.json()
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "UNKNOWN_REFERENCE_TYPE", "targetTypes": ["LEAD"]}
    assert error["path"] == ["communication", "referringTo"]
    assert "LEAD" in error["message"] and body["data"] == {"communication": None}


NESTED = """
query {
  contacts(first: 50) { edges { node {
    communications(first: 3) { totalCount edges { node {
      subject category { name }
      queueEntries(first: 2) { totalCount edges { node { lifeCycleState } } }
    } } }
  } } }
}
"""


async def _nested_data(comms: CommsFactory, contacts: int) -> None:
    category, system = comms.category("General"), comms.external_system("Gateway")
    for i in range(contacts):
        contact = comms.contact(f"C{i}", "Nested")
        for j in range(4):
            communication = comms.communication(contact, f"{i}-{j}", category_id=category)
            comms.queue_entry(communication, contact, system)
    await comms.save()


async def test_nested_communications_cost_does_not_grow_with_rows(
    app: Any, client: Client, comms: CommsFactory
) -> None:
    """Contact.communications and Communication.queueEntries: one statement for all parents, each."""
    await _nested_data(comms, 3)
    with statements_executed(app) as few:
        small = await client.execute(NESTED)
    await _nested_data(comms, 30)
    with statements_executed(app) as many:
        large = await client.execute(NESTED)
    assert len(many) == len(few)
    contacts = large["data"]["contacts"]["edges"]
    assert len(contacts) == 33 and small["extensions"]["cost"]["sqlStatements"] == len(few)
    first = contacts[0]["node"]["communications"]
    assert first["totalCount"] == 4 and [e["node"]["subject"] for e in first["edges"]] == [
        "0-0",
        "0-1",
        "0-2",
    ]
    assert first["edges"][0]["node"]["queueEntries"]["totalCount"] == 1
