"""Ranked search across contacts, accounts and leads through /graphql: the exact name first, prefixes of
names, e-mail addresses and phone digits, highlights, cursors, the types filter, tenants, permissions and
row rules, writes seen at once, hostile text, and one statement count whatever the page size."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from conftest import Client, token_for
from factories import Factory, assert_clean_error, error_code, gid
from gateway.backends.sql import tables as t

SEARCH = """
query($text: String!, $types: [SearchType!], $first: Int, $after: String) {
  search(text: $text, types: $types, first: $first, after: $after) {
    edges {
      cursor
      node {
        type rank exactNameMatch highlight
        node { __typename ... on Contact { id } ... on Account { id } ... on Lead { id } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""
CONTACTS = "query($text: String) { contacts(search: $text) { totalCount edges { node { id } } } }"
ACCOUNTS = "query($text: String) { accounts(search: $text) { totalCount edges { node { id } } } }"
UPDATE = """
mutation($id: ID!, $input: ContactUpdateInput!) { contactUpdate(id: $id, input: $input) { errors { code } } }
"""
DELETE = "mutation($id: ID!) { contactDelete(id: $id) { errors { code } } }"
RESTORE = "mutation($id: ID!) { contactRestore(id: $id) { errors { code } } }"

HOSTILE = [
    "",
    "   ",
    '"',
    '"ada',
    "*",
    "ada*",
    ":",
    "name:ada",
    "NEAR",
    "NEAR(ada lovelace)",
    "-ada",
    "ada -lovelace",
    "AND OR NOT",
    "ada & | ! <-> lovelace",
    "'",
    "o'brien",
    "\\",
    "(((",
    "^ada",
    "{}[]",
    "%_%",
    "...",
    "ünïcödé 😀",
    "a" * 200,
]


def _caller(client: Client, settings: Any, tenant: str, *permissions: str, subject: str = "tester") -> Client:
    return Client(client.http, token_for(settings, tenant, subject=subject, permissions=list(permissions)))


async def _hits(client: Client, text: str, **variables: Any) -> list[dict[str, Any]]:
    body = await client.execute(SEARCH, {"text": text, **variables})
    return [edge["node"] for edge in body["data"]["search"]["edges"]]


async def _found(client: Client, text: str, **variables: Any) -> list[str]:
    return [hit["node"]["id"] for hit in await _hits(client, text, **variables)]


@pytest.fixture
async def world(factory: Factory) -> dict[str, str]:
    ada = factory.contact(
        "Ada",
        "Lovelace",
        emails=["ada.king@example.com"],
        phones=["+44 20 7946 0958"],
        company_name="Babbage",
    )
    # Says "Ada Lovelace" twice over, but it is not her full name: the exact match still leads.
    namesake = factory.contact("Adaline", "Lovelace", preferred_name="Ada Lovelace", middle_name="Ada")
    grace = factory.contact("Grace", "Hopper", emails=["amazing.grace@navy.example"])
    account = factory.account("Lovelace Analytics", alias="Engines", emails=["sales@analytics.example"])
    lead = factory.lead("Ada Lovelace renewal")
    await factory.save()
    return {
        "ada": gid("Contact", ada),
        "namesake": gid("Contact", namesake),
        "grace": gid("Contact", grace),
        "account": gid("Account", account),
        "lead": gid("Lead", lead),
    }


async def test_an_exact_full_name_match_ranks_first(client: Client, world: dict[str, str]) -> None:
    hits = await _hits(client, "  ada   LOVELACE ")
    assert hits[0]["node"]["id"] == world["ada"]
    assert [hit["exactNameMatch"] for hit in hits] == [True] + [False] * (len(hits) - 1)
    assert {hit["node"]["id"] for hit in hits} == {world["ada"], world["namesake"], world["lead"]}
    rest = [hit["rank"] for hit in hits[1:]]
    assert rest == sorted(rest, reverse=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lov", {"ada", "namesake", "account", "lead"}),  # a name's prefix
        ("Gra Hop", {"grace"}),  # every word a prefix
        ("ada.ki", {"ada"}),  # the parts of an e-mail address
        ("king@exam", {"ada"}),
        ("amazing.grace@navy.example", {"grace"}),  # the whole address
        ("sales@", {"account"}),  # an account's e-mail
        ("+44 20 79", {"ada"}),  # a phone number's leading digits, however written
        ("4420794", {"ada"}),
        ("(44) 207-946", {"ada"}),
        ("7946", set()),  # digits from the middle of a number are no prefix
        ("babb", {"ada"}),  # the company name
    ],
)
async def test_prefixes_of_names_emails_and_phone_digits_match(
    client: Client, world: dict[str, str], text: str, expected: set[str]
) -> None:
    assert set(await _found(client, text)) == {world[name] for name in expected}


async def test_hits_carry_highlights_of_the_matched_words(client: Client, world: dict[str, str]) -> None:
    hits = {hit["node"]["id"]: hit for hit in await _hits(client, "grac")}
    assert "<mark>Grace</mark>" in hits[world["grace"]]["highlight"]
    account = (await _hits(client, "analyt", types=["ACCOUNT"]))[0]
    assert "<mark>Analytics</mark>" in account["highlight"] and account["type"] == "ACCOUNT"


async def test_cursors_page_through_every_hit_once(client: Client, factory: Factory) -> None:
    ids = {gid("Contact", factory.contact("Grace", f"Number{i}")) for i in range(7)}
    await factory.save()
    seen: list[str] = []
    after = None
    while True:
        body = await client.execute(SEARCH, {"text": "grace", "first": 3, "after": after})
        page = body["data"]["search"]
        assert len(page["edges"]) <= 3
        seen += [edge["node"]["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 7 and set(seen) == ids


async def test_a_foreign_or_garbled_cursor_is_refused_cleanly(client: Client, world: dict[str, str]) -> None:
    contacts = await client.execute("{ contacts(first: 1) { pageInfo { endCursor } } }")
    for cursor in (contacts["data"]["contacts"]["pageInfo"]["endCursor"], "garbage", ""):
        response = await client.post(SEARCH, {"text": "ada", "after": cursor})
        assert error_code(response) == "INVALID_CURSOR"


async def test_the_types_filter_keeps_only_those_types(client: Client, world: dict[str, str]) -> None:
    hits = await _hits(client, "lovelace", types=["ACCOUNT", "LEAD"])
    assert {hit["node"]["__typename"] for hit in hits} == {"Account", "Lead"}
    assert {hit["type"] for hit in hits} == {"ACCOUNT", "LEAD"}
    assert await _found(client, "lovelace", types=[]) == []


async def test_another_tenant_finds_nothing(other_client: Client, world: dict[str, str]) -> None:
    assert await _found(other_client, "ada lovelace") == []
    body = await other_client.execute(CONTACTS, {"text": "ada"})
    assert body["data"]["contacts"]["totalCount"] == 0


async def test_hidden_contacts_are_never_found(
    client: Client, settings: Any, tenant: str, factory: Factory
) -> None:
    private = factory.contact("Secret", "Agent", created_by="someone-else")
    factory.contact_permission(private, owner_only=True)
    mine = factory.contact("Secret", "Diary", created_by="tester")
    factory.contact_permission(mine, owner_only=True)
    await factory.save()
    caller = _caller(client, settings, tenant, "CUST_READ", "CRM_SEARCH_ALL")
    assert await _found(caller, "secret") == [gid("Contact", mine)]
    assert (await caller.execute(CONTACTS, {"text": "secret agent"}))["data"]["contacts"]["totalCount"] == 0
    owner = _caller(client, settings, tenant, "CUST_READ", "CRM_SEARCH_ALL", subject="someone-else")
    assert await _found(owner, "secret agent") == [gid("Contact", private)]


async def test_updates_and_deletes_are_found_at_once(
    client: Client, world: dict[str, str], factory: Factory
) -> None:
    grace = world["grace"]
    updated = await client.execute(
        UPDATE,
        {"id": grace, "input": {"lastName": "Brewster", "emails": [{"email": "g.brewster@yale.example"}]}},
    )
    assert updated["data"]["contactUpdate"]["errors"] == []
    assert await _found(client, "grace brew") == [grace]
    assert await _found(client, "hopper") == []
    assert await _found(client, "amazing") == []
    assert await _found(client, "brewster@yale") == [grace]

    assert (await client.execute(DELETE, {"id": grace}))["data"]["contactDelete"]["errors"] == []
    assert await _found(client, "grace") == []
    assert (await client.execute(CONTACTS, {"text": "grace"}))["data"]["contacts"]["totalCount"] == 0
    assert (await client.execute(RESTORE, {"id": grace}))["data"]["contactRestore"]["errors"] == []
    assert await _found(client, "brewster@yale") == [grace]

    # A row removed behind the API's back leaves the index too (the triggers, not the writer, keep it).
    await factory.execute(sa.delete(t.emails).where(t.emails.c.tenant == factory.tenant))
    assert await _found(client, "brewster@yale") == []
    await factory.execute(sa.update(t.phones).values(number="+15550100"))
    assert await _found(client, "1555") == [world["ada"]]


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_text_is_read_as_words_never_as_syntax(
    client: Client, world: dict[str, str], text: str
) -> None:
    for query in (SEARCH, CONTACTS, ACCOUNTS):
        response = await client.post(query, {"text": text})
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body


async def test_hostile_words_still_find_what_they_name(client: Client, world: dict[str, str]) -> None:
    found = await _found(client, '"ada" -lovelace*', types=["CONTACT"])
    assert set(found) == {world["ada"], world["namesake"]}
    assert set(await _found(client, '"ada":*')) == set(await _found(client, "ada"))
    # "-" negates nothing and NEAR is a word like any other (no row has one beginning so).
    assert set(await _found(client, "lovelace -ada")) == set(await _found(client, "ada lovelace"))
    assert await _found(client, "NEAR(ada lovelace)") == []


@pytest.mark.parametrize(
    ("query", "text", "code"),
    [
        (SEARCH, "a" * 201, "SEARCH_TEXT_TOO_LONG"),
        (SEARCH, "ada\x00lovelace", "INVALID_SEARCH_TEXT"),
        (SEARCH, "\x00", "INVALID_SEARCH_TEXT"),
        (CONTACTS, "ada\x00", "INVALID_FILTER"),  # as for every filter value (tests/test_bad_input.py)
    ],
)
async def test_text_the_database_cannot_take_is_refused_with_a_code(
    client: Client, query: str, text: str, code: str
) -> None:
    response = await client.post(query, {"text": text})
    assert_clean_error(response)
    assert error_code(response) == code


async def test_the_list_search_argument_uses_the_same_index(client: Client, world: dict[str, str]) -> None:
    contacts = await client.execute(CONTACTS, {"text": "king@exam"})
    assert [edge["node"]["id"] for edge in contacts["data"]["contacts"]["edges"]] == [world["ada"]]
    phone = await client.execute(CONTACTS, {"text": "+44 207"})
    assert phone["data"]["contacts"]["totalCount"] == 1
    accounts = await client.execute(ACCOUNTS, {"text": "lovel analyt"})
    assert [edge["node"]["id"] for edge in accounts["data"]["accounts"]["edges"]] == [world["account"]]


async def test_statement_count_does_not_grow_with_the_page_size(client: Client, factory: Factory) -> None:
    for i in range(12):
        contact = factory.contact("Ada", f"Clone{i}")
        factory.lead(f"Ada deal {i}", contact_id=contact)
        factory.account(f"Ada Works {i}")
    await factory.save()
    counts = {}
    for size in (2, 20):
        body = await client.execute(SEARCH, {"text": "ada", "first": size})
        assert len(body["data"]["search"]["edges"]) == min(size, 36)
        counts[size] = body["extensions"]["cost"]["sqlStatements"]
    # The search, then one batched load per type among the hits: at most three (contacts, accounts,
    # leads), however many hits of each; the two hits of a page of 2 may be of one or two types.
    assert counts[2] <= counts[20] == 4, counts


async def test_search_of_an_unknown_type_is_a_clean_error(client: Client) -> None:
    response = await client.post(SEARCH, {"text": "ada", "types": ["TASK"]})
    assert_clean_error(response)
