"""Tenant isolation: tenant A's rows are invisible to tenant B on every path, even through bad links."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import Client, token_for
from factories import Factory, gid

PHONE = "+15145550123"


@dataclass
class World:
    a: Client
    b: Client
    a_ids: dict[str, str]  # global IDs of tenant A's objects, by type name
    b_tenant: str
    b_factory: Factory
    a_factory: Factory
    raw: dict[str, uuid.UUID]


@pytest.fixture
async def world(client: Client, factory: Factory, engine: Any, settings: Any) -> World:
    """Tenant A (the ``client``'s) and tenant B, with look-alike data: same phone, similar names."""
    b_tenant = f"b{uuid.uuid4().hex[:12]}"
    b_factory = Factory(engine, b_tenant)
    b = Client(client.http, token_for(settings, b_tenant))

    factory.tenant_row("Tenant A")
    a_user = factory.user("tester")
    a_stage = factory.stage("A stage")
    a_contact = factory.contact("Alice", "Anders", emails=["alice@a.example"], phones=[PHONE])
    a_account = factory.account("Shared Name Inc", contacts=[a_contact], emails=["info@a.example"])
    a_lead = factory.lead("A lead", contact_id=a_contact, account_id=a_account, stage_id=a_stage)
    a_task = factory.task("A task", lead_id=a_lead, contact_id=a_contact, assignee_id=a_user)
    a_appointment = factory.event("A appointment", "APPOINTMENT", contact_id=a_contact)
    await factory.save()

    b_factory.tenant_row("Tenant B")
    b_contact = b_factory.contact("Bob", "Berg", phones=[PHONE])
    b_account = b_factory.account("Shared Name Inc", contacts=[b_contact])
    b_factory.lead("B lead", contact_id=b_contact, account_id=b_account)
    b_factory.stage("B stage")
    await b_factory.save()

    a_ids = {
        "Contact": gid("Contact", a_contact),
        "Account": gid("Account", a_account),
        "Lead": gid("Lead", a_lead),
        "Task": gid("Task", a_task),
        "Appointment": gid("Appointment", a_appointment),
        "Stage": gid("Stage", a_stage),
        "User": gid("User", a_user),
    }
    raw = {"a_contact": a_contact, "a_account": a_account, "a_user": a_user, "a_lead": a_lead,
           "b_contact": b_contact, "b_account": b_account}  # fmt: skip
    return World(client, b, a_ids, b_tenant, b_factory, factory, raw)


LISTS = """{
  contacts { totalCount edges { node { firstName } } }
  accounts { totalCount edges { node { name } } }
  leads { totalCount edges { node { subject } } }
  tasks { totalCount edges { node { title } } }
  events { totalCount edges { node { title } } }
  stages { totalCount edges { node { name } } }
  users { totalCount edges { node { username } } }
}"""


def _names(data: dict[str, Any]) -> dict[str, tuple[int, list[str]]]:
    return {
        key: (value["totalCount"], [next(iter(edge["node"].values())) for edge in value["edges"]])
        for key, value in data.items()
    }


async def test_lists_and_counts(world: World) -> None:
    assert _names((await world.b.execute(LISTS))["data"]) == {
        "contacts": (1, ["Bob"]),
        "accounts": (1, ["Shared Name Inc"]),
        "leads": (1, ["B lead"]),
        "tasks": (0, []),
        "events": (0, []),
        "stages": (1, ["B stage"]),
        "users": (0, []),
    }
    # The same query in tenant A sees A's rows: the check above is not vacuous.
    assert _names((await world.a.execute(LISTS))["data"]) == {
        "contacts": (1, ["Alice"]),
        "accounts": (1, ["Shared Name Inc"]),
        "leads": (1, ["A lead"]),
        "tasks": (1, ["A task"]),
        "events": (2, ["A task", "A appointment"]),
        "stages": (1, ["A stage"]),
        "users": (1, ["tester"]),
    }


async def test_ids_of_another_tenant_resolve_to_null(world: World) -> None:
    ids = world.a_ids
    node_query = "query($id: ID!) { node(id: $id) { id } }"
    for type_name, global_id in ids.items():
        assert (await world.b.execute(node_query, {"id": global_id}))["data"]["node"] is None, type_name
        assert (await world.a.execute(node_query, {"id": global_id}))["data"]["node"] == {"id": global_id}
    body = await world.b.execute(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": list(ids.values())}
    )
    assert body["data"]["nodes"] == [None] * len(ids)
    body = await world.b.execute(
        """query($c: ID!, $a: ID!, $l: ID!, $t: ID!, $s: ID!, $e: ID!) {
          contact(id: $c) { id } account(id: $a) { id } lead(id: $l) { id }
          task(id: $t) { id } stage(id: $s) { id } event(id: $e) { id }
        }""",
        {"c": ids["Contact"], "a": ids["Account"], "l": ids["Lead"], "t": ids["Task"], "s": ids["Stage"],
         "e": ids["Appointment"]},
    )  # fmt: skip
    assert body["data"] == {
        "contact": None,
        "account": None,
        "lead": None,
        "task": None,
        "stage": None,
        "event": None,
    }


async def test_filters_with_ids_of_another_tenant_find_nothing(world: World) -> None:
    ids = world.a_ids
    body = await world.b.execute(
        """query($c: ID!, $a: ID!, $l: ID!) {
          contacts(filter: {id: {in: [$c]}}) { totalCount }
          accounts(filter: {id: {eq: $a}}) { totalCount }
          leads(filter: {or: [{contactId: {eq: $c}}, {accountId: {in: [$a]}}, {id: {eq: $l}}]}) { totalCount }
          events(filter: {contactId: {eq: $c}}) { totalCount }
        }""",
        {"c": ids["Contact"], "a": ids["Account"], "l": ids["Lead"]},
    )
    assert body["data"] == {
        "contacts": {"totalCount": 0},
        "accounts": {"totalCount": 0},
        "leads": {"totalCount": 0},
        "events": {"totalCount": 0},
    }


async def test_search_phone_lookup_and_open_leads(world: World) -> None:
    query = """query($s: String, $phone: String!, $contact: ID!) {
      contacts(search: $s) { totalCount edges { node { firstName } } }
      accounts(search: $s) { totalCount }
      contactByPhone(phone: $phone) { firstName }
      openLeadsForContact(contactId: $contact) { subject }
    }"""
    for search in ("Alice", "alice@a.example", "a.example", "Anders"):
        body = await world.b.execute(
            query, {"s": search, "phone": "(514) 555-0123", "contact": world.a_ids["Contact"]}
        )
        assert body["data"] == {
            "contacts": {"totalCount": 0, "edges": []},
            "accounts": {"totalCount": 0},
            "contactByPhone": [{"firstName": "Bob"}],
            "openLeadsForContact": [],
        }, search
    body = await world.a.execute(query, {"s": "alice", "phone": PHONE, "contact": world.a_ids["Contact"]})
    assert body["data"]["contactByPhone"] == [{"firstName": "Alice"}]
    assert body["data"]["openLeadsForContact"] == [{"subject": "A lead"}]
    assert body["data"]["contacts"]["totalCount"] == 1


async def test_me_names_the_callers_tenant(world: World) -> None:
    body = await world.b.execute("{ me { tenant { key name } user { username } } }")
    assert body["data"]["me"] == {"tenant": {"key": world.b_tenant, "name": "Tenant B"}, "user": None}
    body = await world.a.execute("{ me { tenant { name } user { username } } }")
    assert body["data"]["me"] == {"tenant": {"name": "Tenant A"}, "user": {"username": "tester"}}


async def test_corrupted_links_do_not_leak(world: World) -> None:
    """Rows that point across tenants (a bug or a bad import) still show nothing of the other tenant."""
    raw, b = world.raw, world.b_factory
    # Link table: A's account with B's contact tagged tenant B; B's account with A's contact tagged A.
    b.link(raw["a_account"], raw["b_contact"])
    b.link(raw["b_account"], raw["a_contact"], tenant=world.a_factory.tenant)
    # Foreign keys: B's lead and task pointing at A's contact, account, lead and user;
    # A's lead pointing at B's contact.
    b.lead("B lead to A", contact_id=raw["a_contact"], account_id=raw["a_account"])
    b.task("B task to A", contact_id=raw["a_contact"], lead_id=raw["a_lead"], assignee_id=raw["a_user"])
    b.account("B account with A primary", primary_contact_id=raw["a_contact"])
    world.a_factory.lead("A lead to B", contact_id=raw["b_contact"], account_id=raw["b_account"])
    # A detail row of tenant A attached to B's contact.
    b.email(raw["b_contact"], "secret@a.example", tenant=world.a_factory.tenant)
    await b.save()
    await world.a_factory.save()

    body = await world.b.execute(
        """{
          contacts { edges { node { firstName emails { email }
            accounts { totalCount edges { node { name } } }
            leads { totalCount edges { node { subject } } }
            events { totalCount }
          } } }
          accounts { edges { node {
            name primaryContact { id } contacts { totalCount edges { node { firstName } } }
          } } }
          leads { edges { node { subject contact { id } account { id } } } }
          tasks { edges { node { title contact { id } lead { id } assignee { id } } } }
        }"""
    )
    data = body["data"]
    assert data["contacts"]["edges"] == [
        {
            "node": {
                "firstName": "Bob",
                "emails": [],
                "accounts": {"totalCount": 1, "edges": [{"node": {"name": "Shared Name Inc"}}]},
                "leads": {"totalCount": 1, "edges": [{"node": {"subject": "B lead"}}]},
                "events": {"totalCount": 0},
            }
        }
    ]
    assert data["accounts"]["edges"] == [
        {
            "node": {
                "name": "Shared Name Inc",
                "primaryContact": None,
                "contacts": {"totalCount": 1, "edges": [{"node": {"firstName": "Bob"}}]},
            }
        },
        {
            "node": {
                "name": "B account with A primary",
                "primaryContact": None,
                "contacts": {"totalCount": 0, "edges": []},
            }
        },
    ]
    assert [edge["node"] for edge in data["leads"]["edges"]] == [
        {
            "subject": "B lead",
            "contact": {"id": gid("Contact", raw["b_contact"])},
            "account": {"id": gid("Account", raw["b_account"])},
        },
        {"subject": "B lead to A", "contact": None, "account": None},
    ]  # fmt: skip
    assert [edge["node"] for edge in data["tasks"]["edges"]] == [
        {"title": "B task to A", "contact": None, "lead": None, "assignee": None}
    ]
    # Filters and search over e-mail addresses ignore the other tenant's detail rows.
    body = await world.b.execute(
        """{ byEmail: contacts(filter: {email: {eq: "secret@a.example"}}) { totalCount }
             noEmail: contacts(filter: {email: {isNull: true}}) { totalCount }
             search: contacts(search: "secret") { totalCount } }"""
    )
    assert body["data"] == {
        "byEmail": {"totalCount": 0},
        "noEmail": {"totalCount": 1},
        "search": {"totalCount": 0},
    }
