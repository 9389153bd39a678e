"""Communication queries with communications and queue entries routed to the CRM.COM simulator."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pytest

from conftest import Client, token_for
from crmcom_env import CrmSeed, Simulator, cost
from factories import gid
from gateway.backends.rest.crmcom.fields import FIELDS, GRAPH_TO_CRMCOM, TYPE_NAMES, fields_for
from gateway.backends.rest.crmcom.mapping import COMMUNICATION_FIELDS
from resolvers.schema import schema
from test_communications import _subjects

QUERY_BY_ID = """query($id: ID, $number: String) {
  communication(id: $id, number: $number) {
    id number subject media direction lifeCycleState to contact { firstName } category { name }
  }
}"""


async def _mixed(seed: CrmSeed) -> dict[str, Any]:
    ada, bob = seed.contact("Ada", "Lovelace"), seed.contact("Bob", "Stone")
    billing_id, billing = seed.category("Billing")
    ids = {
        "email": seed.communication(ada, "Invoice", media="EMAIL", to="ada@example.com", category=billing),
        "sms": seed.communication(ada, "Reminder", media="SMS", direction="OUTGOING"),
        "call": seed.communication(ada, "Call back", category=billing),
        "letter": seed.communication(ada, "Contract", media="LETTER", life_cycle_state="DRAFT"),
        "bob": seed.communication(bob, "Hello Bob"),
    }
    await seed.save()
    return {"ada": ada, "bob": bob, "billing": billing_id, **ids}


async def test_communication_by_id_and_by_number(
    crm_client: Client, seed: CrmSeed, simulator: Simulator
) -> None:
    data = await _mixed(seed)
    body = await crm_client.execute(QUERY_BY_ID, {"id": gid("Communication", data["email"])})
    found = body["data"]["communication"]
    assert found["subject"] == "Invoice" and found["media"] == "EMAIL" and found["to"] == "ada@example.com"
    assert found["contact"] == {"firstName": "Ada"} and found["category"] == {"name": "Billing"}
    assert cost(body)["upstreamCallsBySystem"] == {"crmcom": 2}  # login, then communications/show
    by_number = await crm_client.execute(QUERY_BY_ID, {"number": found["number"]})
    assert by_number["data"]["communication"]["id"] == found["id"]
    missing = await crm_client.execute(QUERY_BY_ID, {"number": "no-such-number"})
    assert missing["data"]["communication"] is None


async def test_communications_filtered_by_contact_category_direction_and_media(
    crm_client: Client, seed: CrmSeed
) -> None:
    data = await _mixed(seed)
    query = """query($filter: CommunicationFilter) {
      communications(first: 10, filter: $filter) { totalCount edges { node { subject } } }
    }"""
    ada, billing = gid("Contact", data["ada"]), gid("CommunicationCategory", data["billing"])
    cases = [
        ({"contactId": {"eq": ada}}, ["Invoice", "Reminder", "Call back", "Contract"]),
        ({"categoryId": {"eq": billing}}, ["Invoice", "Call back"]),
        ({"contactId": {"eq": ada}, "direction": {"eq": "OUTGOING"}}, ["Reminder"]),
        ({"contactId": {"eq": ada}, "media": {"in": ["LETTER"]}}, ["Contract"]),
    ]
    for filter, expected in cases:
        body = await crm_client.execute(query, {"filter": filter})
        assert _subjects(body, "communications") == expected, filter
        assert body["data"]["communications"]["totalCount"] == len(expected)


async def test_filters_crmcom_cannot_apply_are_refused_by_name(crm_client: Client, seed: CrmSeed) -> None:
    data = await _mixed(seed)
    query = "query($f: CommunicationFilter) { communications(first: 5, filter: $f) { totalCount } }"
    ada = gid("Contact", data["ada"])
    cases = [
        ({"contactId": {"eq": ada}, "lifeCycleState": {"eq": "DRAFT"}}, "life_cycle_state"),
        ({"media": {"eq": "PHONE"}}, "only by contact or category"),
        ({"contactId": {"eq": ada}, "or": [{"media": {"eq": "SMS"}}]}, "or/not"),
    ]
    for filter, words in cases:
        response = await crm_client.post(query, {"f": filter})
        body = response.json()
        assert response.status_code == 200 and body["data"]["communications"] is None
        assert body["errors"][0]["extensions"]["code"] == "INVALID_FILTER", filter
        assert words in body["errors"][0]["message"]


async def test_paging_through_a_contacts_communications(crm_client: Client, seed: CrmSeed) -> None:
    ada = seed.contact("Ada", "Lovelace")
    for n in range(7):
        seed.communication(ada, f"S{n}")
    await seed.save()
    query = """query($f: CommunicationFilter, $after: String) {
      communications(first: 3, after: $after, filter: $f) {
        edges { node { subject } } pageInfo { hasNextPage endCursor }
      }
    }"""
    seen, after = [], None
    for _ in range(4):
        variables = {"f": {"contactId": {"eq": gid("Contact", ada)}}, "after": after}
        page = (await crm_client.execute(query, variables))["data"]["communications"]
        seen += [edge["node"]["subject"] for edge in page["edges"]]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert seen == [f"S{n}" for n in range(7)]


def _fields_sent(simulator: Simulator, method: str) -> list[list[str]]:
    calls = [entry for entry in simulator.faults.log if entry.path.endswith(method)]
    return [parse_qs(entry.query)["fields_set"][0].split(",") for entry in calls]


async def test_fields_set_follows_the_selection(
    crm_client: Client, seed: CrmSeed, simulator: Simulator
) -> None:
    data = await _mixed(seed)
    node = {"id": gid("Communication", data["call"])}
    await crm_client.execute("query($id: ID!) { communication(id: $id) { subject category { name } } }", node)
    [narrow] = _fields_sent(simulator, "/communications/show")
    # What the query selects, plus what cursors and the media and row rules need.
    assert narrow == ["id", "log_information", "media", "contact_information", "category", "subject"]
    shows = [entry for entry in simulator.faults.log if entry.path.endswith("/communications/show")]
    assert parse_qs(shows[0].query)["communication_identifier"] == [f"id={data['call'].hex.upper()}"]


async def test_a_batch_fetches_whole_records(crm_client: Client, seed: CrmSeed, simulator: Simulator) -> None:
    """The operations of a batch share their loaders: a record fetched narrowly must not serve another."""
    data = await _mixed(seed)
    query = "query($id: ID!) { communication(id: $id) { subject } }"
    operation = {"query": query, "variables": {"id": gid("Communication", data["call"])}}
    headers = {"Authorization": f"Bearer {crm_client.token}"}
    response = await crm_client.http.post("/graphql", json=[operation, operation], headers=headers)
    assert [item["data"]["communication"] for item in response.json()] == [{"subject": "Call back"}] * 2
    assert all(
        set(fields) == set(COMMUNICATION_FIELDS) for fields in _fields_sent(simulator, "/communications/show")
    )


async def test_media_rule_hides_emails_and_sms(
    crm_client: Client, seed: CrmSeed, settings: Any, tenant: str
) -> None:
    data = await _mixed(seed)
    phone_only = Client(
        crm_client.http, token_for(settings, tenant, permissions=["CRM_COMMUNICATION_VIEW", "CUST_READ"])
    )
    body = await phone_only.execute(
        """query($c: ID!, $email: ID!) {
          communications(first: 10, filter: {contactId: {eq: $c}}) { totalCount edges { node { subject } } }
          contact(id: $c) { communications(first: 10) { totalCount edges { node { subject } } } }
          communication(id: $email) { id }
          node(id: $email) { id }
        }""",
        {"c": gid("Contact", data["ada"]), "email": gid("Communication", data["email"])},
    )
    assert _subjects(body, "communications") == ["Call back", "Contract"]
    assert body["data"]["communications"]["totalCount"] == 2
    assert _subjects(body, "contact", "communications") == ["Call back", "Contract"]
    assert body["data"]["contact"]["communications"]["totalCount"] == 2
    assert body["data"]["communication"] is None and body["data"]["node"] is None


async def test_another_tenant_sees_nothing(
    crm_client: Client, seed: CrmSeed, settings: Any, simulator: Simulator
) -> None:
    """The upstream serves the test's tenant only: another tenant's caller gets nothing, and no call."""
    data = await _mixed(seed)
    other = Client(crm_client.http, token_for(settings, "someone-else"))
    before = len(simulator.faults.log)
    body = await other.execute(
        """query($id: ID!, $c: ID!) {
          communication(id: $id) { id }
          communications(first: 5, filter: {contactId: {eq: $c}}) { totalCount }
        }""",
        {"id": gid("Communication", data["call"]), "c": gid("Contact", data["ada"])},
    )
    assert body["data"] == {"communication": None, "communications": {"totalCount": 0}}
    assert len(simulator.faults.log) == before


NESTED = """query($n: Int!) {
  contacts(first: $n, filter: {lastName: {eq: "Nested"}}) { edges { node {
    communications(first: 2) { edges { node { subject } } }
  } } }
}"""


@pytest.mark.parametrize("rows", [10, 100])
async def test_nested_communications_call_count(
    crm_client: Client, seed: CrmSeed, simulator: Simulator, rows: int
) -> None:
    """CRM.COM's communications/list takes one contact: one call per contact (no batch form), run with
    bounded concurrency; the SQL side stays at a fixed number of statements."""
    for i in range(rows):
        contact = seed.contact(f"C{i}", "Nested")
        for j in range(3):
            seed.communication(contact, f"{i}-{j}")
    await seed.save()
    body = await crm_client.execute(NESTED, {"n": rows})
    contacts = body["data"]["contacts"]["edges"]
    assert len(contacts) == rows
    assert [e["node"]["subject"] for e in contacts[0]["node"]["communications"]["edges"]] == ["0-0", "0-1"]
    assert cost(body)["upstreamCallsBySystem"] == {"crmcom": rows + 1}  # one login, one list per contact
    assert simulator.calls("communications/list") == rows
    assert cost(body)["sqlStatements"] <= 3


def test_every_graphql_field_has_its_crmcom_fields() -> None:
    """A field the table does not know would fetch whole records: keep the table complete."""
    for entity, type_name in TYPE_NAMES.items():
        graphql_fields = set(schema._schema.type_map[type_name].fields)  # type: ignore[attr-defined]
        assert graphql_fields <= set(GRAPH_TO_CRMCOM[entity]), type_name
        assert fields_for({type_name: frozenset({"notAField"})})[entity] == FIELDS[entity]
