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
from hypothesis import strategies as st
from sqlalchemy import event

from conftest import Client, token_for
from factories import Factory, gid
from gateway.backends.sql import tables as t
from gateway.ids import uuid7
from gateway.settings import Settings
from resolvers.common import columns
from resolvers.common.ids import decode_global_id
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
    "three lists and a link": "query($n: Int!) { accounts(first: $n) { nodes { contacts(first: 3) { nodes { "
    "leads(first: 3) { nodes { subject stage { name } } } } } } } }",
    "fragment": "{ leads(first: 3) { nodes { ...L } } } fragment L on Lead { subject }",
    "same field twice": "{ leads(first: 2) { nodes { subject subject } } }",
    "rows of several kinds": "{ accounts(first: 2) { nodes { events { nodes { title __typename id } } } } }",
    "fragments merged": """
query($n: Int!) {
  accounts(first: $n) {
    edges { node { id ...AccountFields } }
    edges { cursor node { name contacts(first: 2) { nodes { firstName } } } }
    ...Paging
  }
}
fragment AccountFields on Account {
  name
  ... on Node { id }
  contacts(first: 2) { nodes { lastName ...Names } totalCount }
  n: name
  ... { city }
}
fragment Names on Contact { firstName displayName ... on Contact { kind } }
fragment Paging on AccountConnection { pageInfo { hasNextPage } pageInfo { endCursor } }
""",
    "events of every kind": """
query($n: Int!) {
  events(first: $n) {
    totalCount
    edges { cursor node {
      __typename id kind title ... on Node { id }
      ... on Task { taskDone }
      ... on Appointment { url noShow assignee { username } }
      ...FollowUpFields
      lead { subject }
    } }
  }
}
fragment FollowUpFields on FollowUp { fromAutomation title }
""",
    "literal directives": """
query($n: Int!) {
  leads(first: $n) @include(if: true) {
    nodes {
      subject @skip(if: true)
      status @include(if: false)
      priority @skip(if: false)
      ... on Lead @skip(if: true) { dueDate }
      ... @include(if: true) { id }
    }
  }
  tasks(first: 1) @skip(if: true) { totalCount }
}
""",
}

# A shape the suite was not tuned for, as a new user would write it: rooted at accounts, four levels
# deep (accounts -> contacts -> leads -> tasks), with named and inline fragments.
FOUR_LEVELS = """
query AccountsDeep($first: Int!) {
  accounts(first: $first, orderBy: [{field: NAME}]) {
    ...Page
    edges { cursor node { ...Account } }
  }
}
fragment Page on AccountConnection { totalCount pageInfo { hasNextPage endCursor } }
fragment Account on Account {
  id name city
  contacts(first: 5) {
    totalCount
    nodes {
      ... on Contact { id firstName lastName }
      leads(first: 5) {
        nodes { ...Lead tasks(first: 5) { edges { node { ...Task } } } }
      }
    }
  }
}
fragment Lead on Lead { id subject status stage { name } }
fragment Task on Task { id title start taskDone assignee { username } }
"""

