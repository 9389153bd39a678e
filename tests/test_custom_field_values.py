"""Custom field values on contacts, accounts and leads: typed reads, checked writes, filters and
orderings on both databases, through /graphql."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from conftest import Client
from factories import Factory, gid
from gateway.backends.sql.custom_fields import sqlite_index

ERRORS = "errors { field code message }"
VALUES = "customFields { fieldName fieldType value text number boolean date dateTime definition { id } }"


async def define(client: Client, entity: str, name: str, field_type: str, options: str = "{}") -> str:
    mutation = (
        f'mutation {{ customFieldCreate(input: {{entity: "{entity}", fieldName: "{name}", '
        f"fieldType: {field_type}, options: {options}}}) {{ customField {{ id }} {ERRORS} }} }}"
    )
    payload = (await client.execute(mutation))["data"]["customFieldCreate"]
    assert payload["errors"] == []
    return payload["customField"]["id"]  # type: ignore[no-any-return]


async def contact_fields(client: Client) -> dict[str, str]:
    return {
        "shoeSize": await define(client, "contact", "shoeSize", "NUMBER", "{min: 1, max: 60}"),
        "tier": await define(client, "contact", "tier", "ENUM", '{values: ["GOLD", "SILVER"]}'),
        "vip": await define(client, "contact", "vip", "BOOLEAN"),
        "birthday": await define(client, "contact", "birthday", "DATE"),
        "lastVisit": await define(client, "contact", "lastVisit", "DATETIME"),
        "nickname": await define(client, "contact", "nickname", "STRING"),
    }


def values_input(values: dict[str, str | None]) -> str:
    items = []
    for name, value in values.items():
        shown = "null" if value is None else f'"{value}"'
        items.append(f'{{fieldName: "{name}", value: {shown}}}')
    return f"[{', '.join(items)}]"


async def create_contact(client: Client, last: str, values: dict[str, str | None]) -> dict[str, Any]:
    mutation = (
        f'mutation {{ contactCreate(input: {{firstName: "Ada", lastName: "{last}", '
        f"customFieldValues: {values_input(values)}}}) {{ contact {{ id {VALUES} }} {ERRORS} }} }}"
    )
    return (await client.execute(mutation))["data"]["contactCreate"]  # type: ignore[no-any-return]


def by_name(contact: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["fieldName"]: item for item in contact["customFields"]}


async def test_values_are_written_and_read_typed_as_their_definitions(client: Client) -> None:
    ids = await contact_fields(client)
    values = {
        "shoeSize": "42",
        "tier": "GOLD",
        "vip": "true",
        "birthday": "1990-05-17",
        "lastVisit": "2026-12-07T10:30:00+01:00",
    }
    created = await create_contact(client, "Typed", values)
    assert created["errors"] == []
    fields = by_name(created["contact"])
    assert list(fields) == list(ids)  # every definition, in definition order
    assert (fields["shoeSize"]["number"], fields["shoeSize"]["value"], fields["shoeSize"]["text"]) == (
        42.0,
        "42",
        None,
    )
    assert fields["tier"]["text"] == "GOLD"
    assert fields["vip"]["boolean"] is True
    assert fields["birthday"]["date"] == "1990-05-17"
    assert fields["lastVisit"]["dateTime"] == "2026-12-07T09:30:00+00:00"
    assert fields["nickname"]["value"] is None and fields["nickname"]["text"] is None
    assert fields["tier"]["definition"]["id"] == ids["tier"]
    listed = await client.execute(f"{{ contacts {{ edges {{ node {{ {VALUES} }} }} }} }}")
    (edge,) = listed["data"]["contacts"]["edges"]
    assert by_name(edge["node"]) == fields


async def test_an_update_sets_and_clears_the_values_it_names_and_keeps_the_others(client: Client) -> None:
    await contact_fields(client)
    created = await create_contact(client, "Patch", {"shoeSize": "40", "tier": "SILVER", "nickname": "Ad"})
    contact_id = created["contact"]["id"]
    update = (
        f'mutation {{ contactUpdate(id: "{contact_id}", input: {{customFieldValues: '
        f"{values_input({'shoeSize': '41.5', 'nickname': None})}}}) {{ contact {{ {VALUES} }} {ERRORS} }} }}"
    )
    payload = (await client.execute(update))["data"]["contactUpdate"]
    fields = by_name(payload["contact"])
    assert (fields["shoeSize"]["number"], fields["tier"]["text"], fields["nickname"]["value"]) == (
        41.5,
        "SILVER",
        None,
    )


async def test_a_lead_takes_values_by_field_id_as_seed_004_sends_them(client: Client) -> None:
    budget = await define(client, "lead", "budget", "NUMBER")
    mutation = (
        f'mutation {{ leadCreate(input: {{subject: "Car", customFieldValues: [{{fieldId: "{budget}", '
        f'value: "25000"}}]}}) {{ lead {{ {VALUES} }} {ERRORS} }} }}'
    )
    payload = (await client.execute(mutation))["data"]["leadCreate"]
    assert payload["errors"] == []
    assert by_name(payload["lead"])["budget"]["number"] == 25000


async def test_nested_lists_filter_on_custom_fields_each_by_its_own_name(
    client: Client, factory: Factory
) -> None:
    """A contact's leads filtered by two fields in turn: the statement of each names its own field (the
    name is inlined when it runs, so a cached statement of one field never answers for the other)."""
    await define(client, "lead", "budget", "NUMBER")
    await define(client, "lead", "score", "NUMBER")
    contact = gid("Contact", factory.contact("Ada", "Lovelace"))
    await factory.save()
    for subject, budget, score in (("Cheap", "10", "90"), ("Dear", "900", "5")):
        values = f'[{{fieldName: "budget", value: "{budget}"}}, {{fieldName: "score", value: "{score}"}}]'
        mutation = (
            f'mutation {{ leadCreate(input: {{subject: "{subject}", contactId: "{contact}", '
            f"customFieldValues: {values}}}) {{ {ERRORS} }} }}"
        )
        assert (await client.execute(mutation))["data"]["leadCreate"]["errors"] == []
    for name, expected in (("budget", ["Dear"]), ("score", ["Cheap"]), ("budget", ["Dear"])):
        query = (
            f'{{ contacts {{ nodes {{ leads(filter: {{customFields: [{{fieldName: "{name}", '
            f"number: {{gt: 50}}}}]}}) {{ nodes {{ subject }} }} }} }} }}"
        )
        [found] = (await client.execute(query))["data"]["contacts"]["nodes"]
        assert [lead["subject"] for lead in found["leads"]["nodes"]] == expected, name


async def test_accounts_carry_values_too(client: Client) -> None:
    await define(client, "account", "region", "ENUM", '{values: ["EAST", "WEST"]}')
    mutation = (
        'mutation { accountCreate(input: {name: "Acme", customFieldValues: [{fieldName: "region", '
        f'value: "WEST"}}]}}) {{ account {{ {VALUES} }} {ERRORS} }} }}'
    )
    payload = (await client.execute(mutation))["data"]["accountCreate"]
    assert by_name(payload["account"])["region"]["text"] == "WEST"
    listed = await client.execute(
        '{ accounts(filter: {customFields: [{fieldName: "region", text: {eq: "WEST"}}]}) { totalCount } }'
    )
    assert listed["data"]["accounts"]["totalCount"] == 1


REFUSALS = [
    ({"unknown": "1"}, "NOT_FOUND"),
    ({"shoeSize": "large"}, "INVALID"),
    ({"shoeSize": "99"}, "INVALID"),  # above options.max
    ({"shoeSize": "NaN"}, "INVALID"),
    ({"tier": "BRONZE"}, "INVALID"),
    ({"vip": "yes"}, "INVALID"),
    ({"birthday": "17/05/1990"}, "INVALID"),
    ({"lastVisit": "yesterday"}, "INVALID"),
]


async def test_values_their_definitions_refuse_are_refused_with_a_code_and_nothing_is_written(
    client: Client,
) -> None:
    await contact_fields(client)
    for values, code in REFUSALS:
        payload = await create_contact(client, "Refused", {"nickname": "ok", **values})
        assert payload["contact"] is None, values
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [
            (["input", "customFieldValues", "1"], code)
        ], values
    assert (await client.execute("{ contacts { totalCount } }"))["data"]["contacts"]["totalCount"] == 0


async def test_a_required_field_needs_a_value_on_create_and_cannot_be_cleared(client: Client) -> None:
    await define(client, "contact", "badge", "STRING", "{required: true}")
    missing = await create_contact(client, "NoBadge", {})
    assert [(e["field"], e["code"]) for e in missing["errors"]] == [
        (["input", "customFieldValues"], "REQUIRED")
    ]
    created = await create_contact(client, "Badge", {"badge": "B-7"})
    contact_id = created["contact"]["id"]
    clear = (
        f'mutation {{ contactUpdate(id: "{contact_id}", input: {{lastName: "Changed", customFieldValues: '
        f'[{{fieldName: "badge", value: null}}]}}) {{ contact {{ id }} {ERRORS} }} }}'
    )
    payload = (await client.execute(clear))["data"]["contactUpdate"]
    assert [e["code"] for e in payload["errors"]] == ["REQUIRED"]
    after = await client.execute(f'{{ contact(id: "{contact_id}") {{ lastName {VALUES} }} }}')
    assert after["data"]["contact"]["lastName"] == "Badge"  # no partial write
    assert by_name(after["data"]["contact"])["badge"]["text"] == "B-7"


async def _filtered(client: Client, condition: str, order: str = "") -> list[str]:
    query = (
        f"{{ contacts(filter: {{customFields: [{condition}]}}{order}) "
        "{ edges { node { lastName } } } }"
    )
    return [edge["node"]["lastName"] for edge in (await client.execute(query))["data"]["contacts"]["edges"]]


async def _three_contacts(client: Client) -> None:
    await contact_fields(client)
    await create_contact(client, "Small", {"shoeSize": "9", "tier": "SILVER", "vip": "false"})
    await create_contact(
        client,
        "Large",
        {"shoeSize": "44", "tier": "GOLD", "vip": "true", "lastVisit": "2026-01-02T00:00:00Z"},
    )
    await create_contact(client, "None", {"nickname": "n"})


async def test_lists_filter_on_custom_fields_by_type(client: Client) -> None:
    await _three_contacts(client)
    assert await _filtered(client, '{fieldName: "shoeSize", number: {gte: 10}}') == [
        "Large"
    ]  # 44 > 9 as numbers
    assert await _filtered(client, '{fieldName: "shoeSize", number: {eq: 9}}') == ["Small"]
    assert await _filtered(client, '{fieldName: "shoeSize", number: {between: {from: 1, to: 50}}}') == [
        "Small",
        "Large",
    ]
    assert await _filtered(client, '{fieldName: "tier", text: {eq: "GOLD"}}') == ["Large"]
    assert await _filtered(client, '{fieldName: "tier", text: {ne: "GOLD"}}') == ["Small", "None"]
    assert await _filtered(client, '{fieldName: "tier", text: {beginsWith: "sil"}}') == ["Small"]
    assert await _filtered(client, '{fieldName: "vip", boolean: {eq: true}}') == ["Large"]
    assert await _filtered(client, '{fieldName: "shoeSize", number: {isNull: true}}') == ["None"]
    assert (
        await _filtered(client, '{fieldName: "lastVisit", dateTime: {gt: "2026-01-01T23:00:00-02:00"}}') == []
    )  # 2026-01-02T01:00Z is later than the stored 2026-01-02T00:00Z
    assert await _filtered(client, '{fieldName: "lastVisit", dateTime: {lt: "2026-01-02T01:00:00Z"}}') == [
        "Large"
    ]
    assert await _filtered(client, '{fieldName: "tier", number: {eq: 1}}') == []  # text is no number


async def test_lists_sort_by_a_custom_field_and_page_with_its_cursor(client: Client) -> None:
    await _three_contacts(client)
    order = ', orderBy: [{field: CUSTOM_FIELD, customField: "shoeSize", direction: DESC}]'
    query = (
        "query($after: String) { contacts(first: 2, after: $after"
        + order
        + ") { edges { node { lastName } } pageInfo { endCursor hasNextPage } } }"
    )
    first = (await client.execute(query))["data"]["contacts"]
    assert [e["node"]["lastName"] for e in first["edges"]] == ["Large", "Small"]
    rest = (await client.execute(query, {"after": first["pageInfo"]["endCursor"]}))["data"]["contacts"]
    assert [e["node"]["lastName"] for e in rest["edges"]] == ["None"]  # no value: last when descending
    ascending = '{ contacts(orderBy: [{field: CUSTOM_FIELD, customField: "shoeSize"}]) { edges { node { lastName } } } }'  # noqa: E501
    names = [e["node"]["lastName"] for e in (await client.execute(ascending))["data"]["contacts"]["edges"]]
    assert names == ["None", "Small", "Large"]
    # A cursor on a row without a value (the floor of the order) pages on too.
    up = query.replace("direction: DESC", "direction: ASC")
    first = (await client.execute(up))["data"]["contacts"]
    assert [e["node"]["lastName"] for e in first["edges"]] == ["None", "Small"]
    one = up.replace("first: 2", "first: 1")
    start = (await client.execute(one))["data"]["contacts"]["pageInfo"]["endCursor"]
    rest = (await client.execute(up, {"after": start}))["data"]["contacts"]
    assert [e["node"]["lastName"] for e in rest["edges"]] == ["Small", "Large"]


async def test_an_order_by_custom_field_without_its_name_is_refused(client: Client) -> None:
    body = (await client.post("{ contacts(orderBy: [{field: CUSTOM_FIELD}]) { totalCount } }")).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


async def test_another_tenant_sees_neither_the_definitions_nor_the_values(
    client: Client, other_client: Client
) -> None:
    await _three_contacts(client)
    await create_contact(other_client, "Other", {})
    other = await other_client.execute(f"{{ contacts {{ edges {{ node {{ lastName {VALUES} }} }} }} }}")
    assert other["data"]["contacts"]["edges"] == [{"node": {"lastName": "Other", "customFields": []}}]
    assert await _filtered(other_client, '{fieldName: "shoeSize", number: {isNull: false}}') == []
    refused = await create_contact(other_client, "Other2", {"shoeSize": "9"})
    assert [e["code"] for e in refused["errors"]] == ["NOT_FOUND"]


def test_a_conecrm_record_carries_its_custom_field_values_by_field_id() -> None:
    """Seed 004's lead JSON: ``customFieldValues: [{field: {id}, value: "string"}]``."""
    from gateway.backends.records import Entity
    from gateway.backends.rest.conecrm.mapping import to_record

    body = {
        "id": "0193a8c0-0000-7000-8000-000000000001",
        "dateCreated": "2026-12-07T10:00:00Z",
        "subject": "Car",
        "customFieldValues": [
            {"field": {"id": "budget-id"}, "value": "25000"},
            {"field": {}, "value": "no field"},
            "not an object",
        ],
    }
    assert to_record(Entity.LEAD, body, "acme").custom_fields == {"budget-id": "25000"}  # type: ignore[attr-defined]


