"""Lists read only the columns their rows' selection needs (``resolvers/common/columns.py``).

The oracle is the same request with every list reading whole records: each field of each list's row
types, selected on its own (so no other field's columns can cover for it), must answer exactly the
same, errors and statement counts included. A resolver that reads a column its declaration does not
name answers ``ColumnNotLoaded`` here instead of its value.

The planner reads no records (the whole-records switch changes nothing it answers), so the sweeps ask
the resolvers (``off_client``) both ways, and the planner once, which must answer as they do. The
statement tests ask both ways. So the module needs no second run with the planner off (``.ci/run``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from graphql import (
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    Undefined,
    is_leaf_type,
)
from graphql import (
    get_named_type as named,
)

from comms_factory import CommsFactory
from conftest import Client
from gateway.backends.records import ColumnNotLoaded, LeadRecord, partial_record_class
from gateway.backends.sql import tables as t
from gateway.planner import plan
from resolvers.common import columns
from resolvers.schema import schema

GRAPH = schema._schema
assert GRAPH.query_type is not None
QUERY: GraphQLObjectType = GRAPH.query_type


@pytest.fixture
async def world(engine: Any, tenant: str) -> None:
    """A row of every kind, linked to each other, so every list and link has something to show."""
    make = CommsFactory(engine, tenant)
    user = make.user("grace", firstname="Grace", lastname="Hopper", email="grace@example.com")
    franchise = make._audited(t.franchises, {"name": "North", "code": "N"})
    department = make._audited(t.departments, {"name": "Sales", "franchise_id": franchise})
    make.user("ops")  # no names: its displayName is the user name
    stage = make.stage("Won", 3)
    ada = make.contact("Ada", "Lovelace", emails=["ada@example.com"], phones=["+15145550111"], city="London")
    make.contact(None, None, kind="COMPANY", company_name="Engines Ltd", preferred_name="Engines")
    account = make.account("Analytical", contacts=[ada], primary_contact_id=ada, city="London")
    lead = make.lead(
        "Engine",
        contact_id=ada,
        account_id=account,
        stage_id=stage,
        status="OPEN",
        franchise_id=franchise,
        department_id=department,
    )
    make._pending[t.lead_assignees.name].append(
        {"tenant": tenant, "lead_id": lead, "user_id": user, "date_created": make.next_time()}
    )
    for kind in ("TASK", "APPOINTMENT", "FOLLOW_UP"):
        make.event(
            f"{kind} 1", kind, contact_id=ada, account_id=account, lead_id=lead, assignee_id=user, type="CALL"
        )
    category = make.category("Support")
    template = make.template("Welcome")
    system = make.external_system("Twilio")
    communication = make.communication(
        ada, "Hello", category_id=category, template_id=template, refers_to=(("Lead", lead),)
    )
    make.queue_entry(communication, ada, system)
    await make.save()


@pytest.fixture(autouse=True)
def fresh_columns() -> Iterator[None]:
    """Column sets are kept per document across requests: each test works them out anew."""
    _forget_columns()
    yield
    _forget_columns()


def _forget_columns() -> None:
    """Drop the column sets kept per document."""
    columns._BY_SELECTION.clear()


@pytest.fixture(params=["planner", "resolvers"])
def any_client(request: pytest.FixtureRequest) -> Client:
    """``client`` (the query planner on) and ``off_client`` (the resolvers alone)."""
    return request.getfixturevalue("client" if request.param == "planner" else "off_client")  # type: ignore[no-any-return]


@pytest.fixture
def whole_records(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A switch: after ``whole_records()`` every list reads whole records, as before this module."""

    def switch() -> None:
        monkeypatch.setattr(columns, "selection_columns", lambda *args, **kwargs: None)
        _forget_columns()

    yield switch


def _lists(object_type: GraphQLObjectType) -> list[tuple[str, GraphQLField]]:
    """The connection fields of a type that take no required argument."""
    return [
        (name, field)
        for name, field in object_type.fields.items()
        if named(field.type).name.endswith("Connection") and not _required_arguments(field)
    ]


def _required_arguments(field: GraphQLField) -> bool:
    return any(
        isinstance(arg.type, GraphQLNonNull) and (arg.default_value is None or arg.default_value is Undefined)
        for arg in field.args.values()
    )


def _row_types(connection: GraphQLField) -> list[GraphQLObjectType]:
    edges: Any = named(named(connection.type).fields["edges"].type)  # type: ignore[attr-defined]
    node: Any = named(edges.fields["node"].type)
    return [node] if isinstance(node, GraphQLObjectType) else list(GRAPH.get_possible_types(node))


def _selection(name: str, field: GraphQLField) -> str:
    if _required_arguments(field):
        return ""
    return name if is_leaf_type(named(field.type)) else f"{name} {{ __typename }}"


def _one_field_each(connection: GraphQLField) -> list[str]:
    """``... on T { field }`` for each field of each row type: one per list, none sharing a list."""
    return [
        f"... on {row.name} {{ {selection} }}"
        for row in _row_types(connection)
        for name, field in row.fields.items()
        if (selection := _selection(name, field))
    ]


ALIASES = 25  # per request: the gateway's alias limit is 30


def _chunks(parts: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(parts), ALIASES):
        yield parts[start : start + ALIASES]


def _root_requests() -> list[str]:
    requests: list[str] = []
    for list_name, connection in _lists(QUERY):
        parts = [
            f"{list_name}(first: 3) {{ edges {{ node {{ {part} }} }} }}"
            for part in _one_field_each(connection)
        ]
        requests.extend(_aliased(chunk) for chunk in _chunks(parts))
    return requests


