"""Automations that run on the gateway's own database (SQLite and PostgreSQL), through /graphql: each
trigger and action, conditions, the run log, loop protection, enable/disable, tenant isolation, bad
definitions refused, and a lapsed claim taken over exactly once. Two real processes:
tests/test_automation_processes.py."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from automation_support import (
    MOVE,
    action,
    condition,
    create_automation,
    edge,
    lead,
    move,
    node,
    refused,
    runs,
    set_enabled,
)
from comms_factory import CommsFactory
from conecrm_support import client_for, routed_gateway, routing_file, serve_simulator
from conftest import Client, token_for
from factories import gid
from gateway.automations.runner import MAX_ATTEMPTS, AutomationRunner
from gateway.automations.values import as_uuid
from gateway.backends.access import RowAccess
from gateway.backends.records import Entity
from gateway.backends.sql import tables as t
from gateway.backends.sql.automation_dispatch import claim_events
from gateway.backends.sql.store import SqlBackend
from gateway.cost import Cost
from gateway.ids import utcnow, uuid7
from gateway.pubsub import tenant_channel
from gateway.settings import Settings

STAGE_CHANGED, LEAD_CREATED = "lead.stageChanged", "lead.created"
INCOMING_CALL = """mutation($contact: ID!) { communicationCreate(input: {contactId: $contact,
  direction: INCOMING, media: PHONE, subject: "Call", content: "Called"}) { communication { id } } }"""
TASK_COMPLETED, COMMUNICATION_CREATED = "task.completed", "communication.created"


@pytest.fixture
async def world(engine: Any, tenant: str) -> dict[str, Any]:
    rows = CommsFactory(engine, tenant)
    ada = rows.contact("Ada", "Lovelace", emails=["ada@example.com"], phones=["+441234567890"])
    stages = [rows.stage("New", 0), rows.stage("Qualified", 1), rows.stage("Won", 2)]
    user = rows.user("grace")
    deal = rows.lead("Big Deal", contact_id=ada, stage_id=stages[0], priority=3)
    orphan = rows.lead("No contact", stage_id=stages[0])
    system = rows.external_system("Mailer")
    await rows.save()
    return {
        "contact": gid("Contact", ada),
        "stages": [gid("Stage", stage) for stage in stages],
        "user": gid("User", user),
        "lead": gid("Lead", deal),
        "orphan": gid("Lead", orphan),
        "system": gid("CommunicationQueueExternalSystem", system),
    }


async def test_a_task_is_created_once_when_a_lead_moves_stage(client: Client, world: dict[str, Any]) -> None:
    automation = await create_automation(
        client, STAGE_CHANGED, [action("1", "createTask", title="Call back", assigneeId=world["user"])]
    )
    await move(client, world["lead"], world["stages"][1])
    tasks = (await lead(client, world["lead"]))["tasks"]
    assert tasks == {"totalCount": 1, "nodes": [{"title": "Call back", "taskDone": False}]}
    log = await runs(client, automation["id"])
    (run,) = log["nodes"]
    assert (run["trigger"], run["recordId"], run["status"], run["depth"]) == (
        STAGE_CHANGED,
        world["lead"],
        "SUCCEEDED",
        0,
    )
    assert [(a["node"], a["action"]) for a in run["actions"]] == [("1", "createTask")]
    task = await node(
        client, run["actions"][0]["recordId"], "... on Task { title assignee { id } lead { id } }"
    )
    assert task == {
        "title": "Call back",
        "assignee": {"id": world["user"]},
        "lead": {"id": world["lead"]},
    }
    await move(client, world["lead"], world["stages"][1])  # the same stage again: no move, no run
    assert (await runs(client))["totalCount"] == 1


async def test_a_new_lead_starts_lead_created(client: Client, world: dict[str, Any]) -> None:
    await create_automation(client, LEAD_CREATED, [action("1", "assignUser", userId=world["user"])])
    create = 'mutation { leadCreate(input: {subject: "Inbound"}) { lead { id } errors { code } } }'
    created = (await client.execute(create))["data"]["leadCreate"]["lead"]["id"]
    assert (await lead(client, created))["assignees"]["nodes"] == [{"id": world["user"]}]
    (run,) = (await runs(client))["nodes"]
    assert (run["trigger"], run["recordId"], run["actions"][0]["recordId"]) == (
        LEAD_CREATED,
        created,
        created,
    )


async def test_completing_a_task_starts_task_completed_on_the_tasks_lead(
    client: Client, world: dict[str, Any]
) -> None:
    nodes = [action("1", "moveLeadToStage", stageId=world["stages"][2])]
    await create_automation(client, TASK_COMPLETED, nodes)
    create = """mutation($lead: ID!, $title: String!) {
      taskCreate(input: {title: $title, leadId: $lead}) { task { id } } }"""
    tasks = [
        (await client.execute(create, {"lead": world["lead"], "title": title}))["data"]["taskCreate"]["task"][
            "id"
        ]
        for title in ("Visit", "Call")
    ]
    assert (await runs(client))["totalCount"] == 0  # created, not completed
    complete = "mutation($id: ID!) { taskComplete(id: $id) { task { id } } }"
    await client.execute(complete, {"id": tasks[0]})
    await client.execute(complete, {"id": tasks[0]})  # done already: nothing happens
    done = "mutation($id: ID!) { taskUpdate(id: $id, input: {taskDone: true}) { task { id } } }"
    await client.execute(done, {"id": tasks[1]})
    assert (await lead(client, world["lead"]))["stage"] == {"id": world["stages"][2]}
    log = (await runs(client))["nodes"]
    assert sorted((run["trigger"], run["recordId"], run["status"]) for run in log) == sorted(
        (TASK_COMPLETED, task, "SUCCEEDED") for task in tasks
    )


async def _statements_of_a_move(client: Client, lead_id: str, stage: str) -> int:
    body = await client.execute(MOVE, {"id": lead_id, "stage": stage})
    return int(body["extensions"]["cost"]["sqlStatements"])


async def test_the_mutations_cost_counts_the_automations_it_ran(
    client: Client, world: dict[str, Any]
) -> None:
    alone = await _statements_of_a_move(client, world["lead"], world["stages"][1])
    await create_automation(client, STAGE_CHANGED, [action("1", "createTask")])
    assert await _statements_of_a_move(client, world["lead"], world["stages"][2]) > alone


async def test_an_e_mail_sent_by_an_automation_is_queued_for_its_external_system(
    app: Any, client: Client, world: dict[str, Any], tenant: str
) -> None:
    nodes = [
        action("1", "sendEmail", subject="Welcome", content="Hello Ada", externalSystemId=world["system"])
    ]
    await create_automation(client, STAGE_CHANGED, nodes)
    async with app.state.view.pubsub.subscribe(tenant_channel(tenant), 10) as subscription:
        await move(client, world["lead"], world["stages"][1])
        announced = [await asyncio.wait_for(anext(subscription), 60) for _ in range(2)]
    assert sorted(message["type"] for message in announced) == ["communicationCreated", "queue"]
    (run,) = (await runs(client))["nodes"]
    query = f"""{{ node(id: "{run["actions"][0]["recordId"]}") {{ ... on Communication {{
        direction media subject content to lifeCycleState externalSystem {{ name }}
        queueEntries(first: 5) {{ nodes {{ lifeCycleState media }} }} }} }} }}"""
    sent = (await client.execute(query))["data"]["node"]
    assert sent == {
        "direction": "OUTGOING",
        "media": "EMAIL",
        "subject": "Welcome",
        "content": "Hello Ada",
        "to": "ada@example.com",  # the contact's first address
        "lifeCycleState": "COMPLETED",
        "externalSystem": {"name": "Mailer"},
        "queueEntries": {"nodes": [{"lifeCycleState": "PENDING", "media": "EMAIL"}]},
    }


async def test_a_communication_created_starts_communication_created(
    client: Client, world: dict[str, Any]
) -> None:
    await create_automation(client, COMMUNICATION_CREATED, [action("1", "createTask", title="Reply")])
    create = INCOMING_CALL
    created = await client.execute(create, {"contact": world["contact"]})
    (run,) = (await runs(client))["nodes"]
    assert (run["recordId"], run["status"]) == (
        created["data"]["communicationCreate"]["communication"]["id"],
        "SUCCEEDED",
    )
    task = await node(client, run["actions"][0]["recordId"], "... on Task { title lead { id } }")
    assert task == {"title": "Reply", "lead": None}


TAGS = "tags(first: 20) { nodes { value } }"


async def _tags_of(client: Client, owner: str) -> list[str]:
    found = await node(client, owner, f"... on Contact {{ {TAGS} }} ... on Account {{ {TAGS} }}")
    return sorted(tag["value"] for tag in found["tags"]["nodes"])


async def test_add_tag_tags_the_leads_contact_and_organization_creating_missing_tags(
    client: Client, world: dict[str, Any], engine: Any, tenant: str
) -> None:
    rows = CommsFactory(engine, tenant)
    rows.tag("VIP")
    acme = rows.account("Acme")
    ada, new = as_uuid(world["contact"]), as_uuid(world["stages"][0])
    deal = rows.lead("Acme deal", contact_id=ada, account_id=acme, stage_id=new)
    await rows.save()
    nodes = [
        action("c", "addTag", tags=["vip", " Follow-up "]),  # "vip" is the catalogue's "VIP"
        action("a", "addTag", tags="Partner", on="account"),
    ]
    automation = await create_automation(client, STAGE_CHANGED, nodes)
    await move(client, gid("Lead", deal), world["stages"][1])
    await move(client, gid("Lead", deal), world["stages"][2])  # carrying a tag already is fine
    assert await _tags_of(client, world["contact"]) == ["Follow-up", "VIP"]
    assert await _tags_of(client, gid("Account", acme)) == ["Partner"]
    log = (await runs(client, automation["id"]))["nodes"]
    assert [run["status"] for run in log] == ["SUCCEEDED", "SUCCEEDED"]
    assert [(a["action"], a["recordId"]) for a in log[0]["actions"]] == [
        ("addTag", world["contact"]),
        ("addTag", gid("Account", acme)),
    ]
    catalogue = (await client.execute("{ tags(first: 20) { nodes { value usageCount } } }"))["data"]
    assert sorted((tag["value"], tag["usageCount"]) for tag in catalogue["tags"]["nodes"]) == [
        ("Follow-up", 1),
        ("Partner", 1),
        ("VIP", 1),
    ]


async def test_add_tag_without_the_owner_it_names_fails_with_a_code_and_writes_nothing(
    client: Client, world: dict[str, Any]
) -> None:
    nodes = [action("a", "addTag", tags=["Hot"], on="account")]
    await create_automation(client, STAGE_CHANGED, nodes)
    await move(client, world["lead"], world["stages"][1])  # Ada's lead has no organization
    await move(client, world["orphan"], world["stages"][1])  # no contact either
    await create_automation(client, COMMUNICATION_CREATED, [action("c", "addTag", tags=["Caller"])])
    await client.execute(INCOMING_CALL, {"contact": world["contact"]})  # a communication's contact
    log = (await runs(client))["nodes"]
    assert sorted((run["status"], run["reason"]) for run in log) == [
        ("FAILED", "NO_ACCOUNT"),
        ("FAILED", "NO_ACCOUNT"),
        ("SUCCEEDED", None),
    ]
    assert await _tags_of(client, world["contact"]) == ["Caller"]
    catalogue = (await client.execute("{ tags(first: 20) { totalCount } }"))["data"]
    assert catalogue["tags"]["totalCount"] == 1  # the failed action's tag was not created


async def _define(client: Client, entity: str, name: str, kind: str, options: str = "") -> None:
    define = f"""mutation {{ customFieldCreate(input: {{entity: "{entity}", fieldName: "{name}",
      fieldType: {kind}{options}}}) {{ errors {{ message }} }} }}"""
    assert (await client.execute(define))["data"]["customFieldCreate"]["errors"] == []


async def test_conditions_read_the_leads_custom_field_values_as_their_definitions_type(
    client: Client, world: dict[str, Any], engine: Any, tenant: str
) -> None:
    await _define(client, "lead", "budget", "NUMBER")
    await _define(client, "lead", "tier", "ENUM", ', options: {values: ["GOLD", "SILVER"]}')
    await _define(client, "lead", "signed", "DATE")
    rows = CommsFactory(engine, tenant)
    new = as_uuid(world["stages"][0])
    values = [
        {"budget": 5000, "tier": "GOLD", "signed": "2026-03-01"},
        {"budget": 900, "tier": "GOLD", "signed": "2026-03-01"},  # too small
        {"budget": "5000", "tier": "GOLD", "signed": "2026-03-01"},  # stored as text: no number
        {"tier": "GOLD"},  # no budget
    ]
    leads = [rows.lead(f"Lead {n}", stage_id=new, custom_fields=v) for n, v in enumerate(values)]
    await rows.save()
    rules = [
        {"field": "customFields.budget", "operator": ">=", "value": "1000"},
        {"field": "customFields.tier", "operator": "in", "value": ["GOLD"]},
        {"field": "customFields.signed", "operator": "between", "value": ["2026-01-01", "2026-12-31"]},
    ]
    nodes = [condition("c", *rules), action("t", "createTask", title="Big one")]
    await create_automation(client, STAGE_CHANGED, nodes, [edge("c", "t")])
    missing = [
        condition("c", {"field": "customFields.budget", "operator": "null"}),
        action("n", "createTask"),
    ]
    await create_automation(client, STAGE_CHANGED, missing, [edge("c", "n")], name="No budget")
    for record in leads:
        await move(client, gid("Lead", record), world["stages"][1])
    log = (await runs(client, first=20))["nodes"]
    judged = {(run["automationName"], run["recordId"]): run["status"] for run in log}
    assert [judged[("Follow up", gid("Lead", record))] for record in leads] == [
        "SUCCEEDED",
        "SKIPPED",
        "SKIPPED",
        "SKIPPED",
    ]
    assert [judged[("No budget", gid("Lead", record))] for record in leads] == [
        "SKIPPED",
        "SKIPPED",
        "SUCCEEDED",  # a value of another type is no value
        "SUCCEEDED",
    ]


CUSTOM_REFUSALS = [
    {"field": "customFields.shoeSize", "operator": "=", "value": 1},  # no such custom field
    {"field": "customFields.budget", "operator": "contains", "value": "1"},  # not for a number
    {"field": "customFields.budget", "operator": ">", "value": "lots"},
]


@pytest.mark.parametrize("rule", CUSTOM_REFUSALS)
async def test_a_condition_on_a_custom_field_is_checked_against_its_definition(
    client: Client, rule: dict[str, Any]
) -> None:
    await _define(client, "lead", "budget", "NUMBER")
    assert await refused(client, STAGE_CHANGED, [condition("c", rule)]) == [(["input", "nodes"], "INVALID")]
    # A task's custom fields do not exist: the lead's field is unknown on task.completed.
    budget = {"field": "customFields.budget", "operator": "null"}
    assert await refused(client, TASK_COMPLETED, [condition("c", budget)]) == [
        (["input", "nodes"], "INVALID")
    ]


def _stage_is(stage: str) -> dict[str, Any]:
    return {"field": "stageId", "operator": "=", "value": stage}


async def test_conditions_choose_the_branch_and_a_false_one_without_actions_is_skipped(
    client: Client, world: dict[str, Any]
) -> None:
    nodes = [
        condition("c", _stage_is(world["stages"][2]), {"field": "priority", "operator": ">=", "value": 3}),
        action("won", "createTask", title="Send the invoice"),
    ]
    automation = await create_automation(client, STAGE_CHANGED, nodes, [edge("c", "won", "true")])
    await move(client, world["lead"], world["stages"][1])
    await move(client, world["lead"], world["stages"][2])
    log = await runs(client, automation["id"])
    assert [(r["status"], r["reason"]) for r in log["nodes"]] == [
        ("SUCCEEDED", None),  # newest first
        ("SKIPPED", "CONDITION_NOT_MET"),
    ]
    assert (await lead(client, world["lead"]))["tasks"]["nodes"] == [
        {"title": "Send the invoice", "taskDone": False}
    ]
    skipped = await runs(client, automation["id"], status="SKIPPED")
    assert skipped["totalCount"] == 1


def _rule(field: str, operator: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "operator": operator, "value": value}


OPERATOR_CASES = [  # on a lead "Big Deal" of priority 3, OPEN, without a source, not qualified
    (_rule("subject", "=", "big deal"), True),  # text ignores case
    (_rule("subject", "!=", "Other"), True),
    (_rule("priority", ">", 2), True),
    (_rule("priority", ">=", "4"), False),
    (_rule("priority", "<", 3), False),
    (_rule("priority", "<=", 3), True),
    (_rule("subject", "contains", "g de"), True),
    (_rule("subject", "doesNotContain", "deal"), False),
    (_rule("subject", "beginsWith", "big"), True),
    (_rule("subject", "doesNotBeginWith", "big"), False),
    (_rule("subject", "endsWith", "DEAL"), True),
    (_rule("subject", "doesNotEndWith", "x"), True),
    (_rule("source", "null"), True),
    (_rule("source", "notNull"), False),
    (_rule("status", "in", "OPEN,WON"), True),
    (_rule("status", "notIn", ["OPEN"]), False),
    (_rule("priority", "between", [1, 3]), True),
    (_rule("priority", "notBetween", "1,3"), False),
    (_rule("source", "!=", "Web"), False),  # a null field matches no operator but null
    (_rule("isQualified", "=", "false"), True),
    (_rule("dateCreated", ">", "2000-01-01T00:00:00Z"), True),
    (
        {"combinator": "or", "not": True, "rules": [_rule("priority", "=", 1), _rule("priority", "=", 3)]},
        False,
    ),
]


async def test_every_operator_is_judged_on_the_triggering_record(
    client: Client, world: dict[str, Any]
) -> None:
    nodes, edges = [], []
    for number, (rule, _) in enumerate(OPERATOR_CASES):
        query = rule if "rules" in rule else {"combinator": "and", "rules": [rule]}
        nodes += [{"id": f"c{number}", "type": "condition", "data": {"query": query}}]
        nodes += [action(f"t{number}", "createTask", title=f"case {number}")]
        edges.append(edge(f"c{number}", f"t{number}"))
    stage_rule = _rule("stageId", "=", world["stages"][1])  # a global ID, as the graph shows it
    nodes += [condition("s", stage_rule), action("ts", "createTask", title="stage")]
    await create_automation(client, STAGE_CHANGED, nodes, [*edges, edge("s", "ts")])
    await move(client, world["lead"], world["stages"][1])
    titles = {task["title"] for task in (await lead(client, world["lead"]))["tasks"]["nodes"]}
    expected = {f"case {number}" for number, (_, holds) in enumerate(OPERATOR_CASES) if holds}
    assert titles == expected | {"stage"}


async def test_the_false_branch_runs_when_the_condition_does_not_hold(
    client: Client, world: dict[str, Any]
) -> None:
    nodes = [
        condition("c", {"field": "subject", "operator": "beginsWith", "value": "vip"}),
        action("vip", "createTask", title="Call now"),
        action("other", "createTask", title="Send a brochure"),
    ]
    await create_automation(
        client, STAGE_CHANGED, nodes, [edge("c", "vip", "true"), edge("c", "other", "false")]
    )
    await move(client, world["lead"], world["stages"][1])
    assert (await lead(client, world["lead"]))["tasks"]["nodes"] == [
        {"title": "Send a brochure", "taskDone": False}
    ]


async def test_a_failed_action_is_logged_with_its_code_and_undone_alone(
    client: Client, world: dict[str, Any]
) -> None:
    nodes = [action("1", "createTask", title="First"), action("2", "sendEmail")]
    await create_automation(client, STAGE_CHANGED, nodes, [edge("1", "2")])
    await move(client, world["orphan"], world["stages"][1])  # a lead without a contact: nobody to write to
    (run,) = (await runs(client))["nodes"]
    assert (run["status"], run["reason"]) == ("FAILED", "NO_CONTACT")
    assert [a["action"] for a in run["actions"]] == ["createTask"]  # done before the failure, and kept
    assert (await lead(client, world["orphan"]))["tasks"]["totalCount"] == 1


async def test_an_automation_that_triggers_itself_stops_at_the_chain_limit(
    client: Client, world: dict[str, Any], settings: Settings
) -> None:
    await create_automation(client, COMMUNICATION_CREATED, [action("1", "sendSms", content="Thanks")])
    create = INCOMING_CALL
    await client.execute(create, {"contact": world["contact"]})
    log = (await runs(client))["nodes"]
    limit = settings.automation_max_chain_depth
    assert sorted((r["depth"], r["status"], r["reason"]) for r in log) == [
        *((depth, "SUCCEEDED", None) for depth in range(limit)),
        (limit, "SKIPPED", "CHAIN_LIMIT"),
    ]
    count = "{ communications(first: 50) { totalCount } }"
    assert (await client.execute(count))["data"]["communications"]["totalCount"] == 1 + limit


async def test_two_automations_moving_a_lead_back_and_forth_stop_too(
    client: Client, world: dict[str, Any], settings: Settings
) -> None:
    first, second = world["stages"][1], world["stages"][2]
    for at, to in ((first, second), (second, first)):
        nodes = [condition("c", _stage_is(at)), action("m", "moveLeadToStage", stageId=to)]
        await create_automation(client, STAGE_CHANGED, nodes, [edge("c", "m")])
    await move(client, world["lead"], first)
    log = (await runs(client))["nodes"]
    assert [r for r in log if r["reason"] == "CHAIN_LIMIT"] and max(r["depth"] for r in log) == (
        settings.automation_max_chain_depth
    )


async def test_a_disabled_or_deleted_automation_does_not_run(client: Client, world: dict[str, Any]) -> None:
    disabled = await create_automation(client, STAGE_CHANGED, [action("1", "createTask")], name="Off")
    deleted = await create_automation(client, STAGE_CHANGED, [action("1", "createTask")], name="Gone")
    await set_enabled(client, disabled["id"], False)
    await client.execute(f'mutation {{ automationDelete(id: "{deleted["id"]}") {{ deletedId }} }}')
    await move(client, world["lead"], world["stages"][1])
    assert (await runs(client))["totalCount"] == 0
    assert (await lead(client, world["lead"]))["tasks"]["totalCount"] == 0
    await set_enabled(client, disabled["id"], True)
    await move(client, world["lead"], world["stages"][2])
    assert [r["automationName"] for r in (await runs(client))["nodes"]] == ["Off"]


async def test_runs_and_triggers_stay_in_their_tenant(
    client: Client, other_client: Client, world: dict[str, Any], engine: Any
) -> None:
    automation = await create_automation(client, LEAD_CREATED, [action("1", "createTask")])
    await other_client.execute('mutation { leadCreate(input: {subject: "Theirs"}) { errors { code } } }')
    assert (await runs(client))["totalCount"] == 0
    await client.execute('mutation { leadCreate(input: {subject: "Ours"}) { errors { code } } }')
    assert (await runs(client))["totalCount"] == 1
    theirs = await runs(other_client)
    assert theirs["totalCount"] == 0 and theirs["nodes"] == []
    assert (await runs(other_client, automation["id"]))["nodes"] == []


async def test_the_run_log_needs_automation_view_and_pages(
    http: Any, settings: Settings, tenant: str, client: Client, world: dict[str, Any]
) -> None:
    await create_automation(client, STAGE_CHANGED, [action("1", "createTask")])
    for stage in (world["stages"][1], world["stages"][2], world["stages"][0]):
        await move(client, world["lead"], stage)
    page = await runs(client, first=2)
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"] is True
    rest = await runs(client, first=2, after=page["pageInfo"]["endCursor"])
    assert len(rest["nodes"]) == 1 and rest["pageInfo"]["hasNextPage"] is False
    reader = Client(http, token_for(settings, tenant, permissions=["CRM_LEAD_VIEW"]))
    body = (await reader.post("{ automationRuns { totalCount } }")).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    bad = (await client.post('{ automationRuns(automationId: "nope") { totalCount } }')).json()
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


BAD_DEFINITIONS = [
    ([{"id": "1", "type": "addTag", "data": {"tag": "vip"}}], [], "INVALID", "nodes"),  # data.tags
    ([action("1", "addTag", tags=["vip", "  "])], [], "INVALID", "nodes"),
    ([action("1", "addTag", tags="x" * 101)], [], "INVALID", "nodes"),
    ([action("1", "addTag", tags=["a\x00b"])], [], "INVALID", "nodes"),
    ([action("1", "addTag", tags=[str(n) for n in range(21)])], [], "INVALID", "nodes"),
    ([action("1", "addTag", tags=["vip"], on="lead")], [], "INVALID", "nodes"),
    ([action("1", "addTag", tags=["vip"], on=["contact"])], [], "INVALID", "nodes"),
    ([{"id": "1", "type": "launchRocket"}], [], "INVALID", "nodes"),
    ([{"type": "createTask"}], [], "INVALID", "nodes"),
    ([{"id": "1", "type": "createTask"}, {"id": "1", "type": "createTask"}], [], "INVALID", "nodes"),
    ([{"id": "1", "type": "moveLeadToStage"}], [], "INVALID", "nodes"),
    ([{"id": "1", "type": "assignUser", "data": {"userId": "not an id"}}], [], "INVALID", "nodes"),
    ([action("1", "moveLeadToStage", stageId=gid("Contact", uuid7()))], [], "INVALID", "nodes"),
    ([{"id": "1", "type": "createTask", "data": {"dueInHours": -1}}], [], "INVALID", "nodes"),
    ([condition("c", {"field": "shoeSize", "operator": "=", "value": 1})], [], "INVALID", "nodes"),
    ([condition("c", {"field": "priority", "operator": "contains", "value": 1})], [], "INVALID", "nodes"),
    ([condition("c", {"field": "priority", "operator": "between", "value": [1]})], [], "INVALID", "nodes"),
    ([condition("c", {"field": "priority", "operator": ">", "value": "many"})], [], "INVALID", "nodes"),
    (
        [{"id": "c", "type": "condition", "data": {"query": {"combinator": "xor", "rules": []}}}],
        [],
        "INVALID",
        "nodes",
    ),
    ([action("1", "createTask")], [edge("1", "2")], "INVALID", "edges"),
    (
        [action("1", "createTask"), action("2", "createTask")],
        [edge("1", "2"), edge("2", "1")],
        "INVALID",
        "edges",
    ),
    ([condition("c"), action("1", "createTask")], [edge("c", "1", "maybe")], "INVALID", "edges"),
]


@pytest.mark.parametrize(("nodes", "edges", "code", "field"), BAD_DEFINITIONS)
async def test_a_definition_the_runner_could_not_run_is_refused(
    client: Client, nodes: list[Any], edges: list[Any], code: str, field: str
) -> None:
    assert await refused(client, STAGE_CHANGED, nodes, edges) == [(["input", field], code)]
    assert (await client.execute("{ automations { id } }"))["data"]["automations"] == []


async def test_an_update_to_a_bad_workflow_is_refused_and_changes_nothing(client: Client) -> None:
    automation = await create_automation(client, STAGE_CHANGED, [action("1", "createTask")])
    update = f"""mutation($nodes: JSON) {{
      automationUpdate(id: "{automation["id"]}", input: {{nodes: $nodes}}) {{ errors {{ field code }} }} }}"""
    payload = (await client.execute(update, {"nodes": [{"id": "1", "type": "addTag"}]}))["data"][
        "automationUpdate"
    ]
    assert payload["errors"] == [{"field": ["input", "nodes"], "code": "INVALID"}]
    # A trigger whose record has no such field makes the stored condition unfit as well.
    guarded = await create_automation(
        client, STAGE_CHANGED, [condition("c", {"field": "stageId", "operator": "null"})]
    )
    retrigger = f"""mutation {{ automationUpdate(id: "{guarded["id"]}",
      input: {{automationTrigger: "task.completed"}}) {{ errors {{ field code }} }} }}"""
    assert (await client.execute(retrigger))["data"]["automationUpdate"]["errors"] == [
        {"field": ["input", "nodes"], "code": "INVALID"}
    ]


async def test_a_claim_left_by_a_dead_process_is_taken_over_once_its_lease_lapses(
    app: Any, client: Client, world: dict[str, Any], tenant: str, settings: Settings
) -> None:
    engine = app.state.engine
    await create_automation(client, STAGE_CHANGED, [action("1", "createTask", title="Once")])
    # A write of a process that dies right after its commit: the event is recorded, nothing ran it.
    sql = SqlBackend(engine, tenant, RowAccess.unrestricted("test"), Cost())
    lead_id, stage_id = _uuid(world["lead"]), _uuid(world["stages"][1])
    async with sql.transaction() as writer:
        assert await writer.update(Entity.LEAD, lead_id, {"stage_id": stage_id}, "test", None)
        (event_id,) = writer.recorded_automation_events
    (dead,) = await claim_events(engine, "dead-process", 10, 3600, tenant, [event_id])
    runner = AutomationRunner(engine, settings)
    await runner.run_recorded(tenant, [event_id])  # leased to the dead process: not claimable
    assert (await runs(client))["totalCount"] == 0
    lapsed = sa.update(t.automation_dispatch).where(t.automation_dispatch.c.event_id == event_id)
    async with engine.begin() as connection:
        await connection.execute(lapsed.values(lease_expires_at=utcnow() - timedelta(seconds=1)))
    await runner.run_recorded(tenant, [event_id])
    assert await runner.run_claim(dead) == []  # the dead process wakes up: its claim is gone
    assert (await runs(client))["totalCount"] == 1
    assert (await lead(client, world["lead"]))["tasks"]["nodes"] == [{"title": "Once", "taskDone": False}]


async def test_an_event_whose_run_keeps_failing_is_given_up_and_logged(
    app: Any, client: Client, world: dict[str, Any], tenant: str, settings: Settings
) -> None:
    engine = app.state.engine
    await create_automation(client, STAGE_CHANGED, [action("1", "createTask")])
    sql = SqlBackend(engine, tenant, RowAccess.unrestricted("test"), Cost())
    async with sql.transaction() as writer:
        await writer.update(
            Entity.LEAD, _uuid(world["lead"]), {"stage_id": _uuid(world["stages"][1])}, "t", None
        )
        (event_id,) = writer.recorded_automation_events
    for _ in range(MAX_ATTEMPTS + 1):  # claims whose runs died (each lease lapses at once)
        (claim,) = await claim_events(engine, "crashing-process", 1, 0, tenant, [event_id])
    assert await AutomationRunner(engine, settings).run_claim(claim) == []
    (run,) = (await runs(client))["nodes"]
    assert (run["status"], run["reason"], run["actions"]) == ("FAILED", "GAVE_UP", [])
    assert (await lead(client, world["lead"]))["tasks"]["totalCount"] == 0


async def test_two_runners_racing_for_the_same_events_run_each_once(
    app: Any, client: Client, factory: Any, tenant: str, settings: Settings
) -> None:
    engine = app.state.engine
    await create_automation(client, STAGE_CHANGED, [action("1", "createTask", title="Raced")])
    leads, events = await _recorded_lead_moves(engine, factory, tenant, 8)  # their process has not run them
    runners = [AutomationRunner(engine, settings) for _ in range(2)]
    await asyncio.gather(
        *(runner.run_recorded(tenant, events) for runner in runners), *(r.sweep() for r in runners)
    )
    assert (await runs(client))["totalCount"] == len(leads)
    tasks = [(await lead(client, gid("Lead", lead_id)))["tasks"]["totalCount"] for lead_id in leads]
    assert tasks == [1] * len(leads)


async def _recorded_lead_moves(
    engine: Any, factory: Any, tenant: str, count: int
) -> tuple[list[Any], list[Any]]:
    """Leads moved to a stage, whose trigger events are recorded and not run yet: their ids, the events'."""
    stages = [factory.stage("New"), factory.stage("Next")]
    leads = [factory.lead(f"Deal {number}", stage_id=stages[0]) for number in range(count)]
    await factory.save()
    sql = SqlBackend(engine, tenant, RowAccess.unrestricted("test"), Cost())
    events = []
    for lead_id in leads:
        async with sql.transaction() as writer:
            await writer.update(Entity.LEAD, lead_id, {"stage_id": stages[1]}, "test", None)
            events += writer.recorded_automation_events
    return leads, events


