"""The query planner (``CRM_GATEWAY_PLANNER``): covered operations answer with one statement per root
field, and every operation, covered or not, answers exactly as the resolvers do (data, errors, paths)."""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import OperationDefinitionNode, parse
from hypothesis import strategies as st

from conftest import Client, token_for
from factories import Factory
from gateway.settings import Settings
from resolvers.common import columns
from resolvers.contacts.types import Contact
from test_fuzz import collect
from test_nested_cost import statements_executed

ACCOUNTS = """
query($n: Int!) {
  accounts(first: $n) {
    totalCount
    edges { cursor node {
      id name city isActive dateCreated
      contacts(first: 5) { totalCount edges { node { id firstName lastName kind displayName inactive } } }
      leads(first: 5) { edges { node { id subject status priority stage { id name } } } }
    } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""

TASKS = """
query($n: Int!) {
  tasks(first: $n) {
    edges { node {
      id title start taskDone kind __typename
      lead { id subject status }
      contact { id firstName lastName }
      assignee { id username firstname lastname displayName }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

CONTACTS_DEEP = """
query($n: Int!, $after: String, $leadsAfter: String) {
  first: contacts(first: $n, after: $after, orderBy: [{field: LAST_NAME, direction: DESC}]) {
    __typename
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }
    edges { __typename cursor node {
      __typename id lastName optOut version dateModified
      leads(first: 2, after: $leadsAfter, filter: {priority: {gte: 1}}, orderBy: [{field: PRIORITY}]) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor }
        nodes { id subject priority tasks(first: 2) { nodes { id title } } }
      }
      tasks(first: 3) { edges { cursor node { title assignee { username } } } }
    } }
  }
  leads(first: 3, filter: {status: {in: [OPEN, WON]}}, orderBy: [{field: DUE_DATE, direction: DESC}]) {
    edges { cursor node { id subject dueDate account { name } contact { lastName } } }
  }
}
"""


def _bench_operations() -> Any:
    """``bench/operations.py``, whose Q4 and Q5 the planner must serve (the suite measures them)."""
    path = Path(__file__).resolve().parent.parent / "bench" / "operations.py"
    spec = importlib.util.spec_from_file_location("bench_operations", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _bench_operations()
COVERED = {
    "empty page": "{ leads(first: 0) { totalCount "
    "pageInfo { hasNextPage startCursor endCursor } edges { cursor } } }",
    "counts only": "query($n: Int!) { contacts(first: $n) { totalCount } tasks { totalCount } }",
    "accounts": ACCOUNTS,
    "tasks": TASKS,
    "bench-q1": BENCH.GATEWAY_LIST,
    "bench-q4": BENCH.GATEWAY_ACCOUNTS,
    "details": "query($n: Int!) { contacts(first: $n) { nodes { firstName emails { email type isPrimary } "
    "phones { number mode isPrimary } permissions { ownerOnly permission } "
    "accounts { nodes { name emails { email } } } } } }",
    "bench-q5": BENCH.GATEWAY_TASKS,
}

# Outside the covered subset: each is answered by the resolvers, with the planner on as off.
FALLBACK = {
    "computed float": "{ contacts(first: 3) { nodes { id createdDateLong } } }",
    "computed with arguments": "{ contacts(first: 3) { nodes { id timeline(first: 2) { totalCount } } } }",
    "detail item id": "{ accounts(first: 3) { nodes { name emails { itemId email } } } }",
    "fragment": "{ leads(first: 3) { nodes { ...L } } } fragment L on Lead { subject }",
    "directive": "query($s: Boolean!) { leads(first: 3) { nodes { subject @include(if: $s) } } }",
    "backward page": "{ leads(last: 2) { nodes { subject } } }",
    "other root": "{ stages(first: 3) { nodes { name } } }",
    "bad cursor": '{ leads(first: 2, after: "nope") { nodes { subject } } }',
    "page too large": "{ leads(first: 1000) { nodes { subject } } }",
    "search": '{ contacts(first: 2, search: "F1") { nodes { firstName } } }',
    "same field twice": "{ leads(first: 2) { nodes { subject subject } } }",
    "rows of several kinds": "{ accounts(first: 2) { nodes { events { nodes { title } } } } }",
    "custom fields": "{ leads(first: 2) { nodes { customFields { name } } } }",
    "nested page too large": "{ contacts(first: 2) { nodes { leads(first: 1000) { totalCount } } } }",
    "cursor of another order": "{ leads(first: 2, orderBy: [{field: SUBJECT}], "
    'after: "WyJkYXRlX2NyZWF0ZWQrIixbIjIwMjYtMDEtMDFUMDA6MDA6MDArMDA6MDAiLCJ4Il1d") { nodes { subject } } }',
    "filter naming a bad id": '{ contacts(first: 2, filter: {tags: {in: ["x"]}}) { totalCount } }',
    "too many fields for one object": "{ contacts(first: 2) { nodes { "
    + " ".join(f"f{i}: firstName" for i in range(51))
    + " } } }",
    "mixed roots": "{ leads(first: 1) { nodes { subject } } stages(first: 1) { nodes { name } } }",
    "NUL in a filter": '{ contacts(first: 2, filter: {firstName: {eq: "a\\u0000b"}}) { totalCount } }',
    "forged cursor": '{ leads(first: 2, after: "WyJkYXRlX2NyZWF0ZWQrIiwgWyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAw'
    'IiwgIm5vdC1hLXV1aWQiXV0=") { nodes { subject } } }',
}


async def _world(factory: Factory, size: int = 6) -> dict[str, Any]:
    users = [factory.user(f"agent{i}", firstname=f"A{i}") for i in range(3)]
    stages = [factory.stage(f"Stage {i}", i) for i in range(3)]
    contacts = [
        factory.contact(
            f"F{i}",
            f"L{i % 4}",
            opt_out=i % 2 == 0,
            emails=[f"f{i}.{j}@example.com" for j in range(i % 3)],
            phones=["+14155550100"] * (i % 2),
        )
        for i in range(size)
    ]
    private = factory.contact("Private", "Person", created_by="someone-else")
    factory.contact_permission(private, owner_only=True)
    gated = factory.contact("Gated", "Person")
    factory.contact_permission(gated, "CRM_ADMIN")
    factory.account("Shared", contacts=[private, gated, contacts[0]], emails=["shared@example.com"])
    factory.contact_permission(contacts[1], "CUST_READ")
    for i in range(size):
        account = factory.account(f"Acc {i}", city=None if i % 3 else "Paris", contacts=contacts[i : i + 2])
        for j in range(i % 4):
            lead = factory.lead(
                f"Lead {i}.{j}",
                contact_id=[contacts[i], private, gated][j % 3],
                account_id=account,
                stage_id=stages[j % 3] if j else None,
                priority=j or None,
                status=["OPEN", "WON", "LOST"][j % 3],
            )
            factory.task(f"Task {i}.{j}", lead_id=lead, contact_id=contacts[i], assignee_id=users[j % 3])
            factory.event(f"Meeting {i}.{j}", "APPOINTMENT", lead_id=lead, contact_id=contacts[i])
        factory.lead(f"Deleted {i}", account_id=account, contact_id=contacts[i], is_deleted=True)
    factory.task("Lonely task")
    await factory.save()
    return {"contacts": contacts, "private": private}


Both = Callable[[Client, str, dict[str, Any]], Awaitable[tuple[dict[str, Any], dict[str, Any], list[str]]]]


@pytest.fixture(autouse=True)
def _planner_on(settings: Settings) -> None:
    if not settings.planner:
        pytest.skip("the planner is switched off for this run (CRM_GATEWAY_PLANNER=false)")


@pytest.fixture
def both(app: Any, planner_off: Any, off_http: httpx.AsyncClient) -> Both:
    """Sends a query as a caller with the planner on and off: (planned body, resolved body, the
    planned request's statements); the resolved one ran none of the planner's."""

    async def send(caller: Client, query: str, variables: dict[str, Any]) -> Any:
        with statements_executed(app) as statements:
            planned = (await caller.post(query, variables)).json()
        with statements_executed(planner_off) as off_statements:
            resolved = (await Client(off_http, caller.token).post(query, variables)).json()
        assert _json_statements(off_statements) == 0
        for body in (planned, resolved):
            body.pop("extensions", None)
            for error in body.get("errors", []):
                error.get("extensions", {}).pop("requestId", None)
        return planned, resolved, statements

    return send


def _root_fields(query: str) -> int:
    operation = parse(query).definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return len(operation.selection_set.selections)


def _json_statements(statements: list[str]) -> int:
    return sum("json_build_object" in s or "json_object(" in s for s in statements)


@pytest.mark.parametrize("page", [2, 6])
@pytest.mark.parametrize("name", sorted(COVERED))
async def test_covered_shapes_answer_as_the_resolvers_with_one_statement(
    client: Client, both: Both, factory: Factory, name: str, page: int
) -> None:
    await _world(factory)
    variables = {"n": page, "first": page}
    planned, resolved, statements = await both(client, COVERED[name], variables)
    assert "errors" not in planned, planned
    assert planned == resolved
    assert statements == [s for s in statements if "json" in s]  # one per root field, whatever the page
    assert _json_statements(statements) == _root_fields(COVERED[name])


async def test_nested_filters_orders_cursors_and_counts_answer_as_the_resolvers(
    client: Client, both: Both, factory: Factory
) -> None:
    await _world(factory, size=8)
    variables: dict[str, Any] = {"n": 3, "after": None, "leadsAfter": None}
    planned, resolved, statements = await both(client, CONTACTS_DEEP, variables)
    assert "errors" not in planned, planned
    assert planned == resolved
    assert _json_statements(statements) == 2  # one per root field
    # The next page of each level, after the cursors both answers gave.
    first = planned["data"]["first"]
    variables["after"] = first["pageInfo"]["endCursor"]
    variables["leadsAfter"] = first["edges"][0]["node"]["leads"]["pageInfo"]["endCursor"]
    planned, resolved, statements = await both(client, CONTACTS_DEEP, variables)
    assert "errors" not in planned, planned
    assert planned == resolved
    assert planned["data"]["first"]["pageInfo"]["hasPreviousPage"] is True
    assert _json_statements(statements) == 2


@pytest.mark.parametrize("name", sorted(FALLBACK))
async def test_what_the_planner_does_not_cover_is_answered_by_the_resolvers(
    client: Client, both: Both, factory: Factory, name: str
) -> None:
    await _world(factory)
    planned, resolved, statements = await both(client, FALLBACK[name], {"s": True})
    assert planned == resolved
    assert _json_statements(statements) == 0


@pytest.mark.parametrize(
    "permissions",
    [["CUST_READ", "CUST_ORGANIZATION_VIEW"], ["CUST_ORGANIZATION_VIEW", "CRM_LEAD_VIEW"], ["CRM_TASK_VIEW"]],
    ids=["no-leads", "no-contacts", "tasks-only"],
)
async def test_missing_permissions_answer_forbidden_at_the_same_paths(
    client: Client,
    both: Both,
    factory: Factory,
    settings: Settings,
    tenant: str,
    permissions: list[str],
) -> None:
    await _world(factory)
    caller = Client(client.http, token_for(settings, tenant, permissions=permissions))
    for query in (ACCOUNTS, TASKS):
        planned, resolved, statements = await both(caller, query, {"n": 3})
        assert planned == resolved
        if "errors" in planned:  # a FORBIDDEN field: the resolvers answered
            assert {e["extensions"]["code"] for e in planned["errors"]} == {"FORBIDDEN"}
            assert _json_statements(statements) == 0


async def test_row_rules_hide_the_same_contacts(
    client: Client, both: Both, factory: Factory, settings: Settings, tenant: str
) -> None:
    await _world(factory)
    query = """{ leads(first: 20) { totalCount nodes { subject contact { firstName } } }
                 contacts(first: 20) { totalCount nodes { firstName } }
                 accounts(first: 20) { nodes { name contacts { totalCount nodes { firstName } } } } }"""
    permissions = ["CRM_LEAD_VIEW", "CUST_READ", "CUST_ORGANIZATION_VIEW"]  # no *_ALL: row rules apply
    caller = Client(client.http, token_for(settings, tenant, subject="plain", permissions=permissions))
    planned, resolved, statements = await both(caller, query, {})
    assert planned == resolved
    assert _json_statements(statements) == 3
    names = {node["firstName"] for node in planned["data"]["contacts"]["nodes"]}
    assert "Private" not in names
    [shared] = [a for a in planned["data"]["accounts"]["nodes"] if a["name"] == "Shared"]
    assert shared["contacts"]["totalCount"] == 1  # F0 only: Private is its owner's, Gated for admins


async def test_another_tenant_sees_nothing(other_client: Client, both: Both, factory: Factory) -> None:
    await _world(factory)
    planned, resolved, statements = await both(other_client, ACCOUNTS, {"n": 5})
    assert planned == resolved
    assert planned["data"]["accounts"]["totalCount"] == 0
    assert _json_statements(statements) == 1


# --- generated selections of the covered subset -----------------------------------------------------
# Each type's plain fields, single links and nested lists (with their order fields), as the walk covers
# them; the generator composes them into documents and both apps must answer each the same way.
_FIELDS = {
    "Contact": [
        *("id", "firstName", "lastName", "kind", "optOut", "dateCreated", "displayName", "inactive"),
        *("phones { number mode isPrimary }", "permissions { ownerOnly permission }"),
    ],
    "Account": ["id", "name", "city", "isActive", "dateModified", "emails { email type isPrimary }"],
    "Lead": ["id", "subject", "status", "priority", "dueDate", "isQualified"],
    "Task": ["id", "title", "start", "taskDone", "kind", "__typename"],
    "Stage": ["id", "name", "position"],
    "User": ["id", "username", "firstname", "isActive", "displayName"],
}
_LINKS = {"Lead": {"stage": "Stage", "contact": "Contact", "account": "Account"}}
_LINKS["Task"] = {"lead": "Lead", "contact": "Contact", "assignee": "User"}
_LISTS = {
    "Contact": {"leads": "Lead", "tasks": "Task", "accounts": "Account"},
    "Account": {"contacts": "Contact", "leads": "Lead"},
    "Lead": {"tasks": "Task"},
}
_ORDERS = {
    "Contact": ["DATE_CREATED", "FIRST_NAME", "LAST_NAME", "CITY"],
    "Account": ["NAME", "CITY", "DATE_MODIFIED"],
    "Lead": ["PRIORITY", "DUE_DATE", "SUBJECT"],
    "Task": ["START", "TITLE"],
}
_ROOTS = {"contacts": "Contact", "accounts": "Account", "leads": "Lead", "tasks": "Task"}


@st.composite
def _object(draw: st.DrawFn, type_name: str, depth: int) -> str:
    parts = draw(st.lists(st.sampled_from(_FIELDS[type_name]), min_size=1, max_size=4, unique=True))
    if depth < 2:
        for name, target in _LINKS.get(type_name, {}).items():
            if draw(st.booleans()):
                parts.append(f"{name} {{ {draw(_object(target, depth + 1))} }}")
        for name, target in _LISTS.get(type_name, {}).items():
            if draw(st.integers(0, 3)) == 0:
                parts.append(f"{name}{draw(_arguments(target))} {draw(_connection(target, depth + 1))}")
    return " ".join(parts)


@st.composite
def _arguments(draw: st.DrawFn, type_name: str) -> str:
    given = [f"first: {draw(st.sampled_from([0, 1, 2, 5]))}"]
    if draw(st.booleans()):
        field = draw(st.sampled_from(_ORDERS[type_name]))
        direction = draw(st.sampled_from(["ASC", "DESC"]))
        given.append(f"orderBy: [{{field: {field}, direction: {direction}}}]")
    return f"({', '.join(given)})"


@st.composite
def _connection(draw: st.DrawFn, type_name: str, depth: int) -> str:
    parts = []
    if draw(st.booleans()):
        parts.append("totalCount")
    if draw(st.booleans()):
        names = ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"]
        info = draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
        parts.append(f"pageInfo {{ {' '.join(info)} }}")
    node = draw(_object(type_name, depth))
    if draw(st.booleans()):
        parts.append(f"nodes {{ {node} }}")
    else:
        cursor = "cursor " if draw(st.booleans()) else ""
        parts.append(f"edges {{ {cursor}node {{ {node} }} }}")
    return f"{{ {' '.join(parts)} }}"


@st.composite
def _document(draw: st.DrawFn) -> str:
    root = draw(st.sampled_from(sorted(_ROOTS)))
    type_name = _ROOTS[root]
    return f"{{ {root}{draw(_arguments(type_name))} {draw(_connection(type_name, 0))} }}"


GENERATED = collect(_document(), 25)


async def test_generated_selections_of_the_covered_subset_answer_as_the_resolvers(
    client: Client, both: Both, factory: Factory
) -> None:
    await _world(factory, size=8)
    for query in GENERATED:
        planned, resolved, statements = await both(client, query, {})
        assert "errors" not in planned, (query, planned)
        assert planned == resolved, query
        assert _json_statements(statements) == 1, query


async def test_a_kept_plan_serves_only_callers_it_was_made_for(
    client: Client, both: Both, factory: Factory, settings: Settings, tenant: str
) -> None:
    await _world(factory)
    query = "{ contacts(first: 20) { nodes { firstName leads { nodes { subject } } } } }"
    readers = ["CUST_READ", "CRM_LEAD_VIEW"]
    callers = [
        client,  # CRM_ALL: an administrator, whom row rules do not restrict
        Client(client.http, token_for(settings, tenant, subject="someone-else", permissions=readers)),
        Client(client.http, token_for(settings, tenant, subject="plain", permissions=readers)),
        Client(client.http, token_for(settings, tenant, subject="plain", permissions=["CUST_READ"])),
    ]
    answers = []
    for caller in callers * 2:  # the second time round, from the kept plans
        planned, resolved, _ = await both(caller, query, {})
        assert planned == resolved
        answers.append(planned)
    names = [{node["firstName"] for node in a["data"]["contacts"]["nodes"]} for a in answers[:3]]
    assert {"Private", "Gated"} <= names[0]
    assert "Private" in names[1] and "Gated" not in names[1]  # its creator sees the private one
    assert not {"Private", "Gated"} & names[2]
    assert {e["extensions"]["code"] for e in answers[3]["errors"]} == {"FORBIDDEN"}
    assert answers[:4] == answers[4:]


async def test_a_computed_field_reading_more_than_it_declares_is_left_to_the_resolvers(
    client: Client, both: Both, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _world(factory)
    display_name = Contact.__strawberry_definition__.get_field("display_name").base_resolver.wrapped_func
    monkeypatch.setitem(columns._DECLARED, display_name, frozenset({"first_name"}))  # lacks last_name ...
    query = "{ undeclared: contacts(first: 3) { nodes { displayName } } }"
    for _ in range(2):  # planned, found wanting; then not planned again
        planned, resolved, statements = await both(client, query, {})
        assert planned == resolved  # the resolvers' answer (their partial records refuse the read too)
    assert _json_statements(statements) == 0


@pytest.mark.parametrize("name", ["bench-q4", "bench-q5"])
async def test_the_new_shapes_cost_the_resolvers_the_same_statements_at_two_page_sizes(
    off_client: Client, factory: Factory, name: str
) -> None:
    await _world(factory, size=8)
    counts = set()
    for page in (4, 8):  # both pages hold rows with every relation (leads with stages from the third on)
        body = await off_client.execute(COVERED[name], {"first": page})
        counts.add(body["extensions"]["cost"]["sqlStatements"])
    assert counts == {3 if name == "bench-q4" else 2}  # the page; its relations, one statement a level


# --- values the statement now formats itself: strings in cursors, null keys, microseconds -----------
_TRICKY = [
    "",
    "O'Brien",
    'say "hi"',
    "back\\slash",
    "tab\tnew\nline\x01\x1f\x7f",
    "Zoë",
    "日本 😀",
    "\u2028",
    "a",
]


async def _tricky_world(factory: Factory) -> None:
    """Rows whose sort keys and values hold what JSON escapes, nulls and date-times with and without
    microseconds; pairs of equal keys, so the id decides between them."""
    user = factory.user("agent", firstname="Zoë", lastname="")
    for i, text in enumerate(_TRICKY):
        moment = datetime(2026, 3, 1 + i % 3, 9, 30, 0, 0 if i % 2 else 123_456 * i, tzinfo=UTC)
        contact = factory.contact(
            text if i % 3 else None,
            _TRICKY[-1 - i] if i % 4 else None,
            company_name=text or None,
            kind="COMPANY" if i % 5 == 0 else "PERSON",
            preferred_name=text if i % 6 == 1 else None,
            city=None if i % 2 else text,
            date_created=moment,
            date_modified=moment if i % 4 else None,
        )
        account = factory.account(text or "blank", city=None if i % 3 else text, date_created=moment)
        factory.link(account, contact)
        lead = factory.lead(
            text,
            contact_id=contact,
            account_id=account,
            priority=None if i % 3 == 0 else i % 2,
            due_date=None if i % 2 else moment,
            date_created=moment,
        )
        factory.task(
            text, lead_id=lead, contact_id=contact, assignee_id=user, start=None if i % 4 == 0 else moment
        )
    await factory.save()


_SORTED = {
    "contacts": (
        "Contact",
        ["DATE_CREATED", "DATE_MODIFIED", "FIRST_NAME", "LAST_NAME", "COMPANY_NAME", "CITY"],
    ),
    "accounts": ("Account", ["DATE_CREATED", "NAME", "CITY"]),
    "leads": ("Lead", ["DATE_CREATED", "DUE_DATE", "PRIORITY", "SUBJECT"]),
    "tasks": ("Event", ["START", "END", "TITLE"]),
}
_ROWS = {
    "contacts": "id displayName firstName lastName city dateCreated dateModified inactive kind",
    "accounts": "id name city dateCreated contacts(first: 2) { edges { cursor node { displayName } } }",
    "leads": "id subject priority dueDate contact { displayName }",
    "tasks": "id title start assignee { displayName firstname lastname }",
}


@pytest.mark.parametrize("root", sorted(_SORTED))
async def test_every_order_pages_alike_with_the_planner_s_cursors_on_and_off(
    client: Client, both: Both, factory: Factory, root: str
) -> None:
    """Each sortable field, both directions, paged through with the cursors the planned statement
    built: the same pages (and cursors) with the planner on and off, from either side's cursor."""
    await _tricky_world(factory)
    _, fields = _SORTED[root]
    for field, direction in itertools.product(fields, ["ASC", "DESC"]):
        query = (
            f"query($after: String) {{ {root}(first: 2, after: $after, orderBy: [{{field: {field}, "
            f"direction: {direction}}}]) {{ totalCount edges {{ cursor node {{ {_ROWS[root]} }} }} "
            "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"
        )
        after, pages = None, 0
        while True:
            planned, resolved, statements = await both(client, query, {"after": after})
            assert "errors" not in planned, (field, planned)
            assert planned == resolved, (field, direction, after)
            assert _json_statements(statements) == 1
            page = planned["data"][root]
            pages += 1
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]  # the planner's, used with the planner on and off
        assert pages == 5, (field, direction)  # nine rows, two a page


async def test_the_planned_ids_and_cursors_are_the_resolvers_values(
    client: Client, off_client: Client, factory: Factory
) -> None:
    """A planned global id finds its row through ``node(id:)``, and a planned cursor continues the
    resolvers' list where the planned page ended."""
    await _tricky_world(factory)
    query = "{ contacts(first: 4, orderBy: [{field: LAST_NAME}]) { edges { cursor node { id lastName } } } }"
    planned = (await client.execute(query))["data"]["contacts"]["edges"]
    for edge in planned:
        node = await off_client.execute(
            "query($id: ID!) { node(id: $id) { id ... on Contact { lastName } } }", {"id": edge["node"]["id"]}
        )
        assert node["data"]["node"] == edge["node"]
    rest = (
        "query($a: String) { contacts(first: 50, after: $a, orderBy: [{field: LAST_NAME}]) { nodes { id } } }"
    )
    after_second = await off_client.execute(rest, {"a": planned[1]["cursor"]})
    assert [n["id"] for n in after_second["data"]["contacts"]["nodes"][:2]] == [
        e["node"]["id"] for e in planned[2:]
    ]
