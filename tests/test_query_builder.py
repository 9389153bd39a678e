"""The query builder as a client filter: ``query: QueryBuilderQuery`` on every root list, with seed 004's
18 operators, nested groups and ``not``, custom fields, coded refusals, and the tenant and row rules."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import GraphQLNonNull, GraphQLObjectType

from comms_factory import CommsFactory
from conftest import Client, token_for
from factories import Factory, gid
from gateway.backends.filter_catalog import OPERATORS
from gateway.backends.sql import tables as t
from gateway.settings import Settings
from resolvers.schema import schema

CONTACTS = "query($q: QueryBuilderQuery) { contacts(query: $q) { edges { node { lastName } } } }"


async def names(client: Client, query: dict[str, Any], list_query: str = CONTACTS) -> list[str]:
    body = await client.execute(list_query, {"q": query})
    (connection,) = body["data"].values()
    return [edge["node"]["lastName"] for edge in connection["edges"]]


def rule(field: str, operator: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "operator": operator, "value": value}


def where(*rules: dict[str, Any], combinator: str = "AND", negated: bool = False) -> dict[str, Any]:
    return {"combinator": combinator, "not": negated, "rules": list(rules)}


async def _people(client: Client, factory: Factory) -> None:
    define = 'mutation { customFieldCreate(input: {entity: "contact", fieldName: "shoeSize", fieldType: NUMBER}) { errors { message } } }'  # noqa: E501
    assert (await client.execute(define))["data"]["customFieldCreate"]["errors"] == []
    factory.contact(
        "Ada", "Lovelace", city="London", emails=["ada@engine.com"], custom_fields={"shoeSize": 38}
    )
    factory.contact("Bob", "Babbage", city="Paris", emails=["bob@engine.org"], custom_fields={"shoeSize": 44})
    factory.contact("Cid", "Curie", city=None, is_active=False)
    await factory.save()


# Each of seed 004's 18 operators, on the fields the three people differ in.
OPERATOR_CASES = [
    (rule("lastName", "=", "Curie"), ["Curie"]),
    (rule("city", "!=", "London"), ["Babbage", "Curie"]),  # no value is "not equal" too
    (rule("lastName", ">", "Curie"), ["Lovelace"]),
    (rule("lastName", ">=", "Curie"), ["Lovelace", "Curie"]),
    (rule("lastName", "<", "Curie"), ["Babbage"]),
    (rule("lastName", "<=", "Curie"), ["Babbage", "Curie"]),
    (rule("lastName", "contains", "AG"), ["Babbage"]),
    (rule("lastName", "doesNotContain", "a"), ["Curie"]),
    (rule("email", "beginsWith", "ADA@"), ["Lovelace"]),
    (rule("email", "doesNotBeginWith", "ada"), ["Babbage", "Curie"]),
    (rule("primaryEmail", "endsWith", ".com"), ["Lovelace"]),  # seed 004's own field name
    (rule("email", "doesNotEndWith", ".com"), ["Babbage", "Curie"]),
    (rule("city", "null"), ["Curie"]),
    (rule("city", "notNull"), ["Lovelace", "Babbage"]),
    (rule("city", "in", "London,Paris"), ["Lovelace", "Babbage"]),
    (rule("city", "notIn", ["Paris"]), ["Lovelace", "Curie"]),
    (rule("customFields.shoeSize", "between", "40,50"), ["Babbage"]),
    (rule("customFields.shoeSize", "notBetween", [40, 50]), ["Lovelace", "Curie"]),
]


def test_the_cases_cover_all_18_operators_of_seed_004() -> None:
    assert {case["operator"] for case, _ in OPERATOR_CASES} == set(OPERATORS) and len(OPERATORS) == 18


async def test_each_operator_filters_as_seed_004_describes(client: Client, factory: Factory) -> None:
    await _people(client, factory)
    for case, expected in OPERATOR_CASES:
        assert await names(client, where(case)) == expected, case


async def test_groups_nest_combine_and_negate(client: Client, factory: Factory) -> None:
    await _people(client, factory)
    either = where(rule("city", "=", "Paris"), rule("isActive", "=", "false"), combinator="OR")
    assert await names(client, either) == ["Babbage", "Curie"]
    nested = {**where(rule("customFields.shoeSize", ">", 30)), "groups": [{**either, "not": True}]}
    assert await names(client, nested) == ["Lovelace"]
    assert await names(client, where(rule("lastName", "=", "Curie"), negated=True)) == ["Lovelace", "Babbage"]
    assert await names(client, where()) == ["Lovelace", "Babbage", "Curie"]  # an empty group: everything


async def test_the_query_and_the_filter_both_hold(client: Client, factory: Factory) -> None:
    await _people(client, factory)
    query = """query($q: QueryBuilderQuery) { contacts(query: $q, filter: {city: {eq: "Paris"}})
      { totalCount edges { node { lastName } } } }"""
    body = await client.execute(query, {"q": where(rule("city", "notNull"))})
    assert body["data"]["contacts"]["totalCount"] == 1
    assert await names(client, where(rule("city", "notNull")), query) == ["Babbage"]


REFUSED = [
    (rule("galaxy", "=", "x"), "UNKNOWN_FILTER_FIELD"),
    (rule("customFields.hatSize", "=", "1"), "UNKNOWN_FILTER_FIELD"),
    (rule("lastName", "like", "x"), "UNKNOWN_FILTER_OPERATOR"),
    (rule("isActive", "contains", "t"), "UNKNOWN_FILTER_OPERATOR"),  # not an operator of booleans
    (rule("customFields.shoeSize", ">", "large"), "INVALID_FILTER_VALUE"),
    (rule("customFields.shoeSize", "between", "1"), "INVALID_FILTER_VALUE"),
    (rule("dateCreated", ">", "yesterday"), "INVALID_FILTER_VALUE"),
    (rule("kind", "=", "ROBOT"), "INVALID_FILTER_VALUE"),
    (rule("isActive", "=", "maybe"), "INVALID_FILTER_VALUE"),
    (rule("lastName", "=", None), "INVALID_FILTER_VALUE"),
    (rule("lastName", "=", {"a": 1}), "INVALID_FILTER_VALUE"),
    (rule("id", "=", "not-an-id"), "INVALID_ID"),
]


async def test_unknown_fields_operators_and_bad_values_are_refused_with_a_code(
    client: Client, factory: Factory
) -> None:
    await _people(client, factory)
    for case, code in REFUSED:
        response = await client.post(CONTACTS, {"q": where(case)})
        body = response.json()
        assert response.status_code == 200 and body["data"] == {"contacts": None}, case
        assert [e["extensions"]["code"] for e in body["errors"]] == [code], case


async def test_a_query_nested_too_deep_is_refused(client: Client) -> None:
    query: dict[str, Any] = where(rule("lastName", "notNull"))
    for _ in range(10):
        query = {"groups": [query]}
    body = (await client.post(CONTACTS, {"q": query})).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_FILTER"]


# Not entity lists: the automations' run log (read by automation and status) and the ranked search
# (its hits are of several types, found by text).
NOT_ENTITY_LISTS = {"automationRuns", "search"}


def _connection_roots() -> list[str]:
    query_type = schema._schema.query_type
    assert query_type is not None
    found = []
    for name, field in query_type.fields.items():
        returned = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
        if isinstance(returned, GraphQLObjectType) and returned.name.endswith("Connection"):
            found.append(name)
    return found


def test_every_root_list_takes_a_query_next_to_its_filter() -> None:
    roots = _connection_roots()
    assert {"contacts", "accounts", "leads", "tasks", "events", "communications", "users", "stages"} <= set(
        roots
    )
    query_type = schema._schema.query_type
    assert query_type is not None
    for name in set(roots) - NOT_ENTITY_LISTS:
        arguments = query_type.fields[name].args
        assert "filter" in arguments and str(arguments["query"].type) == "QueryBuilderQuery", name


# Per root list: a rule that one row of those ``_every_kind`` builds matches and the others do not.
ROOT_CASES = {
    "contacts": ("lastName", "Lovelace"),
    "accounts": ("name", "Acme"),
    "leads": ("subject", "Car"),
    "tasks": ("title", "Call"),
    "events": ("title", "Call"),
    "stages": ("name", "New"),
    "users": ("username", "agent"),
    "franchises": ("name", "North"),
    "departments": ("name", "Sales"),
    "roles": ("name", "Manager"),
    "securityGroups": ("name", "Night shift"),
    "userSettings": ("language", "fr"),
    "tags": ("value", "VIP"),
    "communications": ("subject", "Hello"),
    "communicationCategories": ("name", "Billing"),
    "communicationTemplates": ("name", "Welcome"),
    "communicationQueueExternalSystems": ("name", "Mailer"),
    "communicationQueueEntries": ("lifeCycleState", "REJECTED"),
}


def test_every_root_list_has_a_case_below() -> None:
    assert set(ROOT_CASES) == set(_connection_roots()) - NOT_ENTITY_LISTS


async def _every_kind(engine: Any, tenant: str) -> None:
    """Two rows of every root list's kind (a second user's settings, a second tag, ...)."""
    rows = CommsFactory(engine, tenant)
    ada, bob = rows.contact("Ada", "Lovelace"), rows.contact("Bob", "Babbage")
    rows.account("Acme")
    rows.account("Other")
    rows.lead("Car")
    rows.lead("Boat")
    rows.task("Call")
    rows.task("Write")
    rows.stage("New")
    rows.stage("Won", 1)
    agent, other = rows.user("agent"), rows.user("other")
    rows.franchise("North")
    rows.franchise("South")
    rows.department("Sales")
    rows.department("Service")
    rows.role("Manager")
    rows.role("Clerk")
    rows.security_group("Night shift")
    rows.security_group("Day shift")
    rows._audited(t.user_settings, {"user_id": agent, "language": "fr"})
    rows._audited(t.user_settings, {"user_id": other, "language": "en"})
    rows.tag("VIP")
    rows.tag("Prospect")
    rows.category("Billing")
    rows.category("Support")
    rows.template("Welcome")
    rows.template("Reminder")
    mailer = rows.external_system("Mailer")
    rows.external_system("Texter")
    hello, bye = rows.communication(ada, "Hello"), rows.communication(bob, "Bye")
    rows.queue_entry(hello, ada, mailer, life_cycle_state="REJECTED", error_code="E1", error_description="x")
    rows.queue_entry(bye, bob, mailer)
    await rows.save()


@pytest.mark.parametrize("root", sorted(ROOT_CASES))
async def test_each_root_list_runs_its_query(client: Client, engine: Any, tenant: str, root: str) -> None:
    await _every_kind(engine, tenant)
    field, value = ROOT_CASES[root]
    query = f"query($q: QueryBuilderQuery) {{ {root}(query: $q) {{ totalCount }} }}"
    every = (await client.execute(query, {"q": where()}))["data"][root]["totalCount"]
    matching = await client.execute(query, {"q": where(rule(field, "=", value))})
    negated = await client.execute(query, {"q": where(rule(field, "=", value), negated=True)})
    assert matching["data"][root]["totalCount"] == 1 and every >= 2
    assert negated["data"][root]["totalCount"] == every - 1


async def test_another_tenant_finds_nothing_with_the_same_query(
    client: Client, other_client: Client, factory: Factory
) -> None:
    await _people(client, factory)
    assert await names(other_client, where(rule("lastName", "notNull"))) == []
    body = (await other_client.post(CONTACTS, {"q": where(rule("customFields.shoeSize", ">", 1))})).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNKNOWN_FILTER_FIELD"]


async def test_a_query_shows_no_contact_the_row_rules_hide(
    http: httpx.AsyncClient, settings: Settings, tenant: str, factory: Factory
) -> None:
    hidden = factory.contact("Pia", "Private", created_by="creator")
    factory.contact_permission(hidden, owner_only=True)
    factory.contact("Olu", "Open", created_by="creator")
    await factory.save()
    other = Client(http, token_for(settings, tenant, subject="other", permissions=["CUST_READ"]))
    assert await names(other, where(rule("lastName", "notNull"))) == ["Open"]
    found = await names(other, where(rule("id", "=", gid("Contact", hidden))))
    assert found == []


async def test_a_query_needs_the_list_s_permission(
    http: httpx.AsyncClient, settings: Settings, tenant: str
) -> None:
    reader = Client(http, token_for(settings, tenant, permissions=["CRM_LEAD_VIEW"]))
    body = (await reader.post(CONTACTS, {"q": where(rule("lastName", "notNull"))})).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_a_custom_enum_field_is_described_with_its_values_and_checked_against_them(
    client: Client, factory: Factory
) -> None:
    define = 'mutation { customFieldCreate(input: {entity: "contact", fieldName: "tier", fieldType: ENUM, options: {values: ["GOLD", "SILVER"]}}) { errors { message } } }'  # noqa: E501
    assert (await client.execute(define))["data"]["customFieldCreate"]["errors"] == []
    factory.contact("Ada", "Gold", custom_fields={"tier": "GOLD"})
    factory.contact("Bob", "Plain")
    await factory.save()
    meta = '{ filterMetadata(entity: "contact") { filters { field type operators options } } }'
    filters = (await client.execute(meta))["data"]["filterMetadata"][0]["filters"]
    (tier,) = [f for f in filters if f["field"] == "customFields.tier"]
    assert tier["type"] == "enum" and tier["options"] == {"values": ["GOLD", "SILVER"]}
    assert "in" in tier["operators"] and "contains" not in tier["operators"]
    assert await names(client, where(rule("customFields.tier", "in", ["GOLD", "SILVER"]))) == ["Gold"]
    body = (await client.post(CONTACTS, {"q": where(rule("customFields.tier", "=", "BRONZE"))})).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_FILTER_VALUE"]