async def _events(engine: Any, tenant: str) -> dict[Any, bool]:
    """The tenant's event rows: id -> whether it ran."""
    query = sa.select(t.automation_events.c.id, t.automation_events.c.processed_at.is_not(None))
    async with engine.connect() as connection:
        rows = (await connection.execute(query.where(t.automation_events.c.tenant == tenant))).all()
    return {row[0]: row[1] for row in rows}


async def test_events_that_ran_before_the_retention_are_pruned_and_the_run_log_stays(
    app: Any, client: Client, factory: Any, tenant: str, settings: Settings, engine: Any
) -> None:
    await create_automation(client, STAGE_CHANGED, [action("1", "createTask", title="Pruned")])
    _, ran = await _recorded_lead_moves(app.state.engine, factory, tenant, 3)
    day = settings.model_copy(update={"automation_event_retention_seconds": 86_400})
    runners = [AutomationRunner(app.state.engine, day) for _ in range(2)]
    await runners[0].run_recorded(tenant, ran)
    runners[1].tenants.add(tenant)
    _, waiting = await _recorded_lead_moves(app.state.engine, factory, tenant, 1)  # not run: kept
    events = t.automation_events
    async with engine.begin() as connection:  # two of the runs, and the waiting event, two days back
        aged = [*ran[:2], *waiting]
        back = utcnow() - timedelta(days=2)
        await connection.execute(sa.update(events).where(events.c.id.in_(aged)).values(occurred_at=back))
        ran_back = sa.update(events).where(events.c.id.in_(ran[:2])).values(processed_at=back)
        await connection.execute(ran_back)
    pruned = await asyncio.gather(*(runner.prune() for runner in runners))  # two processes at once
    assert sum(pruned) == 2
    assert await _events(engine, tenant) == {ran[2]: True, waiting[0]: False}
    assert (await runs(client))["totalCount"] == 3


