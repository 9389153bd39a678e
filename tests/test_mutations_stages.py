"""Stage mutations: create, update, soft delete (refused while in use) and restore."""

from __future__ import annotations

import uuid
from typing import Any

from conftest import Client
from resolvers.common.ids import encode_global_id

FIELDS = "id name position version isDeleted createdBy"
CREATE = f"""
mutation($input: StageCreateInput!, $key: String) {{
  stageCreate(input: $input, idempotencyKey: $key) {{ stage {{ {FIELDS} }} errors {{ field code seedCode }} }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $input: StageUpdateInput!, $version: Int) {{
  stageUpdate(id: $id, input: $input, expectedVersion: $version) {{
    stage {{ {FIELDS} }} errors {{ field code seedCode message }}
  }}
}}
"""
DELETE = """
mutation($id: ID!) { stageDelete(id: $id) { deletedId errors { field code seedCode message } } }
"""
RESTORE = f"""
mutation($id: ID!) {{ stageRestore(id: $id) {{ stage {{ {FIELDS} }} errors {{ field code }} }} }}
"""
READ = f"""
query($id: ID!) {{
  stage(id: $id) {{ {FIELDS} }}
  node(id: $id) {{ id }}
  stages(first: 10) {{ totalCount edges {{ node {{ id name }} }} }}
}}
"""
LEAD_CREATE = """
mutation($input: LeadCreateInput!) { leadCreate(input: $input) { lead { id } errors { field code } } }
"""
LEAD_MOVE = """
mutation($id: ID!, $stage: ID!) {
  leadMoveToStage(id: $id, stageId: $stage) { lead { id stage { id } } errors { field code } }
}
"""


