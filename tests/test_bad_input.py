"""Malformed input of every kind: never an HTTP 500 or a traceback, always an error with a message and,
where a resolver refuses it, a stable ``extensions.code``."""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest

from conftest import SECRET, Client, token_for
from factories import Factory, assert_clean_error, error_code, gid
from gateway.auth import MAX_SUBJECT_LENGTH, mint_token


def b64(raw: bytes | str) -> str:
    data = raw.encode() if isinstance(raw, str) else raw
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def cursor(signature: str, keys: Any) -> str:
    return b64(json.dumps([signature, keys]))


@pytest.fixture
async def some_rows(factory: Factory) -> dict[str, uuid.UUID]:
    contact = factory.contact("Ada", "Lovelace")
    lead = factory.lead("Engine", contact_id=contact)
    factory.lead("Second", contact_id=contact)
    await factory.save()
    return {"contact": contact, "lead": lead}


# -- arguments of the wrong type ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        '{ contacts(first: "five") { totalCount } }',
        "{ contacts(first: 1.5) { totalCount } }",
        "{ contacts(first: 99999999999) { totalCount } }",  # beyond a 32-bit Int
        "{ contacts(orderBy: [{field: NOPE}]) { totalCount } }",
        "{ contacts(filter: {lastName: {eq: 5}}) { totalCount } }",
        "{ contacts(filter: {noSuchField: {eq: 1}}) { totalCount } }",
        "{ leads(filter: {status: {eq: MAYBE}}) { totalCount } }",
        "{ contact { id } }",  # required argument missing
        "{ contacts { totalCount nope } }",
    ],
)
async def test_arguments_of_the_wrong_type(client: Client, query: str) -> None:
    assert_clean_error(await client.post(query))


async def test_variables_of_the_wrong_type(client: Client) -> None:
    query = "query($n: Int, $f: ContactFilter) { contacts(first: $n, filter: $f) { totalCount } }"
    for variables in (
        {"n": "x"},
        {"n": [1]},
        {"f": {"lastName": "Smith"}},
        {"f": {"lastName": {"in": "x", "eq": []}}},
    ):
        assert_clean_error(await client.post(query, variables))


@pytest.mark.parametrize(
    ("query", "variables", "code"),
    [
        ("{ contacts { totalCount ", {}, "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", {}, "GRAPHQL_VALIDATION_FAILED"),
        ("subscription { contacts { totalCount } }", {}, "GRAPHQL_VALIDATION_FAILED"),
        ("query($n: Int) { contacts(first: $n) { totalCount } }", {"n": "x"}, "GRAPHQL_VALIDATION_FAILED"),
    ],
)
async def test_syntax_and_validation_errors_have_a_code(
    client: Client, query: str, variables: dict[str, Any], code: str
) -> None:
    """graphql-core's own errors came without ``extensions.code`` (found by test_fuzz.py)."""
    assert error_code(await client.post(query, variables)) == code


# -- IDs ---------------------------------------------------------------------------------------------


MALFORMED_IDS = [
    "!!!not base64!!!",
    "",
    "Q29udGFjdA",  # base64 of "Contact" without a uuid
    b64("hello world"),
    b64("Contact:not-a-uuid"),
    b64(b"\xff\xfe\x00garbage"),
    b64("Contact:" + "1" * 5000),
    "x" * 10_000,
]


@pytest.mark.parametrize("bad_id", MALFORMED_IDS, ids=range(len(MALFORMED_IDS)))
async def test_malformed_ids_are_invalid_id(client: Client, bad_id: str) -> None:
    for query in (
        "query($id: ID!) { node(id: $id) { id } }",
        "query($id: ID!) { contact(id: $id) { id } }",
        "query($id: ID!) { lead(id: $id) { id } }",
        "query($id: ID!) { nodes(ids: [$id]) { id } }",
        "query($id: ID!) { openLeadsForContact(contactId: $id) { id } }",
        "query($id: ID!) { leads(filter: {contactId: {eq: $id}}) { totalCount } }",
        "query($id: ID!) { contacts(filter: {id: {in: [$id]}}) { totalCount } }",
    ):
        response = await client.post(query, {"id": bad_id})
        assert error_code(response) == "INVALID_ID", query
        assert "Traceback" not in response.text


