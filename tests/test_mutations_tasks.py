"""Task mutations: create, update, soft delete, restore and taskComplete."""

from __future__ import annotations

import uuid
from typing import Any

from conftest import Client
from gateway.backends.access import RowAccess
from gateway.backends.records import Entity
from gateway.backends.sql.store import SqlBackend
from gateway.cost import Cost
from resolvers.common.ids import encode_global_id

FIELDS = """
id kind title type note start end taskDone version isDeleted createdBy
assignee { id } contact { id } account { id } lead { id }
"""
ERRORS = "errors { field code seedCode message }"
CREATE = f"""
mutation($input: TaskCreateInput!, $key: String) {{
  taskCreate(input: $input, idempotencyKey: $key) {{ task {{ {FIELDS} }} {ERRORS} }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $input: TaskUpdateInput!, $version: Int) {{
  taskUpdate(id: $id, input: $input, expectedVersion: $version) {{ task {{ {FIELDS} }} {ERRORS} }}
}}
"""
COMPLETE = f"""
mutation($id: ID!, $version: Int) {{
  taskComplete(id: $id, expectedVersion: $version) {{ task {{ id taskDone version }} {ERRORS} }}
}}
"""
DELETE = f"mutation($id: ID!) {{ taskDelete(id: $id) {{ deletedId {ERRORS} }} }}"
RESTORE = f"mutation($id: ID!) {{ taskRestore(id: $id) {{ task {{ id isDeleted }} {ERRORS} }} }}"
READ = f"""
query($id: ID!) {{ task(id: $id) {{ {FIELDS} }} node(id: $id) {{ id }} tasks(first: 10) {{ totalCount }} }}
"""
CONTACT_CREATE = """
mutation($input: ContactCreateInput!) { contactCreate(input: $input) { contact { id } errors { code } } }
"""
ACCOUNT_CREATE = 'mutation { accountCreate(input: {name: "Acme"}) { account { id } } }'
LEAD_CREATE = 'mutation { leadCreate(input: {subject: "Deal"}) { lead { id } } }'


