"""Seed 003 contact_information in depth on the SQL backend, through /graphql on SQLite and PostgreSQL:
life cycle, category, group, privacy, notes and language; demographics, company profile, consent and
UDFs, written and read; the identifier filters; the sensitive numbers masked for callers without
CUST_SENSITIVE_VIEW on every path; bad input answered with codes and never echoing the values.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from conftest import Client, token_for
from factories import Factory, gid
from test_nested_cost import statements_executed

ERRORS = "errors { field code message }"
DEMOGRAPHICS = """demographics { dateOfBirth nameDay idNumber idIssuedByCountry passportNumber
  passportIssuedByCountry socialSecurityNumber countryOfResidence industry industrySector }"""
COMPANY = """companyProfile { registrationNumber taxReferenceNumber vatRegistrationNumber vatRegistrationDate
  vatRegisteredBy registeredInCountry annualTurnover numberOfEmployees profileYear establishedDate industry
  industrySector }"""
CONSENT = """consent { sendDirectMarketingMaterial directMarketingChangedBy directMarketingChangedAt
  sendAffiliateMarketingMaterial affiliateMarketingChangedBy affiliateMarketingChangedAt }"""
UDFS = "udfs { string1 string16 float1 float8 date1 date8 }"
DEPTH = f"""id lifeCycleState category ownedByGroup privacyLevel notes preferredLanguage
  {DEMOGRAPHICS} {COMPANY} {CONSENT} {UDFS}"""
CREATE = f"""mutation($input: ContactCreateInput!) {{
  contactCreate(input: $input) {{ contact {{ {DEPTH} }} {ERRORS} }}
}}"""
UPDATE = f"""mutation($id: ID!, $input: ContactUpdateInput!) {{
  contactUpdate(id: $id, input: $input) {{ contact {{ {DEPTH} }} {ERRORS} }}
}}"""
READ = f"query($id: ID!) {{ contact(id: $id) {{ {DEPTH} }} }}"
SENSITIVE = "demographics { idNumber passportNumber socialSecurityNumber }"
LIST = f"""query($filter: ContactFilter) {{
  contacts(first: 10, filter: $filter) {{ nodes {{ id {SENSITIVE} }} }}
}}"""
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Contact {{ {SENSITIVE} }} }} }}"
NESTED = f"""query($id: ID!) {{ account(id: $id) {{ contacts(first: 5) {{ nodes {{ {SENSITIVE} }} }} }} }}"""

PERSON = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "lifeCycleState": "FINANCIAL",
    "category": "VIP",
    "ownedByGroup": "Nicosia sales",
    "privacyLevel": "High",
    "notes": "Prefers mornings.",
    "preferredLanguage": "ELL",
    "demographics": {
        "dateOfBirth": "1981-05-12",
        "nameDay": "08-18",
        "idNumber": "AB112234",
        "idIssuedByCountry": "CY",
        "passportNumber": "CD112234",
        "passportIssuedByCountry": "GR",
        "socialSecurityNumber": "EF112234",
        "countryOfResidence": "CY",
        "industry": "Marketing",
        "industrySector": "FOREX",
    },
    "companyProfile": {
        "registrationNumber": "HE123",
        "taxReferenceNumber": "TX9",
        "vatRegistrationNumber": "CY10012345X",
        "vatRegistrationDate": "2014-01-02",
        "vatRegisteredBy": "Ada",
        "registeredInCountry": "CY",
        "annualTurnover": 1250000.5,
        "numberOfEmployees": 42,
        "profileYear": 2025,
        "establishedDate": "2001-03-04",
        "industry": "Finance",
        "industrySector": "Banking",
    },
    "consent": {"sendDirectMarketingMaterial": True, "sendAffiliateMarketingMaterial": False},
    "udfs": {"string1": "userfield1", "float8": 80.0, "date1": "2014-05-05T20:49:59+00:00"},
}
MASKED = {"idNumber": "****2234", "passportNumber": "****2234", "socialSecurityNumber": "****2234"}
FULL = {"idNumber": "AB112234", "passportNumber": "CD112234", "socialSecurityNumber": "EF112234"}
WITHOUT_SENSITIVE = ["CRM_ALL", "CUST_READ", "CUST_WRITE", "CUST_ORGANIZATION_VIEW"]


def _caller(client: Client, settings: Any, tenant: str, permissions: list[str]) -> Client:
    return Client(client.http, token_for(settings, tenant, permissions=permissions))


async def _create(client: Client, input: dict[str, Any]) -> dict[str, Any]:
    payload = (await client.execute(CREATE, {"input": input}))["data"]["contactCreate"]
    assert payload["errors"] == [], payload
    return payload["contact"]  # type: ignore[no-any-return]


async def test_every_depth_member_is_written_and_read_back(client: Client) -> None:
    contact = await _create(client, PERSON)
    read = (await client.execute(READ, {"id": contact["id"]}))["data"]["contact"]
    assert read == contact
    assert read["lifeCycleState"] == "FINANCIAL" and read["preferredLanguage"] == "ELL"
    assert (read["category"], read["ownedByGroup"], read["privacyLevel"]) == ("VIP", "Nicosia sales", "High")
    assert read["notes"] == "Prefers mornings."
    assert read["demographics"] == PERSON["demographics"]  # CUST_ALL: the numbers in full
    assert read["companyProfile"] == PERSON["companyProfile"]
    consent = read["consent"]
    assert (
        consent["sendDirectMarketingMaterial"] is True and consent["sendAffiliateMarketingMaterial"] is False
    )
    assert consent["directMarketingChangedBy"] == consent["affiliateMarketingChangedBy"] == "tester"
    assert consent["directMarketingChangedAt"] is not None
    assert read["udfs"] == {
        "string1": "userfield1",
        "string16": None,
        "float1": None,
        "float8": 80.0,
        "date1": "2014-05-05T20:49:59+00:00",
        "date8": None,
    }


async def test_a_contact_without_depth_reads_empty_groups(client: Client) -> None:
    contact = await _create(client, {"firstName": "Bob", "lastName": "Builder"})
    assert contact["lifeCycleState"] is None and contact["preferredLanguage"] is None
    assert set(contact["demographics"].values()) == {None}
    assert set(contact["companyProfile"].values()) == {None}
    assert set(contact["consent"].values()) == {None}
    assert set(contact["udfs"].values()) == {None}


async def test_an_update_changes_only_the_members_it_gives(
    client: Client, settings: Any, tenant: str
) -> None:
    contact = await _create(client, PERSON)
    editor = Client(client.http, token_for(settings, tenant, subject="editor"))
    input = {
        "notes": None,
        "demographics": {"passportNumber": "ZZ998877", "industry": None},
        "companyProfile": {"numberOfEmployees": 43},
        "consent": {"sendAffiliateMarketingMaterial": True},
        "udfs": {"string1": None, "string16": "last", "float1": 1.5},
    }
    payload = (await editor.execute(UPDATE, {"id": contact["id"], "input": input}))["data"]["contactUpdate"]
    assert payload["errors"] == []
    updated = payload["contact"]
    assert updated["notes"] is None and updated["category"] == "VIP"
    assert updated["demographics"] == {
        **PERSON["demographics"],
        "passportNumber": "ZZ998877",
        "industry": None,
    }
    assert updated["companyProfile"] == {**PERSON["companyProfile"], "numberOfEmployees": 43}
    consent = updated["consent"]
    # Only the flag given changes hands; the other keeps who set it and when.
    assert consent["affiliateMarketingChangedBy"] == "editor" and consent["sendAffiliateMarketingMaterial"]
    assert consent["directMarketingChangedBy"] == "tester"
    assert consent["directMarketingChangedAt"] == contact["consent"]["directMarketingChangedAt"]
    assert updated["udfs"] == {
        "string1": None,
        "string16": "last",
        "float1": 1.5,
        "float8": 80.0,
        "date1": "2014-05-05T20:49:59+00:00",
        "date8": None,
    }


async def test_the_sensitive_numbers_are_masked_on_every_path_without_the_permission(
    client: Client, settings: Any, tenant: str, factory: Factory
) -> None:
    contact = await _create(client, PERSON)
    short = await _create(
        client, {"firstName": "Cy", "lastName": "Short", "demographics": {"idNumber": "1234"}}
    )
    account = factory.account("Acme")
    await factory.save()
    link = (
        "mutation($a: ID!, $c: ID!) { accountAddContact(accountId: $a, contactId: $c) { errors { code } } }"
    )
    await client.execute(link, {"a": gid("Account", account), "c": contact["id"]})
    viewers = {
        "masked": _caller(client, settings, tenant, WITHOUT_SENSITIVE),
        "full": _caller(client, settings, tenant, [*WITHOUT_SENSITIVE, "CUST_SENSITIVE_VIEW"]),
    }
    for kind, viewer in viewers.items():
        expected = MASKED if kind == "masked" else FULL
        by_id = (await viewer.execute(READ, {"id": contact["id"]}))["data"]["contact"]["demographics"]
        assert {name: by_id[name] for name in expected} == expected, kind
        listed = (await viewer.execute(LIST))["data"]["contacts"]["nodes"]
        assert {c["id"]: c["demographics"] for c in listed}[contact["id"]] == expected, kind
        node = (await viewer.execute(NODE, {"id": contact["id"]}))["data"]["node"]
        assert node["demographics"] == expected, kind
        nested = (await viewer.execute(NESTED, {"id": gid("Account", account)}))["data"]["account"]
        assert nested["contacts"]["nodes"] == [{"demographics": expected}], kind
        tiny = (await viewer.execute(READ, {"id": short["id"]}))["data"]["contact"]["demographics"]
        assert tiny["idNumber"] == ("****" if kind == "masked" else "1234"), kind


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("idNumber", "AB112234"),
        ("passportNumber", "CD112234"),
        ("socialSecurityNumber", "EF112234"),
        ("vatRegistrationNumber", "CY10012345X"),
    ],
)
async def test_contacts_are_found_by_their_identifier_numbers(client: Client, field: str, value: str) -> None:
    wanted = await _create(client, PERSON)
    await _create(client, {"firstName": "Bob", "lastName": "Builder", "demographics": {"idNumber": "X1"}})
    body = await client.execute(LIST, {"filter": {field: {"eq": value}}})
    assert [c["id"] for c in body["data"]["contacts"]["nodes"]] == [wanted["id"]]


@pytest.mark.parametrize("field", ["idNumber", "passportNumber", "socialSecurityNumber"])
async def test_filtering_by_a_sensitive_number_needs_the_permission(
    client: Client, settings: Any, tenant: str, field: str
) -> None:
    await _create(client, PERSON)
    viewer = _caller(client, settings, tenant, WITHOUT_SENSITIVE)
    body = (await viewer.post(LIST, {"filter": {field: {"contains": "2234"}}})).json()
    assert body["data"]["contacts"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    vat = await viewer.execute(LIST, {"filter": {"vatRegistrationNumber": {"eq": "CY10012345X"}}})
    assert len(vat["data"]["contacts"]["nodes"]) == 1


BAD_INPUTS = [
    ({"demographics": {"idIssuedByCountry": "Cyprus"}}, ["input", "demographics", "idIssuedByCountry"]),
    ({"demographics": {"countryOfResidence": "cy"}}, ["input", "demographics", "countryOfResidence"]),
    ({"demographics": {"nameDay": "02-30"}}, ["input", "demographics", "nameDay"]),
    ({"demographics": {"nameDay": "August 18"}}, ["input", "demographics", "nameDay"]),
    ({"demographics": {"dateOfBirth": "2999-01-01"}}, ["input", "demographics", "dateOfBirth"]),
    ({"demographics": {"socialSecurityNumber": "   "}}, ["input", "demographics", "socialSecurityNumber"]),
    ({"companyProfile": {"annualTurnover": -1}}, ["input", "companyProfile", "annualTurnover"]),
    ({"companyProfile": {"numberOfEmployees": -3}}, ["input", "companyProfile", "numberOfEmployees"]),
    ({"companyProfile": {"profileYear": 12}}, ["input", "companyProfile", "profileYear"]),
    ({"companyProfile": {"registeredInCountry": "XYZ"}}, ["input", "companyProfile", "registeredInCountry"]),
]


@pytest.mark.parametrize(("input", "field"), BAD_INPUTS)
async def test_bad_depth_input_is_refused_with_a_code_and_nothing_written(
    client: Client, input: dict[str, Any], field: list[str]
) -> None:
    before = await client.execute("{ contacts { totalCount } }")
    payload = (await client.execute(CREATE, {"input": {"firstName": "A", "lastName": "B", **input}}))["data"]
    assert payload["contactCreate"]["contact"] is None
    assert [(e["field"], e["code"]) for e in payload["contactCreate"]["errors"]] == [(field, "INVALID")]
    assert await client.execute("{ contacts { totalCount } }") == before


async def test_a_bad_update_changes_nothing(client: Client) -> None:
    contact = await _create(client, PERSON)
    input = {"notes": "changed", "demographics": {"countryOfResidence": "XX1"}}
    payload = (await client.execute(UPDATE, {"id": contact["id"], "input": input}))["data"]["contactUpdate"]
    assert [e["code"] for e in payload["errors"]] == ["INVALID"]
    assert (await client.execute(READ, {"id": contact["id"]}))["data"]["contact"] == contact


@pytest.mark.parametrize(
    "input",
    [
        {"preferredLanguage": "English"},
        {"lifeCycleState": "ACTIVE"},
        {"udfs": {"float1": "many"}},
        {"udfs": {"date1": "yesterday"}},
        {"demographics": {"dateOfBirth": "1981-13-40"}},
    ],
)
async def test_values_of_the_wrong_type_are_refused_before_anything_runs(
    client: Client, input: dict[str, Any]
) -> None:
    response = await client.post(CREATE, {"input": {"firstName": "A", "lastName": "B", **input}})
    body = response.json()
    assert response.status_code in (200, 400) and body["data"] is None
    assert body["errors"] and "Traceback" not in response.text
    assert (await client.execute("{ contacts { totalCount } }"))["data"]["contacts"]["totalCount"] == 0


async def test_a_sensitive_number_never_appears_in_an_error_or_the_log(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "SSN-" + "9" * 70  # too long for the column: refused
    caplog.set_level(logging.DEBUG)
    input = {"firstName": "A", "lastName": "B", "demographics": {"socialSecurityNumber": secret}}
    response = await client.post(CREATE, {"input": input})
    payload = response.json()["data"]["contactCreate"]
    assert [e["code"] for e in payload["errors"]] == ["INVALID"]
    assert secret not in response.text
    assert secret not in caplog.text


async def test_depth_groups_of_a_page_cost_the_same_statements_at_10_and_100_rows(
    client: Client, factory: Factory, app: Any
) -> None:
    for i in range(100):
        factory.contact(f"P{i:03d}", "Depth", id_number=f"ID{i:05d}", udfs={"udf_string_1": str(i)})
    await factory.save()
    query = f"query($n: Int!) {{ contacts(first: $n) {{ nodes {{ {DEPTH} }} }} }}"
    counts = {}
    for n in (10, 100):
        with statements_executed(app) as statements:
            body = await client.execute(query, {"n": n})
        counts[n] = len(statements)
        nodes = body["data"]["contacts"]["nodes"]
        assert len(nodes) == n
        assert all(node["demographics"]["idNumber"].startswith("ID") for node in nodes)
    assert counts[10] == counts[100] == DEPTH_PAGE_STATEMENTS


# The page of contacts: the groups are columns of the contact row, never a statement of their own.
DEPTH_PAGE_STATEMENTS = 1


SETS = """id emails { itemId email type isPrimary } phones { itemId number mode type }
  addresses { itemId line1 city type }"""
SETS_UPDATE = f"""mutation($id: ID!, $input: ContactUpdateInput!) {{
  contactUpdate(id: $id, input: $input) {{ contact {{ {SETS} }} {ERRORS} }}
}}"""
WITH_SETS = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "emails": [{"email": "ada@example.com", "type": "Work"}, {"email": "ada@home.example", "type": "Home"}],
    "phones": [{"number": "+15145550101", "type": "Office"}, {"number": "+15145550102", "mode": "MOBILE"}],
    "addresses": [{"line1": "1 Main St", "city": "Nicosia", "type": "HOME"}],
}


async def _with_sets(client: Client) -> dict[str, Any]:
    created = await client.execute(
        "mutation($input: ContactCreateInput!) "
        f"{{ contactCreate(input: $input) {{ contact {{ {SETS} }} }} }}",
        {"input": WITH_SETS},
    )
    return created["data"]["contactCreate"]["contact"]  # type: ignore[no-any-return]


async def test_set_items_are_added_updated_and_removed_one_by_one_keeping_their_ids(client: Client) -> None:
    contact = await _with_sets(client)
    work, home = contact["emails"]
    office, mobile = contact["phones"]
    [address] = contact["addresses"]
    input = {
        "emailItems": [
            {
                "action": "UPDATE",
                "itemId": home["itemId"],
                "email": {"email": "ada@new.example", "type": "Home"},
            },
            {"action": "ADD", "email": {"email": "ada@third.example"}},
        ],
        "phoneItems": [{"action": "REMOVE", "itemId": office["itemId"]}],
        "addressItems": [
            {"action": "UPDATE", "itemId": address["itemId"], "address": {"line1": "2 Main St"}}
        ],
    }
    payload = (await client.execute(SETS_UPDATE, {"id": contact["id"], "input": input}))["data"][
        "contactUpdate"
    ]
    assert payload["errors"] == []
    updated = payload["contact"]
    emails = updated["emails"]
    assert [(e["itemId"], e["email"]) for e in emails[:2]] == [
        (work["itemId"], "ada@example.com"),
        (home["itemId"], "ada@new.example"),
    ]
    assert emails[2]["email"] == "ada@third.example" and emails[2]["itemId"] not in (
        work["itemId"],
        home["itemId"],
    )
    assert updated["phones"] == [mobile]
    assert updated["addresses"] == [
        {"itemId": address["itemId"], "line1": "2 Main St", "city": None, "type": None}
    ]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"action": "REMOVE", "itemId": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"}, "NOT_FOUND"),
        ({"action": "REMOVE", "itemId": "not-an-id"}, "NOT_FOUND"),
        ({"action": "REMOVE"}, "INVALID"),
        (
            {
                "action": "ADD",
                "itemId": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
                "email": {"email": "a@b.example"},
            },
            "INVALID",
        ),
        ({"action": "UPDATE", "itemId": "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"}, "INVALID"),
        ({"action": "ADD", "email": {"email": "not an address"}}, "INVALID_EMAIL"),
    ],
)
async def test_a_bad_item_change_is_refused_and_changes_nothing(
    client: Client, change: dict[str, Any], code: str
) -> None:
    contact = await _with_sets(client)
    input = {"notes": "changed", "emailItems": [change]}
    payload = (await client.execute(SETS_UPDATE, {"id": contact["id"], "input": input}))["data"][
        "contactUpdate"
    ]
    assert payload["contact"] is None and [e["code"] for e in payload["errors"]] == [code], payload
    assert (await client.execute(READ, {"id": contact["id"]}))["data"]["contact"]["notes"] is None
    again = await client.execute(
        f"query($id: ID!) {{ contact(id: $id) {{ {SETS} }} }}", {"id": contact["id"]}
    )
    assert again["data"]["contact"] == contact


async def test_an_item_of_another_contact_cannot_be_named(client: Client) -> None:
    ada, bob = await _with_sets(client), await _with_sets(client)
    input = {"emailItems": [{"action": "REMOVE", "itemId": bob["emails"][0]["itemId"]}]}
    payload = (await client.execute(SETS_UPDATE, {"id": ada["id"], "input": input}))["data"]["contactUpdate"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["input", "emailItems", "0", "itemId"], "NOT_FOUND")
    ]


async def test_an_invalid_item_is_reported_at_its_own_path(client: Client) -> None:
    contact = await _with_sets(client)
    changes = [
        {"action": "ADD", "email": {"email": "ok@example.com"}},
        {"action": "ADD", "email": {"email": "x"}},
    ]
    input = {"emailItems": changes}
    payload = (await client.execute(SETS_UPDATE, {"id": contact["id"], "input": input}))["data"][
        "contactUpdate"
    ]
    assert [e["field"] for e in payload["errors"]] == [["input", "emailItems", "1", "email", "email"]]


async def test_whole_list_and_per_item_changes_of_one_set_are_not_mixed(client: Client) -> None:
    contact = await _with_sets(client)
    input = {"emails": [], "emailItems": [{"action": "ADD", "email": {"email": "x@y.example"}}]}
    payload = (await client.execute(SETS_UPDATE, {"id": contact["id"], "input": input}))["data"][
        "contactUpdate"
    ]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["input", "emailItems"], "INVALID")]


QUERY_BUILDER = """query($query: QueryBuilderQuery) {
  contacts(first: 5, query: $query) { nodes { id } }
}"""


async def test_the_query_builder_filters_by_identifier_numbers_with_the_same_permission(
    client: Client, settings: Any, tenant: str
) -> None:
    wanted = await _create(client, PERSON)
    rule = {
        "combinator": "AND",
        "rules": [{"field": "socialSecurityNumber", "operator": "=", "value": "EF112234"}],
    }
    found = await client.execute(QUERY_BUILDER, {"query": rule})
    assert found["data"]["contacts"]["nodes"] == [{"id": wanted["id"]}]
    viewer = _caller(client, settings, tenant, WITHOUT_SENSITIVE)
    refused = (await viewer.post(QUERY_BUILDER, {"query": rule})).json()
    assert refused["data"]["contacts"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]


ITEM_FIELDS = """mutation($input: ContactCreateInput!) { contactCreate(input: $input) {
  contact { addresses { careOf floor apartmentNumber municipality poBox poBoxPostalCode notes itemState }
    phones { notes itemState } emails { notes itemState } }
  errors { code }
} }"""


async def test_the_seeds_set_item_fields_are_kept_and_items_are_added_active(client: Client) -> None:
    """Seed 003's address item members (L2141-2157) and every item's notes and state (L300, L405)."""
    address = {
        "careOf": "Maria Kyriacou",
        "floor": 2,
        "apartmentNumber": "202",
        "municipality": "Aglanjia",
        "poBox": "70022",
        "poBoxPostalCode": "AG70022",
        "notes": "To be reviewed",
    }
    input = {
        "firstName": "Louis",
        "lastName": "Kozior",
        "addresses": [address],
        "phones": [{"number": "+35722114455", "notes": "office"}],
        "emails": [{"email": "louis@example.com", "notes": "personal"}],
    }
    payload = (await client.execute(ITEM_FIELDS, {"input": input}))["data"]["contactCreate"]
    assert payload["errors"] == []
    assert payload["contact"] == {
        "addresses": [{**address, "itemState": "ACTIVE"}],
        "phones": [{"notes": "office", "itemState": "ACTIVE"}],
        "emails": [{"notes": "personal", "itemState": "ACTIVE"}],
    }