async def test_an_id_of_another_type_is_invalid_for_a_typed_lookup(
    client: Client, some_rows: dict[str, uuid.UUID]
) -> None:
    lead_id = gid("Lead", some_rows["lead"])
    for query in (
        "query($id: ID!) { contact(id: $id) { id } }",
        "query($id: ID!) { account(id: $id) { id } }",
        "query($id: ID!) { task(id: $id) { id } }",
        "query($id: ID!) { openLeadsForContact(contactId: $id) { id } }",
    ):
        assert error_code(await client.post(query, {"id": lead_id})) == "INVALID_ID", query
    # node() takes any type; an integer literal is a valid ID input but not one of ours.
    body = await client.execute("query($id: ID!) { node(id: $id) { __typename } }", {"id": lead_id})
    assert body["data"]["node"] == {"__typename": "Lead"}
    assert error_code(await client.post("{ contact(id: 123) { id } }")) == "INVALID_ID"


async def test_unknown_ids_are_null(client: Client) -> None:
    unknown = uuid.uuid4()
    body = await client.execute(
        "query($c: ID!, $l: ID!, $x: ID!) { contact(id: $c) { id } lead(id: $l) { id } node(id: $x) { id } }",
        {"c": gid("Contact", unknown), "l": gid("Lead", unknown), "x": gid("NoSuchType", unknown)},
    )
    assert body["data"] == {"contact": None, "lead": None, "node": None}


async def test_too_many_ids_for_nodes(client: Client) -> None:
    ids = [gid("Contact", uuid.uuid4()) for _ in range(101)]
    assert error_code(await client.post("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})) == (
        "BAD_USER_INPUT"
    )


# -- page sizes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        "first: 10000000",
        "first: 101",
        "last: 101",
        "first: -1",
        "last: -5",
        "first: 5, last: 5",
    ],
)
async def test_bad_page_sizes(client: Client, arguments: str) -> None:
    assert (
        error_code(await client.post(f"{{ contacts({arguments}) {{ totalCount }} }}")) == "INVALID_PAGE_SIZE"
    )


async def test_bad_nested_page_size_is_reported_per_field(
    client: Client, some_rows: dict[str, uuid.UUID]
) -> None:
    for arguments in ("first: 10000000", "first: -1", "first: 1, last: 1"):
        response = await client.post(
            f"{{ contacts {{ edges {{ node {{ leads({arguments}) {{ totalCount }} }} }} }} }}"
        )
        assert error_code(response) == "INVALID_PAGE_SIZE"
        assert response.json()["errors"][0]["path"] == ["contacts", "edges", 0, "node", "leads"]


async def test_the_largest_allowed_page_is_fine(client: Client, some_rows: dict[str, uuid.UUID]) -> None:
    body = await client.execute("{ contacts(first: 100) { totalCount } leads(last: 100) { totalCount } }")
    assert body["data"] == {"contacts": {"totalCount": 1}, "leads": {"totalCount": 2}}


# -- cursors ------------------------------------------------------------------------------------------


BAD_CURSORS = [
    "garbage!!",
    "",
    b64("this is not json"),
    b64("{}"),
    b64('"just a string"'),
    b64("[1, 2, 3]"),
    b64('["date_created+", "not a list"]'),
    cursor("date_created+", []),  # too few values
    cursor("date_created+", ["2024-01-01T00:00:00+00:00"]),  # the id is missing
    cursor("date_created+", ["2024-01-01T00:00:00+00:00", str(uuid.uuid4()), "extra"]),
    cursor("date_created+", [123, str(uuid.uuid4())]),  # wrong types
    cursor("date_created+", ["2024-01-01T00:00:00+00:00", 42]),
    cursor("date_created+", ["yesterday", str(uuid.uuid4())]),
    cursor("date_created+", ["2024-01-01T00:00:00+00:00", "not-a-uuid"]),
    cursor("date_created+", [None, None]),
    cursor("date_created+", [["nested"], {"a": 1}]),
    cursor("last_name-", ["Smith", str(uuid.uuid4())]),  # another ordering
]


@pytest.mark.parametrize("bad_cursor", BAD_CURSORS, ids=range(len(BAD_CURSORS)))
async def test_bad_cursors_are_invalid_cursor(
    client: Client, some_rows: dict[str, uuid.UUID], bad_cursor: str
) -> None:
    for query in (
        "query($c: String) { contacts(first: 2, after: $c) { totalCount } }",
        "query($c: String) { contacts(last: 2, before: $c) { totalCount } }",
        "query($c: String) { contacts { edges { node { leads(first: 1, after: $c) { totalCount } } } } }",
    ):
        assert error_code(await client.post(query, {"c": bad_cursor})) == "INVALID_CURSOR", query