# Outside the covered subset: each is answered by the resolvers, with the planner on as off.
FALLBACK = {
    "computed float": "{ contacts(first: 3) { nodes { id createdDateLong } } }",
    "computed with arguments": "{ contacts(first: 3) { nodes { id timeline(first: 2) { totalCount } } } }",
    "detail item id": "{ accounts(first: 3) { nodes { name emails { itemId email } } } }",
    "backward page": "{ leads(last: 2) { nodes { subject } } }",
    "other root": "{ stages(first: 3) { nodes { name } } }",
    "bad cursor": '{ leads(first: 2, after: "nope") { nodes { subject } } }',
    "page too large": "{ leads(first: 1000) { nodes { subject } } }",
    "search": '{ contacts(first: 2, search: "F1") { nodes { firstName } } }',
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
            factory.event(
                f"Meeting {i}.{j}", "APPOINTMENT", lead_id=lead, contact_id=contacts[i], url=f"https://m/{i}"
            )
            if j == 1:
                factory.event(
                    f"Call back {i}", "FOLLOW_UP", contact_id=contacts[i], from_automation=i % 2 == 0
                )
            for user in users[: j + 1]:
                factory._link_row(t.lead_assignees, lead_id=lead, user_id=user)
        factory.lead(f"Deleted {i}", account_id=account, contact_id=contacts[i], is_deleted=True)
        _details_of(factory, contacts[i], i)
    factory.task("Lonely task")
    await factory.save()
    return {"contacts": contacts, "private": private, "gated": gated, "users": users}


def _details_of(factory: Factory, contact: Any, i: int) -> None:
    """What Q2 reads of a contact besides its e-mails and phones: addresses, third-party ids and
    communications (of each medium, so the media rules hide some)."""
    for position in range(i % 3):
        row = {"id": uuid7(), "tenant": factory.tenant, "owner_id": contact, "position": position}
        factory._pending[t.addresses.name].append(
            {
                **row,
                "type": "HOME",
                "line1": f"{i} Main St",
                "city": "Lyon",
                "zip": "69001",
                "is_primary": not position,
            }
        )
    if i % 2:
        factory._pending[t.third_party_ids.name].append(
            {
                "id": uuid7(),
                "tenant": factory.tenant,
                "owner_id": contact,
                "system_name": "erp",
                "third_party_id": f"E{i}",
                "date_created": factory.next_time(),
            }
        )
    for n, media in enumerate(["PHONE", "EMAIL", "SMS"][: i % 4]):
        factory._audited(
            t.communications,
            {
                "number": f"C{i}.{n}",
                "direction": ["INCOMING", "OUTGOING"][n % 2],
                "media": media,
                "subject": f"Hello {i}.{n}",
                "content": "...",
                "contact_id": contact,
            },
        )


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
    assert _json_statements(statements) == len(planned["data"])


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


async def test_single_links_answer_null_for_rows_no_caller_sees_and_never_repeat_a_row(
    client: Client, both: Both, factory: Factory, engine: Any, settings: Settings, tenant: str
) -> None:
    """The single links of a page (PostgreSQL: outer joins on the page's rows): a null link, a link
    to a deleted row, to another tenant's row or to a row a row rule hides answers null, and rows
    sharing a target each answer once, in the page's order; a link in a link too."""
    elsewhere = Factory(engine, f"o{uuid7().hex[:12]}")
    foreign = elsewhere.lead("Foreign")
    await elsewhere.save()
    user = factory.user("agent", firstname="A")
    gone_user = factory.user("gone", is_deleted=True)
    private = factory.contact("Private", "Person", created_by="someone-else")
    factory.contact_permission(private, owner_only=True)
    shown = factory.contact("Shown", "Person")
    stage = factory.stage("Won", 1)
    lead = factory.lead("Shared", contact_id=private, stage_id=stage)
    plain_lead = factory.lead("Plain", contact_id=shown)
    gone_lead = factory.lead("Gone", is_deleted=True)
    rows = [
        ("t0 shared", {"lead_id": lead, "contact_id": private, "assignee_id": user}),
        ("t1 shared", {"lead_id": lead, "contact_id": shown, "assignee_id": user}),
        ("t2 nothing", {}),
        ("t3 deleted", {"lead_id": gone_lead, "assignee_id": gone_user}),
        ("t4 foreign", {"lead_id": foreign, "contact_id": shown}),
        ("t5 plain", {"lead_id": plain_lead, "assignee_id": user}),
    ]
    for title, links in rows:
        factory.task(title, **links)
    await factory.save()
    query = """{ tasks(first: 10) { edges { node { title
        lead { subject stage { name } contact { firstName } } contact { firstName } assignee { username }
    } } } }"""
    # No *_ALL: the row rules apply (Private is its owner's).
    permissions = ["CRM_LEAD_VIEW", "CRM_TASK_VIEW", "CRM_STAGE_VIEW", "CUST_READ", "CRM_USER_VIEW"]
    caller = Client(client.http, token_for(settings, tenant, subject="plain", permissions=permissions))
    planned, resolved, statements = await both(caller, query, {})
    assert planned == resolved
    assert _json_statements(statements) == 1
    nodes = [edge["node"] for edge in planned["data"]["tasks"]["edges"]]
    shared = {"subject": "Shared", "stage": {"name": "Won"}, "contact": None}
    plain = {"subject": "Plain", "stage": None, "contact": {"firstName": "Shown"}}
    agent = {"username": "agent"}
    assert nodes == [
        {"title": "t0 shared", "lead": shared, "contact": None, "assignee": agent},
        {"title": "t1 shared", "lead": shared, "contact": {"firstName": "Shown"}, "assignee": agent},
        {"title": "t2 nothing", "lead": None, "contact": None, "assignee": None},
        {"title": "t3 deleted", "lead": None, "contact": None, "assignee": None},
        {"title": "t4 foreign", "lead": None, "contact": {"firstName": "Shown"}, "assignee": None},
        {"title": "t5 plain", "lead": plain, "contact": None, "assignee": agent},
    ]


async def test_a_link_every_type_of_a_list_reads_is_joined_once(
    client: Client, both: Both, factory: Factory
) -> None:
    """A contact's events are tasks, appointments and follow-ups, each type with its ``assignee``:
    on PostgreSQL the statement joins the users once for all of them, and each event gets its own
    (or null)."""
    first, second = factory.user("first"), factory.user("second")
    contact = factory.contact("Has", "Events")
    factory.task("Task", contact_id=contact, assignee_id=first)
    factory.event("Meeting", "APPOINTMENT", contact_id=contact, assignee_id=second)
    factory.event("Call back", "FOLLOW_UP", contact_id=contact)
    await factory.save()
    query = """query($id: ID!) { contact(id: $id) {
        events(first: 5) { edges { node { kind title assignee { username } } } } } }"""
    planned, resolved, statements = await both(client, query, {"id": gid("Contact", contact)})
    assert planned == resolved
    [statement] = [s for s in statements if "json_build_object" in s or "json_object(" in s]
    nodes = [edge["node"] for edge in planned["data"]["contact"]["events"]["edges"]]
    assert [(node["title"], node["assignee"]) for node in nodes] == [
        ("Task", {"username": "first"}),
        ("Meeting", {"username": "second"}),
        ("Call back", None),
    ]
    if "json_build_object" in statement:  # PostgreSQL joins the links (SQLite: a subquery per object)
        assert statement.count("FROM users") == 1


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
    "Event": [
        *("id", "kind", "title", "start", "taskDone", "__typename"),
        *("... on Appointment { url noShow }", "... on FollowUp { fromAutomation title }"),
    ],
}
_LINKS = {"Lead": {"stage": "Stage", "contact": "Contact", "account": "Account"}}
_LINKS["Task"] = {"lead": "Lead", "contact": "Contact", "assignee": "User"}
_LINKS["Event"] = _LINKS["Task"]
_LISTS = {
    "Contact": {"leads": "Lead", "tasks": "Task", "accounts": "Account", "events": "Event"},
    "Account": {"contacts": "Contact", "leads": "Lead", "events": "Event"},
    "Lead": {"tasks": "Task"},
}
_ORDERS = {
    "Contact": ["DATE_CREATED", "FIRST_NAME", "LAST_NAME", "CITY"],
    "Account": ["NAME", "CITY", "DATE_MODIFIED"],
    "Lead": ["PRIORITY", "DUE_DATE", "SUBJECT"],
    "Task": ["START", "TITLE"],
    "Event": ["START", "END", "TITLE"],
}
_ROOTS = {"contacts": "Contact", "accounts": "Account", "leads": "Lead", "tasks": "Task", "events": "Event"}
_LOOKUPS = {"contact": "Contact", "account": "Account", "lead": "Lead"}


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
    if draw(st.booleans()):
        parts.append("... on Node { id }")
    return " ".join(draw(_wrapped(type_name, part)) for part in parts)


