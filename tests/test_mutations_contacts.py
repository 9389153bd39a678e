"""Contact mutations: validation, bulk create, update, soft delete, restore and tenant isolation."""

from __future__ import annotations

import uuid
from typing import Any

from conftest import Client
from resolvers.common.ids import encode_global_id

FIELDS = """
id kind firstName lastName companyName displayName optOut version isDeleted
emails { email } phones { number countryCode }
"""
ERRORS = "errors { field code seedCode message }"
CREATE = f"""
mutation($input: ContactCreateInput!, $key: String) {{
  contactCreate(input: $input, idempotencyKey: $key) {{ contact {{ {FIELDS} }} {ERRORS} }}
}}
"""
CREATE_MANY = f"""
mutation($inputs: [ContactCreateInput!]!) {{
  contactCreateMany(inputs: $inputs) {{
    results {{ index contact {{ id lastName }} {ERRORS} }}
    {ERRORS}
  }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $input: ContactUpdateInput!, $version: Int) {{
  contactUpdate(id: $id, input: $input, expectedVersion: $version) {{ contact {{ {FIELDS} }} {ERRORS} }}
}}
"""
DELETE = f"mutation($id: ID!) {{ contactDelete(id: $id) {{ deletedId {ERRORS} }} }}"
RESTORE = f"mutation($id: ID!) {{ contactRestore(id: $id) {{ contact {{ id isDeleted }} {ERRORS} }} }}"
READ = f"""
query($id: ID!) {{
  contact(id: $id) {{ {FIELDS} }} node(id: $id) {{ id }} contacts(first: 10) {{ totalCount }}
}}
"""
PERSON = {"firstName": "Ada", "lastName": "Lovelace"}


async def data(client: Client, query: str, **variables: Any) -> dict[str, Any]:
    body = await client.execute(query, variables)
    return body["data"]  # type: ignore[no-any-return]


def codes(payload: dict[str, Any]) -> list[tuple[list[str] | None, str, str | None]]:
    return [(e["field"], e["code"], e["seedCode"]) for e in payload["errors"]]


async def create(client: Client, **values: Any) -> dict[str, Any]:
    return (await data(client, CREATE, input=values))["contactCreate"]  # type: ignore[no-any-return]


async def new_contact(client: Client, **values: Any) -> dict[str, Any]:
    payload = await create(client, **{**PERSON, **values})
    assert payload["errors"] == []
    return payload["contact"]  # type: ignore[no-any-return]


async def contact_count(client: Client) -> int:
    return (await data(client, "{ contacts { totalCount } }"))["contacts"]["totalCount"]  # type: ignore[no-any-return]


async def test_create_and_read_back(client: Client) -> None:
    contact = await new_contact(
        client,
        emails=[{"email": "ada@example.com"}],
        phones=[{"number": "514 555 0123", "countryCode": "ca"}],
    )
    assert contact["kind"] == "PERSON" and contact["displayName"] == "Ada Lovelace"
    assert contact["emails"] == [{"email": "ada@example.com"}]
    assert contact["phones"] == [{"number": "+15145550123", "countryCode": "CA"}]
    read = await data(client, READ, id=contact["id"])
    assert read["contact"] == contact and read["node"] == {"id": contact["id"]}


async def test_a_person_needs_a_last_name(client: Client) -> None:
    payload = await create(client, firstName="Ada")
    assert payload["contact"] is None
    assert codes(payload) == [(["input", "lastName"], "REQUIRED", "CUST1101")]
    blank = await create(client, firstName=" ", lastName="")
    assert codes(blank) == [
        (["input", "firstName"], "REQUIRED", "CUST1101"),
        (["input", "lastName"], "REQUIRED", "CUST1101"),
    ]
    assert await contact_count(client) == 0


async def test_a_company_needs_a_company_name(client: Client) -> None:
    payload = await create(client, kind="COMPANY", firstName="Ada", lastName="Lovelace")
    assert codes(payload) == [(["input", "companyName"], "REQUIRED", "CUST1101")]
    company = await create(client, kind="COMPANY", companyName="Analytical Engines")
    assert company["errors"] == [] and company["contact"]["displayName"] == "Analytical Engines"
    assert await contact_count(client) == 1