async def data(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    body = await client.execute(query, variables)
    return body["data"]  # type: ignore[no-any-return]


def codes(payload: dict[str, Any]) -> list[tuple[list[str] | None, str, str | None]]:
    return [(e["field"], e["code"], e["seedCode"]) for e in payload["errors"]]


async def insert(app: Any, tenant: str, entity: Entity, **values: Any) -> uuid.UUID:
    """A row the API cannot create (users, appointments), written through the SQL backend."""
    async with SqlBackend(
        app.state.engine, tenant, RowAccess.unrestricted("fixture"), Cost()
    ).transaction() as writer:
        return await writer.insert(entity, values, "fixture")


async def new_user(app: Any, tenant: str, username: str = "ann") -> str:
    return encode_global_id("User", await insert(app, tenant, Entity.USER, username=username))


async def new_contact(client: Client) -> str:
    payload = await data(client, CONTACT_CREATE, input={"firstName": "Jo", "lastName": "Doe"})
    return payload["contactCreate"]["contact"]["id"]  # type: ignore[no-any-return]


async def new_task(client: Client, **values: Any) -> dict[str, Any]:
    payload = (await data(client, CREATE, input={"title": "Call back", **values}))["taskCreate"]
    assert payload["errors"] == []
    return payload["task"]  # type: ignore[no-any-return]


async def task_count(client: Client) -> int:
    return (await data(client, "{ tasks { totalCount } }"))["tasks"]["totalCount"]  # type: ignore[no-any-return]


async def test_create_with_references_and_read_back(client: Client, app: Any, tenant: str) -> None:
    user, contact = await new_user(app, tenant), await new_contact(client)
    account = (await data(client, ACCOUNT_CREATE))["accountCreate"]["account"]["id"]
    lead = (await data(client, LEAD_CREATE))["leadCreate"]["lead"]["id"]
    task = await new_task(
        client,
        type="CALL",
        note="About the offer",
        start="2024-05-01T10:00:00+00:00",
        end="2024-05-01T10:30:00+00:00",
        assigneeId=user,
        contactId=contact,
        accountId=account,
        leadId=lead,
    )
    assert task["kind"] == "TASK" and task["type"] == "CALL" and task["title"] == "Call back"
    assert task["taskDone"] is False and task["version"] == 1 and task["createdBy"] == "tester"
    assert task["start"].startswith("2024-05-01T10:00:00") and task["end"].startswith("2024-05-01T10:30:00")
    assert task["assignee"] == {"id": user} and task["contact"] == {"id": contact}
    assert task["account"] == {"id": account} and task["lead"] == {"id": lead}
    read = await data(client, READ, id=task["id"])
    assert read["task"] == task and read["node"] == {"id": task["id"]} and read["tasks"]["totalCount"] == 1
    lead_tasks = await data(client, "query($id: ID!) { lead(id: $id) { tasks { totalCount } } }", id=lead)
    assert lead_tasks["lead"]["tasks"]["totalCount"] == 1


async def test_title_is_required(client: Client) -> None:
    for title in ("", "   "):
        payload = (await data(client, CREATE, input={"title": title}))["taskCreate"]
        assert payload["task"] is None and codes(payload) == [(["input", "title"], "REQUIRED", "CRM1101")]
    assert await task_count(client) == 0


async def test_end_before_start_is_invalid(client: Client) -> None:
    payload = (
        await data(
            client,
            CREATE,
            input={"title": "T", "start": "2024-05-01T10:00:00Z", "end": "2024-05-01T09:00:00Z"},
        )
    )["taskCreate"]
    assert payload["task"] is None and codes(payload) == [(["input", "end"], "INVALID", None)]
    # 10:00+02:00 is 08:00 UTC, so a 09:00 UTC end is after it; a naive time counts as UTC
    zoned = await new_task(client, start="2024-05-01T10:00:00+02:00", end="2024-05-01T09:00:00")
    assert zoned["end"].startswith("2024-05-01T09:00:00")
    assert await task_count(client) == 1


async def test_update_checks_the_period_against_stored_values(client: Client) -> None:
    task = await new_task(client, start="2024-05-01T10:00:00Z", end="2024-05-01T11:00:00Z")
    early = (await data(client, UPDATE, id=task["id"], input={"end": "2024-05-01T09:00:00Z"}))["taskUpdate"]
    assert codes(early) == [(["input", "end"], "INVALID", None)]
    late = (await data(client, UPDATE, id=task["id"], input={"start": "2024-05-01T12:00:00Z"}))["taskUpdate"]
    assert codes(late) == [(["input", "end"], "INVALID", None)]
    cleared = await data(client, UPDATE, id=task["id"], input={"start": None, "end": "2024-05-01T08:00:00Z"})
    assert cleared["taskUpdate"]["errors"] == [] and cleared["taskUpdate"]["task"]["start"] is None


async def test_update_with_expected_version(client: Client) -> None:
    task = await new_task(client, note="first")
    updated = await data(
        client, UPDATE, id=task["id"], input={"title": "Call again", "type": "SMS"}, version=1
    )
    payload = updated["taskUpdate"]
    assert payload["errors"] == []
    assert payload["task"]["title"] == "Call again" and payload["task"]["type"] == "SMS"
    assert payload["task"]["note"] == "first" and payload["task"]["version"] == 2
    stale = (await data(client, UPDATE, id=task["id"], input={"title": "Lost"}, version=1))["taskUpdate"]
    assert stale["task"] is None and codes(stale) == [(["expectedVersion"], "CONFLICT", None)]
    read = (await data(client, READ, id=task["id"]))["task"]
    assert read["title"] == "Call again" and read["version"] == 2


async def test_unknown_or_wrong_references(client: Client, app: Any, tenant: str) -> None:
    contact = await new_contact(client)
    wrong = (await data(client, CREATE, input={"title": "T", "assigneeId": contact}))["taskCreate"]
    assert codes(wrong) == [(["input", "assigneeId"], "NOT_FOUND", None)]
    missing = {
        "assigneeId": encode_global_id("User", uuid.uuid4()),
        "contactId": encode_global_id("Contact", uuid.uuid4()),
        "accountId": encode_global_id("Account", uuid.uuid4()),
        "leadId": encode_global_id("Lead", uuid.uuid4()),
    }
    payload = (await data(client, CREATE, input={"title": "T", **missing}))["taskCreate"]
    assert sorted(codes(payload), key=str) == sorted(
        [
            (["input", "assigneeId"], "NOT_FOUND", None),
            (["input", "contactId"], "NOT_FOUND", "CUST1102"),
            (["input", "accountId"], "NOT_FOUND", "CUST2102"),
            (["input", "leadId"], "NOT_FOUND", None),
        ],
        key=str,
    )
    assert await task_count(client) == 0
    task = await new_task(client, assigneeId=await new_user(app, tenant))
    update = await data(client, UPDATE, id=task["id"], input={"title": "X", "leadId": missing["leadId"]})
    assert codes(update["taskUpdate"]) == [(["input", "leadId"], "NOT_FOUND", None)]
    assert (await data(client, READ, id=task["id"]))["task"]["title"] == "Call back"


async def test_idempotent_create(client: Client) -> None:
    first = (await data(client, CREATE, input={"title": "T"}, key="task-1"))["taskCreate"]
    again = (await data(client, CREATE, input={"title": "T"}, key="task-1"))["taskCreate"]
    assert again["errors"] == [] and again["task"]["id"] == first["task"]["id"]
    reused = (await data(client, CREATE, input={"title": "U"}, key="task-1"))["taskCreate"]
    assert reused["task"] is None and codes(reused) == [(["idempotencyKey"], "IDEMPOTENCY_KEY_REUSED", None)]
    assert await task_count(client) == 1


async def test_delete_and_restore(client: Client) -> None:
    task = await new_task(client)
    deleted = (await data(client, DELETE, id=task["id"]))["taskDelete"]
    assert deleted == {"deletedId": task["id"], "errors": []}
    read = await data(client, READ, id=task["id"])
    assert read["task"] is None and read["node"] is None and read["tasks"]["totalCount"] == 0
    completed = (await data(client, COMPLETE, id=task["id"]))["taskComplete"]
    assert codes(completed) == [(["id"], "NOT_FOUND", None)]
    restored = (await data(client, RESTORE, id=task["id"]))["taskRestore"]
    assert restored == {"task": {"id": task["id"], "isDeleted": False}, "errors": []}
    assert (await data(client, READ, id=task["id"]))["task"]["taskDone"] is False


async def test_complete(client: Client) -> None:
    task = await new_task(client)
    stale = (await data(client, COMPLETE, id=task["id"], version=7))["taskComplete"]
    assert stale["task"] is None and codes(stale) == [(["expectedVersion"], "CONFLICT", None)]
    done = (await data(client, COMPLETE, id=task["id"], version=1))["taskComplete"]
    assert done == {"task": {"id": task["id"], "taskDone": True, "version": 2}, "errors": []}
    again = (await data(client, COMPLETE, id=task["id"]))["taskComplete"]
    assert again == done
    reopened = (await data(client, UPDATE, id=task["id"], input={"taskDone": False}))["taskUpdate"]
    assert reopened["task"]["taskDone"] is False and reopened["task"]["version"] == 3
    done_filter = await data(client, "{ tasks(filter: {taskDone: {eq: true}}) { totalCount } }")
    assert done_filter["tasks"]["totalCount"] == 0


async def test_an_appointment_is_not_a_task(client: Client, app: Any, tenant: str) -> None:
    appointment = await insert(app, tenant, Entity.EVENT, kind="APPOINTMENT", title="Visit")
    as_task = encode_global_id("Task", appointment)
    for query, name, variables in (
        (UPDATE, "taskUpdate", {"input": {"title": "X"}}),
        (COMPLETE, "taskComplete", {}),
        (DELETE, "taskDelete", {}),
    ):
        result = (await data(client, query, id=as_task, **variables))[name]
        assert codes(result) == [(["id"], "NOT_FOUND", None)], name
    event = await data(
        client,
        "query($id: ID!) { event(id: $id) { title taskDone isDeleted version } }",
        id=encode_global_id("Appointment", appointment),
    )
    assert event["event"] == {"title": "Visit", "taskDone": False, "isDeleted": False, "version": 1}


async def test_another_tenants_objects_are_not_found(
    client: Client, other_client: Client, app: Any, tenant: str
) -> None:
    theirs = await new_task(other_client, title="Theirs")
    their_contact = await new_contact(other_client)
    their_user = await new_user(app, f"x{tenant}")
    payload = (
        await data(
            client, CREATE, input={"title": "Mine", "contactId": their_contact, "assigneeId": their_user}
        )
    )["taskCreate"]
    assert sorted(codes(payload), key=str) == sorted(
        [(["input", "contactId"], "NOT_FOUND", "CUST1102"), (["input", "assigneeId"], "NOT_FOUND", None)],
        key=str,
    )
    for query, name, variables in (
        (UPDATE, "taskUpdate", {"input": {"title": "Mine"}}),
        (COMPLETE, "taskComplete", {}),
        (DELETE, "taskDelete", {}),
        (RESTORE, "taskRestore", {}),
    ):
        result = (await data(client, query, id=theirs["id"], **variables))[name]
        assert codes(result) == [(["id"], "NOT_FOUND", None)], name
    assert await task_count(client) == 0
    assert (await data(other_client, READ, id=theirs["id"]))["task"] == theirs


async def test_a_time_outside_the_utc_range_is_invalid(client: Client) -> None:
    payload = (
        await data(
            client,
            CREATE,
            input={"title": "T", "start": "0001-01-01T00:00:00+01:00", "end": "2024-01-01T00:00:00Z"},
        )
    )["taskCreate"]
    assert codes(payload) == [(["input", "start"], "INVALID", None)]
    assert await task_count(client) == 0