async def test_a_field_with_values_keeps_its_name_and_type_an_unused_one_may_change(client: Client) -> None:
    ids = await contact_fields(client)
    await create_contact(client, "Holder", {"shoeSize": "40"})
    for change in ('fieldName: "footSize"', "fieldType: STRING"):
        update = (
            f'mutation {{ customFieldUpdate(id: "{ids["shoeSize"]}", input: {{{change}}}) {{ {ERRORS} }} }}'
        )
        errors = (await client.execute(update))["data"]["customFieldUpdate"]["errors"]
        assert [(e["field"], e["code"]) for e in errors] == [(["input", "fieldName"], "INVALID")], change
    rename = (
        f'mutation {{ customFieldUpdate(id: "{ids["vip"]}", input: {{fieldName: "isVip"}}) {{ {ERRORS} }} }}'
    )
    assert (await client.execute(rename))["data"]["customFieldUpdate"]["errors"] == []
    listed = await client.execute(f"{{ contacts {{ edges {{ node {{ {VALUES} }} }} }} }}")
    (edge,) = listed["data"]["contacts"]["edges"]
    assert by_name(edge["node"])["shoeSize"]["number"] == 40
    assert "isVip" in by_name(edge["node"])


async def test_a_bulk_create_refuses_only_the_rows_whose_values_do_not_fit(client: Client) -> None:
    await contact_fields(client)
    mutation = """mutation { contactCreateMany(inputs: [
      {firstName: "A", lastName: "Fits", customFieldValues: [{fieldName: "shoeSize", value: "40"}]},
      {firstName: "B", lastName: "Misfit", customFieldValues: [{fieldName: "shoeSize", value: "huge"}]}
    ]) { results { contact { lastName customFields { fieldName number } } errors { field code } } } }"""
    results = (await client.execute(mutation))["data"]["contactCreateMany"]["results"]
    assert results[0]["contact"]["lastName"] == "Fits" and results[0]["errors"] == []
    assert {"fieldName": "shoeSize", "number": 40} in results[0]["contact"]["customFields"]
    assert results[1] == {
        "contact": None,
        "errors": [{"field": ["inputs", "1", "customFieldValues", "0"], "code": "INVALID"}],
    }