async def test_invalid_email_and_phones(client: Client) -> None:
    email = await create(client, **PERSON, emails=[{"email": "not-an-address"}])
    assert codes(email) == [(["input", "emails", "0", "email"], "INVALID_EMAIL", None)]
    unparseable = await create(client, **PERSON, phones=[{"number": "call me"}])
    assert codes(unparseable) == [(["input", "phones", "0", "number"], "INVALID_PHONE", "CUST5115")]
    invalid = await create(client, **PERSON, phones=[{"number": "+1 555 000"}])
    assert codes(invalid) == [(["input", "phones", "0", "number"], "INVALID_PHONE", "CUST5116")]
    assert await contact_count(client) == 0


async def test_a_national_number_without_country_is_refused_with_a_hint(client: Client) -> None:
    refused = await create(client, **PERSON, phones=[{"number": "555-0100"}])
    assert codes(refused) == [(["input", "phones", "0", "number"], "INVALID_PHONE", "CUST5116")]
    message = refused["errors"][0]["message"]
    assert "'555-0100' is not a valid number of US" in message
    assert "country prefix" in message and "countryCode" in message
    accepted = await create(client, **PERSON, phones=[{"number": "020 7946 0958", "countryCode": "GB"}])
    assert accepted["errors"] == []
    assert accepted["contact"]["phones"] == [{"number": "+442079460958", "countryCode": "GB"}]


async def test_over_long_values_are_invalid_not_internal_errors(client: Client) -> None:
    payload = await create(client, firstName="x" * 300, lastName="Lovelace")
    assert payload["contact"] is None
    assert codes(payload) == [(["input", "firstName"], "INVALID", None)]
    assert "255" in payload["errors"][0]["message"]
    contact = await new_contact(client)
    updated = (await data(client, UPDATE, id=contact["id"], input={"lastName": "y" * 300}))["contactUpdate"]
    assert codes(updated) == [(["input", "lastName"], "INVALID", None)]
    assert await contact_count(client) == 1


async def test_explicit_null_on_a_non_null_field(client: Client) -> None:
    contact = await new_contact(client)
    response = await client.post(UPDATE, {"id": contact["id"], "input": {"optOut": None}})
    assert response.status_code == 200
    payload = response.json()["data"]["contactUpdate"]
    assert payload["contact"] is None and codes(payload) == [(["input", "optOut"], "INVALID", None)]
    null_name = (await data(client, UPDATE, id=contact["id"], input={"lastName": None}))["contactUpdate"]
    assert codes(null_name) == [(["input", "lastName"], "REQUIRED", "CUST1101")]
    read = (await data(client, READ, id=contact["id"]))["contact"]
    assert read["optOut"] is False and read["lastName"] == "Lovelace" and read["version"] == 1


async def test_create_many_with_a_failing_row(client: Client) -> None:
    rows = [PERSON, {"firstName": "Bob"}, {"kind": "COMPANY", "companyName": "Engines"}]
    payload = (await data(client, CREATE_MANY, inputs=rows))["contactCreateMany"]
    assert codes(payload) == [(["inputs"], "PARTIAL_FAILURE", "CUST1107")]
    results = payload["results"]
    assert [result["index"] for result in results] == [0, 1, 2]
    assert results[0]["contact"]["lastName"] == "Lovelace" and results[0]["errors"] == []
    assert results[1]["contact"] is None
    assert codes(results[1]) == [(["inputs", "1", "lastName"], "REQUIRED", "CUST1101")]
    assert results[2]["contact"] is not None and results[2]["errors"] == []
    assert await contact_count(client) == 2


async def test_create_many_refuses_only_the_row_with_an_over_long_value(client: Client) -> None:
    too_long_email = {**PERSON, "emails": [{"email": "a@example.com", "type": "t" * 100}]}
    rows = [PERSON, {**PERSON, "firstName": "x" * 300}, too_long_email, PERSON]
    payload = (await data(client, CREATE_MANY, inputs=rows))["contactCreateMany"]
    assert codes(payload) == [(["inputs"], "PARTIAL_FAILURE", "CUST1107")]
    results = payload["results"]
    assert [r["contact"] is not None for r in results] == [True, False, False, True]
    assert codes(results[1]) == [(["inputs", "1", "firstName"], "INVALID", None)]
    assert codes(results[2]) == [(["inputs", "2", "type"], "INVALID", None)]
    assert await contact_count(client) == 2


