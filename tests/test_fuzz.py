"""Property-based fuzzing: documents generated from ``schema.graphql`` never meet an internal error.

Hypothesis (with hypothesis-graphql) generates valid queries and mutations, documents with one schema
violation, operations whose variables have any shape, and plain garbage. Every one is sent to the app
in a tenant with a few rows of every kind, so that nested resolvers run. Whatever comes in, the answer
is JSON, never an HTTP 500, and every error carries a stable ``extensions.code`` that is not
``INTERNAL_SERVER_ERROR``.

Hypothesis only generates here: a sync ``@given`` function collects the examples, and the async test
sends them on the session's event loop, the loop that owns the app's database connections (asyncpg
connections cannot move between loops). So failures are not shrunk; the failing document is in the
assertion message. ``CRM_GATEWAY_TEST_FUZZ_EXAMPLES=2000`` turns the deterministic CI budget into a
random bug hunt.
"""

from __future__ import annotations

import json
import os
import string
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries

from comms_factory import CommsFactory
from conftest import Client, token_for
from factories import gid
from gateway.settings import Settings

T = TypeVar("T")
SCHEMA_SDL = (Path(__file__).parent.parent / "schema.graphql").read_text()
SCHEMA = graphql.build_schema(SCHEMA_SDL)
HUNT_EXAMPLES = int(os.environ.get("CRM_GATEWAY_TEST_FUZZ_EXAMPLES", "0"))
TRACEBACK_MARKERS = ("Traceback", 'File "', "site-packages")
# Documents are generated once per session with these stand-ins for IDs, then sent to each database
# with the IDs of the test's own rows put in their place.
ROW_TYPES = [
    *("User", "Stage", "Contact", "Contact", "Account", "Lead", "Task", "Appointment", "FollowUp"),
    *("CommunicationCategory", "CommunicationTemplate", "CommunicationQueueExternalSystem"),
    *("Communication", "Communication", "CommunicationQueueEntry"),
    *("Tag", "Comment"),
]
PLACEHOLDER_IDS = [f"__row{index}__" for index in range(len(ROW_TYPES))]
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8))])
MOMENTS = st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1), timezones=st.one_of(st.none(), ZONES)).map(
    datetime.isoformat
)
DAYS = st.dates(date(1900, 1, 1), date(2100, 1, 1)).map(date.isoformat)


