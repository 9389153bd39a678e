"""Customization in the gateway's own database: what the SQL store adds to the behaviour both homes share
(tests/test_conecrm_customization.py): typed custom field definitions, owner checks on shared saved
filters, and automations that can be enabled and disabled."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from conftest import Client, token_for
from gateway.settings import Settings

ERRORS = "errors { field code message }"


def _field(options: str, field_type: str = "ENUM") -> str:
    return (
        f'mutation {{ customFieldCreate(input: {{entity: "lead", fieldName: "size", fieldType: {field_type}, '
        f"options: {options}}}) {{ customField {{ id options }} {ERRORS} }} }}"
    )


@pytest.mark.parametrize(
    ("options", "field_type"),
    [
        ("{}", "ENUM"),
        ('{values: ["S", "S"]}', "ENUM"),
        ("{values: [1, 2]}", "ENUM"),
        ("{min: 10, max: 1}", "NUMBER"),
        ('{min: "one"}', "NUMBER"),
        ('{required: "yes"}', "STRING"),
    ],
)
async def test_options_that_do_not_fit_the_type_are_refused(
    client: Client, options: str, field_type: str
) -> None:
    payload = (await client.execute(_field(options, field_type)))["data"]["customFieldCreate"]
    assert payload["customField"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["input", "options"], "INVALID")]
    assert (await client.execute("{ customFields { id } }"))["data"]["customFields"] == []


async def test_a_custom_field_of_an_unknown_entity_is_refused(client: Client) -> None:
    create = f'mutation {{ customFieldCreate(input: {{entity: "galaxy", fieldName: "x", fieldType: STRING}}) {{ {ERRORS} }} }}'  # noqa: E501
    (problem,) = (await client.execute(create))["data"]["customFieldCreate"]["errors"]
    assert (problem["field"], problem["code"]) == (["input", "entity"], "INVALID")


async def test_a_required_enum_field_keeps_its_options_and_joins_the_filter_metadata(client: Client) -> None:
    created = (await client.execute(_field('{values: ["S", "M"], required: true}')))["data"]
    assert created["customFieldCreate"]["customField"]["options"] == {"values": ["S", "M"], "required": True}
    query = '{ queryBuilderConfig(entity: "lead") { fields { name type } } }'
    fields = (await client.execute(query))["data"]["queryBuilderConfig"]["fields"]
    assert {"name": "customFields.size", "type": "enum"} in fields


def _caller(http: httpx.AsyncClient, settings: Settings, tenant: str, subject: str) -> Client:
    return Client(http, token_for(settings, tenant, subject=subject))


async def test_only_the_owner_changes_or_deletes_a_shared_saved_filter(
    http: httpx.AsyncClient, settings: Settings, tenant: str
) -> None:
    owner, other = _caller(http, settings, tenant, "owner"), _caller(http, settings, tenant, "other")
    create = 'mutation { savedFilterCreate(input: {name: "Team", module: "lead", value: {rules: []}, private: false}) { savedFilter { id ownerId } } }'  # noqa: E501
    saved = (await owner.execute(create))["data"]["savedFilterCreate"]["savedFilter"]
    assert saved["ownerId"] == "owner"
    seen = await other.execute(f'{{ savedFilter(id: "{saved["id"]}") {{ name }} }}')
    assert seen["data"]["savedFilter"] == {"name": "Team"}
    for mutation in (
        f'savedFilterUpdate(id: "{saved["id"]}", input: {{name: "Mine"}}) {{ savedFilter {{ name }} }}',
        f'savedFilterDelete(id: "{saved["id"]}") {{ deletedId }}',
    ):
        body = (await other.post(f"mutation {{ {mutation} }}")).json()
        assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert (await owner.execute("{ savedFilters { name } }"))["data"]["savedFilters"] == [{"name": "Team"}]


async def _automation(client: Client, mutation: str) -> dict[str, Any]:
    body = await client.execute(
        f"mutation {{ result: {mutation} {{ automation {{ id name enabled }} {ERRORS} }} }}"
    )
    assert body["data"]["result"]["errors"] == []
    return body["data"]["result"]["automation"]  # type: ignore[no-any-return]


async def test_an_automation_is_enabled_until_disabled_and_a_duplicate_keeps_the_flag(client: Client) -> None:
    created = await _automation(
        client, 'automationCreate(input: {name: "Chase", automationTrigger: "task.completed"})'
    )
    assert created["enabled"] is True
    disabled = await _automation(
        client, f'automationUpdate(id: "{created["id"]}", input: {{enabled: false}})'
    )
    assert (disabled["enabled"], disabled["name"]) == (False, "Chase")
    copy = await _automation(client, f'automationDuplicate(id: "{created["id"]}")')
    assert (copy["name"], copy["enabled"]) == ("Chase (copy)", False)


async def test_the_builder_data_lists_what_the_gateway_runs(client: Client) -> None:
    data = (await client.execute("{ automationBuilderData { triggers actions conditions } }"))["data"]
    assert data["automationBuilderData"] == {
        "triggers": ["lead.created", "lead.stageChanged", "task.completed", "communication.created"],
        "actions": ["createTask", "assignUser", "moveLeadToStage", "sendEmail", "sendSms", "addTag"],
        "conditions": ["queryBuilder"],
    }


PAYLOAD = "{ errors { field code } }"
AKIXI_INPUT = 'crmType: "CrmAddin.GraphContacts.GraphContactsAddin", settings: {}, common: {}'
NUL_CASES = [
    ('savedFilterCreate(input: {name: $text, module: "lead", value: {rules: []}})', ["input", "name"]),
    ('automationCreate(input: {name: $text, automationTrigger: "lead.created"})', ["input", "name"]),
    (
        'akixiCrmConfigAdd(scope: {telSysId: 1, partitionId: 1, deviceNumber: "9"}, '
        f"input: {{description: $text, {AKIXI_INPUT}}})",
        ["input", "description"],
    ),
]


@pytest.mark.parametrize(("mutation", "field"), NUL_CASES)
async def test_text_with_a_nul_character_is_refused_on_both_databases(
    client: Client, mutation: str, field: list[str]
) -> None:
    operation = f"mutation($text: String) {{ result: {mutation} {PAYLOAD} }}"
    body = await client.execute(operation, {"text": "a\x00b"})
    assert body["data"]["result"]["errors"] == [{"field": field, "code": "INVALID"}]
