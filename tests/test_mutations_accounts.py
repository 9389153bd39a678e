"""Account mutations: create, update, soft delete, restore, and the account's contacts."""

from __future__ import annotations

import uuid
from typing import Any

from conftest import Client
from resolvers.common.ids import encode_global_id

FIELDS = """
id name alias city isActive version isDeleted
primaryContact { id }
emails { email isPrimary } phones { number mode } thirdPartyIds { systemName thirdPartyId }
contacts(first: 10) { totalCount edges { node { id } } }
"""
ERRORS = "errors { field code seedCode message }"
CREATE = f"""
mutation($input: AccountCreateInput!, $key: String) {{
  accountCreate(input: $input, idempotencyKey: $key) {{ account {{ {FIELDS} }} {ERRORS} }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $input: AccountUpdateInput!, $version: Int) {{
  accountUpdate(id: $id, input: $input, expectedVersion: $version) {{ account {{ {FIELDS} }} {ERRORS} }}
}}
"""
DELETE = f"mutation($id: ID!) {{ accountDelete(id: $id) {{ deletedId {ERRORS} }} }}"
RESTORE = f"mutation($id: ID!) {{ accountRestore(id: $id) {{ account {{ id isDeleted }} {ERRORS} }} }}"
ADD = f"""
mutation($account: ID!, $contact: ID!) {{
  accountAddContact(accountId: $account, contactId: $contact) {{
    account {{ id contacts {{ totalCount }} }} contact {{ id }} {ERRORS}
  }}
}}
"""
REMOVE = f"""
mutation($account: ID!, $contact: ID!) {{
  accountRemoveContact(accountId: $account, contactId: $contact) {{
    account {{ id contacts {{ totalCount }} }} contact {{ id }} {ERRORS}
  }}
}}
"""
READ = f"""
query($id: ID!) {{
  account(id: $id) {{ {FIELDS} }}
  node(id: $id) {{ id }}
  accounts(first: 10) {{ totalCount }}
}}
"""
CONTACT_CREATE = """
mutation($input: ContactCreateInput!) { contactCreate(input: $input) { contact { id } errors { code } } }
"""
CONTACT_ACCOUNTS = """
query($id: ID!) { contact(id: $id) { accounts(first: 10) { totalCount edges { node { id } } } } }
"""


