"""Comments on contacts and organizations (seed 000 Comment): the caller is the author; only the author
or a CUST_WRITE holder changes or removes one; bad inputs answer the seed's codes and write nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from conftest import Client, token_for
from factories import Factory, gid

CREATE = """
mutation($input: CommentCreateInput!) {
  commentCreate(input: $input) {
    comment { id text createdBy author { username } contact { id } account { id } }
    errors { field code seedCode }
  }
}
"""
UPDATE = """
mutation($id: ID!, $text: String) {
  commentUpdate(id: $id, input: {text: $text}) {
    comment { text modifiedBy version } errors { field code seedCode }
  }
}
"""
DELETE = "mutation($id: ID!) { commentDelete(id: $id) { deletedId errors { field code seedCode } } }"
RESTORE = "mutation($id: ID!) { commentRestore(id: $id) { comment { text } errors { code seedCode } } }"
COMMENTS_OF = """
query($contact: ID!, $after: String) {
  contact(id: $contact) {
    comments(first: 2, after: $after) {
      totalCount edges { node { text } } pageInfo { hasNextPage endCursor }
    }
  }
}
"""
UNKNOWN = uuid.UUID(int=7)


def _caller(client: Client, settings: Any, tenant: str, subject: str, *permissions: str) -> Client:
    return Client(client.http, token_for(settings, tenant, subject=subject, permissions=list(permissions)))


@pytest.fixture
async def owners(factory: Factory) -> dict[str, str]:
    factory.user("tester", firstname="Tess")
    ada = factory.contact("Ada", "Lovelace")
    acme = factory.account("Acme", contacts=[ada])
    await factory.save()
    return {"contact": gid("Contact", ada), "account": gid("Account", acme)}


async def _comment(client: Client, owner: str, text: str) -> str:
    query = """mutation($input: CommentCreateInput!) {
      commentCreate(input: $input) { comment { id } errors { code } }
    }"""
    body = await client.execute(query, {"input": {"ownerId": owner, "text": text}})
    assert body["data"]["commentCreate"]["errors"] == []
    return body["data"]["commentCreate"]["comment"]["id"]  # type: ignore[no-any-return]


async def test_the_caller_comments_on_contacts_and_organizations(
    client: Client, owners: dict[str, str]
) -> None:
    body = await client.execute(
        CREATE, {"input": {"ownerId": owners["contact"], "text": "Called, all good."}}
    )
    comment = body["data"]["commentCreate"]["comment"]
    assert comment["text"] == "Called, all good." and comment["createdBy"] == "tester"
    assert comment["author"] == {"username": "tester"}
    assert comment["contact"] == {"id": owners["contact"]} and comment["account"] is None
    body = await client.execute(CREATE, {"input": {"ownerId": owners["account"], "text": "Renewal due."}})
    on_account = body["data"]["commentCreate"]["comment"]
    assert on_account["account"] == {"id": owners["account"]} and on_account["contact"] is None

    for text in ("Second", "Third"):
        await _comment(client, owners["contact"], text)
    page = (await client.execute(COMMENTS_OF, {"contact": owners["contact"]}))["data"]["contact"]["comments"]
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"] is True
    assert [edge["node"]["text"] for edge in page["edges"]] == ["Called, all good.", "Second"]
    after = page["pageInfo"]["endCursor"]
    rest = await client.execute(COMMENTS_OF, {"contact": owners["contact"], "after": after})
    assert [edge["node"]["text"] for edge in rest["data"]["contact"]["comments"]["edges"]] == ["Third"]
    account = await client.execute(
        f'{{ account(id: "{owners["account"]}") {{ comments {{ edges {{ node {{ text }} }} }} }} }}'
    )
    assert account["data"]["account"]["comments"]["edges"] == [{"node": {"text": "Renewal due."}}]


async def test_only_the_author_or_a_cust_write_holder_changes_a_comment(
    client: Client, settings: Any, tenant: str, owners: dict[str, str]
) -> None:
    author = _caller(client, settings, tenant, "author", "CUST_READ")
    reader = _caller(client, settings, tenant, "reader", "CUST_READ")
    editor = _caller(client, settings, tenant, "editor", "CUST_READ", "CUST_WRITE")
    comment = await _comment(author, owners["contact"], "Mine")

    denied = {"field": ["id"], "code": "PERMISSION_DENIED", "seedCode": "CUST4103"}
    body = await reader.execute(UPDATE, {"id": comment, "text": "Theirs"})
    assert body["data"]["commentUpdate"] == {"comment": None, "errors": [denied]}
    body = await reader.execute(DELETE, {"id": comment})
    assert body["data"]["commentDelete"] == {"deletedId": None, "errors": [denied]}

    body = await author.execute(UPDATE, {"id": comment, "text": "Mine, edited"})
    assert body["data"]["commentUpdate"]["comment"] == {
        "text": "Mine, edited",
        "modifiedBy": "author",
        "version": 2,
    }
    body = await editor.execute(UPDATE, {"id": comment, "text": "Moderated"})
    assert body["data"]["commentUpdate"]["comment"]["modifiedBy"] == "editor"
    assert (await editor.execute(DELETE, {"id": comment}))["data"]["commentDelete"]["deletedId"] == comment
    page = (await author.execute(COMMENTS_OF, {"contact": owners["contact"]}))["data"]["contact"]["comments"]
    assert page["totalCount"] == 0
    restored = await author.execute(RESTORE, {"id": comment})
    assert restored["data"]["commentRestore"]["comment"] == {"text": "Moderated"}


async def test_bad_inputs_answer_seed_codes_and_write_nothing(
    client: Client, factory: Factory, owners: dict[str, str]
) -> None:
    elsewhere = Factory(factory.engine, f"o{uuid.uuid4().hex[:12]}")
    foreign = gid("Contact", elsewhere.contact("Foreign", "Tenant"))
    await elsewhere.save()
    contact, owner = owners["contact"], ["input", "ownerId"]
    cases = [
        ({"ownerId": contact, "text": ""}, [["input", "text"], "REQUIRED", "CUST4101"]),
        ({"ownerId": contact, "text": "   "}, [["input", "text"], "REQUIRED", "CUST4101"]),
        ({"ownerId": contact, "text": "x" * 10_001}, [["input", "text"], "INVALID", "CUST4100"]),
        ({"ownerId": contact, "text": "a\x00b"}, [["input", "text"], "INVALID", "CUST4100"]),
        ({"ownerId": gid("Lead", UNKNOWN), "text": "Hi"}, [owner, "INVALID", "CUST4104"]),
        ({"ownerId": "not-an-id", "text": "Hi"}, [owner, "NOT_FOUND", "CUST4102"]),
        ({"ownerId": gid("Contact", UNKNOWN), "text": "Hi"}, [owner, "NOT_FOUND", "CUST4102"]),
        ({"ownerId": foreign, "text": "Hi"}, [owner, "NOT_FOUND", "CUST4102"]),
    ]
    for input, expected in cases:
        result = (await client.execute(CREATE, {"input": input}))["data"]["commentCreate"]
        assert result["comment"] is None, input
        first = result["errors"][0]
        assert [first["field"], first["code"], first["seedCode"]] == expected, input
    page = (await client.execute(COMMENTS_OF, {"contact": contact}))["data"]["contact"]["comments"]
    assert page["totalCount"] == 0

    comment = await _comment(client, contact, "Kept")
    body = await client.execute(UPDATE, {"id": comment, "text": " "})
    assert body["data"]["commentUpdate"]["errors"] == [
        {"field": ["input", "text"], "code": "REQUIRED", "seedCode": "CUST4101"}
    ]
    missing = await client.execute(UPDATE, {"id": gid("Comment", UNKNOWN), "text": "Hi"})
    assert missing["data"]["commentUpdate"]["errors"] == [
        {"field": ["id"], "code": "NOT_FOUND", "seedCode": "CUST4106"}
    ]
    wrong_type = (await client.post(UPDATE, {"id": contact, "text": "Hi"})).json()
    assert wrong_type["errors"][0]["extensions"]["code"] == "INVALID_ID"
    page = (await client.execute(COMMENTS_OF, {"contact": contact}))["data"]["contact"]["comments"]
    assert [edge["node"]["text"] for edge in page["edges"]] == ["Kept"]


async def test_an_organization_comment_needs_its_view_permission(
    client: Client, settings: Any, tenant: str, owners: dict[str, str]
) -> None:
    on_account = await _comment(client, owners["account"], "Org note")
    contacts_only = _caller(client, settings, tenant, "reader", "CUST_READ")
    body = await contacts_only.execute(CREATE, {"input": {"ownerId": owners["account"], "text": "Hi"}})
    assert body["data"]["commentCreate"]["errors"] == [
        {"field": ["input", "ownerId"], "code": "PERMISSION_DENIED", "seedCode": "CUST4103"}
    ]
    node = f'{{ node(id: "{on_account}") {{ id }} }}'
    assert (await contacts_only.execute(node))["data"]["node"] is None
    assert (await client.execute(node))["data"]["node"] == {"id": on_account}


async def test_comments_of_a_hidden_contact_or_another_tenant_do_not_exist(
    client: Client, other_client: Client, factory: Factory, settings: Any, tenant: str
) -> None:
    private = factory.contact("Secret", "Agent", created_by="someone-else")
    factory.contact_permission(private, owner_only=True)
    hidden = gid("Comment", factory.comment(private, "Hush", created_by="someone-else"))
    await factory.save()
    query = f'{{ node(id: "{hidden}") {{ id ... on Comment {{ text }} }} }}'
    assert (await client.execute(query))["data"]["node"] == {"id": hidden, "text": "Hush"}  # an admin
    reader = _caller(client, settings, tenant, "reader", "CUST_READ", "CUST_WRITE")
    assert (await reader.execute(query))["data"]["node"] is None
    body = await reader.execute(UPDATE, {"id": hidden, "text": "Changed"})
    assert body["data"]["commentUpdate"]["errors"][0]["seedCode"] == "CUST4106"
    assert (await other_client.execute(query))["data"]["node"] is None
    refused = (await _caller(client, settings, tenant, "x", "CUST_ORGANIZATION_VIEW").post(query)).json()
    assert refused["errors"][0]["extensions"]["permission"] == "CUST_READ"