@st.composite
def _wrapped(draw: st.DrawFn, type_name: str, part: str) -> str:
    """A selection as it is, or in an inline fragment (on its type, or untyped) that ``@skip`` or
    ``@include`` may drop."""
    how = draw(st.sampled_from(["plain", "plain", "on type", "untyped", "skip", "include"]))
    flag = "true" if draw(st.booleans()) else "false"
    return {
        "plain": part,
        "on type": f"... on {type_name} {{ {part} }}",
        "untyped": f"... {{ {part} }}",
        "skip": f"... on {type_name} @skip(if: {flag}) {{ {part} }}",
        "include": f"... @include(if: {flag}) {{ {part} }}",
    }[how]


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
    if draw(st.integers(0, 3)) == 0:  # a lookup by id, of the id the test gives for its type
        lookup = draw(st.sampled_from(sorted(_LOOKUPS)))
        return f"query($id: ID!) {{ {lookup}(id: $id) {{ {draw(_object(_LOOKUPS[lookup], 0))} }} }}"
    root = draw(st.sampled_from(sorted(_ROOTS)))
    type_name = _ROOTS[root]
    return f"{{ {root}{draw(_arguments(type_name))} {draw(_connection(type_name, 0))} }}"


GENERATED = collect(_document(), 30)


async def test_generated_selections_of_the_covered_subset_answer_as_the_resolvers(
    client: Client, both: Both, factory: Factory
) -> None:
    world = await _world(factory, size=8)
    ids = {**await _ids(client), "Contact": gid("Contact", world["contacts"][3])}
    for query in GENERATED:
        lookup = next((name for name in _LOOKUPS if f"{name}(id: $id)" in query), None)
        variables = {"id": ids[_LOOKUPS[lookup]]} if lookup else {}
        planned, resolved, statements = await both(client, query, variables)
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
    # the page, then one batched statement per relation whatever the page size (Q4: the accounts' contacts,
    # leads and the leads' stages; Q5: the tasks' leads, contacts and assignees)
    assert counts == {4}


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