def collect(strategy: st.SearchStrategy[T], count: int) -> list[T]:
    """``count`` examples of ``strategy``: the same ones on every run, unless hunting."""
    found: list[T] = []

    @settings(
        max_examples=HUNT_EXAMPLES or count,
        derandomize=not HUNT_EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def gather(example: T) -> None:
        found.append(example)

    gather()
    return found


def assert_no_internal_error(response: httpx.Response, sent: object) -> dict[str, Any]:
    """The properties every response has, whatever was sent."""
    context = f"sent: {sent!r}\ngot: {response.status_code} {response.text[:2000]}"
    assert response.status_code < 500, context
    assert response.headers["content-type"].startswith("application/json"), context
    body = response.json()
    assert isinstance(body, dict), context
    assert not any(marker in response.text for marker in TRACEBACK_MARKERS), context
    for error in body.get("errors") or []:
        assert isinstance(error.get("message"), str) and error["message"], context
        code = (error.get("extensions") or {}).get("code")
        assert code, context
        assert code != "INTERNAL_SERVER_ERROR", context
    return body  # type: ignore[no-any-return]


# -- a tenant with some rows of every kind -----------------------------------------------------------


@pytest.fixture
async def ids(engine: Any, tenant: str) -> list[str]:
    """Global IDs of rows in the test's tenant; the ID scalar draws from them, so lookups find rows."""
    factory = CommsFactory(engine, tenant)
    user = factory.user("agent", email="agent@example.com")
    stage = factory.stage("New")
    ada = factory.contact("Ada", "Lovelace", emails=["ada@example.com"], phones=["+15145550100"])
    bob = factory.contact("Bob", None, kind="COMPANY", is_deleted=True)
    account = factory.account("Engines Ltd", contacts=[ada, bob], emails=["info@engines.example"])
    lead = factory.lead("Engine", contact_id=ada, account_id=account, stage_id=stage, assignee_id=user)
    task = factory.task("Call back", lead_id=lead, contact_id=ada, assignee_id=user)
    meeting = factory.event("Meet", "APPOINTMENT", contact_id=ada)
    follow_up = factory.event("Follow", "FOLLOW_UP", lead_id=lead)
    category = factory.category("Sales")
    template = factory.template("Quote", direction="OUTGOING", media="EMAIL", subject="Quote", content="Hi")
    system = factory.external_system("Mailer")
    email = factory.communication(
        ada, "Quote", media="EMAIL", direction="OUTGOING", to="ada@example.com", category_id=category,
        template_id=template, external_system_id=system, refers_to=(("Lead", lead), ("Account", account)),
    )  # fmt: skip
    sms = factory.communication(ada, "Reminder", media="SMS", life_cycle_state="DRAFT")
    entry = factory.queue_entry(email, ada, system, media="EMAIL")
    tag = factory.tag("VIP")
    factory.tag_owner(ada, tag)
    factory.tag_owner(account, tag)
    comment = factory.comment(ada, "Called back", author_id=user)
    await factory.save()
    rows = [user, stage, ada, bob, account, lead, task, meeting, follow_up, category, template, system]
    rows += [email, sms, entry, tag, comment]
    return [gid(type_name, row_id) for type_name, row_id in zip(ROW_TYPES, rows, strict=True)]


def with_ids(document: str, ids: list[str]) -> str:
    """The document (or JSON text) with the placeholder IDs replaced by the IDs of real rows."""
    for placeholder, real in zip(PLACEHOLDER_IDS, ids, strict=True):
        document = document.replace(placeholder, real)
    return document


@pytest.fixture
def clients(client: Client, settings: Settings, tenant: str) -> list[Client]:
    """The same tenant seen by a caller with every permission and by one with almost none."""
    return [client, Client(client.http, token_for(settings, tenant, permissions=["CRM_ACTIVITY_VIEW"]))]


def scalars(root_field: str) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """Valid values for the ``ID``, ``DateTime`` and ``Date`` scalars: mostly IDs of rows of the type the root
    field is about (``leadUpdate``: leads), else of other rows or of no row.

    Garbage in them goes through variables (``test_variables_of_any_shape``), because one bad ID in a
    non-null field, or one DateTime literal that does not parse, fails the whole document before any
    nested resolver runs.
    """
    own = [placeholder for placeholder, type_name in zip(PLACEHOLDER_IDS, ROW_TYPES, strict=True)
           if root_field.lower().startswith(type_name.lower())]  # fmt: skip
    unknown = st.uuids().map(lambda record_id: gid("Contact", record_id))
    any_row = st.sampled_from(PLACEHOLDER_IDS)
    ids = (
        st.one_of(st.sampled_from(own), st.sampled_from(own), any_row, unknown) if own else any_row | unknown
    )
    text = {"ID": ids, "DateTime": MOMENTS, "Date": DAYS}
    # A JSON request carries no file: an Upload literal is any string (documentUpload answers CRM1109).
    text["Upload"] = st.text(max_size=20)
    return {name: strategy.map(nodes.String) for name, strategy in text.items()} | {"JSON": JSON_LITERALS}


def _object(**fields: graphql.ValueNode) -> graphql.ObjectValueNode:
    items = tuple(graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=v) for k, v in fields.items())
    return graphql.ObjectValueNode(fields=items)


# Literals of the JSON scalar (custom field options, label values, automation nodes): hypothesis-graphql
# generates none of its own.
JSON_LITERALS: st.SearchStrategy[graphql.ValueNode] = st.sampled_from(
    [
        _object(),
        _object(label1=graphql.StringValueNode(value="Region"), min=graphql.IntValueNode(value="1")),
        graphql.ListValueNode(values=(_object(id=graphql.StringValueNode(value="1")),)),
        graphql.StringValueNode(value="text"),
    ]
)


async def send_all(clients: list[Client], ids: list[str], batch: list[str]) -> None:
    for index, document in enumerate(batch):
        caller = clients[index % len(clients)]
        sent = with_ids(document, ids)
        assert_no_internal_error(await caller.post(sent), sent)