async def data(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    body = await client.execute(query, variables)
    return body["data"]  # type: ignore[no-any-return]


def codes(payload: dict[str, Any]) -> list[tuple[list[str] | None, str, str | None]]:
    return [(e["field"], e["code"], e["seedCode"]) for e in payload["errors"]]


async def new_contact(client: Client, last_name: str = "Doe") -> str:
    payload = await data(client, CONTACT_CREATE, input={"firstName": "Jo", "lastName": last_name})
    return payload["contactCreate"]["contact"]["id"]  # type: ignore[no-any-return]


async def new_account(client: Client, **values: Any) -> dict[str, Any]:
    payload = (await data(client, CREATE, input={"name": "Acme", **values}))["accountCreate"]
    assert payload["errors"] == []
    return payload["account"]  # type: ignore[no-any-return]


def ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


async def account_count(client: Client) -> int:
    return (await data(client, "{ accounts { totalCount } }"))["accounts"]["totalCount"]  # type: ignore[no-any-return]


async def test_create_with_primary_contact_and_details(client: Client) -> None:
    contact = await new_contact(client)
    account = await new_account(
        client,
        alias="ACME",
        city="Montreal",
        primaryContactId=contact,
        emails=[{"email": "sales@Example.com", "isPrimary": True}],
        phones=[{"number": "(514) 555-0123", "countryCode": "CA", "mode": "MOBILE"}],
        thirdPartyIds=[{"systemName": "CONECRM", "thirdPartyId": "A-1"}],
    )
    assert account["name"] == "Acme" and account["alias"] == "ACME" and account["isActive"] is True
    assert account["primaryContact"] == {"id": contact}
    assert account["emails"] == [{"email": "sales@example.com", "isPrimary": True}]
    assert account["phones"] == [{"number": "+15145550123", "mode": "MOBILE"}]
    assert account["thirdPartyIds"] == [{"systemName": "CONECRM", "thirdPartyId": "A-1"}]
    assert ids(account["contacts"]) == [contact]
    read = await data(client, READ, id=account["id"])
    assert read["account"] == account and read["node"] == {"id": account["id"]}
    contact_accounts = (await data(client, CONTACT_ACCOUNTS, id=contact))["contact"]["accounts"]
    assert ids(contact_accounts) == [account["id"]]


async def test_name_is_required(client: Client) -> None:
    for name in ("", "  "):
        payload = (await data(client, CREATE, input={"name": name}))["accountCreate"]
        assert payload["account"] is None
        assert codes(payload) == [(["input", "name"], "REQUIRED", "CUST2101")]
    assert await account_count(client) == 0


async def test_invalid_details_are_reported(client: Client) -> None:
    payload = (
        await data(
            client,
            CREATE,
            input={"name": "Acme", "emails": [{"email": "nope"}], "phones": [{"number": "abc"}]},
        )
    )["accountCreate"]
    assert [(e["field"], e["code"], e["seedCode"]) for e in payload["errors"]] == [
        (["input", "emails", "0", "email"], "INVALID_EMAIL", None),
        (["input", "phones", "0", "number"], "INVALID_PHONE", "CUST5115"),
    ]
    assert await account_count(client) == 0


async def test_unknown_primary_contact_creates_nothing(client: Client) -> None:
    unknown = encode_global_id("Contact", uuid.uuid4())
    payload = (await data(client, CREATE, input={"name": "Acme", "primaryContactId": unknown}))[
        "accountCreate"
    ]
    assert payload["account"] is None
    assert codes(payload) == [(["input", "primaryContactId"], "NOT_FOUND", "CUST1102")]
    wrong_type = encode_global_id("Account", uuid.uuid4())
    payload = (await data(client, CREATE, input={"name": "Acme", "primaryContactId": wrong_type}))[
        "accountCreate"
    ]
    assert codes(payload) == [(["input", "primaryContactId"], "NOT_FOUND", "CUST1102")]
    garbage = (await data(client, CREATE, input={"name": "Acme", "primaryContactId": "%%%"}))["accountCreate"]
    assert codes(garbage) == [(["input", "primaryContactId"], "NOT_FOUND", "CUST1102")]
    assert await account_count(client) == 0


async def test_idempotent_create(client: Client) -> None:
    first = (await data(client, CREATE, input={"name": "Acme"}, key="retry-1"))["accountCreate"]
    again = (await data(client, CREATE, input={"name": "Acme"}, key="retry-1"))["accountCreate"]
    assert again["errors"] == [] and again["account"]["id"] == first["account"]["id"]
    assert await account_count(client) == 1
    reused = (await data(client, CREATE, input={"name": "Other"}, key="retry-1"))["accountCreate"]
    assert reused["account"] is None
    assert codes(reused) == [(["idempotencyKey"], "IDEMPOTENCY_KEY_REUSED", None)]
    assert await account_count(client) == 1


async def test_update_with_expected_version(client: Client) -> None:
    account = await new_account(client, city="Laval")
    updated = (await data(client, UPDATE, id=account["id"], input={"name": "Acme Inc"}, version=1))[
        "accountUpdate"
    ]
    assert updated["errors"] == []
    assert updated["account"]["name"] == "Acme Inc" and updated["account"]["city"] == "Laval"
    assert updated["account"]["version"] == 2
    stale = (await data(client, UPDATE, id=account["id"], input={"name": "Lost"}, version=1))["accountUpdate"]
    assert stale["account"] is None and codes(stale) == [(["expectedVersion"], "CONFLICT", None)]
    read = (await data(client, READ, id=account["id"]))["account"]
    assert read["name"] == "Acme Inc" and read["version"] == 2


async def test_update_sets_and_links_the_primary_contact(client: Client) -> None:
    account, contact = await new_account(client), await new_contact(client)
    updated = (await data(client, UPDATE, id=account["id"], input={"primaryContactId": contact}))[
        "accountUpdate"
    ]
    assert updated["account"]["primaryContact"] == {"id": contact}
    assert ids(updated["account"]["contacts"]) == [contact]
    cleared = (await data(client, UPDATE, id=account["id"], input={"primaryContactId": None}))[
        "accountUpdate"
    ]
    assert cleared["errors"] == [] and cleared["account"]["primaryContact"] is None
    assert ids(cleared["account"]["contacts"]) == [contact]


async def test_update_errors(client: Client) -> None:
    account = await new_account(client)
    unknown = encode_global_id("Account", uuid.uuid4())
    missing = (await data(client, UPDATE, id=unknown, input={"name": "X"}))["accountUpdate"]
    assert codes(missing) == [(["id"], "NOT_FOUND", "CUST2102")]
    null_name = (await data(client, UPDATE, id=account["id"], input={"name": None}))["accountUpdate"]
    assert codes(null_name) == [(["input", "name"], "REQUIRED", "CUST2101")]
    null_flag = (await data(client, UPDATE, id=account["id"], input={"isActive": None}))["accountUpdate"]
    assert codes(null_flag) == [(["input", "isActive"], "INVALID", None)]
    too_long = (await data(client, UPDATE, id=account["id"], input={"city": "x" * 300}))["accountUpdate"]
    assert codes(too_long) == [(["input", "city"], "INVALID", None)]
    no_contact = encode_global_id("Contact", uuid.uuid4())
    bad_ref = (await data(client, UPDATE, id=account["id"], input={"primaryContactId": no_contact}))[
        "accountUpdate"
    ]
    assert codes(bad_ref) == [(["input", "primaryContactId"], "NOT_FOUND", "CUST1102")]
    read = (await data(client, READ, id=account["id"]))["account"]
    assert read["version"] == 1 and read["name"] == "Acme" and read["isActive"] is True


async def test_delete_and_restore(client: Client) -> None:
    account = await new_account(client)
    deleted = (await data(client, DELETE, id=account["id"]))["accountDelete"]
    assert deleted == {"deletedId": account["id"], "errors": []}
    read = await data(client, READ, id=account["id"])
    assert read["account"] is None and read["node"] is None and read["accounts"]["totalCount"] == 0
    again = (await data(client, DELETE, id=account["id"]))["accountDelete"]
    assert codes(again) == [(["id"], "NOT_FOUND", "CUST2102")]
    update = (await data(client, UPDATE, id=account["id"], input={"name": "X"}))["accountUpdate"]
    assert codes(update) == [(["id"], "NOT_FOUND", "CUST2102")]
    restored = (await data(client, RESTORE, id=account["id"]))["accountRestore"]
    assert restored == {"account": {"id": account["id"], "isDeleted": False}, "errors": []}
    read = await data(client, READ, id=account["id"])
    assert read["account"]["name"] == "Acme" and read["accounts"]["totalCount"] == 1


async def test_add_and_remove_contacts(client: Client) -> None:
    account, first, second = (
        await new_account(client),
        await new_contact(client),
        await new_contact(client, "Roe"),
    )
    for contact in (first, second, first):  # adding a member again changes nothing
        added = (await data(client, ADD, account=account["id"], contact=contact))["accountAddContact"]
        assert added["errors"] == [] and added["contact"] == {"id": contact}
    assert added["account"]["contacts"]["totalCount"] == 2
    assert set(ids((await data(client, READ, id=account["id"]))["account"]["contacts"])) == {first, second}
    assert ids((await data(client, CONTACT_ACCOUNTS, id=first))["contact"]["accounts"]) == [account["id"]]
    removed = (await data(client, REMOVE, account=account["id"], contact=first))["accountRemoveContact"]
    assert removed["errors"] == [] and removed["account"]["contacts"]["totalCount"] == 1
    assert ids((await data(client, READ, id=account["id"]))["account"]["contacts"]) == [second]
    assert (await data(client, CONTACT_ACCOUNTS, id=first))["contact"]["accounts"]["totalCount"] == 0


async def test_the_key_contact_cannot_be_removed(client: Client) -> None:
    contact = await new_contact(client)
    account = await new_account(client, primaryContactId=contact)
    refused = (await data(client, REMOVE, account=account["id"], contact=contact))["accountRemoveContact"]
    assert refused["account"] is None and refused["contact"] is None
    assert codes(refused) == [(["contactId"], "INVALID", "CUST2106")]
    assert refused["errors"][0]["message"] == (
        "Must remove contact as key contact before removing from organization."
    )
    assert ids((await data(client, READ, id=account["id"]))["account"]["contacts"]) == [contact]
    await data(client, UPDATE, id=account["id"], input={"primaryContactId": None})
    removed = (await data(client, REMOVE, account=account["id"], contact=contact))["accountRemoveContact"]
    assert removed["errors"] == [] and removed["account"]["contacts"]["totalCount"] == 0


async def test_membership_with_unknown_objects(client: Client) -> None:
    account, contact = await new_account(client), await new_contact(client)
    no_account = encode_global_id("Account", uuid.uuid4())
    no_contact = encode_global_id("Contact", uuid.uuid4())
    for mutation, name in ((ADD, "accountAddContact"), (REMOVE, "accountRemoveContact")):
        missing_account = (await data(client, mutation, account=no_account, contact=contact))[name]
        assert codes(missing_account) == [(["accountId"], "NOT_FOUND", "CUST2102")]
        missing_contact = (await data(client, mutation, account=account["id"], contact=no_contact))[name]
        assert codes(missing_contact) == [(["contactId"], "NOT_FOUND", "CUST1102")]


async def test_another_tenants_objects_are_not_found(client: Client, other_client: Client) -> None:
    their_contact = await new_contact(other_client)
    their_account = await new_account(other_client, primaryContactId=their_contact)
    mine = await new_account(client)
    with_theirs = await data(client, CREATE, input={"name": "X", "primaryContactId": their_contact})
    assert codes(with_theirs["accountCreate"]) == [(["input", "primaryContactId"], "NOT_FOUND", "CUST1102")]
    added = (await data(client, ADD, account=mine["id"], contact=their_contact))["accountAddContact"]
    assert codes(added) == [(["contactId"], "NOT_FOUND", "CUST1102")]
    removed = await data(client, REMOVE, account=their_account["id"], contact=their_contact)
    assert codes(removed["accountRemoveContact"]) == [(["accountId"], "NOT_FOUND", "CUST2102")]
    updated = (await data(client, UPDATE, id=their_account["id"], input={"name": "Mine"}))["accountUpdate"]
    assert codes(updated) == [(["id"], "NOT_FOUND", "CUST2102")]
    deleted = (await data(client, DELETE, id=their_account["id"]))["accountDelete"]
    assert codes(deleted) == [(["id"], "NOT_FOUND", "CUST2102")]
    assert await account_count(client) == 1
    theirs = (await data(other_client, READ, id=their_account["id"]))["account"]
    assert theirs == their_account