@pytest.mark.parametrize("first", [3, 100])
async def test_the_end_cursor_is_one_row_s_cursor(
    client: Client,
    both: Both,
    factory: Factory,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    first: int,
) -> None:
    """``endCursor`` of a full page (the row at the page size) and of the last page (the row no row
    follows) is the resolvers'; the statement computes that row's cursor alone, not every row's to
    keep the last (counted where the cursor is a Python function: SQLite's)."""
    from gateway import cursors as cursor

    await _world(factory)
    calls: list[Any] = []
    encode = cursor.encode_signed_cursor
    monkeypatch.setattr(cursor, "encode_signed_cursor", lambda *args: calls.append(args) or encode(*args))
    query = "query($n: Int!) { contacts(first: $n) { pageInfo { endCursor hasNextPage } } }"
    planned, resolved, statements = await both(client, query, {"n": first})
    assert planned == resolved
    assert planned["data"]["contacts"]["pageInfo"]["endCursor"]
    assert _json_statements(statements) == 1
    if settings.database_url.startswith("sqlite"):
        assert len(calls) == 1 + 1  # the planned statement's one, and the resolvers' last row's


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


# --- lookups by id, fragments and directives ---------------------------------------------------------
BY_ID = {
    "bench-q2": BENCH.GATEWAY_DETAIL,
    "account": """query($id: ID!) { account(id: $id) { __typename ...A contacts(first: 3) { totalCount
        nodes { ...C } } leads(first: 2) { pageInfo { hasNextPage endCursor } nodes { subject } } } }
        fragment A on Account { id name city emails { email } events(first: 5) { nodes { id title
        ... on Appointment { url } } } }
        fragment C on Contact { id firstName displayName }""",
    "lead": """query($id: ID!) { lead(id: $id) { id subject stage { name } contact { firstName }
        assignees(first: 2) { totalCount nodes { username } } tasks(first: 2) { nodes { title } } } }""",
    "task": "query($id: ID!) { task(id: $id) { __typename id title lead { subject } assignee { username } } }"
    "",
    "event": """query($id: ID!) { event(id: $id) { __typename id title ... on Task { taskDone }
        ... on Appointment { url } ... on FollowUp { fromAutomation } } }""",
    "two lookups": """query($id: ID!, $other: ID!) { a: contact(id: $id) { firstName }
        b: contact(id: $other) { firstName leads(first: 1) { nodes { subject } } } }""",
}