@cache
def documents(operations: Callable[..., st.SearchStrategy[str]], mode: Mode, count: int) -> list[str]:
    """Documents with one root field each: in a document with several, one failing non-null field
    (every mutation payload is one) would null the data of all, and nested resolvers would not run."""
    if mode is Mode.NEGATIVE:  # fails validation anyway; and `me` has nothing to violate on its own
        return collect(operations(SCHEMA, custom_scalars=scalars(""), mode=mode), count)
    root = SCHEMA.query_type if operations is queries else SCHEMA.mutation_type
    assert root is not None
    names = st.sampled_from(sorted(root.fields))
    return collect(names.flatmap(lambda name: one_root_field(operations, name, mode)), count)


@cache
def one_root_field(
    operations: Callable[..., st.SearchStrategy[str]], name: str, mode: Mode
) -> st.SearchStrategy[str]:
    return operations(SCHEMA, fields=[name], custom_scalars=scalars(name), mode=mode)


async def test_generated_queries(clients: list[Client], ids: list[str]) -> None:
    await send_all(clients, ids, documents(queries, Mode.POSITIVE, 150))


async def test_generated_mutations(clients: list[Client], ids: list[str]) -> None:
    await send_all(clients, ids, documents(mutations, Mode.POSITIVE, 150))


@pytest.mark.parametrize("operations", [queries, mutations], ids=["query", "mutation"])
async def test_documents_with_one_schema_violation(
    clients: list[Client], ids: list[str], operations: Callable[..., st.SearchStrategy[str]]
) -> None:
    await send_all(clients, ids, documents(operations, Mode.NEGATIVE, 40))


# -- variables of any shape --------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
SCALAR_VALUES: dict[str, st.SearchStrategy[Any]] = {  # valid ones; garbage comes from JSON_VALUES
    "Int": st.integers(min_value=-(2**31), max_value=2**31 - 1),
    "Float": st.floats(allow_nan=False, allow_infinity=False),
    "String": st.text(max_size=40),
    "Boolean": st.booleans(),
    "DateTime": MOMENTS,
    "Date": DAYS,
    "JSON": JSON_VALUES,  # any JSON is a valid value of the JSON scalar (Akixi settings `extra`)
    # A JSON request carries no file: an Upload variable is null or any value (CRM1109 or a coercion
    # error, never an internal one).
    "Upload": st.none() | st.text(max_size=20),
}


@cache
def variable_values(type_: graphql.GraphQLInputType, garbage: bool) -> st.SearchStrategy[Any]:
    """JSON for a variable of this type; with ``garbage``, any leaf may be any JSON instead."""
    if isinstance(type_, graphql.GraphQLNonNull):
        return _shaped_like(type_.of_type, garbage)
    return st.none() | _shaped_like(type_, garbage)


def _deferred(type_: graphql.GraphQLInputType, garbage: bool) -> st.SearchStrategy[Any]:
    """Input types refer to themselves (``and: [ContactFilter!]``): build their strategies lazily."""
    return st.deferred(lambda: variable_values(type_, garbage))


def _is_leaf(type_: graphql.GraphQLInputType) -> bool:
    return isinstance(graphql.get_named_type(type_), graphql.GraphQLScalarType | graphql.GraphQLEnumType)


def _shaped_like(type_: graphql.GraphQLNullableType, garbage: bool) -> st.SearchStrategy[Any]:
    if isinstance(type_, graphql.GraphQLList):
        return st.lists(_deferred(type_.of_type, garbage), max_size=3)
    if isinstance(type_, graphql.GraphQLInputObjectType):
        fields = {name: _deferred(field.type, garbage) for name, field in type_.fields.items()}
        required = {name: fields.pop(name) for name in _required_fields(type_)}
        return st.fixed_dictionaries(required, optional=fields)
    leaf = _leaf_values(type_)
    return leaf | JSON_VALUES if garbage else leaf


def _required_fields(type_: graphql.GraphQLInputObjectType) -> list[str]:
    return [name for name, field in type_.fields.items() if graphql.is_required_input_field(field)]


