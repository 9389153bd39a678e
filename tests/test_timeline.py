"""The activity timeline (issue 22): ``Contact.timeline``, ``Account.timeline``, ``Lead.timeline``.

One stream, newest first, of a parent's tasks and appointments, communications, comments and
documents, and a lead's stage moves and automation runs; guarded by seed 000's CRM_ACTIVITY_VIEW,
each item still under its own read permission.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from comms_factory import CommsFactory
from conftest import Client, token_for
from factories import gid
from gateway.permissions import CATALOG

TIMELINE = """
query($id: ID!, $first: Int, $after: String) {
  node(id: $id) {
    ... on Contact { timeline(first: $first, after: $after) { ...page } }
    ... on Account { timeline(first: $first, after: $after) { ...page } }
    ... on Lead { timeline(first: $first, after: $after) { ...page } }
  }
}
fragment page on TimelineConnection {
  totalCount
  pageInfo { hasNextPage hasPreviousPage endCursor }
  edges { cursor node { at kind node { id __typename } } }
}
"""

CONTACT_TIMELINE = """
query($id: ID!) { contact(id: $id) { id timeline(first: 5) { edges { node { kind } } } } }
"""

SAME_TIME = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
KIND_RANK = {"EVENT": 0, "COMMUNICATION": 1, "COMMENT": 2, "DOCUMENT": 3}


@pytest.fixture
def comms(engine: Any, tenant: str) -> CommsFactory:
    return CommsFactory(engine, tenant)


def _without(*names: str) -> list[str]:
    """Every permission of the catalog one by one, except ``names``, the *_ALL that grant them and
    CRM_ADMIN (administrators see past the row rules)."""
    left_out = {*names, "CRM_ADMIN"}
    return [p.name for p in CATALOG if p.name not in left_out and not p.name.endswith("_ALL")]


async def _page(client: Client, node_id: str, first: int, after: str | None = None) -> dict[str, Any]:
    body = await client.execute(TIMELINE, {"id": node_id, "first": first, "after": after})
    return body["data"]["node"]["timeline"]  # type: ignore[no-any-return]


async def _all_pages(client: Client, node_id: str, first: int) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        page = await _page(client, node_id, first, after)
        seen += [edge["node"]["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


async def _contact_world(comms: CommsFactory) -> tuple[uuid.UUID, list[tuple[datetime, str, str]]]:
    """A contact with items of every source, four of them (one per source) at the same instant, and
    one other contact's items that its timeline must not show. Returns (contact, expected order)."""
    ada, bob = comms.contact("Ada", "Lovelace"), comms.contact("Bob", "Stone")
    items: list[tuple[datetime, str, str]] = []

    def add(at: datetime, kind: str, type_name: str, record_id: uuid.UUID) -> None:
        items.append((at, kind, gid(type_name, record_id)))

    for offset in range(3):  # four sources, each at the same instant, then each at its own
        same = SAME_TIME + timedelta(minutes=offset)
        add(same, "EVENT", "Task", comms.task("Call", contact_id=ada, date_created=same))
        add(same, "COMMUNICATION", "Communication", comms.communication(ada, "Hi", date_created=same))
        add(same, "COMMENT", "Comment", comms.comment(ada, "Nice", date_created=same))
        add(same, "DOCUMENT", "Document", comms.document(ada, "offer.pdf", date_created=same))
    appointment = comms.event("Visit", "APPOINTMENT", contact_id=ada, date_created=SAME_TIME)
    add(SAME_TIME, "EVENT", "Appointment", appointment)
    comms.task("Not Ada's", contact_id=bob, date_created=SAME_TIME)
    comms.comment(bob, "Not Ada's", date_created=SAME_TIME)
    await comms.save()
    # newest first; at one instant by source; within a source by id, newest (largest) first
    items.sort(key=lambda item: (item[0], -KIND_RANK[item[1]], _uuid_of(item[2])), reverse=True)
    return ada, items


def _uuid_of(global_id: str) -> uuid.UUID:
    from resolvers.common.ids import decode_global_id

    return decode_global_id(global_id)[1]