async def _ids(client: Client) -> dict[str, Any]:
    """Global ids of the world, as the API shows them (an event of each kind, a lead, an account)."""
    body = await client.execute(
        "{ events(first: 100) { nodes { __typename id } } leads(first: 1) { nodes { id } } "
        "accounts(first: 1) { nodes { id } } }"
    )
    data = body["data"]
    events = {node["__typename"]: node["id"] for node in data["events"]["nodes"]}
    return {**events, "Lead": data["leads"]["nodes"][0]["id"], "Account": data["accounts"]["nodes"][0]["id"]}


@pytest.mark.parametrize("name", sorted(BY_ID))
async def test_lookups_by_id_answer_as_the_resolvers_with_one_statement(
    client: Client, both: Both, factory: Factory, name: str
) -> None:
    world = await _world(factory)
    ids = await _ids(client)
    contacts = [gid("Contact", c) for c in (*world["contacts"], world["private"], world["gated"])]
    cases = {
        "bench-q2": contacts,
        "two lookups": contacts[:2],
        "account": [ids["Account"]],
        "lead": [ids["Lead"]],
        # a Task id of an appointment's row: null, as the resolvers say
        "task": [ids["Task"], gid("Task", decode_global_id(ids["Appointment"])[1])],
        "event": [ids["Task"], ids["Appointment"], ids["FollowUp"]],
    }[name]
    for value in cases:
        planned, resolved, statements = await both(client, BY_ID[name], {"id": value, "other": contacts[-1]})
        assert "errors" not in planned, planned
        assert planned == resolved
        assert statements == [s for s in statements if "json" in s]
        assert _json_statements(statements) == len(planned["data"])  # one per root field
    if name == "bench-q2":  # contacts with and without each relation: the statement count stays 1
        assert planned["data"]["contact"]["firstName"] == "Gated"


async def test_q2_rows_do_not_grow_its_statements(client: Client, both: Both, factory: Factory) -> None:
    world = await _world(factory, size=12)
    counts = set()
    for contact in world["contacts"][:8]:  # 0 to 3 leads, events, communications and addresses each
        planned, resolved, statements = await both(
            client, BENCH.GATEWAY_DETAIL, {"id": gid("Contact", contact)}
        )
        assert planned == resolved
        counts.add(len(statements))
    assert counts == {1}


async def test_lookups_are_sent_as_their_compiled_driver_statement(
    app: Any, client: Client, factory: Factory
) -> None:
    """A lookup's statement is compiled once, like a list's: each id goes into its slot of the kept
    driver arguments (``DriverStatement.bound``), not through ``execute``, which worked the
    statement out again (cache key, parameters) at every request: ``exec_driver_sql`` runs no
    SQLAlchemy compiled statement (the cursor event's ``context.compiled`` is None)."""
    world = await _world(factory)
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, _parameters: Any, context: Any, *_: Any) -> None:
        sent.append((statement, context.compiled))

    sync_engine = app.state.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        for contact in world["contacts"][:3]:
            body = await client.post(BENCH.GATEWAY_DETAIL, {"id": gid("Contact", contact)})
            assert body.json()["data"]["contact"]["id"] == gid("Contact", contact)
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)
    planned = [compiled for statement, compiled in sent if "json" in statement]
    assert planned == [None, None, None]


