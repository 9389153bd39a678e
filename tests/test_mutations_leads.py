"""Lead mutations: create, update, soft delete, restore and leadMoveToStage."""

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
id subject description status direction priority isQualified firstOpenDate version isDeleted
contact { id } account { id } stage { id name } franchise { id } department { id }
assignees(first: 10) { totalCount edges { node { id } } }
thirdPartyIds { systemName thirdPartyId }
"""
ERRORS = "errors { field code seedCode message }"
CREATE = f"""
mutation($input: LeadCreateInput!, $key: String) {{
  leadCreate(input: $input, idempotencyKey: $key) {{ lead {{ {FIELDS} }} {ERRORS} }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $input: LeadUpdateInput!, $version: Int) {{
  leadUpdate(id: $id, input: $input, expectedVersion: $version) {{ lead {{ {FIELDS} }} {ERRORS} }}
}}
"""
MOVE = f"""
mutation($id: ID!, $stage: ID!, $version: Int) {{
  leadMoveToStage(id: $id, stageId: $stage, expectedVersion: $version) {{
    lead {{ id version stage {{ id }} }} {ERRORS}
  }}
}}
"""
DELETE = f"mutation($id: ID!) {{ leadDelete(id: $id) {{ deletedId {ERRORS} }} }}"
RESTORE = f"mutation($id: ID!) {{ leadRestore(id: $id) {{ lead {{ id isDeleted }} {ERRORS} }} }}"
READ = f"""
query($id: ID!) {{ lead(id: $id) {{ {FIELDS} }} node(id: $id) {{ id }} leads(first: 10) {{ totalCount }} }}
"""
STAGE_CREATE = """
mutation($name: String!) { stageCreate(input: {name: $name}) { stage { id } errors { code } } }
"""
CONTACT_CREATE = """
mutation($input: ContactCreateInput!) { contactCreate(input: $input) { contact { id } errors { code } } }
"""
ACCOUNT_CREATE = """
mutation($name: String!) { accountCreate(input: {name: $name}) { account { id } errors { code } } }
"""


async def data(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    body = await client.execute(query, variables)
    return body["data"]  # type: ignore[no-any-return]


def codes(payload: dict[str, Any]) -> list[tuple[list[str] | None, str, str | None]]:
    return [(e["field"], e["code"], e["seedCode"]) for e in payload["errors"]]


def ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


async def insert(app: Any, tenant: str, entity: Entity, **values: Any) -> str:
    """A row the API cannot create (users, franchises, departments), written through the SQL backend."""
    async with SqlBackend(
        app.state.engine, tenant, RowAccess.unrestricted("fixture"), Cost()
    ).transaction() as writer:
        record_id = await writer.insert(entity, values, "fixture")
    return encode_global_id(entity.value, record_id)


async def new_stage(client: Client, name: str = "New") -> str:
    return (await data(client, STAGE_CREATE, name=name))["stageCreate"]["stage"]["id"]  # type: ignore[no-any-return]


async def new_contact(client: Client) -> str:
    payload = await data(client, CONTACT_CREATE, input={"firstName": "Jo", "lastName": "Doe"})
    return payload["contactCreate"]["contact"]["id"]  # type: ignore[no-any-return]


async def new_lead(client: Client, **values: Any) -> dict[str, Any]:
    payload = (await data(client, CREATE, input={"subject": "Deal", **values}))["leadCreate"]
    assert payload["errors"] == []
    return payload["lead"]  # type: ignore[no-any-return]


async def lead_count(client: Client) -> int:
    return (await data(client, "{ leads { totalCount } }"))["leads"]["totalCount"]  # type: ignore[no-any-return]


async def test_create_with_every_reference(client: Client, app: Any, tenant: str) -> None:
    contact, stage = await new_contact(client), await new_stage(client, "Qualified")
    account = (await data(client, ACCOUNT_CREATE, name="Acme"))["accountCreate"]["account"]["id"]
    franchise = await insert(app, tenant, Entity.FRANCHISE, name="North")
    department = await insert(app, tenant, Entity.DEPARTMENT, name="Sales")
    users = [await insert(app, tenant, Entity.USER, username=name) for name in ("ann", "bob")]
    lead = await new_lead(
        client,
        subject="Big deal",
        direction="INBOUND",
        priority=2,
        contactId=contact,
        accountId=account,
        stageId=stage,
        franchiseId=franchise,
        departmentId=department,
        assigneeIds=[*users, users[0]],
        thirdPartyIds=[{"systemName": "CONECRM", "thirdPartyId": "L-7"}],
    )
    assert lead["subject"] == "Big deal" and lead["status"] == "OPEN" and lead["direction"] == "INBOUND"
    assert lead["firstOpenDate"] is not None and lead["version"] == 1
    assert lead["contact"] == {"id": contact} and lead["account"] == {"id": account}
    assert lead["stage"] == {"id": stage, "name": "Qualified"}
    assert lead["franchise"] == {"id": franchise} and lead["department"] == {"id": department}
    assert sorted(ids(lead["assignees"])) == sorted(users)
    assert lead["thirdPartyIds"] == [{"systemName": "CONECRM", "thirdPartyId": "L-7"}]
    read = await data(client, READ, id=lead["id"])
    assert read["lead"] == lead and read["node"] == {"id": lead["id"]}


async def test_subject_is_required(client: Client) -> None:
    for subject in ("", " \t"):
        payload = (await data(client, CREATE, input={"subject": subject}))["leadCreate"]
        assert payload["lead"] is None
        assert codes(payload) == [(["input", "subject"], "REQUIRED", "CRM1101")]
    assert await lead_count(client) == 0


async def test_a_failing_create_writes_nothing(client: Client, app: Any, tenant: str) -> None:
    contact, user = await new_contact(client), await insert(app, tenant, Entity.USER, username="ann")
    unknown_stage = encode_global_id("Stage", uuid.uuid4())
    payload = (
        await data(
            client,
            CREATE,
            input={"subject": "Deal", "contactId": contact, "stageId": unknown_stage, "assigneeIds": [user]},
            key="k",
        )
    )["leadCreate"]
    assert payload["lead"] is None
    assert codes(payload) == [(["input", "stageId"], "NOT_FOUND", None)]
    assert await lead_count(client) == 0
    contact_leads = await data(
        client, "query($id: ID!) { contact(id: $id) { leads { totalCount } } }", id=contact
    )
    assert contact_leads["contact"]["leads"]["totalCount"] == 0
    # the idempotency key was not used up by the failed attempt
    retried = (await data(client, CREATE, input={"subject": "Deal", "contactId": contact}, key="k"))[
        "leadCreate"
    ]
    assert retried["errors"] == [] and await lead_count(client) == 1


async def test_references_of_the_wrong_type_or_unknown(client: Client) -> None:
    contact = await new_contact(client)
    wrong = (await data(client, CREATE, input={"subject": "Deal", "stageId": contact}))["leadCreate"]
    assert codes(wrong) == [(["input", "stageId"], "NOT_FOUND", None)]
    unknown = {
        "contactId": encode_global_id("Contact", uuid.uuid4()),
        "accountId": encode_global_id("Account", uuid.uuid4()),
        "franchiseId": encode_global_id("Franchise", uuid.uuid4()),
        "departmentId": encode_global_id("Department", uuid.uuid4()),
        "assigneeIds": [encode_global_id("User", uuid.uuid4())],
    }
    payload = (await data(client, CREATE, input={"subject": "Deal", **unknown}))["leadCreate"]
    assert sorted(codes(payload), key=str) == sorted(
        [
            (["input", "contactId"], "NOT_FOUND", "CUST1102"),
            (["input", "accountId"], "NOT_FOUND", "CUST2102"),
            (["input", "franchiseId"], "NOT_FOUND", None),
            (["input", "departmentId"], "NOT_FOUND", None),
            (["input", "assigneeIds", "0"], "NOT_FOUND", None),
        ],
        key=str,
    )
    assert await lead_count(client) == 0


async def test_idempotent_create(client: Client) -> None:
    first = (await data(client, CREATE, input={"subject": "Deal"}, key="lead-1"))["leadCreate"]
    again = (await data(client, CREATE, input={"subject": "Deal"}, key="lead-1"))["leadCreate"]
    assert again["errors"] == [] and again["lead"]["id"] == first["lead"]["id"]
    reused = (await data(client, CREATE, input={"subject": "Other"}, key="lead-1"))["leadCreate"]
    assert reused["lead"] is None and codes(reused) == [(["idempotencyKey"], "IDEMPOTENCY_KEY_REUSED", None)]
    assert await lead_count(client) == 1


async def test_update_with_expected_version(client: Client) -> None:
    lead = await new_lead(client, priority=1)
    updated = await data(
        client, UPDATE, id=lead["id"], input={"subject": "Bigger", "status": "WON"}, version=1
    )
    payload = updated["leadUpdate"]
    assert payload["errors"] == []
    assert payload["lead"]["subject"] == "Bigger" and payload["lead"]["status"] == "WON"
    assert payload["lead"]["priority"] == 1 and payload["lead"]["version"] == 2
    stale = (await data(client, UPDATE, id=lead["id"], input={"subject": "Lost"}, version=1))["leadUpdate"]
    assert stale["lead"] is None and codes(stale) == [(["expectedVersion"], "CONFLICT", None)]
    read = (await data(client, READ, id=lead["id"]))["lead"]
    assert read["subject"] == "Bigger" and read["version"] == 2


async def test_update_replaces_assignees(client: Client, app: Any, tenant: str) -> None:
    ann, bob, cy = [await insert(app, tenant, Entity.USER, username=name) for name in ("ann", "bob", "cy")]
    lead = await new_lead(client, assigneeIds=[ann, bob])
    updated = (await data(client, UPDATE, id=lead["id"], input={"assigneeIds": [bob, cy]}))["leadUpdate"]
    assert sorted(ids(updated["lead"]["assignees"])) == sorted([bob, cy])
    untouched = (await data(client, UPDATE, id=lead["id"], input={"priority": 3}))["leadUpdate"]
    assert sorted(ids(untouched["lead"]["assignees"])) == sorted([bob, cy])
    cleared = (await data(client, UPDATE, id=lead["id"], input={"assigneeIds": []}))["leadUpdate"]
    assert cleared["lead"]["assignees"]["totalCount"] == 0


async def test_a_failing_update_changes_nothing(client: Client, app: Any, tenant: str) -> None:
    ann = await insert(app, tenant, Entity.USER, username="ann")
    lead = await new_lead(client, assigneeIds=[ann])
    unknown = encode_global_id("User", uuid.uuid4())
    payload = await data(client, UPDATE, id=lead["id"], input={"subject": "X", "assigneeIds": [unknown]})
    assert codes(payload["leadUpdate"]) == [(["input", "assigneeIds", "0"], "NOT_FOUND", None)]
    blank = (await data(client, UPDATE, id=lead["id"], input={"subject": None}))["leadUpdate"]
    assert codes(blank) == [(["input", "subject"], "REQUIRED", "CRM1101")]
    null_status = (await data(client, UPDATE, id=lead["id"], input={"status": None}))["leadUpdate"]
    assert codes(null_status) == [(["input", "status"], "INVALID", None)]
    read = (await data(client, READ, id=lead["id"]))["lead"]
    assert read["subject"] == "Deal" and read["version"] == 1 and ids(read["assignees"]) == [ann]
    missing = encode_global_id("Lead", uuid.uuid4())
    not_found = (await data(client, UPDATE, id=missing, input={"subject": "X"}))["leadUpdate"]
    assert codes(not_found) == [(["id"], "NOT_FOUND", None)]


async def test_delete_and_restore(client: Client) -> None:
    lead = await new_lead(client)
    deleted = (await data(client, DELETE, id=lead["id"]))["leadDelete"]
    assert deleted == {"deletedId": lead["id"], "errors": []}
    read = await data(client, READ, id=lead["id"])
    assert read["lead"] is None and read["node"] is None and read["leads"]["totalCount"] == 0
    moved = (await data(client, MOVE, id=lead["id"], stage=await new_stage(client)))["leadMoveToStage"]
    assert codes(moved) == [(["id"], "NOT_FOUND", None)]
    restored = (await data(client, RESTORE, id=lead["id"]))["leadRestore"]
    assert restored == {"lead": {"id": lead["id"], "isDeleted": False}, "errors": []}
    assert (await data(client, READ, id=lead["id"]))["leads"]["totalCount"] == 1


async def test_move_to_stage(client: Client) -> None:
    first, second = await new_stage(client, "First"), await new_stage(client, "Second")
    lead = await new_lead(client, stageId=first)
    moved = (await data(client, MOVE, id=lead["id"], stage=second, version=1))["leadMoveToStage"]
    assert moved["errors"] == []
    assert moved["lead"] == {"id": lead["id"], "version": 2, "stage": {"id": second}}
    stale = (await data(client, MOVE, id=lead["id"], stage=first, version=1))["leadMoveToStage"]
    assert stale["lead"] is None and codes(stale) == [(["expectedVersion"], "CONFLICT", None)]
    stage_leads = await data(client, "query($id: ID!) { stage(id: $id) { leads { totalCount } } }", id=second)
    assert stage_leads["stage"]["leads"]["totalCount"] == 1


async def test_move_to_an_unknown_stage(client: Client, other_client: Client) -> None:
    lead = await new_lead(client)
    for stage in (
        encode_global_id("Stage", uuid.uuid4()),
        await new_stage(other_client),
        lead["id"],  # a Lead ID is no Stage ID
    ):
        payload = (await data(client, MOVE, id=lead["id"], stage=stage))["leadMoveToStage"]
        assert payload["lead"] is None and codes(payload) == [(["stageId"], "NOT_FOUND", None)]
    read = (await data(client, READ, id=lead["id"]))["lead"]
    assert read["stage"] is None and read["version"] == 1


async def test_another_tenants_objects_are_not_found(
    client: Client, other_client: Client, app: Any, tenant: str
) -> None:
    their_lead = await new_lead(other_client, subject="Theirs")
    their_contact = await new_contact(other_client)
    their_user = await insert(app, f"x{tenant}", Entity.USER, username="eve")
    payload = (
        await data(
            client, CREATE, input={"subject": "Mine", "contactId": their_contact, "assigneeIds": [their_user]}
        )
    )["leadCreate"]
    assert sorted(codes(payload), key=str) == sorted(
        [
            (["input", "contactId"], "NOT_FOUND", "CUST1102"),
            (["input", "assigneeIds", "0"], "NOT_FOUND", None),
        ],
        key=str,
    )
    for query, name, variables in (
        (UPDATE, "leadUpdate", {"input": {"subject": "Mine"}}),
        (DELETE, "leadDelete", {}),
        (RESTORE, "leadRestore", {}),
        (MOVE, "leadMoveToStage", {"stage": await new_stage(client)}),
    ):
        result = (await data(client, query, id=their_lead["id"], **variables))[name]
        assert codes(result) == [(["id"], "NOT_FOUND", None)], name
    assert await lead_count(client) == 0
    assert (await data(other_client, READ, id=their_lead["id"]))["lead"] == their_lead


async def test_a_time_outside_the_utc_range_is_invalid(client: Client) -> None:
    payload = await data(client, CREATE, input={"subject": "Deal", "dueDate": "9999-12-31T23:59:59-05:00"})
    assert codes(payload["leadCreate"]) == [(["input", "dueDate"], "INVALID", None)]
    lead = await new_lead(client)
    update = await data(client, UPDATE, id=lead["id"], input={"dueDate": "0001-01-01T00:00:00+01:00"})
    assert codes(update["leadUpdate"]) == [(["input", "dueDate"], "INVALID", None)]
    assert await lead_count(client) == 1