async def test_a_cursor_with_a_value_of_the_wrong_type_for_an_int_order(
    client: Client, some_rows: dict[str, uuid.UUID]
) -> None:
    query = "query($c: String) { leads(first: 1, after: $c, orderBy: [{field: PRIORITY}]) { totalCount } }"
    for keys in (["high", str(uuid.uuid4())], [True, str(uuid.uuid4())], [1.5, str(uuid.uuid4())]):
        assert error_code(await client.post(query, {"c": cursor("priority+", keys)})) == "INVALID_CURSOR", (
            keys
        )


async def test_a_cursor_with_an_out_of_range_integer_or_a_nul_character(
    client: Client, some_rows: dict[str, uuid.UUID]
) -> None:
    by_priority = (
        "query($c: String) { leads(first: 1, after: $c, orderBy: [{field: PRIORITY}]) { totalCount } }"
    )
    by_subject = (
        "query($c: String) { leads(first: 1, after: $c, orderBy: [{field: SUBJECT}]) { totalCount } }"
    )
    for query, keys in (
        (by_priority, [2**40, str(uuid.uuid4())]),
        (by_subject, ["a\x00b", str(uuid.uuid4())]),
    ):
        signature = "priority+" if "PRIORITY" in query else "subject+"
        assert error_code(await client.post(query, {"c": cursor(signature, keys)})) == "INVALID_CURSOR", keys


# -- filters ------------------------------------------------------------------------------------------


async def test_date_times_out_of_range_in_utc_are_invalid_filter(client: Client) -> None:
    query = "query($v: DateTime) { contacts(filter: {dateCreated: {gt: $v}}) { totalCount } }"
    for value in ("9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"):
        assert error_code(await client.post(query, {"v": value})) == "INVALID_FILTER", value


async def test_nul_characters_in_filters_and_search_are_invalid_filter(client: Client) -> None:
    for query, variables in (
        ("query($v: String) { contacts(filter: {firstName: {eq: $v}}) { totalCount } }", {"v": "a\x00b"}),
        ("query($v: String) { contacts(filter: {email: {contains: $v}}) { totalCount } }", {"v": "\x00"}),
        ("query($v: [String!]) { contacts(filter: {lastName: {in: $v}}) { totalCount } }", {"v": ["\x00"]}),
        ("query($v: String) { contacts(search: $v) { totalCount } }", {"v": "ada\x00"}),
    ):
        assert error_code(await client.post(query, variables)) == "INVALID_FILTER", variables


def nested_filter(levels: int) -> dict[str, Any]:
    filter: dict[str, Any] = {"lastName": {"eq": "Lovelace"}}
    for level in range(levels):
        filter = (
            {"not": filter} if level % 3 == 0 else {"and": [filter]} if level % 3 == 1 else {"or": [filter]}
        )
    return filter


async def test_deeply_nested_filters_are_refused(client: Client, some_rows: dict[str, uuid.UUID]) -> None:
    query = "query($f: ContactFilter) { contacts(filter: $f) { totalCount } }"
    assert error_code(await client.post(query, {"f": nested_filter(20)})) == "INVALID_FILTER"
    body = await client.execute(query, {"f": nested_filter(6)})  # 6 levels: two "not"s cancel out
    assert body["data"]["contacts"]["totalCount"] == 1


async def test_huge_value_lists_are_refused(client: Client, some_rows: dict[str, uuid.UUID]) -> None:
    values = [f"name{i}" for i in range(5000)]
    for query, variables in (
        ("query($v: [String!]) { contacts(filter: {lastName: {in: $v}}) { totalCount } }", {"v": values}),
        ("query($v: [String!]) { contacts(filter: {lastName: {notIn: $v}}) { totalCount } }", {"v": values}),
        (
            "query($v: [Int!]) { leads(filter: {priority: {in: $v}}) { totalCount } }",
            {"v": list(range(5000))},
        ),
        (
            "query($v: [ID!]) { leads(filter: {contactId: {in: $v}}) { totalCount } }",
            {"v": [gid("Contact", uuid.uuid4()) for _ in range(5000)]},
        ),
    ):
        assert error_code(await client.post(query, variables)) == "INVALID_FILTER"


async def test_too_many_order_keys(client: Client) -> None:
    order = [{"field": "LAST_NAME"}, {"field": "FIRST_NAME"}, {"field": "CITY"}, {"field": "COMPANY_NAME"},
             {"field": "DATE_CREATED"}]  # fmt: skip
    query = "query($o: [ContactOrder!]) { contacts(orderBy: $o) { totalCount } }"
    assert error_code(await client.post(query, {"o": order})) == "BAD_USER_INPUT"


