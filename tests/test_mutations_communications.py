"""Communication mutations (seed 001): create, update, complete, set viewed; every rule refused cleanly."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa

from comms_factory import CommsFactory
from conftest import Client, token_for
from factories import gid
from gateway.backends.sql import tables as t

FIELDS = """communication { id number direction media subject content to lifeCycleState completedOn
  viewed viewedOn version notes template { name } externalSystem { name }
  queueEntries(first: 5) { edges { node { lifeCycleState media } } } }
  errors { field code seedCode message }"""
CREATE = f"""mutation($input: CommunicationCreateInput!, $key: String) {{
  communicationCreate(input: $input, idempotencyKey: $key) {{ {FIELDS} }}
}}"""
UPDATE = f"""mutation($id: ID!, $input: CommunicationUpdateInput!, $v: Int) {{
  communicationUpdate(id: $id, input: $input, expectedVersion: $v) {{ {FIELDS} }}
}}"""
COMPLETE = f"""mutation($id: ID!) {{ communicationComplete(id: $id) {{ {FIELDS} }} }}"""
VIEWED = f"""mutation($id: ID!, $on: DateTime) {{
  communicationSetViewed(id: $id, viewedOn: $on) {{ {FIELDS} }}
}}"""


@pytest.fixture
def comms(engine: Any, tenant: str) -> CommsFactory:
    return CommsFactory(engine, tenant)


@pytest.fixture
async def world(comms: CommsFactory) -> dict[str, Any]:
    ada = comms.contact("Ada", "Lovelace")
    template = comms.template(
        "Welcome", direction="OUTGOING", media="SMS", subject="Welcome", content="Welcome aboard"
    )
    system = comms.external_system("SMS gateway")
    lead = comms.lead("Deal", contact_id=ada)
    await comms.save()
    return {
        "contact": gid("Contact", ada),
        "template": gid("CommunicationTemplate", template),
        "system": gid("CommunicationQueueExternalSystem", system),
        "lead": gid("Lead", lead),
    }


async def _count(engine: Any, table: sa.Table, tenant: str) -> int:
    async with engine.connect() as connection:
        statement = sa.select(sa.func.count()).select_from(table).where(table.c.tenant == tenant)
        return int((await connection.execute(statement)).scalar_one())


async def _events(engine: Any, tenant: str) -> list[tuple[int, str]]:
    events = t.communication_queue_events
    async with engine.connect() as connection:
        statement = sa.select(events.c.sequence, events.c.kind).where(events.c.tenant == tenant)
        rows = (await connection.execute(statement.order_by(events.c.sequence))).all()
    return [(int(row[0]), row[1]) for row in rows]


def _payload(body: dict[str, Any], name: str) -> dict[str, Any]:
    return body["data"][name]  # type: ignore[no-any-return]


def _codes(payload: dict[str, Any]) -> list[tuple[list[str], str]]:
    return [(error["field"], error["code"]) for error in payload["errors"]]


async def test_create_from_a_template_queues_an_outgoing_completed_communication(
    client: Client, world: dict[str, Any], engine: Any, tenant: str
) -> None:
    input = {
        "contactId": world["contact"],
        "templateId": world["template"],
        "externalSystemId": world["system"],
    }
    input["to"] = "+15145550123"
    created = _payload(await client.execute(CREATE, {"input": input}), "communicationCreate")
    communication = created["communication"]
    assert created["errors"] == []
    assert communication["direction"] == "OUTGOING" and communication["media"] == "SMS"
    assert communication["subject"] == "Welcome" and communication["content"] == "Welcome aboard"
    assert communication["lifeCycleState"] == "COMPLETED" and communication["completedOn"] is not None
    assert communication["template"] == {"name": "Welcome"}
    assert communication["number"] == "1"
    assert [e["node"] for e in communication["queueEntries"]["edges"]] == [
        {"lifeCycleState": "PENDING", "media": "SMS"}
    ]
    assert await _events(engine, tenant) == [(1, "ENQUEUED")]
    second = _payload(await client.execute(CREATE, {"input": input}), "communicationCreate")
    assert second["communication"]["number"] == "2"
    assert await _events(engine, tenant) == [(1, "ENQUEUED"), (2, "ENQUEUED")]


async def test_given_values_win_over_the_template(client: Client, world: dict[str, Any]) -> None:
    input = {
        "contactId": world["contact"],
        "templateId": world["template"],
        "subject": "Mine",
        "media": "PHONE",
    }
    communication = _payload(await client.execute(CREATE, {"input": input}), "communicationCreate")[
        "communication"
    ]
    assert communication["subject"] == "Mine" and communication["media"] == "PHONE"
    assert communication["content"] == "Welcome aboard" and communication["direction"] == "OUTGOING"


async def test_a_draft_is_not_queued_until_completed(
    client: Client, world: dict[str, Any], engine: Any, tenant: str
) -> None:
    input = {
        "contactId": world["contact"],
        "templateId": world["template"],
        "externalSystemId": world["system"],
        "lifeCycleState": "DRAFT",
    }
    draft = _payload(await client.execute(CREATE, {"input": input}), "communicationCreate")["communication"]
    assert draft["lifeCycleState"] == "DRAFT" and draft["completedOn"] is None
    assert draft["queueEntries"]["edges"] == []
    done = _payload(await client.execute(COMPLETE, {"id": draft["id"]}), "communicationComplete")
    assert done["errors"] == [] and done["communication"]["lifeCycleState"] == "COMPLETED"
    assert len(done["communication"]["queueEntries"]["edges"]) == 1
    again = _payload(await client.execute(COMPLETE, {"id": draft["id"]}), "communicationComplete")
    assert _codes(again) == [(["id"], "INVALID_STATE")]
    assert await _events(engine, tenant) == [(1, "ENQUEUED")]


async def test_incoming_or_systemless_communications_are_not_queued(
    client: Client, world: dict[str, Any]
) -> None:
    base = {"contactId": world["contact"], "media": "PHONE", "subject": "Call", "content": "Talked"}
    incoming = {**base, "direction": "INCOMING", "externalSystemId": world["system"]}
    no_system = {**base, "direction": "OUTGOING"}
    for input in (incoming, no_system):
        communication = _payload(await client.execute(CREATE, {"input": input}), "communicationCreate")[
            "communication"
        ]
        assert communication["queueEntries"]["edges"] == []


async def test_create_refuses_missing_values_without_writing(
    client: Client, world: dict[str, Any], engine: Any, tenant: str
) -> None:
    missing = _payload(
        await client.execute(CREATE, {"input": {"contactId": world["contact"]}}), "communicationCreate"
    )
    assert missing["communication"] is None
    assert _codes(missing) == [
        (["input", "direction"], "REQUIRED"),
        (["input", "media"], "REQUIRED"),
        (["input", "subject"], "REQUIRED"),
        (["input", "content"], "REQUIRED"),
    ]
    email = {
        "contactId": world["contact"],
        "direction": "OUTGOING",
        "media": "EMAIL",
        "subject": "S",
        "content": "C",
    }
    no_to = _payload(await client.execute(CREATE, {"input": email}), "communicationCreate")
    assert _codes(no_to) == [(["input", "to"], "REQUIRED")]
    blank = _payload(
        await client.execute(CREATE, {"input": {**email, "to": "a@example.com", "subject": "  "}}),
        "communicationCreate",
    )
    assert _codes(blank) == [(["input", "subject"], "REQUIRED")]
    assert await _count(engine, t.communications, tenant) == 0
    assert await _count(engine, t.counters, tenant) == 0


async def test_create_refuses_unknown_references(
    client: Client, world: dict[str, Any], comms: CommsFactory
) -> None:
    other = CommsFactory(comms.engine, "someone-else")
    foreign_template = other.template("Theirs", subject="x")
    await other.save()
    input = {
        "contactId": gid("Contact", foreign_template),
        "templateId": gid("CommunicationTemplate", foreign_template),
        "direction": "INCOMING",
        "media": "PHONE",
        "subject": "S",
        "content": "C",
    }
    refused = _payload(await client.execute(CREATE, {"input": input}), "communicationCreate")
    assert [(e["field"], e["code"], e["seedCode"]) for e in refused["errors"]] == [
        (["input", "contactId"], "NOT_FOUND", "CUST1102"),
        (["input", "templateId"], "NOT_FOUND", None),
    ]
    wrong_type = {
        **input,
        "contactId": world["contact"],
        "templateId": None,
        "referringToIds": [world["contact"]],
    }
    refused = _payload(await client.execute(CREATE, {"input": wrong_type}), "communicationCreate")
    assert _codes(refused) == [(["input", "referringToIds", "0"], "INVALID")]


async def test_referring_to_is_stored_and_replaced(client: Client, world: dict[str, Any]) -> None:
    input = {
        "contactId": world["contact"],
        "direction": "INCOMING",
        "media": "LETTER",
        "subject": "S",
        "content": "C",
        "referringToIds": [world["lead"], world["lead"]],
    }
    created = _payload(await client.execute(CREATE, {"input": input}), "communicationCreate")["communication"]
    query = "query($id: ID!) { communication(id: $id) { referringTo { id } } }"
    body = await client.execute(query, {"id": created["id"]})
    assert body["data"]["communication"]["referringTo"] == [{"id": world["lead"]}]
    update = {"referringToIds": [created["id"]]}
    assert (
        _payload(await client.execute(UPDATE, {"id": created["id"], "input": update}), "communicationUpdate")[
            "errors"
        ]
        == []
    )
    body = await client.execute(query, {"id": created["id"]})
    assert body["data"]["communication"]["referringTo"] == [{"id": created["id"]}]


async def test_outgoing_email_and_sms_need_the_send_permissions(
    client: Client, world: dict[str, Any], settings: Any, tenant: str, engine: Any
) -> None:
    base = {
        "contactId": world["contact"],
        "direction": "OUTGOING",
        "subject": "S",
        "content": "C",
        "to": "a@example.com",
    }
    cases = [
        ({**base, "media": "EMAIL"}, ["CRM_VIEW_EMAIL"], "CRM_SEND_EMAIL"),
        ({**base, "media": "EMAIL"}, ["CRM_SEND_EMAIL"], "CRM_VIEW_EMAIL"),
        ({**base, "media": "SMS"}, ["CRM_VIEW_SMS"], "CRM_SEND_SMS"),
    ]
    for input, extra, missing in cases:
        caller = Client(
            client.http,
            token_for(
                settings, tenant, permissions=["CRM_COMMUNICATION_EDIT", "CRM_COMMUNICATION_VIEW", *extra]
            ),
        )
        body = (await caller.post(CREATE, {"input": input})).json()
        assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "permission": missing}, input
    assert await _count(engine, t.communications, tenant) == 0
    sender = Client(
        client.http,
        token_for(
            settings,
            tenant,
            permissions=["CRM_COMMUNICATION_EDIT", "CRM_COMMUNICATION_VIEW", "CRM_VIEW_SMS", "CRM_SEND_SMS"],
        ),
    )
    plain = """mutation($input: CommunicationCreateInput!) {
      communicationCreate(input: $input) { communication { media } }
    }"""
    body = await sender.execute(plain, {"input": {**base, "media": "SMS"}})
    assert body["data"]["communicationCreate"]["communication"]["media"] == "SMS"


async def test_create_is_idempotent_with_a_key(
    client: Client, world: dict[str, Any], engine: Any, tenant: str
) -> None:
    input = {
        "contactId": world["contact"],
        "direction": "INCOMING",
        "media": "PHONE",
        "subject": "S",
        "content": "C",
    }
    first = _payload(await client.execute(CREATE, {"input": input, "key": "k-1"}), "communicationCreate")
    again = _payload(await client.execute(CREATE, {"input": input, "key": "k-1"}), "communicationCreate")
    assert again["communication"]["id"] == first["communication"]["id"]
    reused = _payload(
        await client.execute(CREATE, {"input": {**input, "subject": "T"}, "key": "k-1"}),
        "communicationCreate",
    )
    assert _codes(reused) == [(["idempotencyKey"], "IDEMPOTENCY_KEY_REUSED")]
    assert await _count(engine, t.communications, tenant) == 1


async def _created(client: Client, world: dict[str, Any], **values: Any) -> dict[str, Any]:
    input = {
        "contactId": world["contact"],
        "direction": "OUTGOING",
        "media": "PHONE",
        "subject": "S",
        "content": "C",
    }
    body = await client.execute(CREATE, {"input": {**input, **values}})
    return body["data"]["communicationCreate"]["communication"]  # type: ignore[no-any-return]


async def test_update_changes_drafts_and_only_bookkeeping_of_completed_ones(
    client: Client, world: dict[str, Any]
) -> None:
    draft = await _created(client, world, lifeCycleState="DRAFT")
    changed = _payload(
        await client.execute(
            UPDATE, {"id": draft["id"], "input": {"subject": "New", "notes": "n"}, "v": draft["version"]}
        ),
        "communicationUpdate",
    )
    assert changed["errors"] == [] and changed["communication"]["subject"] == "New"
    stale = _payload(
        await client.execute(UPDATE, {"id": draft["id"], "input": {"notes": "x"}, "v": draft["version"]}),
        "communicationUpdate",
    )
    assert _codes(stale) == [(["expectedVersion"], "CONFLICT")]

    done = await _created(client, world)
    notes = _payload(
        await client.execute(UPDATE, {"id": done["id"], "input": {"notes": "later"}}), "communicationUpdate"
    )
    assert notes["errors"] == [] and notes["communication"]["notes"] == "later"
    locked = _payload(
        await client.execute(
            UPDATE, {"id": done["id"], "input": {"subject": "Other", "lifeCycleState": "DRAFT"}}
        ),
        "communicationUpdate",
    )
    assert _codes(locked) == [
        (["input", "subject"], "INVALID_STATE"),
        (["input", "lifeCycleState"], "INVALID_STATE"),
    ]
    cleared = _payload(
        await client.execute(UPDATE, {"id": draft["id"], "input": {"content": None}}), "communicationUpdate"
    )
    assert _codes(cleared) == [(["input", "content"], "REQUIRED")]
    email = _payload(
        await client.execute(UPDATE, {"id": draft["id"], "input": {"media": "EMAIL"}}), "communicationUpdate"
    )
    assert _codes(email) == [(["input", "to"], "REQUIRED")]


async def test_update_to_completed_queues_the_draft(client: Client, world: dict[str, Any]) -> None:
    draft = await _created(client, world, lifeCycleState="DRAFT", externalSystemId=world["system"])
    done = _payload(
        await client.execute(UPDATE, {"id": draft["id"], "input": {"lifeCycleState": "COMPLETED"}}),
        "communicationUpdate",
    )
    assert done["communication"]["lifeCycleState"] == "COMPLETED"
    assert [e["node"]["lifeCycleState"] for e in done["communication"]["queueEntries"]["edges"]] == [
        "PENDING"
    ]


async def test_set_viewed_only_for_completed_communications(client: Client, world: dict[str, Any]) -> None:
    draft = await _created(client, world, lifeCycleState="DRAFT")
    refused = _payload(await client.execute(VIEWED, {"id": draft["id"]}), "communicationSetViewed")
    assert _codes(refused) == [(["id"], "INVALID_STATE")]
    done = await _created(client, world)
    now = _payload(await client.execute(VIEWED, {"id": done["id"]}), "communicationSetViewed")[
        "communication"
    ]
    assert now["viewed"] is True and now["viewedOn"] is not None
    given = _payload(
        await client.execute(VIEWED, {"id": done["id"], "on": "2017-05-22T12:42:03+03:00"}),
        "communicationSetViewed",
    )["communication"]
    assert given["viewedOn"].startswith("2017-05-22T09:42:03")


async def test_mutations_on_unknown_or_hidden_communications_are_not_found(
    client: Client, world: dict[str, Any], settings: Any, tenant: str
) -> None:
    email = await _created(client, world, media="EMAIL", to="a@example.com", direction="INCOMING")
    phone_only = Client(
        client.http,
        token_for(settings, tenant, permissions=["CRM_COMMUNICATION_EDIT", "CRM_COMMUNICATION_VIEW"]),
    )
    for query, name, variables in (
        (UPDATE, "communicationUpdate", {"input": {"notes": "x"}}),
        (COMPLETE, "communicationComplete", {}),
        (VIEWED, "communicationSetViewed", {}),
    ):
        hidden = _payload(await phone_only.execute(query, {"id": email["id"], **variables}), name)
        assert _codes(hidden) == [(["id"], "NOT_FOUND")], name


async def test_concurrent_creates_get_distinct_numbers_and_event_sequences(
    client: Client, world: dict[str, Any], engine: Any, tenant: str
) -> None:
    """The first creates of a tenant race to make its counter rows; each still gets its own number."""
    input = {
        "contactId": world["contact"],
        "templateId": world["template"],
        "externalSystemId": world["system"],
    }
    plain = """mutation($input: CommunicationCreateInput!) {
      communicationCreate(input: $input) { communication { number } errors { code } }
    }"""
    bodies = await asyncio.gather(*(client.execute(plain, {"input": input}) for _ in range(8)))
    numbers = sorted(int(body["data"]["communicationCreate"]["communication"]["number"]) for body in bodies)
    assert numbers == list(range(1, 9))
    assert [sequence for sequence, _ in await _events(engine, tenant)] == list(range(1, 9))