async def test_a_lookup_s_default_id_is_planned_like_a_sent_one(
    client: Client, both: Both, factory: Factory
) -> None:
    """``$id`` with a default, not sent, is the default as graphql-core coerces it: the plan serves
    it (it fell back to the resolvers, since the raw variables hold no ``id``)."""
    world = await _world(factory)
    default, sent = (gid("Contact", c) for c in world["contacts"][1:3])
    query = f'query($id: ID = "{default}") {{ contact(id: $id) {{ id firstName }} }}'
    for variables, expected in [({}, default), ({"id": sent}, sent), ({}, default)]:
        planned, resolved, statements = await both(client, query, variables)
        assert planned == resolved
        assert planned["data"]["contact"]["id"] == expected
        assert _json_statements(statements) == 1, variables


@pytest.mark.parametrize(
    "value",
    [
        "nope",  # not an id: the resolvers' error
        gid("Lead", uuid7()),  # an id of another type: the resolvers' error
        gid("Contact", uuid7()),  # no such contact: null
        "",
    ],
    ids=["invalid", "other-type", "missing", "empty"],
)
async def test_lookups_of_ids_that_answer_null_or_an_error(
    client: Client, both: Both, factory: Factory, value: str
) -> None:
    await _world(factory)
    planned, resolved, statements = await both(client, BENCH.GATEWAY_DETAIL, {"id": value})
    assert planned == resolved
    if "errors" in planned:
        assert planned["errors"][0]["path"] == ["contact"]
        assert _json_statements(statements) == 0
    else:
        assert planned["data"] == {"contact": None}
        assert _json_statements(statements) == 1


async def test_one_plan_serves_every_id_and_a_refused_id_does_not_stop_it(
    client: Client, both: Both, factory: Factory
) -> None:
    """The id is bound when the statement runs: ids the lookup refuses, in between, are the
    resolvers' to answer and leave the kept plan to the next valid one."""
    world = await _world(factory)
    contacts = [gid("Contact", c) for c in world["contacts"]]
    values: list[Any] = [None, "nope", contacts[0], gid("Lead", uuid7()), 7, contacts[1], contacts[2]]
    served = []
    for value in values:
        planned, resolved, statements = await both(client, BENCH.GATEWAY_DETAIL, {"id": value})
        assert planned == resolved, value
        served.append(_json_statements(statements))
    assert served == [0, 0, 1, 0, 0, 1, 1]
    assert [planned["data"]["contact"]["firstName"]] == ["F2"]


async def test_lookups_of_rows_the_caller_cannot_see_answer_null(
    client: Client, other_client: Client, both: Both, factory: Factory, settings: Settings, tenant: str
) -> None:
    world = await _world(factory)
    deleted = factory.lead("Gone", is_deleted=True)
    await factory.save()
    plain = Client(client.http, token_for(settings, tenant, subject="plain", permissions=["CUST_READ"]))
    query = "query($id: ID!) { contact(id: $id) { id firstName } }"
    for caller, value in [
        (other_client, gid("Contact", world["contacts"][0])),  # another tenant's contact
        (plain, gid("Contact", world["private"])),  # a row rule hides it
        (plain, gid("Contact", world["gated"])),
    ]:
        planned, resolved, statements = await both(caller, query, {"id": value})
        assert planned == resolved == {"data": {"contact": None}}
        assert _json_statements(statements) == 1
    planned, resolved, _ = await both(
        client, "query($id: ID!) { lead(id: $id) { id } }", {"id": gid("Lead", deleted)}
    )
    assert planned == resolved == {"data": {"lead": None}}