async def test_a_huge_search_text_is_cut_not_refused(client: Client, some_rows: dict[str, uuid.UUID]) -> None:
    body = await client.execute(
        "query($s: String) { contacts(search: $s) { totalCount } }", {"s": "Lovelace " + "x" * 100_000}
    )
    assert body["data"]["contacts"]["totalCount"] == 0
    response = await client.post(
        "query($p: String!) { contactByPhone(phone: $p) { id } }", {"p": "5" * 100_000}
    )
    assert error_code(response) == "INVALID_PHONE"


# -- the HTTP layer -----------------------------------------------------------------------------------


def _auth(client: Client) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.token}"}


async def test_invalid_json_body(client: Client) -> None:
    headers = {**_auth(client), "Content-Type": "application/json"}
    response = await client.http.post("/graphql", content=b'{"query": "{ me { subject } }"', headers=headers)
    assert 400 <= response.status_code < 500
    assert_clean_error(response)


async def test_empty_body(client: Client) -> None:
    headers = {**_auth(client), "Content-Type": "application/json"}
    response = await client.http.post("/graphql", content=b"", headers=headers)
    assert 400 <= response.status_code < 500
    assert_clean_error(response)


@pytest.mark.parametrize("content", [b"null", b"5", b'"{ me { subject } }"', b"true", b'{"query": "\xd2"}'])
async def test_a_body_that_is_json_but_not_an_object(client: Client, content: bytes) -> None:
    """Strawberry read ``.get`` of these, or failed to decode them, and answered HTTP 500 (found by
    test_fuzz.py)."""
    headers = {**_auth(client), "Content-Type": "application/json"}
    response = await client.http.post("/graphql", content=content, headers=headers)
    assert response.status_code == 400
    assert error_code(response) == "BAD_REQUEST"


async def test_get_variables_that_are_not_an_object(client: Client) -> None:
    params = {"query": "query($n: Int) { contacts(first: $n) { totalCount } }", "variables": "5"}
    response = await client.http.get("/graphql", params=params, headers=_auth(client))
    assert response.status_code == 400
    assert error_code(response) == "BAD_REQUEST"


async def test_a_mutation_over_get_is_refused(client: Client) -> None:
    query = 'mutation { contactCreate(input: {firstName: "Get", lastName: "Mutation"}) { errors { code } } }'
    response = await client.http.get("/graphql", params={"query": query}, headers=_auth(client))
    assert 400 <= response.status_code < 500
    assert_clean_error(response)


async def test_a_mutation_over_get_changes_nothing(client: Client) -> None:
    query = 'mutation { contactCreate(input: {firstName: "Get", lastName: "Mutation"}) { errors { code } } }'
    response = await client.http.get("/graphql", params={"query": query}, headers=_auth(client))
    assert 400 <= response.status_code < 500
    assert "Traceback" not in response.text
    assert (await client.execute("{ contacts { totalCount } }"))["data"]["contacts"]["totalCount"] == 0


async def test_request_level_errors_are_client_errors(client: Client) -> None:
    headers = {**_auth(client), "Content-Type": "application/json"}
    for content in (b"{not json", b"", b"[1, 2]", b'{"variables": {}}', b'{"query": 5}',
                    b'{"query": "{ me { subject } }", "variables": [1]}'):  # fmt: skip
        response = await client.http.post("/graphql", content=content, headers=headers)
        assert 400 <= response.status_code < 500, content
        assert_clean_error(response)


@pytest.mark.parametrize(
    "query",
    [
        "{ contacts { ",
        "query {",
        "}{",
        "{ contacts(first: ) { totalCount } }",
        "mutation { nope }",
        "x" * 10_000,
    ],
)
async def test_documents_that_are_not_graphql(client: Client, query: str) -> None:
    response = await client.post(query)
    assert 400 <= response.status_code < 500 or response.status_code == 200
    assert_clean_error(response)


# -- authentication -----------------------------------------------------------------------------------


def _claims(**overrides: Any) -> dict[str, Any]:
    import time

    claims = {"sub": "tester", "tenant": "acme", "permissions": ["CRM_ALL"], "exp": int(time.time()) + 3600}
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