async def test_timeline_merges_every_source_newest_first(client: Client, comms: CommsFactory) -> None:
    ada, expected = await _contact_world(comms)
    page = await _page(client, gid("Contact", ada), 50)
    got = [(edge["node"]["kind"], edge["node"]["node"]["id"]) for edge in page["edges"]]
    assert got == [(kind, node_id) for _, kind, node_id in expected]
    assert {edge["node"]["node"]["__typename"] for edge in page["edges"]} == {
        "Task",
        "Appointment",
        "Communication",
        "Comment",
        "Document",
    }
    ats = [datetime.fromisoformat(edge["node"]["at"]) for edge in page["edges"]]
    assert ats == sorted(ats, reverse=True)
    assert page["totalCount"] == len(expected) == 13
    assert page["pageInfo"] == {**page["pageInfo"], "hasNextPage": False, "hasPreviousPage": False}


@pytest.mark.parametrize("first", [1, 2, 3, 5])
async def test_cursors_walk_the_merged_order_across_equal_timestamps(
    client: Client, comms: CommsFactory, first: int
) -> None:
    ada, expected = await _contact_world(comms)
    assert await _all_pages(client, gid("Contact", ada), first) == [node_id for *_, node_id in expected]


async def test_account_and_lead_timelines(client: Client, comms: CommsFactory) -> None:
    ada = comms.contact("Ada", "Lovelace")
    acme = comms.account("Acme", contacts=[ada])
    lead = comms.lead("Deal", contact_id=ada, account_id=acme)
    account_task = comms.task("Account call", account_id=acme)
    account_comment = comms.comment(acme, "Big client", owner_type="ACCOUNT")
    account_document = comms.document(acme, "contract.pdf", owner_type="Account")
    lead_task = comms.task("Lead call", lead_id=lead)
    lead_mail = comms.communication(ada, "Offer", refers_to=(("LEAD", lead),))
    await comms.save()
    account = await _page(client, gid("Account", acme), 10)
    assert [edge["node"]["node"]["id"] for edge in account["edges"]][:3] == [
        gid("Document", account_document),
        gid("Comment", account_comment),
        gid("Task", account_task),
    ]
    lead_page = await _page(client, gid("Lead", lead), 10)
    assert [(e["node"]["kind"], e["node"]["node"]["id"]) for e in lead_page["edges"]] == [
        ("COMMUNICATION", gid("Communication", lead_mail)),
        ("EVENT", gid("Task", lead_task)),
    ]


async def test_timeline_needs_crm_activity_view(
    http: Any, settings: Any, tenant: str, comms: CommsFactory
) -> None:
    ada = comms.contact("Ada", "Lovelace")
    comms.task("Call", contact_id=ada)
    await comms.save()
    denied = Client(http, token_for(settings, tenant, permissions=_without("CRM_ACTIVITY_VIEW")))
    response = await denied.post(CONTACT_TIMELINE, {"id": gid("Contact", ada)})
    body = response.json()
    assert response.status_code == 200
    assert body["data"]["contact"] == {"id": gid("Contact", ada), "timeline": None}
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["path"] == ["contact", "timeline"]
    assert "CRM_ACTIVITY_VIEW" in error["message"]


async def test_items_keep_their_own_read_permissions(
    http: Any, settings: Any, tenant: str, comms: CommsFactory
) -> None:
    ada = comms.contact("Ada", "Lovelace")
    call = comms.communication(ada, "Call")
    comms.communication(ada, "Text", media="SMS")
    task = comms.task("Call", contact_id=ada)
    comms.document(ada, "offer.pdf")
    await comms.save()
    caller = Client(http, token_for(settings, tenant, permissions=_without("CRM_VIEW_SMS", "CRM_DOC_VIEW")))
    page = await _page(caller, gid("Contact", ada), 10)
    assert [edge["node"]["node"]["id"] for edge in page["edges"]] == [
        gid("Task", task),
        gid("Communication", call),
    ]
    assert page["totalCount"] == 2
    no_tasks = Client(http, token_for(settings, tenant, permissions=_without("CRM_TASK_VIEW")))
    kinds = [edge["node"]["kind"] for edge in (await _page(no_tasks, gid("Contact", ada), 10))["edges"]]
    assert "EVENT" not in kinds and "COMMUNICATION" in kinds


async def test_timeline_of_a_hidden_contact_is_not_reachable(
    http: Any, settings: Any, tenant: str, comms: CommsFactory
) -> None:
    ada = comms.contact("Ada", "Lovelace")
    comms.contact_permission(ada, owner_only=True)  # the factory's, not the caller's
    comms.task("Call", contact_id=ada)
    await comms.save()
    caller = Client(http, token_for(settings, tenant, subject="tester", permissions=_without()))
    body = await caller.execute(CONTACT_TIMELINE, {"id": gid("Contact", ada)})
    assert body["data"]["contact"] is None