async def data(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    body = await client.execute(query, variables)
    return body["data"]  # type: ignore[no-any-return]


async def create_stage(client: Client, name: str = "New", position: int = 0) -> dict[str, Any]:
    payload = (await data(client, CREATE, input={"name": name, "position": position}))["stageCreate"]
    assert payload["errors"] == []
    return payload["stage"]  # type: ignore[no-any-return]


def codes(payload: dict[str, Any]) -> list[tuple[list[str] | None, str, str | None]]:
    return [(e["field"], e["code"], e.get("seedCode")) for e in payload["errors"]]


async def test_create_and_read_back(client: Client) -> None:
    stage = await create_stage(client, "Qualified", 2)
    assert stage["name"] == "Qualified" and stage["position"] == 2
    assert stage["version"] == 1 and stage["createdBy"] == "tester" and not stage["isDeleted"]
    read = await data(client, READ, id=stage["id"])
    assert read["stage"] == stage
    assert read["node"] == {"id": stage["id"]}
    assert read["stages"]["totalCount"] == 1


async def test_name_is_required(client: Client) -> None:
    for name in ("", "   "):
        payload = (await data(client, CREATE, input={"name": name}))["stageCreate"]
        assert payload["stage"] is None
        assert codes(payload) == [(["input", "name"], "REQUIRED", "CRM1101")]
    assert (await data(client, "{ stages { totalCount } }"))["stages"]["totalCount"] == 0


async def test_idempotent_create(client: Client) -> None:
    first = (await data(client, CREATE, input={"name": "A"}, key="k-1"))["stageCreate"]
    again = (await data(client, CREATE, input={"name": "A"}, key="k-1"))["stageCreate"]
    assert again["errors"] == [] and again["stage"]["id"] == first["stage"]["id"]
    other = (await data(client, CREATE, input={"name": "B"}, key="k-1"))["stageCreate"]
    assert other["stage"] is None
    assert codes(other) == [(["idempotencyKey"], "IDEMPOTENCY_KEY_REUSED", None)]
    assert (await data(client, "{ stages { totalCount } }"))["stages"]["totalCount"] == 1


async def test_update_with_expected_version(client: Client) -> None:
    stage = await create_stage(client, "Old", 1)
    updated = (await data(client, UPDATE, id=stage["id"], input={"name": "Renamed"}, version=1))[
        "stageUpdate"
    ]
    assert updated["errors"] == []
    assert updated["stage"]["name"] == "Renamed" and updated["stage"]["position"] == 1
    assert updated["stage"]["version"] == 2
    stale = (await data(client, UPDATE, id=stage["id"], input={"name": "Lost"}, version=1))["stageUpdate"]
    assert stale["stage"] is None
    assert codes(stale) == [(["expectedVersion"], "CONFLICT", None)]
    read = await data(client, READ, id=stage["id"])
    assert read["stage"]["name"] == "Renamed" and read["stage"]["version"] == 2


async def test_update_refuses_null_and_blank_values(client: Client) -> None:
    stage = await create_stage(client, "Keep", 3)
    blank = (await data(client, UPDATE, id=stage["id"], input={"name": " "}))["stageUpdate"]
    assert codes(blank) == [(["input", "name"], "REQUIRED", "CRM1101")]
    null_name = (await data(client, UPDATE, id=stage["id"], input={"name": None}))["stageUpdate"]
    assert codes(null_name) == [(["input", "name"], "REQUIRED", "CRM1101")]
    null_position = (await data(client, UPDATE, id=stage["id"], input={"position": None}))["stageUpdate"]
    assert codes(null_position) == [(["input", "position"], "INVALID", None)]
    too_long = (await data(client, UPDATE, id=stage["id"], input={"name": "x" * 300}))["stageUpdate"]
    assert codes(too_long) == [(["input", "name"], "INVALID", None)]
    read = await data(client, READ, id=stage["id"])
    assert read["stage"]["name"] == "Keep" and read["stage"]["version"] == 1


async def test_delete_and_restore(client: Client) -> None:
    stage = await create_stage(client)
    deleted = (await data(client, DELETE, id=stage["id"]))["stageDelete"]
    assert deleted == {"deletedId": stage["id"], "errors": []}
    read = await data(client, READ, id=stage["id"])
    assert read["stage"] is None and read["node"] is None and read["stages"]["totalCount"] == 0
    again = (await data(client, DELETE, id=stage["id"]))["stageDelete"]
    assert codes(again) == [(["id"], "NOT_FOUND", None)]
    restored = (await data(client, RESTORE, id=stage["id"]))["stageRestore"]
    assert restored["errors"] == [] and restored["stage"]["isDeleted"] is False
    read = await data(client, READ, id=stage["id"])
    assert read["stage"]["id"] == stage["id"] and read["stages"]["totalCount"] == 1
    twice = (await data(client, RESTORE, id=stage["id"]))["stageRestore"]
    assert codes(twice) == [(["id"], "NOT_FOUND", None)]


async def test_unknown_stage_is_not_found(client: Client) -> None:
    unknown = encode_global_id("Stage", uuid.uuid4())
    updated = (await data(client, UPDATE, id=unknown, input={"name": "X"}))["stageUpdate"]
    assert codes(updated) == [(["id"], "NOT_FOUND", None)]
    deleted = (await data(client, DELETE, id=unknown))["stageDelete"]
    assert deleted["deletedId"] is None and codes(deleted) == [(["id"], "NOT_FOUND", None)]


async def test_stage_in_use_cannot_be_deleted_until_the_lead_moves(client: Client) -> None:
    used, other = await create_stage(client, "Used"), await create_stage(client, "Other", 1)
    lead = (await data(client, LEAD_CREATE, input={"subject": "Deal", "stageId": used["id"]}))["leadCreate"]
    assert lead["errors"] == []
    refused = (await data(client, DELETE, id=used["id"]))["stageDelete"]
    assert refused["deletedId"] is None
    assert codes(refused) == [(["id"], "IN_USE", None)]
    assert "used in connections" in refused["errors"][0]["message"]
    read = await data(client, READ, id=used["id"])
    assert read["stage"]["isDeleted"] is False and read["stage"]["version"] == 1
    moved = (await data(client, LEAD_MOVE, id=lead["lead"]["id"], stage=other["id"]))["leadMoveToStage"]
    assert moved["errors"] == [] and moved["lead"]["stage"]["id"] == other["id"]
    deleted = (await data(client, DELETE, id=used["id"]))["stageDelete"]
    assert deleted == {"deletedId": used["id"], "errors": []}


async def test_a_deleted_lead_does_not_keep_its_stage_in_use(client: Client) -> None:
    stage = await create_stage(client, "Used")
    lead = (await data(client, LEAD_CREATE, input={"subject": "Deal", "stageId": stage["id"]}))["leadCreate"]
    removed = await data(
        client, "mutation($id: ID!) { leadDelete(id: $id) { errors { code } } }", id=lead["lead"]["id"]
    )
    assert removed["leadDelete"]["errors"] == []
    deleted = (await data(client, DELETE, id=stage["id"]))["stageDelete"]
    assert deleted["errors"] == []


async def test_another_tenants_stage_is_not_found(client: Client, other_client: Client) -> None:
    theirs = await create_stage(other_client, "Theirs", 4)
    updated = (await data(client, UPDATE, id=theirs["id"], input={"name": "Mine"}))["stageUpdate"]
    assert codes(updated) == [(["id"], "NOT_FOUND", None)]
    deleted = (await data(client, DELETE, id=theirs["id"]))["stageDelete"]
    assert codes(deleted) == [(["id"], "NOT_FOUND", None)]
    restored = (await data(client, RESTORE, id=theirs["id"]))["stageRestore"]
    assert codes(restored) == [(["id"], "NOT_FOUND", None)]
    read = await data(other_client, READ, id=theirs["id"])
    assert read["stage"] == theirs


async def test_malformed_text_is_invalid_on_every_database(client: Client) -> None:
    nul = (await data(client, CREATE, input={"name": "Won\x00"}))["stageCreate"]
    assert codes(nul) == [(["input", "name"], "INVALID", None)]
    key = (await data(client, CREATE, input={"name": "Won"}, key="k\x00"))["stageCreate"]
    assert codes(key) == [(["idempotencyKey"], "INVALID", None)]
    assert (await data(client, "{ stages { totalCount } }"))["stages"]["totalCount"] == 0