@pytest.mark.parametrize(
    "permissions",
    [
        ["CUST_READ", "CUST_ORGANIZATION_VIEW"],  # no leads, events or communications
        ["CUST_READ", "CRM_LEAD_VIEW", "CRM_TASK_VIEW"],  # no accounts
        ["CRM_LEAD_VIEW"],  # not the contact itself
    ],
    ids=["no-leads", "no-accounts", "no-contacts"],
)
async def test_a_lookup_missing_a_nested_permission_answers_forbidden_at_the_same_paths(
    client: Client, both: Both, factory: Factory, settings: Settings, tenant: str, permissions: list[str]
) -> None:
    world = await _world(factory)
    caller = Client(client.http, token_for(settings, tenant, permissions=permissions))
    planned, resolved, statements = await both(
        caller, BENCH.GATEWAY_DETAIL, {"id": gid("Contact", world["contacts"][3])}
    )
    assert planned == resolved
    assert {e["extensions"]["code"] for e in planned["errors"]} == {"FORBIDDEN"}
    assert _json_statements(statements) == 0  # the resolvers answered


DIRECTIVES = """
query($id: ID!, $s: Boolean!, $n: Int!) {
  contact(id: $id) {
    firstName @include(if: $s)
    lastName @skip(if: $s)
    ...Extra @include(if: $s)
    ... on Contact @skip(if: $s) { kind two: leads(first: 2) { nodes { subject } } }
    leads(first: $n) { nodes { id status @include(if: $s) } totalCount @skip(if: $s) }
  }
  leads(first: $n) @skip(if: $s) { nodes { subject } }
  events(first: $n) @include(if: $s) { nodes { title ... on Appointment @include(if: $s) { url } } }
}
fragment Extra on Contact { displayName two: leads(first: 2) { nodes { priority } } }
"""


@pytest.mark.parametrize("value", [True, False])
async def test_skip_and_include_with_variables(
    client: Client, both: Both, factory: Factory, value: bool
) -> None:
    world = await _world(factory)
    variables = {"id": gid("Contact", world["contacts"][3]), "s": value, "n": 3}
    planned, resolved, statements = await both(client, DIRECTIVES, variables)
    assert "errors" not in planned, planned
    assert planned == resolved
    assert set(planned["data"]) == {"contact", "events" if value else "leads"}
    assert _json_statements(statements) == 2


async def test_a_fragment_on_a_type_the_row_is_not_selects_nothing(
    client: Client, both: Both, factory: Factory
) -> None:
    await _world(factory)
    ids = await _ids(client)
    query = """query($id: ID!) { event(id: $id) { ... on Appointment { url } ... on FollowUp { title } } }"""
    planned, resolved, statements = await both(client, query, {"id": ids["Task"]})
    assert planned == resolved == {"data": {"event": {}}}
    assert _json_statements(statements) == 1


@pytest.mark.parametrize("first", [10, 50])
async def test_a_four_level_shape_with_fragments_is_one_statement(
    client: Client, both: Both, factory: Factory, settings: Settings, first: int
) -> None:
    sqlite = settings.database_url.startswith("sqlite")  # its parser stops at 3 levels: the resolvers answer
    await _world(factory, size=12)  # 13 accounts: a full page of 10, and all of them in one of 50
    planned, resolved, statements = await both(client, FOUR_LEVELS, {"first": first})
    assert "errors" not in planned, planned
    assert planned == resolved
    assert _json_statements(statements) == (0 if sqlite else 1)
    assert sqlite or len(statements) == 1
    tasks = [
        task
        for edge in planned["data"]["accounts"]["edges"]
        for contact in edge["node"]["contacts"]["nodes"]
        for lead in contact["leads"]["nodes"]
        for task in lead["tasks"]["edges"]
    ]
    assert tasks  # the fourth level has rows


