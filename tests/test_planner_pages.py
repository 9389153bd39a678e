"""Walking a list page by page, a new ``after`` cursor each request: one plan and one compiled statement
serve every page (``walk.cursor_variables``: the cursor's keys are bound per request), and every page,
bad cursor and caller answers as the resolvers do (the planner off: ``CRM_GATEWAY_PLANNER=0``)."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import orjson
import pytest

from conftest import Client, token_for
from factories import Factory, gid
from gateway.backends.sql import reader
from gateway.cursors import encode_signed_cursor
from gateway.documents import BoundedCache
from gateway.settings import Settings
from resolvers.planner import extension
from test_nested_cost import statements_executed

WALK = """
query($first: Int!, $after: String) {
  contacts(first: $first, after: $after, orderBy: ORDER) {
    edges { cursor node { id firstName lastName } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
ORDERS = {  # sort keys of each type (a string, a date-time, a uuid) in each direction
    "lastName": "[{field: LAST_NAME}]",
    "dateCreated-desc": "[{field: DATE_CREATED, direction: DESC}]",
    "default": "[]",
}
BY_NAME = WALK.replace("ORDER", ORDERS["lastName"])
SIGNATURE = "lastName+"  # the cursor's ordering: ``cursors.order_signature`` of WALK's orderBy


def _planned(statements: list[str]) -> int:
    """How many planned statements were sent (they alone build JSON)."""
    return sum("json_build_object" in s or "json_object(" in s for s in statements)


def _plain(body: dict[str, Any]) -> dict[str, Any]:
    body.pop("extensions", None)
    for error in body.get("errors", []):
        error.get("extensions", {}).pop("requestId", None)
    return body


@pytest.fixture
def walk(app: Any, off_http: httpx.AsyncClient) -> Any:
    """Sends a query as a caller to the app (planner as configured) and with the planner off: (the
    app's body, the resolvers' body, the app's statements)."""

    async def send(caller: Client, variables: dict[str, Any], query: str = BY_NAME) -> Any:
        with statements_executed(app) as statements:
            body = _plain((await caller.post(query, variables)).json())
        resolved = _plain((await Client(off_http, caller.token).post(query, variables)).json())
        return body, resolved, statements

    return send


async def _contacts(factory: Factory, count: int = 9) -> list[Any]:
    # Repeated last names: the id breaks the ties, so a cursor holds two keys of two types.
    ids = [factory.contact(f"Walker{i}", f"L{i % 3}") for i in range(count)]
    await factory.save()
    return ids


@pytest.mark.parametrize("order", sorted(ORDERS))
async def test_walking_pages_with_new_cursors_keeps_one_plan_and_answers_as_the_resolvers(
    client: Client,
    walk: Any,
    factory: Factory,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    order: str,
) -> None:
    ids = await _contacts(factory)
    query = WALK.replace("ORDER", ORDERS[order])
    monkeypatch.setattr(extension, "_PLANNED", BoundedCache())  # this test's plans alone (others fill it)
    before = len(extension._PLANNED)
    body, resolved, statements = await walk(client, {"first": 2, "after": None}, query)
    assert body == resolved
    pages = [body]
    while body["data"]["contacts"]["pageInfo"]["hasNextPage"]:
        after = body["data"]["contacts"]["pageInfo"]["endCursor"]
        body, resolved, statements = await walk(client, {"first": 2, "after": after}, query)
        assert body == resolved
        pages.append(body)
        if settings.planner:  # one statement per page
            assert statements == [s for s in statements if "json" in s] and _planned(statements) == 1
        if len(pages) == 2:
            compiled = len(reader._DRIVER_STATEMENTS)
    # The pages after a cursor share one compiled driver statement (kept while its plan is)
    assert len(reader._DRIVER_STATEMENTS) <= compiled
    seen = [e["node"]["id"] for page in pages for e in page["data"]["contacts"]["edges"]]
    assert sorted(seen) == sorted(gid("Contact", c) for c in ids)  # every row once: the walk is whole
    assert len(pages) == 5
    # Two plans: the first page (no cursor) and every other page (a cursor, whichever)
    assert len(extension._PLANNED) == before + (2 if settings.planner else 0)
    again, _, _ = await walk(
        client, {"first": 3, "after": pages[1]["data"]["contacts"]["pageInfo"]["endCursor"]}, query
    )
    assert [e["node"]["firstName"] for e in again["data"]["contacts"]["edges"]] == [
        e["node"]["firstName"] for page in pages[2:4] for e in page["data"]["contacts"]["edges"]
    ][:3]
    assert len(extension._PLANNED) == before + (3 if settings.planner else 0)  # `first` is in the key


@pytest.mark.parametrize(
    "after",
    [
        "nope",  # not base64 JSON
        encode_signed_cursor("firstName+", ("Walker1", "x")),  # another ordering
        encode_signed_cursor(SIGNATURE, ("L1",)),  # a key short
        encode_signed_cursor(SIGNATURE, ("L1", "not-a-uuid")),  # an id that is no uuid
        encode_signed_cursor(SIGNATURE, (7, "0190c5f1-0000-7000-8000-000000000000")),  # a name no string
        encode_signed_cursor(SIGNATURE, ("L1", ["a"])),  # not a plain value
        7,  # not a String: the variable's own error
    ],
    ids=["garbage", "other-order", "short", "bad-uuid", "bad-type", "list", "int"],
)
async def test_bad_cursors_answer_as_the_resolvers_and_leave_the_plan_serving(
    client: Client, walk: Any, factory: Factory, settings: Settings, after: Any
) -> None:
    await _contacts(factory, 4)
    first, _, _ = await walk(client, {"first": 2, "after": None})
    good = first["data"]["contacts"]["pageInfo"]["endCursor"]
    body, resolved, statements = await walk(client, {"first": 2, "after": after})
    assert body == resolved
    assert body["data"] in (None, {"contacts": None})
    [error] = body["errors"]
    assert error["extensions"]["code"] in ("INVALID_CURSOR", "BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED")
    assert _planned(statements) == 0  # the resolvers answered: no planned statement ran for it
    body, resolved, statements = await walk(client, {"first": 2, "after": good})
    assert body == resolved and len(body["data"]["contacts"]["edges"]) == 2
    assert _planned(statements) == (1 if settings.planner else 0)  # the plan still serves


@pytest.mark.parametrize(
    "when",
    ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00"],  # valid text, outside datetime in UTC
    ids=["before-year-1", "after-year-9999"],
)
async def test_a_date_time_key_out_of_range_in_utc_is_an_invalid_cursor_and_leaves_the_plan_serving(
    client: Client, walk: Any, factory: Factory, settings: Settings, when: str
) -> None:
    """Such a key parses; only its conversion to UTC (the bind parameter's) overflows. It is the
    request's own bad cursor, not a failure of the plan shared by every page of the list."""
    await _contacts(factory, 4)
    by_date = WALK.replace("ORDER", ORDERS["dateCreated-desc"])
    first, _, _ = await walk(client, {"first": 2, "after": None}, by_date)
    good = first["data"]["contacts"]["pageInfo"]["endCursor"]
    signature, keys = orjson.loads(base64.urlsafe_b64decode(good + "=" * (-len(good) % 4)))
    forged = encode_signed_cursor(signature, (when, *keys[1:]))
    body, resolved, statements = await walk(client, {"first": 2, "after": forged}, by_date)
    assert body == resolved
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_CURSOR"
    assert _planned(statements) == 0
    body, resolved, statements = await walk(client, {"first": 2, "after": good}, by_date)
    assert body == resolved and len(body["data"]["contacts"]["edges"]) == 2
    assert _planned(statements) == (1 if settings.planner else 0)  # the plan still serves


async def test_a_cursor_of_another_tenant_s_row_leaks_nothing(
    client: Client, other_client: Client, walk: Any, factory: Factory, settings: Settings, tenant: str
) -> None:
    """A cursor is only a position in the ordering: the page after it holds the caller's own visible
    rows, whichever tenant's row the cursor was made from, as with the resolvers."""
    await _contacts(factory, 6)
    private = factory.contact("Private", "L1", created_by="someone-else")
    factory.contact_permission(private, owner_only=True)
    await factory.save()
    mine, _, _ = await walk(client, {"first": 50, "after": None})
    edges = mine["data"]["contacts"]["edges"]
    cursors = [edge["cursor"] for edge in edges]
    own = {edge["node"]["id"] for edge in edges}
    for caller in (other_client, Client(client.http, token_for(settings, tenant, "plain", ["CUST_READ"]))):
        for cursor in cursors[:4]:
            body, resolved, statements = await walk(caller, {"first": 50, "after": cursor})
            assert body == resolved
            nodes = {edge["node"]["id"] for edge in body["data"]["contacts"]["edges"]}
            if caller is other_client:
                assert not nodes & own  # another tenant's rows: none of them
            assert gid("Contact", private) not in nodes  # hidden by a row rule from a plain caller
            assert _planned(statements) == (1 if settings.planner else 0)
    forbidden = Client(client.http, token_for(settings, tenant, "leads", ["CRM_LEAD_VIEW"]))
    body, resolved, statements = await walk(forbidden, {"first": 2, "after": cursors[0]})
    assert body == resolved and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert _planned(statements) == 0