async def test_create_many_without_failures(client: Client) -> None:
    payload = (await data(client, CREATE_MANY, inputs=[PERSON, PERSON]))["contactCreateMany"]
    assert payload["errors"] == [] and all(result["contact"] for result in payload["results"])
    assert await contact_count(client) == 2


async def test_idempotent_create(client: Client) -> None:
    first = (await data(client, CREATE, input=PERSON, key="c-1"))["contactCreate"]
    again = (await data(client, CREATE, input=PERSON, key="c-1"))["contactCreate"]
    assert again["errors"] == [] and again["contact"]["id"] == first["contact"]["id"]
    reused = (await data(client, CREATE, input={**PERSON, "lastName": "Byron"}, key="c-1"))["contactCreate"]
    assert reused["contact"] is None and codes(reused) == [
        (["idempotencyKey"], "IDEMPOTENCY_KEY_REUSED", None)
    ]
    empty_key = (await data(client, CREATE, input=PERSON, key=" "))["contactCreate"]
    assert codes(empty_key) == [(["idempotencyKey"], "INVALID", None)]
    assert await contact_count(client) == 1


async def test_update_with_expected_version(client: Client) -> None:
    contact = await new_contact(client)
    updated = await data(client, UPDATE, id=contact["id"], input={"firstName": "Augusta"}, version=1)
    payload = updated["contactUpdate"]
    assert payload["errors"] == [] and payload["contact"]["firstName"] == "Augusta"
    assert payload["contact"]["lastName"] == "Lovelace" and payload["contact"]["version"] == 2
    stale = (await data(client, UPDATE, id=contact["id"], input={"firstName": "Lost"}, version=1))[
        "contactUpdate"
    ]
    assert stale["contact"] is None and codes(stale) == [(["expectedVersion"], "CONFLICT", None)]
    read = (await data(client, READ, id=contact["id"]))["contact"]
    assert read["firstName"] == "Augusta" and read["version"] == 2


async def test_update_of_an_unknown_contact(client: Client) -> None:
    unknown = encode_global_id("Contact", uuid.uuid4())
    payload = (await data(client, UPDATE, id=unknown, input={"firstName": "X"}))["contactUpdate"]
    assert codes(payload) == [(["id"], "NOT_FOUND", "CUST1102")]


async def test_delete_and_restore(client: Client) -> None:
    contact = await new_contact(client)
    deleted = (await data(client, DELETE, id=contact["id"]))["contactDelete"]
    assert deleted == {"deletedId": contact["id"], "errors": []}
    read = await data(client, READ, id=contact["id"])
    assert read["contact"] is None and read["node"] is None and read["contacts"]["totalCount"] == 0
    again = (await data(client, DELETE, id=contact["id"]))["contactDelete"]
    assert codes(again) == [(["id"], "NOT_FOUND", "CUST1102")]
    restored = (await data(client, RESTORE, id=contact["id"]))["contactRestore"]
    assert restored == {"contact": {"id": contact["id"], "isDeleted": False}, "errors": []}
    assert (await data(client, READ, id=contact["id"]))["contacts"]["totalCount"] == 1


async def test_another_tenants_contact_is_not_found(client: Client, other_client: Client) -> None:
    theirs = await new_contact(other_client)
    for query, name, variables in (
        (UPDATE, "contactUpdate", {"input": {"firstName": "Mine"}}),
        (DELETE, "contactDelete", {}),
        (RESTORE, "contactRestore", {}),
    ):
        result = (await data(client, query, id=theirs["id"], **variables))[name]
        assert codes(result) == [(["id"], "NOT_FOUND", "CUST1102")], name
    assert await contact_count(client) == 0
    assert (await data(other_client, READ, id=theirs["id"]))["contact"] == theirs