async def test_an_event_of_a_kind_no_type_has_is_the_resolvers_error(
    client: Client, both: Both, factory: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    """The statement picks each event's object by its kind; a kind no GraphQL type has answers a
    marker in its place, so the resolvers answer that request, with their error, in a list and in a
    lookup alike. Only that request: the plan serves the next one (it was disabled for a minute),
    and no warning logs the kind's text."""
    world = await _world(factory)
    ids = await _ids(client)
    odd = factory.event("Oddity", "SECRET-KIND", contact_id=world["contacts"][0])
    await factory.save()
    lookup = "query($id: ID!) { event(id: $id) { __typename title } }"
    queries = [
        ("{ events(first: 100) { nodes { __typename title } } }", {}),
        ("{ contacts(first: 2) { nodes { firstName events(first: 9) { nodes { title } } } } }", {}),
        (lookup, {"id": gid("Task", odd)}),
    ]
    caplog.set_level("DEBUG", logger="gateway")
    for query, variables in queries:
        planned, resolved, statements = await both(client, query, variables)
        assert planned == resolved, query
        assert planned["errors"], query
    planned, resolved, statements = await both(client, lookup, {"id": ids["Task"]})
    assert planned == resolved
    assert "errors" not in planned, planned
    assert _json_statements(statements) == 1  # the same operation and caller: still planned
    planner_logs = [r for r in caplog.records if r.name == "gateway.planner"]
    assert not [r for r in planner_logs if r.levelname == "WARNING"]
    assert not [r for r in planner_logs if "SECRET-KIND" in r.getMessage() + str(r.exc_info)]


async def test_an_unserved_requests_planned_statement_counts_in_its_cost(
    client: Client, factory: Factory, app: Any, planner_off: Any, off_http: httpx.AsyncClient
) -> None:
    """The planned statement that answered ``UNSERVED`` did run: ``cost.sqlStatements`` counts it, then
    the statements of the resolvers that answer the request instead, one more than the resolvers'
    alone (the cost reports what the request ran on the database)."""
    world = await _world(factory)
    factory.event("Oddity", "SECRET-KIND", contact_id=world["contacts"][0])
    await factory.save()
    query = "{ events(first: 100) { nodes { __typename title } } }"
    with statements_executed(app) as statements:
        planned = (await client.post(query, {})).json()
    resolved = (await Client(off_http, client.token).post(query, {})).json()
    assert planned["errors"] and resolved["errors"]
    assert _json_statements(statements) == 1  # the planned statement ran, once
    cost, resolvers_cost = planned["extensions"]["cost"], resolved["extensions"]["cost"]
    assert cost["sqlStatements"] == resolvers_cost["sqlStatements"] + 1


@pytest.mark.parametrize(
    "query",
    [
        "{ __schema { queryType { name } } }",
        '{ __type(name: "Contact") { name } contacts(first: 1) { totalCount } }',
        "{ __typename contacts(first: 1) { totalCount } }",
    ],
)
async def test_introspection_roots_are_the_resolvers(client: Client, both: Both, query: str) -> None:
    """Root fields the query type does not declare (introspection's ``__schema``/``__type``,
    ``__typename``) leave the operation to the resolvers; planning one was a KeyError answered as
    the whole operation's error, with no code."""
    planned, resolved, statements = await both(client, query, {})
    assert "errors" not in planned, planned
    assert planned == resolved
    assert _json_statements(statements) == 0


async def test_a_fault_of_the_planner_leaves_the_operation_to_the_resolvers(
    client: Client, both: Both, factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in the walk (a fault no query can cause on purpose, hence the stand-in) must not reach
    the caller: the resolvers answer, as they did before the planner."""
    from resolvers.planner import extension

    def broken(*_args: Any) -> Any:
        raise RuntimeError("a planner bug")

    monkeypatch.setattr(extension, "plan_operation", broken)
    await _world(factory)
    query = "{ accounts(first: 3) { totalCount nodes { name } } }"
    planned, resolved, statements = await both(client, "query Broken " + query, {})
    assert "errors" not in planned, planned
    assert planned == resolved
    assert _json_statements(statements) == 0