async def test_another_tenant_sees_no_timeline(
    client: Client, other_client: Client, comms: CommsFactory
) -> None:
    ada, _ = await _contact_world(comms)
    body = await other_client.execute(TIMELINE, {"id": gid("Contact", ada), "first": 10})
    assert body["data"]["node"] is None
    assert len((await _page(client, gid("Contact", ada), 50))["edges"]) == 13


def _cursor(*keys: Any) -> str:
    raw = json.dumps(["at-,kind+", list(keys)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


BAD_CURSORS = [
    "nope",
    _cursor("2026-01-01T00:00:00+00:00", 0),  # too few keys
    _cursor("yesterday", 0, "0193a8c0-0000-7000-8000-000000000001"),
    _cursor("2026-01-01T00:00:00", 0, "0193a8c0-0000-7000-8000-000000000001"),  # no time zone
    _cursor("2026-01-01T00:00:00+00:00", "0", "0193a8c0-0000-7000-8000-000000000001"),
    _cursor("2026-01-01T00:00:00+00:00", 0, "not-a-uuid"),
]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
async def test_a_bad_cursor_is_a_clear_error(client: Client, comms: CommsFactory, cursor: str) -> None:
    ada = comms.contact("Ada", "Lovelace")
    await comms.save()
    response = await client.post(TIMELINE, {"id": gid("Contact", ada), "first": 5, "after": cursor})
    body = response.json()
    assert response.status_code == 200
    assert [error["extensions"]["code"] for error in body["errors"]] == ["INVALID_CURSOR"]


# -- a lead's stage moves and automation runs ------------------------------------------------------

LEAD_ITEMS = """
query($id: ID!, $first: Int) { lead(id: $id) { id timeline(first: $first) {
  totalCount
  edges { node { at kind node { id __typename
    ... on LeadStageChange { lead { id } fromStage { name } toStage { name } changedBy occurredAt }
    ... on AutomationRun { automationName status trigger recordId } } } }
} } }
"""
MOVE = """mutation($id: ID!, $stage: ID!) {
  leadMoveToStage(id: $id, stageId: $stage) { errors { code } } }"""


async def _move(client: Client, lead: uuid.UUID, stage: uuid.UUID) -> None:
    variables = {"id": gid("Lead", lead), "stage": gid("Stage", stage)}
    assert (await client.execute(MOVE, variables))["data"]["leadMoveToStage"]["errors"] == []


async def _lead_world(comms: CommsFactory) -> dict[str, uuid.UUID]:
    new, won = comms.stage("New"), comms.stage("Won", position=1)
    deal = comms.lead("Deal", stage_id=new)
    other = comms.lead("Other", stage_id=new)
    world = {"new": new, "won": won, "deal": deal, "other": other}
    world["task"] = comms.task("Call", lead_id=deal)
    world["run"] = comms.automation_run(deal, automation_name="Welcome")
    comms.automation_run(other, automation_name="Not the deal's")
    comms.automation_run(deal, entity="event", automation_name="A task's")  # its record is no lead
    await comms.save()
    return world


async def test_a_lead_timeline_lists_its_stage_moves_and_automation_runs(
    client: Client, comms: CommsFactory
) -> None:
    world = await _lead_world(comms)
    # No automation listens to lead.stageChanged: the move is recorded all the same.
    await _move(client, world["deal"], world["won"])
    await _move(client, world["deal"], world["won"])  # already there: no move
    await _move(client, world["other"], world["won"])
    body = await client.execute(LEAD_ITEMS, {"id": gid("Lead", world["deal"]), "first": 10})
    timeline = body["data"]["lead"]["timeline"]
    items = [edge["node"] for edge in timeline["edges"]]
    assert [(item["kind"], item["node"]["__typename"]) for item in items] == [
        ("STAGE_CHANGE", "LeadStageChange"),
        ("AUTOMATION_RUN", "AutomationRun"),
        ("EVENT", "Task"),
    ]
    assert timeline["totalCount"] == 3
    move, run = items[0]["node"], items[1]["node"]
    assert move["lead"] == {"id": gid("Lead", world["deal"])}
    assert (move["fromStage"], move["toStage"]) == ({"name": "New"}, {"name": "Won"})
    assert move["changedBy"] == "tester" and move["occurredAt"] == items[0]["at"]
    assert run == {
        "id": gid("AutomationRun", world["run"]),
        "__typename": "AutomationRun",
        "automationName": "Welcome",
        "status": "SUCCEEDED",
        "trigger": "lead.stageChanged",
        "recordId": gid("Lead", world["deal"]),
    }
    # Both are nodes: fetched again by their IDs.
    ids = [move["id"], run["id"]]
    again = await client.execute("query($ids: [ID!]!) { nodes(ids: $ids) { id __typename } }", {"ids": ids})
    assert [node["id"] for node in again["data"]["nodes"]] == ids


async def test_lead_sources_keep_their_order_across_pages_at_one_instant(
    client: Client, comms: CommsFactory
) -> None:
    ada = comms.contact("Ada", "Lovelace")
    lead = comms.lead("Deal", contact_id=ada)
    stage = comms.stage("New")
    expected = []
    for offset in range(2):
        same = SAME_TIME + timedelta(minutes=offset)
        mail = comms.communication(ada, "Mail", refers_to=(("LEAD", lead),), date_created=same)
        expected += [  # at one instant: by source, in TimelineItemKind order
            gid("Task", comms.task("Call", lead_id=lead, date_created=same)),
            gid("Communication", mail),
            gid("LeadStageChange", comms.stage_change(lead, None, stage, date_created=same)),
            gid("AutomationRun", comms.automation_run(lead, date_created=same)),
        ]
    await comms.save()
    newest_first = expected[4:] + expected[:4]
    for first in (1, 2, 3, 8):
        assert await _all_pages(client, gid("Lead", lead), first) == newest_first


async def test_runs_need_the_run_logs_permission_and_moves_keep_their_stages_own(
    http: Any, settings: Any, tenant: str, client: Client, comms: CommsFactory
) -> None:
    world = await _lead_world(comms)
    await _move(client, world["deal"], world["won"])
    lead_id = gid("Lead", world["deal"])
    caller = Client(http, token_for(settings, tenant, permissions=_without("CRM_AUTOMATION_VIEW")))
    body = await caller.execute(LEAD_ITEMS, {"id": lead_id, "first": 10})
    timeline = body["data"]["lead"]["timeline"]
    assert [edge["node"]["kind"] for edge in timeline["edges"]] == ["STAGE_CHANGE", "EVENT"]
    assert timeline["totalCount"] == 2
    run = await caller.post(
        "query($id: ID!) { node(id: $id) { id } }", {"id": gid("AutomationRun", world["run"])}
    )
    assert run.json()["data"]["node"] is None
    assert run.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    no_stages = Client(http, token_for(settings, tenant, permissions=_without("CRM_STAGE_VIEW")))
    response = await no_stages.post(LEAD_ITEMS, {"id": lead_id, "first": 1})
    body = response.json()
    move = body["data"]["lead"]["timeline"]["edges"][0]["node"]["node"]
    assert move["fromStage"] is None and move["toStage"] is None and move["changedBy"] == "tester"
    paths = sorted(error["path"][-1] for error in body["errors"])
    assert paths == ["fromStage", "toStage"]
    assert {error["extensions"]["code"] for error in body["errors"]} == {"FORBIDDEN"}


async def test_another_tenant_reaches_no_move_or_run(
    client: Client, other_client: Client, comms: CommsFactory
) -> None:
    world = await _lead_world(comms)
    await _move(client, world["deal"], world["won"])
    body = await client.execute(LEAD_ITEMS, {"id": gid("Lead", world["deal"]), "first": 1})
    move = body["data"]["lead"]["timeline"]["edges"][0]["node"]["node"]["id"]
    ids = [move, gid("AutomationRun", world["run"])]
    found = await other_client.execute("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert found["data"]["nodes"] == [None, None]


async def test_a_move_of_a_deleted_lead_is_gone_with_it(client: Client, comms: CommsFactory) -> None:
    """A stage move exists while its lead does: once the lead is deleted, ``node`` finds no move."""
    world = await _lead_world(comms)
    await _move(client, world["deal"], world["won"])
    body = await client.execute(LEAD_ITEMS, {"id": gid("Lead", world["deal"]), "first": 1})
    move = body["data"]["lead"]["timeline"]["edges"][0]["node"]["node"]["id"]
    deleted = await client.execute(
        "mutation($id: ID!) { leadDelete(id: $id) { errors { code } } }", {"id": gid("Lead", world["deal"])}
    )
    assert deleted["data"]["leadDelete"]["errors"] == []
    found = await client.execute("query($id: ID!) { node(id: $id) { id } }", {"id": move})
    assert found["data"]["node"] is None
