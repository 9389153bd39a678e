"""A create replayed with its idempotency key answers the record it created, in every CRUD area, and a
clear error once that record was deleted (never a payload with neither a record nor an error)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Client, token_for

# area -> the smallest valid create input
AREAS: dict[str, dict[str, Any]] = {
    "contact": {"firstName": "Ada", "lastName": "Lovelace"},
    "account": {"name": "Acme"},
    "lead": {"subject": "Renewal"},
    "task": {"title": "Call back"},
    "stage": {"name": "Qualified"},
}
BY_AREA = pytest.mark.parametrize("area", list(AREAS))
ERRORS = "errors { field code seedCode message }"


def _create(area: str) -> str:
    input_type = f"{area.title()}CreateInput"
    return f"""
    mutation($input: {input_type}!, $key: String) {{
      {area}Create(input: $input, idempotencyKey: $key) {{ {area} {{ id }} {ERRORS} }}
    }}"""


async def _call(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    data = (await client.execute(query, variables))["data"]
    return next(iter(data.values()))  # type: ignore[no-any-return]


async def _create_with_key(client: Client, area: str, key: str) -> dict[str, Any]:
    return await _call(client, _create(area), input=AREAS[area], key=key)


async def _set_deleted(client: Client, area: str, record_id: str, operation: str) -> None:
    payload = await _call(client, f'mutation {{ {area}{operation}(id: "{record_id}") {{ {ERRORS} }} }}')
    assert payload["errors"] == []


@BY_AREA
async def test_replay_of_a_deleted_record_answers_replayed_deleted(client: Client, area: str) -> None:
    first = await _create_with_key(client, area, "k-1")
    await _set_deleted(client, area, first[area]["id"], "Delete")
    replay = await _create_with_key(client, area, "k-1")
    assert replay[area] is None
    assert [(e["field"], e["code"]) for e in replay["errors"]] == [
        (["idempotencyKey"], "IDEMPOTENCY_KEY_REPLAYED_DELETED")
    ]
    assert "deleted" in replay["errors"][0]["message"]


@BY_AREA
async def test_replay_after_restore_answers_the_first_record_again(client: Client, area: str) -> None:
    first = await _create_with_key(client, area, "k-2")
    await _set_deleted(client, area, first[area]["id"], "Delete")
    await _set_deleted(client, area, first[area]["id"], "Restore")
    replay = await _create_with_key(client, area, "k-2")
    assert replay == {area: first[area], "errors": []}


@BY_AREA
async def test_a_new_key_creates_anew_after_the_delete(client: Client, area: str) -> None:
    first = await _create_with_key(client, area, "k-3")
    await _set_deleted(client, area, first[area]["id"], "Delete")
    fresh = await _create_with_key(client, area, "k-4")
    assert fresh["errors"] == [] and fresh[area]["id"] != first[area]["id"]


@BY_AREA
async def test_another_caller_with_the_same_key_creates_its_own_record(
    client: Client, settings: Any, tenant: str, area: str
) -> None:
    """Keys are per caller: B's key is B's, even when A used the same string first."""
    first = await _create_with_key(client, area, "k-5")
    other = Client(
        client.http, token_for(settings, tenant, subject="someone-else", permissions=["CRM_ALL", "CUST_ALL"])
    )
    theirs = await _create_with_key(other, area, "k-5")
    assert theirs["errors"] == [] and theirs[area]["id"] != first[area]["id"]
    assert await _create_with_key(other, area, "k-5") == theirs  # B's replay: B's record
    assert await _create_with_key(client, area, "k-5") == first  # A's replay: still A's


async def test_another_callers_key_with_a_different_input_is_no_reuse(
    client: Client, settings: Any, tenant: str
) -> None:
    private = {**AREAS["contact"], "permissions": [{"ownerOnly": True}]}
    first = await _call(client, _create("contact"), input=private, key="k-6")
    assert first["errors"] == []
    other = Client(client.http, token_for(settings, tenant, subject="someone-else", permissions=["CUST_ALL"]))
    grace = {"firstName": "Grace", "lastName": "Hopper"}
    theirs = await _call(other, _create("contact"), input=grace, key="k-6")
    assert theirs["errors"] == [] and theirs["contact"]["id"] != first["contact"]["id"]


async def test_a_replay_of_a_contact_the_caller_may_no_longer_see_answers_not_found(
    client: Client, settings: Any, tenant: str
) -> None:
    """Since the create, another user put a row rule on the contact that its creator does not meet."""
    token = token_for(settings, tenant, subject="k8", permissions=["CUST_READ", "CUST_WRITE"])
    creator = Client(client.http, token)
    first = await _create_with_key(creator, "contact", "k-8")
    assert first["errors"] == []
    rule = '{permissions: [{permission: "CUST_DELETE"}]}'
    guard = f"mutation($id: ID!) {{ contactUpdate(id: $id, input: {rule}) {{ {ERRORS} }} }}"
    assert (await _call(client, guard, id=first["contact"]["id"]))["errors"] == []
    replay = await _create_with_key(creator, "contact", "k-8")
    assert replay["contact"] is None
    assert [(e["field"], e["code"]) for e in replay["errors"]] == [(["idempotencyKey"], "NOT_FOUND")]