async def test_postgresql_answers_equality_on_any_field_from_the_gin_index(engine: Any) -> None:
    if engine.dialect.name != "postgresql":
        return  # SQLite: an index per definition (the next test)
    async with engine.connect() as connection:
        await connection.execute(sa.text("SET LOCAL enable_seqscan = off"))
        plan = await connection.execute(
            sa.text("""EXPLAIN SELECT id FROM contacts WHERE custom_fields @> '{"tier": "GOLD"}'""")
        )
        assert "ix_contacts_custom_fields" in " ".join(row[0] for row in plan)


@contextmanager
def statements_sent(app: Any) -> Iterator[list[tuple[str, Any]]]:
    """Every (statement, parameters) the app sends on its engine while the block runs."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        seen.append((statement, parameters))

    event.listen(app.state.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(app.state.engine.sync_engine, "before_cursor_execute", record)


async def test_sqlite_filters_a_custom_field_through_the_index_its_definition_made(
    client: Client, app: Any, engine: Any
) -> None:
    """On SQLite each definition gets an expression index on (tenant, its typed read): the list's own
    statement, as the app sends it, is planned on that index for equality and ranges alike."""
    await _three_contacts(client)
    async with engine.connect() as connection:
        if engine.dialect.name != "sqlite":
            return  # PostgreSQL: the GIN index (the test above)
        listed = {row[1] for row in await connection.execute(sa.text("PRAGMA index_list(contacts)"))}
        types = {"shoeSize": "number", "tier": "enum", "vip": "boolean", "birthday": "date"}
        types |= {"lastVisit": "datetime", "nickname": "string"}
        for name, field_type in types.items():  # the database is shared: other tests' indexes are there
            statement = sqlite_index("contacts", name, field_type)
            assert statement is not None and statement.split()[5] in listed, name
        for condition, expected in (
            ('{fieldName: "shoeSize", number: {eq: 44}}', ["Large"]),
            ('{fieldName: "shoeSize", number: {gt: 10}}', ["Large"]),
            ('{fieldName: "tier", text: {eq: "SILVER"}}', ["Small"]),
        ):
            with statements_sent(app) as sent:
                assert await _filtered(client, condition) == expected
            [(statement, parameters)] = [(s, p) for s, p in sent if "json_quote('" in s and "LIMIT" in s]
            plan = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            details = " ".join(str(row[3]) for row in plan)
            assert "USING INDEX ix_contacts_cf_" in details and "<expr>" in details, (condition, details)