def _nested_requests() -> list[str]:
    requests: list[str] = []
    seen: set[tuple[str, str]] = set()
    for list_name, connection in _lists(QUERY):
        for row in _row_types(connection):
            for nested, field in _lists(row):
                if (row.name, nested) in seen:  # e.g. under both events and tasks
                    continue
                seen.add((row.name, nested))
                parts = [
                    f"{nested}(first: 2) {{ edges {{ node {{ {part} }} }} }}"
                    for part in _one_field_each(field)
                ]
                for chunk in _chunks(parts):
                    inner = _aliased(chunk)[1:-1]
                    rows = f"edges {{ node {{ ... on {row.name} {{ {inner} }} }} }}"
                    requests.append(f"{{ {list_name}(first: 3) {{ {rows} }} }}")
    return requests


def _aliased(parts: list[str]) -> str:
    return "{ " + "\n".join(f"f{i}: {part}" for i, part in enumerate(parts)) + " }"


def _data_and_errors(body: Any) -> Any:
    return {key: _without_request_ids(body[key]) for key in ("data", "errors") if key in body}


def _without_request_ids(body: Any) -> Any:
    if isinstance(body, dict):
        return {key: _without_request_ids(value) for key, value in body.items() if key != "requestId"}
    if isinstance(body, list):
        return [_without_request_ids(item) for item in body]
    return body


@pytest.mark.usefixtures("world")
async def test_every_field_of_every_root_list_answers_as_with_whole_records(
    client: Client, off_client: Client, whole_records: Any
) -> None:
    """Data and errors alike. (Not the statement counts: aliases of one list that read different
    columns are different queries, while whole records make them one.)"""
    requests = _root_requests()
    assert len(requests) >= 10  # contacts, accounts, leads, events, stages, users, communications ...
    await _answer_alike((client, off_client), requests, whole_records, _data_and_errors)


@pytest.mark.usefixtures("world")
async def test_every_field_of_every_nested_list_answers_as_with_whole_records(
    client: Client, off_client: Client, whole_records: Any
) -> None:
    """Data and errors. (Not statement counts: aliases of one nested list that read different columns
    are different queries, each batched for all parents, while whole records make them one.)"""
    requests = _nested_requests()
    assert len(requests) >= 15
    await _answer_alike((client, off_client), requests, whole_records, _data_and_errors)


async def _answer_alike(
    clients: tuple[Client, Client], requests: list[str], whole_records: Any, compared: Any
) -> None:
    """Each request answers the same from the planner (where it serves it) and from the resolvers,
    these reading selected columns and then whole records, without errors."""
    planner, resolvers = clients
    planned = [compared((await planner.post(request)).json()) for request in requests]
    narrow = [compared((await resolvers.post(request)).json()) for request in requests]
    whole_records()
    whole = [compared((await resolvers.post(request)).json()) for request in requests]
    for request, got, expected, by_planner in zip(requests, narrow, whole, planned, strict=True):
        assert got == expected, request
        assert by_planner == expected, request
    assert all("errors" not in body for body in whole), [body["errors"] for body in whole if "errors" in body]


@pytest.mark.usefixtures("world")
async def test_a_page_selects_only_the_columns_its_rows_read(any_client: Client, engine: Any) -> None:
    statements: list[str] = []

    def capture(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    query = """{ contacts(first: 5) { edges { node { id displayName
      leads(first: 5) { edges { node { subject stage { name } } } } } } } }"""
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", capture)
    try:
        body = await any_client.execute(query)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", capture)
    leads = [edge["node"]["leads"] for edge in body["data"]["contacts"]["edges"]]
    assert {"subject": "Engine", "stage": {"name": "Won"}} in [
        e["node"] for page in leads for e in page["edges"]
    ]
    contacts = next(s for s in statements if "FROM contacts" in s)
    lead_page = next(s for s in statements if "FROM leads" in s)
    assert "first_name" in contacts and "company_name" in contacts  # displayName reads them
    assert "opt_out" not in contacts and "city" not in contacts
    assert "subject" in lead_page and "stage_id" in lead_page
    assert "description" not in lead_page and "visit_count" not in lead_page


@pytest.mark.usefixtures("world")
async def test_a_field_without_a_declaration_reads_whole_records(
    any_client: Client, engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``columns`` knows nothing of a resolver nobody declared (no ``@uses_columns``, no SQL twin):
    its list reads every column."""
    monkeypatch.setattr(plan, "_TWINS", {})  # a twin declares its columns too (and plans the field)
    statements: list[str] = []

    def capture(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    original = dict(columns._DECLARED)
    columns._DECLARED.clear()  # as for a resolver added without a declaration
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", capture)
    try:
        body = await any_client.execute("{ contacts(first: 5) { edges { node { displayName } } } }")
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", capture)
        columns._DECLARED.update(original)
    assert "Ada Lovelace" in [edge["node"]["displayName"] for edge in body["data"]["contacts"]["edges"]]
    assert "opt_out" in next(s for s in statements if "FROM contacts" in s)


def test_a_partial_record_raises_for_what_its_read_left_out() -> None:
    partial = partial_record_class(LeadRecord, frozenset({"description", "stage_id"}))
    record = object.__new__(partial)
    record.__dict__.update(id="l1", subject="Engine")
    assert isinstance(record, LeadRecord)
    assert record.subject == "Engine"
    with pytest.raises(ColumnNotLoaded, match="stage_id"):
        _ = record.stage_id
    with pytest.raises(ColumnNotLoaded):  # not an AttributeError: no quiet default through getattr
        getattr(record, "description", None)
    assert "subject='Engine'" in repr(record)
