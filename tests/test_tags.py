"""Tags of contacts and organizations (seed 000 Tag): adding and removing several at once, the
catalogue with usage counts, filtering by tag, node IDs, and every bad input with its seed code and
nothing half-written."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from conftest import Client, token_for
from factories import Factory, gid

ASSIGN = """
mutation($input: TagAssignInput!) {
  tagAssign(input: $input) {
    tags { id value } ownerIds seedCode
    errors { field code seedCode message }
  }
}
"""
UNASSIGN = """
mutation($input: TagAssignInput!) {
  tagUnassign(input: $input) { tags { id value } ownerIds errors { field code seedCode } }
}
"""
TAGS_OF = """
query($contact: ID!, $account: ID!) {
  contact(id: $contact) { tags { totalCount edges { node { value } } } }
  account(id: $account) { tags { totalCount edges { node { value } } } }
}
"""
CATALOGUE = "{ tags(orderBy: [{field: VALUE}]) { totalCount edges { node { id value usageCount } } } }"
UNKNOWN = uuid.UUID(int=7)


def _caller(client: Client, settings: Any, tenant: str, *permissions: str, subject: str = "tester") -> Client:
    return Client(client.http, token_for(settings, tenant, subject=subject, permissions=list(permissions)))


def _values(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["value"] for edge in connection["edges"]]


async def _catalogue(client: Client) -> dict[str, dict[str, Any]]:
    body = await client.execute(CATALOGUE)
    return {edge["node"]["value"]: edge["node"] for edge in body["data"]["tags"]["edges"]}


@pytest.fixture
async def owners(factory: Factory) -> dict[str, uuid.UUID]:
    ada = factory.contact("Ada", "Lovelace")
    bob = factory.contact("Bob", "Babbage")
    acme = factory.account("Acme", contacts=[ada])
    await factory.save()
    return {"ada": ada, "bob": bob, "acme": acme}


async def test_several_tags_go_to_several_contacts_and_organizations_at_once(
    client: Client, owners: dict[str, uuid.UUID]
) -> None:
    owner_ids = [gid("Contact", owners["ada"]), gid("Contact", owners["bob"]), gid("Account", owners["acme"])]
    body = await client.execute(ASSIGN, {"input": {"ownerIds": owner_ids, "values": ["VIP", " Churn risk "]}})
    result = body["data"]["tagAssign"]
    assert result["errors"] == [] and result["seedCode"] == "CUST3000"
    assert [tag["value"] for tag in result["tags"]] == ["VIP", "Churn risk"]
    assert result["ownerIds"] == owner_ids

    # The same text in another case is the same tag; carrying it already is fine.
    again = await client.execute(ASSIGN, {"input": {"ownerIds": owner_ids[:1], "values": ["vip"]}})
    assert again["data"]["tagAssign"]["tags"] == result["tags"][:1]

    tags = await client.execute(TAGS_OF, {"contact": owner_ids[0], "account": owner_ids[2]})
    assert _values(tags["data"]["contact"]["tags"]) == ["VIP", "Churn risk"]
    assert tags["data"]["account"]["tags"]["totalCount"] == 2
    catalogue = await _catalogue(client)
    assert {value: tag["usageCount"] for value, tag in catalogue.items()} == {"Churn risk": 3, "VIP": 3}


async def test_removing_tags_leaves_the_catalogue_and_other_owners_alone(
    client: Client, factory: Factory, owners: dict[str, uuid.UUID]
) -> None:
    vip, lead = factory.tag("VIP"), factory.tag("Lead magnet")
    for owner in owners.values():
        factory.tag_owner(owner, vip, lead)
    await factory.save()
    removed = [gid("Contact", owners["ada"]), gid("Account", owners["acme"])]
    body = await client.execute(UNASSIGN, {"input": {"ownerIds": removed, "tagIds": [gid("Tag", vip)]}})
    assert body["data"]["tagUnassign"]["errors"] == []
    assert body["data"]["tagUnassign"]["tags"] == [{"id": gid("Tag", vip), "value": "VIP"}]
    tags = await client.execute(TAGS_OF, {"contact": removed[0], "account": removed[1]})
    assert _values(tags["data"]["contact"]["tags"]) == ["Lead magnet"]
    assert _values(tags["data"]["account"]["tags"]) == ["Lead magnet"]
    catalogue = await _catalogue(client)
    assert catalogue["VIP"]["usageCount"] == 1 and catalogue["Lead magnet"]["usageCount"] == 3


async def test_usage_counts_only_what_the_caller_may_see(
    client: Client, factory: Factory, settings: Any, tenant: str
) -> None:
    vip = factory.tag("VIP")
    private = factory.contact("Secret", "Agent", created_by="someone-else")
    factory.contact_permission(private, owner_only=True)
    for owner in (factory.contact("Ada", "Lovelace"), private, factory.account("Acme")):
        factory.tag_owner(owner, vip)
    await factory.save()
    assert (await _catalogue(client))["VIP"]["usageCount"] == 3  # an administrator sees every contact
    reader = _caller(client, settings, tenant, "CUST_READ", "CUST_ORGANIZATION_VIEW")
    assert (await _catalogue(reader))["VIP"]["usageCount"] == 2  # the private contact stays hidden
    contacts_only = _caller(client, settings, tenant, "CUST_READ")
    assert (await _catalogue(contacts_only))["VIP"]["usageCount"] == 1
    body = (await contacts_only.post("{ tags { edges { node { accounts { totalCount } } } } }")).json()
    assert body["errors"][0]["extensions"]["permission"] == "CUST_ORGANIZATION_VIEW"


FILTERED = """
query($contacts: ContactFilter, $accounts: AccountFilter) {
  contacts(filter: $contacts) { edges { node { firstName } } }
  accounts(filter: $accounts) { edges { node { name } } }
}
"""


async def test_contacts_and_accounts_filter_by_tag_any_all_and_none_of(
    client: Client, factory: Factory
) -> None:
    vip, churn, gone = factory.tag("VIP"), factory.tag("Churn"), factory.tag("Gone", is_deleted=True)
    both = factory.contact("Both", "X")
    factory.tag_owner(both, vip, churn)
    factory.tag_owner(factory.contact("Vip", "X"), vip)
    factory.tag_owner(factory.contact("Churn", "X"), churn, gone)
    factory.contact("None", "X")
    factory.tag_owner(factory.account("Tagged"), vip)
    factory.account("Plain")
    await factory.save()
    v, c, g = gid("Tag", vip), gid("Tag", churn), gid("Tag", gone)

    async def names(contacts: Any, accounts: Any = None) -> tuple[list[str], list[str]]:
        body = await client.execute(FILTERED, {"contacts": contacts, "accounts": accounts})
        found = body["data"]
        return (
            [edge["node"]["firstName"] for edge in found["contacts"]["edges"]],
            [edge["node"]["name"] for edge in found["accounts"]["edges"]],
        )

    any_of = {"tags": {"in": [v, c]}}
    assert await names(any_of, {"tags": {"in": [v]}}) == (["Both", "Vip", "Churn"], ["Tagged"])
    all_of = {"and": [{"tags": {"eq": v}}, {"tags": {"eq": c}}]}
    assert (await names(all_of))[0] == ["Both"]
    none_of = {"tags": {"notIn": [v]}}
    assert await names(none_of, none_of) == (["Churn", "None"], ["Plain"])
    assert (await names({"tags": {"isNull": True}}))[0] == ["None"]
    assert (await names({"tags": {"ne": c}}))[0] == ["Vip", "None"]
    assert (await names({"tags": {"eq": g}}))[0] == []  # a deleted tag is carried by nobody

    response = await client.post(FILTERED, {"contacts": {"tags": {"eq": gid("Contact", both)}}})
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_ID"


async def test_the_catalogue_creates_and_renames_tags_unique_ignoring_case(client: Client) -> None:
    created = await client.execute(
        'mutation { tagCreate(input: {value: "Partner"}) { tag { id value } errors { code } } }'
    )
    tag = created["data"]["tagCreate"]["tag"]
    duplicate = await client.execute(
        'mutation { tagCreate(input: {value: " partner"}) { tag { id } errors { field code seedCode } } }'
    )
    assert duplicate["data"]["tagCreate"] == {
        "tag": None,
        "errors": [{"field": ["input", "value"], "code": "INVALID", "seedCode": "CUST3100"}],
    }
    renamed = await client.execute(
        'mutation($id: ID!) { tagUpdate(id: $id, input: {value: "Key partner"}) { tag { value version } } }',
        {"id": tag["id"]},
    )
    assert renamed["data"]["tagUpdate"]["tag"] == {"value": "Key partner", "version": 2}
    blank = await client.execute(
        'mutation { tagCreate(input: {value: "  "}) { tag { id } errors { code seedCode } } }'
    )
    assert blank["data"]["tagCreate"]["errors"] == [{"code": "REQUIRED", "seedCode": "CUST3101"}]
    assert set(await _catalogue(client)) == {"Key partner"}


async def test_node_finds_a_tag_in_its_own_tenant_only(
    client: Client, other_client: Client, factory: Factory, settings: Any, tenant: str
) -> None:
    tag = gid("Tag", factory.tag("VIP"))
    await factory.save()
    query = f'{{ node(id: "{tag}") {{ id ... on Tag {{ value usageCount }} }} }}'
    assert (await client.execute(query))["data"]["node"] == {"id": tag, "value": "VIP", "usageCount": 0}
    assert (await other_client.execute(query))["data"]["node"] is None
    assert (await other_client.execute(CATALOGUE))["data"]["tags"]["totalCount"] == 0
    refused = (await _caller(client, settings, tenant, "CUST_ORGANIZATION_VIEW").post(query)).json()
    assert refused["errors"][0]["extensions"]["permission"] == "CUST_READ"


def _bad_inputs(owners: dict[str, uuid.UUID], foreign: uuid.UUID) -> list[tuple[dict[str, Any], list[Any]]]:
    """(input, [field, code, seed code] of the first error)."""
    ada = gid("Contact", owners["ada"])
    vip: dict[str, Any] = {"ownerIds": [ada], "values": ["VIP"]}
    owner, tag = ["input", "ownerIds"], ["input", "tagIds", "0"]
    return [
        ({"ownerIds": [], "values": ["VIP"]}, [owner, "REQUIRED", "CUST3101"]),
        ({"ownerIds": [ada]}, [["input", "values"], "REQUIRED", "CUST3101"]),
        ({**vip, "values": ["VIP", " "]}, [["input", "values", "1"], "REQUIRED", "CUST3101"]),
        ({**vip, "values": ["x" * 101]}, [["input", "values", "0"], "INVALID", "CUST3100"]),
        ({**vip, "values": ["a\x00b"]}, [["input", "values", "0"], "INVALID", "CUST3100"]),
        ({**vip, "values": [str(i) for i in range(21)]}, [["input", "values"], "INVALID", "CUST3100"]),
        ({**vip, "ownerIds": [ada, gid("Lead", UNKNOWN)]}, [[*owner, "1"], "INVALID", "CUST3104"]),
        ({**vip, "ownerIds": ["not-an-id"]}, [[*owner, "0"], "NOT_FOUND", "CUST3102"]),
        ({**vip, "ownerIds": [ada, gid("Contact", UNKNOWN)]}, [[*owner, "1"], "NOT_FOUND", "CUST3102"]),
        ({**vip, "ownerIds": [ada, gid("Contact", foreign)]}, [[*owner, "1"], "NOT_FOUND", "CUST3102"]),
        ({**vip, "tagIds": [gid("Tag", UNKNOWN)]}, [tag, "NOT_FOUND", "CUST3100"]),
        ({**vip, "tagIds": [ada]}, [tag, "INVALID", "CUST3100"]),
    ]


async def test_bad_inputs_answer_seed_codes_and_write_nothing(
    client: Client, factory: Factory, owners: dict[str, uuid.UUID]
) -> None:
    elsewhere = Factory(factory.engine, f"o{uuid.uuid4().hex[:12]}")
    foreign = elsewhere.contact("Foreign", "Tenant")
    await elsewhere.save()
    for input, expected in _bad_inputs(owners, foreign):
        body = await client.execute(ASSIGN, {"input": input})
        result = body["data"]["tagAssign"]
        assert result["tags"] is None and result["seedCode"] is None, input
        first = result["errors"][0]
        assert [first["field"], first["code"], first["seedCode"]] == expected, input
    tags = await client.execute(
        TAGS_OF, {"contact": gid("Contact", owners["ada"]), "account": gid("Account", owners["acme"])}
    )
    assert tags["data"]["contact"]["tags"]["totalCount"] == 0
    assert await _catalogue(client) == {}  # no tag was created by any of them

    unknown = await client.execute(
        UNASSIGN, {"input": {"ownerIds": [gid("Contact", owners["ada"])], "values": ["Nope"]}}
    )
    assert unknown["data"]["tagUnassign"]["errors"] == [
        {"field": ["input", "values", "0"], "code": "NOT_FOUND", "seedCode": "CUST3100"}
    ]


async def test_an_organization_needs_its_view_permission_to_be_tagged(
    client: Client, settings: Any, tenant: str, owners: dict[str, uuid.UUID]
) -> None:
    caller = _caller(client, settings, tenant, "CUST_TAG_ADD", "CUST_READ")
    input = {"ownerIds": [gid("Contact", owners["ada"]), gid("Account", owners["acme"])], "values": ["VIP"]}
    body = await caller.execute(ASSIGN, {"input": input})
    assert body["data"]["tagAssign"]["errors"] == [
        {
            "field": ["input", "ownerIds", "1"],
            "code": "PERMISSION_DENIED",
            "seedCode": "CUST3103",
            "message": "Permission denied to object to assign or unassign tag(s): this needs "
            "CUST_ORGANIZATION_VIEW.",
        }
    ]
    refused = (await _caller(client, settings, tenant, "CUST_READ").post(ASSIGN, {"input": input})).json()
    extensions = refused["errors"][0]["extensions"]
    assert (extensions["code"], extensions["permission"], extensions["seedCode"]) == (
        "FORBIDDEN",
        "CUST_TAG_ADD",
        "CUST3103",
    )
    assert refused["data"]["tagAssign"] is None


async def test_filtering_by_tag_needs_what_reading_tags_needs(
    client: Client, factory: Factory, settings: Any, tenant: str
) -> None:
    vip = gid("Tag", factory.tag("VIP"))
    factory.account("Acme")
    await factory.save()
    organizations_only = _caller(client, settings, tenant, "CUST_ORGANIZATION_VIEW")
    query = "query($f: AccountFilter) { accounts(filter: $f) { totalCount } }"
    assert (await organizations_only.execute(query))["data"]["accounts"] == {"totalCount": 1}
    refused = (await organizations_only.post(query, {"f": {"not": {"tags": {"in": [vip]}}}})).json()
    assert refused["data"]["accounts"] is None
    assert refused["errors"][0]["extensions"]["permission"] == "CUST_READ"


async def test_usage_counts_are_batched_per_level(client: Client, factory: Factory) -> None:
    contact, account = factory.contact("Ada", "Lovelace"), factory.account("Acme")
    for i in range(30):
        tag = factory.tag(f"Tag {i:02d}")
        factory.tag_owner(contact, tag)
        if i % 2:
            factory.tag_owner(account, tag)
    await factory.save()
    costs = {}
    for n in (2, 30):
        query = (
            "query($n: Int!) { tags(first: $n, orderBy: [{field: VALUE}]) { edges { node { usageCount } } } }"
        )
        body = await client.execute(query, {"n": n})
        assert [edge["node"]["usageCount"] for edge in body["data"]["tags"]["edges"]] == [1, 2] * (n // 2)
        costs[n] = body["extensions"]["cost"]["sqlStatements"]
    assert costs[2] == costs[30]


async def test_concurrent_first_uses_of_a_value_make_one_tag(
    client: Client, owners: dict[str, uuid.UUID]
) -> None:
    """Callers that all find a value new race to create it: one tag results, and a loser is told
    INVALID (nothing written) rather than meeting an internal error."""
    input = {"ownerIds": [gid("Contact", owners["ada"])], "values": ["Brand new"]}
    responses = await asyncio.gather(*(client.post(ASSIGN, {"input": input}) for _ in range(4)))
    outcomes = []
    for response in responses:
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        errors = body["data"]["tagAssign"]["errors"]
        outcomes.append([(e["field"], e["code"]) for e in errors])
    assert [] in outcomes
    assert all(outcome in ([], [(["input", "value"], "INVALID")]) for outcome in outcomes), outcomes
    assert {value: tag["usageCount"] for value, tag in (await _catalogue(client)).items()} == {"Brand new": 1}