BAD_TOKENS = {
    "garbage": "not-a-jwt",
    "wrong secret": jwt.encode(_claims(), "another-secret-" + "y" * 40, algorithm="HS256"),
    "tenant is a number": jwt.encode(_claims(tenant=123), SECRET, algorithm="HS256"),
    "tenant is a list": jwt.encode(_claims(tenant=["acme"]), SECRET, algorithm="HS256"),
    "tenant is empty": jwt.encode(_claims(tenant=""), SECRET, algorithm="HS256"),
    "tenant has a space": jwt.encode(_claims(tenant="acme corp"), SECRET, algorithm="HS256"),
    "no tenant": jwt.encode({k: v for k, v in _claims().items() if k != "tenant"}, SECRET, algorithm="HS256"),
    "no exp": jwt.encode({k: v for k, v in _claims().items() if k != "exp"}, SECRET, algorithm="HS256"),
    "sub is a number": jwt.encode(_claims(sub=7), SECRET, algorithm="HS256"),
    "permissions not a list": jwt.encode(_claims(permissions="CRM_ALL"), SECRET, algorithm="HS256"),
    "alg none": b64('{"alg":"none","typ":"JWT"}') + "." + b64(json.dumps(_claims())) + ".",
}


async def _assert_unauthenticated(response: httpx.Response, token: str | None = None) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["message"]
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "Traceback" not in response.text
    if token:
        assert token not in response.text


@pytest.mark.parametrize("name", list(BAD_TOKENS))
async def test_bad_tokens_are_401(http: httpx.AsyncClient, name: str) -> None:
    token = BAD_TOKENS[name]
    response = await http.post(
        "/graphql", json={"query": "{ me { subject } }"}, headers={"Authorization": f"Bearer {token}"}
    )
    await _assert_unauthenticated(response, token)


async def test_missing_and_malformed_authorization_headers_are_401(http: httpx.AsyncClient) -> None:
    query = {"query": "{ contacts { totalCount } }"}
    await _assert_unauthenticated(await http.post("/graphql", json=query))
    for header in ("Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "bearer"):
        await _assert_unauthenticated(
            await http.post("/graphql", json=query, headers={"Authorization": header})
        )
    await _assert_unauthenticated(await http.get("/graphql", params=query))


async def test_an_expired_token_is_401(http: httpx.AsyncClient, settings: Any, tenant: str) -> None:
    token = mint_token(settings, "tester", tenant, ["CRM_ALL"], timedelta(hours=-1))
    response = await http.post(
        "/graphql", json={"query": "{ me { subject } }"}, headers={"Authorization": f"Bearer {token}"}
    )
    await _assert_unauthenticated(response, token)
    assert "expired" in response.json()["errors"][0]["message"]


async def test_a_good_token_still_works(http: httpx.AsyncClient, settings: Any, tenant: str) -> None:
    client = Client(http, token_for(settings, tenant))
    assert (await client.execute("{ me { subject } }"))["data"]["me"]["subject"] == "tester"


CREATE_CONTACT = """
mutation($input: ContactCreateInput!) {
  contactCreate(input: $input) { contact { lastName createdBy } errors { code message } }
}
"""


@pytest.mark.parametrize(
    "subject",
    ["u" * (MAX_SUBJECT_LENGTH + 1), "a\x00b", "a\nb", "a\ud800b"],
    ids=["too long", "NUL", "newline", "lone surrogate"],
)
async def test_a_subject_the_gateway_cannot_store_is_401_naming_the_limit(
    http: httpx.AsyncClient, settings: Any, tenant: str, subject: str
) -> None:
    """``sub`` ends in created_by, owner and actor columns of 255 characters: a longer one, or one with
    characters PostgreSQL or UTF-8 refuse, is refused when the caller authenticates, never an internal
    error when the first write stores it."""
    longest = "u" * MAX_SUBJECT_LENGTH
    client = Client(http, token_for(settings, tenant, subject=longest))
    created = await client.execute(CREATE_CONTACT, {"input": {"firstName": "Ada", "lastName": "Long"}})
    assert created["data"]["contactCreate"] == {
        "contact": {"lastName": "Long", "createdBy": longest},
        "errors": [],
    }

    claims = _claims(sub=subject, tenant=tenant, permissions=["CRM_ALL", "CUST_ALL"], iat=int(time.time()))
    token = jwt.encode(claims, SECRET, algorithm="HS256")
    response = await Client(http, token).post(
        CREATE_CONTACT, {"input": {"firstName": "Ada", "lastName": "Bad"}}
    )
    await _assert_unauthenticated(response, token)
    assert f"'sub' must be at most {MAX_SUBJECT_LENGTH} characters" in response.json()["errors"][0]["message"]
    count = await client.execute('{ contacts(filter: {lastName: {eq: "Bad"}}) { totalCount } }')
    assert count["data"]["contacts"]["totalCount"] == 0