def _leaf_values(type_: graphql.GraphQLNullableType) -> st.SearchStrategy[Any]:
    if isinstance(type_, graphql.GraphQLEnumType):
        return st.sampled_from(sorted(type_.values))
    assert isinstance(type_, graphql.GraphQLScalarType)
    if type_.name == "ID":
        return st.sampled_from(PLACEHOLDER_IDS) | st.text(max_size=40)
    return SCALAR_VALUES[type_.name]


def _selection(type_: graphql.GraphQLOutputType) -> str:
    return "" if _is_leaf(type_) else " { __typename }"  # type: ignore[arg-type]


@st.composite
def operations_with_variables(draw: st.DrawFn) -> tuple[str, str]:
    """One root field with every argument passed as a variable of its declared type."""
    root = draw(st.sampled_from([SCHEMA.query_type, SCHEMA.mutation_type]))
    assert root is not None
    name, field = draw(st.sampled_from(sorted(root.fields.items())))
    declared = ", ".join(f"${arg}: {arg_type.type}" for arg, arg_type in field.args.items())
    passed = ", ".join(f"{arg}: ${arg}" for arg in field.args)
    operation = "query" if root is SCHEMA.query_type else "mutation"
    header = f"{operation}({declared})" if declared else operation
    call = f"{name}({passed})" if passed else name
    document = f"{header} {{ {call}{_selection(field.type)} }}"
    # One in three with garbage leaves; the rest well-typed, so that coercion passes and resolvers run.
    garbage = draw(st.sampled_from([False, False, True]))
    variables = {arg: draw(variable_values(argument.type, garbage)) for arg, argument in field.args.items()}
    return document, json.dumps(variables)


@cache
def documents_with_variables(count: int) -> list[tuple[str, str]]:
    """Documents and their variables as JSON text, so that the placeholder IDs can be replaced."""
    return collect(operations_with_variables(), count)


async def test_variables_of_any_shape(clients: list[Client], ids: list[str]) -> None:
    for index, (document, variables_json) in enumerate(documents_with_variables(200)):
        variables = json.loads(with_ids(variables_json, ids))
        response = await clients[index % 2].post(document, variables)
        assert_no_internal_error(response, (document, variables))


# -- garbage -----------------------------------------------------------------------------------------

GRAPHQL_PUNCTUATION = st.sampled_from([*"{}()[]:$!@=.,\"'#|&", "...", '"""', "query", "mutation"])


TEXTS = st.text(max_size=200) | st.lists(
    GRAPHQL_PUNCTUATION | st.text(string.ascii_letters, min_size=1, max_size=6), max_size=30
).map(" ".join)
# Without it, a GET without a query is a browser asking for GraphiQL, which is not JSON.
ACCEPT_JSON = {"Accept": "application/json"}
PAYLOADS = JSON_VALUES | st.fixed_dictionaries({}, optional={"query": JSON_VALUES})
BYTES = st.binary(max_size=200)
GET_PARAMETERS = st.dictionaries(
    st.sampled_from(["query", "variables", "operationName", "extensions"]), st.text(max_size=100)
)


@cache
def garbage(strategy: st.SearchStrategy[T], count: int) -> list[T]:
    return collect(strategy, count)


async def test_malformed_documents(client: Client) -> None:
    for text in garbage(TEXTS, 200):
        assert_no_internal_error(await client.post(text), text)


async def test_malformed_payloads(client: Client) -> None:
    """Bodies that are not a GraphQL request: any JSON, any bytes, query strings of GET requests."""
    auth = {"Authorization": f"Bearer {client.token}", "Content-Type": "application/json"}
    for payload in garbage(PAYLOADS, 100):
        response = await client.http.post("/graphql", content=json.dumps(payload), headers=auth)
        assert_no_internal_error(response, payload)
    for raw in garbage(BYTES, 60):
        response = await client.http.post("/graphql", content=raw, headers=auth)
        assert_no_internal_error(response, raw)
    for query_params in garbage(GET_PARAMETERS, 60):
        response = await client.http.get("/graphql", params=query_params, headers=auth | ACCEPT_JSON)
        assert_no_internal_error(response, query_params)