async def test_the_background_loop_prunes_what_it_ran(
    app: Any, client: Client, factory: Any, tenant: str, settings: Settings, engine: Any
) -> None:
    await create_automation(client, STAGE_CHANGED, [action("1", "createTask", title="Swept")])
    await _recorded_lead_moves(app.state.engine, factory, tenant, 2)
    quick = {"automation_poll_seconds": 0.05, "automation_event_retention_seconds": 0.2}
    runner = AutomationRunner(app.state.engine, settings.model_copy(update=quick))
    loop = asyncio.create_task(runner.run_forever())
    try:
        async with asyncio.timeout(60):  # run by the sweep, then pruned once older than 0.2 s
            while (await runs(client))["totalCount"] < 2 or await _events(engine, tenant):
                await asyncio.sleep(0.05)
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)


async def test_with_conecrm_serving_automations_there_is_no_run_log_to_read(
    sqlite_url: str, tmp_path: Path, tenant: str
) -> None:
    with serve_simulator() as (base, *_):
        async with routed_gateway(sqlite_url, routing_file(tmp_path, base, routed=())) as served:
            body = (await client_for(*served, tenant).post("{ automationRuns { totalCount } }")).json()
    assert body["data"]["automationRuns"] is None
    assert [error["extensions"]["code"] for error in body["errors"]] == ["CAPABILITY_NOT_SERVED"]


def _uuid(global_id: str) -> Any:
    from resolvers.common.ids import decode_global_id

    return decode_global_id(global_id)[1]
