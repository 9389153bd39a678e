"""The compiling executor (``resolvers.common.compiled``) answers exactly as graphql-core does.

Each test sends the same request twice, once through the compiling executor and once through
Strawberry's own, and compares the whole response body (data, errors with their paths and codes,
statement counts). Each also checks that the compiled completion did the work, so a comparison cannot
pass merely because every object fell back to graphql-core.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from conftest import Client, token_for
from factories import Factory, gid
from gateway.settings import Settings
from resolvers.common import compiled
from resolvers.schema import schema

pytestmark = pytest.mark.usefixtures("people", "fresh_plans")


@pytest.fixture
def fresh_plans() -> Iterator[None]:
    """Plans are shared by the operations of a process: each test starts as a new process would."""
    compiled.forget_plans()
    yield
    compiled.forget_plans()


@pytest.fixture
def graphql_core_completions(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the object types graphql-core itself completed, in order."""
    completed: list[str] = []
    complete = compiled._COMPLETE_OBJECT

    def counting(self: Any, return_type: Any, *args: Any) -> Any:
        completed.append(return_type.name)
        return complete(self, return_type, *args)

    monkeypatch.setattr(compiled, "_COMPLETE_OBJECT", counting)
    yield completed


@pytest.fixture
def client(off_http: httpx.AsyncClient, settings: Settings, tenant: str) -> Client:
    """These tests compare the compiled completion with graphql-core's: the query planner, which would
    answer the covered ones without either, stays off (``CRM_GATEWAY_PLANNER``)."""
    return Client(off_http, token_for(settings, tenant))


async def _both(client: Client, query: str, variables: dict[str, Any] | None = None) -> tuple[Any, Any]:
    """(compiled body, graphql-core body) of the same request."""
    compiled_body = (await client.post(query, variables)).json()
    schema.execution_context_class = StrawberryGraphQLCoreExecutionContext
    try:
        plain_body = (await client.post(query, variables)).json()
    finally:
        schema.execution_context_class = compiled.CompilingExecutor
    return _without_request_ids(compiled_body), _without_request_ids(plain_body)


def _without_request_ids(body: Any) -> Any:
    for error in body.get("errors", []):
        error.get("extensions", {}).pop("requestId", None)
    return body


@pytest.fixture
async def people(factory: Factory) -> dict[str, Any]:
    won = factory.stage("Won", 3)
    lost = factory.stage("Lost", 4)
    owner = factory.user("grace")
    ids: dict[str, Any] = {"won": won, "owner": owner, "contacts": []}
    for n in range(6):
        contact = factory.contact(f"Ada{n}", "Lovelace", emails=[f"ada{n}@example.com", f"a{n}@example.org"])
        ids["contacts"].append(contact)
        factory.account(f"Analytical {n}", contacts=[contact]) if n % 2 else None
        for m in range(n % 3):
            factory.lead(f"Engine {n}.{m}", contact_id=contact, stage_id=won if m else lost, status="OPEN")
        factory.task(f"Call {n}", contact_id=contact, assignee_id=owner if n % 2 else None)
        factory.event(f"Meet {n}", kind="APPOINTMENT", contact_id=contact)
    await factory.save()
    return ids


PAGE = """
query Page($first: Int!, $withTasks: Boolean!) {
  contacts(first: $first, filter: {lastName: {eq: "Lovelace"}}) {
    edges { cursor node { __typename id displayName kind optOut
      emails { email isPrimary }
      mail: emails { email }
      accounts(first: 3) { edges { node { id name } } }
      leads(first: 5) { nodes { id subject status stage { id name } } }
      tasks(first: 5) @include(if: $withTasks) { edges { node { id title start
        ... on Task { assignee { id displayName } } } } }
      ...More
    } }
    pageInfo { hasNextPage endCursor }
  }
}
fragment More on Contact {
  events(first: 5) { edges { node { __typename title ... on Appointment { id } } } }
}
"""


async def test_a_page_with_nested_lists_fragments_and_aliases_answers_alike(
    client: Client, graphql_core_completions: list[str]
) -> None:
    for with_tasks in (True, False):
        graphql_core_completions.clear()
        compiled_body, plain_body = await _both(client, PAGE, {"first": 6, "withTasks": with_tasks})
        assert "errors" not in compiled_body, compiled_body
        assert compiled_body == plain_body
        edges = compiled_body["data"]["contacts"]["edges"]
        assert len(edges) == 6 and ("tasks" in edges[0]["node"]) is with_tasks
        # Only the plain run's objects: the compiled run completed the whole page in one pass.
        # graphql-core completes the first object of each selection (planning pays only for repeats):
        # the page, the first row and its lists' first rows; the compiled closures do the rest.
        assert graphql_core_completions.count("ContactEdge") == 1
        assert graphql_core_completions.count("Contact") == 1
        assert graphql_core_completions.count("Email") <= 2  # `emails` and its alias `mail`


async def test_an_async_field_leaves_only_the_objects_on_its_path_to_graphql_core(
    client: Client, graphql_core_completions: list[str]
) -> None:
    # totalCount is counted when asked (an awaitable): the objects above it complete field by field.
    query = """{ contacts(first: 6) { edges { node { displayName emails { email }
        accounts(first: 3) { totalCount edges { node { name } } } } } } }"""
    compiled_body, plain_body = await _both(client, query)
    assert "errors" not in compiled_body, compiled_body
    assert compiled_body == plain_body
    assert compiled_body["data"]["contacts"]["edges"][1]["node"]["accounts"]["totalCount"] == 1
    on_the_path = {"ContactConnection", "ContactEdge", "Contact", "AccountConnection"}
    assert set(graphql_core_completions) == on_the_path | {"Email"}  # and the first e-mail (first sight)
    assert graphql_core_completions.count("Contact") == 6  # once each; no retry per row
    assert graphql_core_completions.count("Email") == 1


async def test_statement_counts_do_not_change(client: Client) -> None:
    compiled_body, plain_body = await _both(client, PAGE, {"first": 6, "withTasks": True})
    assert compiled_body["extensions"]["cost"]["sqlStatements"] > 0
    assert compiled_body["extensions"]["cost"] == plain_body["extensions"]["cost"]


async def test_a_forbidden_nested_field_is_null_with_its_error_at_each_path(
    http: Any, settings: Any, tenant: str, graphql_core_completions: list[str]
) -> None:
    # Leads are readable, their stages are not: each stage is null with FORBIDDEN at its own path.
    reader = Client(http, token_for(settings, tenant, permissions=["CUST_READ", "CRM_LEAD_VIEW"]))
    query = """{ contacts(first: 6) { edges { node { displayName
        leads(first: 5) { edges { node { subject stage { name } } } } } } } }"""
    compiled_body, plain_body = await _both(reader, query)
    assert compiled_body == plain_body
    errors = compiled_body["errors"]
    assert len(errors) == 6 and {e["extensions"]["code"] for e in errors} == {"FORBIDDEN"}
    assert errors[0]["path"] == ["contacts", "edges", 1, "node", "leads", "edges", 0, "node", "stage"]


async def test_an_argument_error_below_the_page_is_reported_at_each_row(client: Client) -> None:
    query = """{ contacts(first: 3) { edges { node { displayName leads(first: -1) { totalCount } } } } }"""
    compiled_body, plain_body = await _both(client, query)
    assert compiled_body == plain_body
    assert [e["path"] for e in compiled_body["errors"]] == [
        ["contacts", "edges", n, "node", "leads"] for n in range(3)
    ]
    assert compiled_body["errors"][0]["extensions"]["code"] == "INVALID_PAGE_SIZE"


async def test_one_object_by_id_and_through_node_answers_alike(
    client: Client, people: dict[str, Any], graphql_core_completions: list[str]
) -> None:
    contact = gid("Contact", people["contacts"][5])
    query = """query One($id: ID!) {
      contact(id: $id) { id displayName emails { email } phones { number } permissions { permission }
        leads(first: 5) { edges { node { subject stage { name } } } } }
      node(id: $id) { __typename id ... on Contact { lastName } }
    }"""
    compiled_body, plain_body = await _both(client, query, {"id": contact})
    assert "errors" not in compiled_body, compiled_body
    assert compiled_body == plain_body
    assert compiled_body["data"]["contact"]["id"] == contact
    assert compiled_body["data"]["node"] == {"__typename": "Contact", "id": contact, "lastName": "Lovelace"}
    # The lone contact (twice: two selections) is graphql-core's; its second e-mail is compiled.
    assert graphql_core_completions.count("Contact") == 2
    assert graphql_core_completions.count("Email") == 1
    assert len(compiled_body["data"]["contact"]["emails"]) == 2


async def test_a_mutation_payload_answers_alike(client: Client) -> None:
    mutation = """mutation Create($input: ContactCreateInput!) {
      contactCreate(input: $input) { contact { firstName lastName emails { email } } errors { code } } }"""
    variables = {"input": {"kind": "PERSON", "firstName": "Grace", "lastName": "Hopper"}}
    compiled_body, plain_body = await _both(client, mutation, variables)
    assert compiled_body == plain_body
    assert compiled_body["data"]["contactCreate"]["contact"]["lastName"] == "Hopper"


async def test_introspection_and_typename_on_the_root_answer_alike(client: Client) -> None:
    query = """{ __typename __type(name: "Contact") { name fields { name } }
      contacts(first: 2) { __typename edges { node { __typename } } } }"""
    compiled_body, plain_body = await _both(client, query)
    assert "errors" not in compiled_body, compiled_body
    assert compiled_body == plain_body


# Plans are shared across operations: a document sent again is completed by the closures from its
# first object on, and what a plan holds (resolvers, arguments) is the same for every caller.


async def test_an_operation_sent_again_is_completed_without_graphql_core(
    client: Client, graphql_core_completions: list[str]
) -> None:
    variables = {"first": 6, "withTasks": True}
    first = (await client.post(PAGE, variables)).json()
    assert "ContactEdge" in graphql_core_completions  # first sight: graphql-core completed it
    graphql_core_completions.clear()
    second = (await client.post(PAGE, variables)).json()
    assert _without_request_ids(second) == _without_request_ids(first)
    assert graphql_core_completions == []  # every object of the page, the page itself too
    _, plain = await _both(client, PAGE, variables)
    assert _without_request_ids(second) == plain


async def test_a_lone_object_is_compiled_from_its_second_operation_on(
    client: Client, people: dict[str, Any], graphql_core_completions: list[str]
) -> None:
    query = "query One($id: ID!) { contact(id: $id) { id displayName emails { email } } }"
    bodies = []
    for contact in people["contacts"][:3]:
        graphql_core_completions.clear()
        bodies.append((await client.post(query, {"id": gid("Contact", contact)})).json())
    assert graphql_core_completions == []  # the third contact: all closures
    assert [body["data"]["contact"]["id"] for body in bodies] == [
        gid("Contact", c) for c in people["contacts"][:3]
    ]
    compiled_body, plain_body = await _both(client, query, {"id": gid("Contact", people["contacts"][4])})
    assert compiled_body == plain_body


async def test_a_plan_made_for_one_caller_checks_the_permissions_of_the_next(
    client: Client, http: Any, settings: Any, tenant: str, graphql_core_completions: list[str]
) -> None:
    query = """{ contacts(first: 6) { edges { node { displayName
        leads(first: 5) { edges { node { subject stage { name } } } } } } } }"""
    for _ in range(2):  # the full-rights caller's operations make and then use the plans
        body = (await client.post(query)).json()
        assert "errors" not in body, body
    reader = Client(http, token_for(settings, tenant, permissions=["CUST_READ", "CRM_LEAD_VIEW"]))
    compiled_body, plain_body = await _both(reader, query)
    assert compiled_body == plain_body
    assert [e["extensions"]["code"] for e in compiled_body["errors"]] == ["FORBIDDEN"] * 6
    graphql_core_completions.clear()
    again = (await client.post(query)).json()  # the reader's refusals did not stay with the plans
    assert "errors" not in again and again["data"] == body["data"]
    assert "Contact" not in graphql_core_completions


async def test_variables_below_the_page_have_plans_of_their_own(client: Client) -> None:
    query = """query Leads($n: Int!, $withStage: Boolean!) { contacts(first: 6) { edges { node {
        leads(first: $n) { edges { node { subject stage @include(if: $withStage) { name } } } } } } } }"""
    for n, with_stage in [(1, True), (2, False), (1, True), (2, True), (2, False)]:
        variables = {"n": n, "withStage": with_stage}
        sent = (await client.post(query, variables)).json()
        compiled_body, plain_body = await _both(client, query, variables)
        assert _without_request_ids(sent) == compiled_body == plain_body
        leads = [len(edge["node"]["leads"]["edges"]) for edge in compiled_body["data"]["contacts"]["edges"]]
        assert max(leads) == n
        nodes = [
            lead["node"]
            for edge in compiled_body["data"]["contacts"]["edges"]
            for lead in edge["node"]["leads"]["edges"]
        ]
        assert all(("stage" in node) is with_stage for node in nodes)


async def test_an_operation_that_fell_back_answers_alike_when_sent_again(
    client: Client, graphql_core_completions: list[str]
) -> None:
    query = """{ contacts(first: 6) { edges { node { displayName emails { email }
        accounts(first: 3) { totalCount edges { node { name } } } } } } }"""
    bodies = [(await client.post(query)).json() for _ in range(3)]
    assert (
        _without_request_ids(bodies[1]) == _without_request_ids(bodies[2]) == _without_request_ids(bodies[0])
    )
    graphql_core_completions.clear()
    compiled_body, plain_body = await _both(client, query)
    assert compiled_body == plain_body
    assert graphql_core_completions.count("Contact") == 6  # on the async field's path: once each


async def test_an_operation_leaves_nothing_for_the_cyclic_garbage_collector(client: Client) -> None:
    """Reference counting frees an operation's executor, infos, context and records when it ends.

    In a cycle they wait for the cyclic collector, which under load let them reach older generations
    (collections of 10-250 ms at eight concurrent requests)."""
    variables = {"first": 6, "withTasks": True}
    for _ in range(2):
        await client.post(PAGE, variables)  # plans made, caches warm
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        body = (await client.post(PAGE, variables)).json()
        gc.collect()
        left = [type(item).__module__ + "." + type(item).__qualname__ for item in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert len(body["data"]["contacts"]["edges"]) == 6
    ours = [
        name
        for name in left
        if name.split(".")[0] in ("gateway", "resolvers", "loaders", "graphql", "strawberry")
    ]
    assert ours == []


async def test_a_gated_field_wraps_its_info_and_converts_its_arguments_once_per_operation(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = """{ contacts(first: 6) { edges { node {
        leads(first: 5) { edges { node { subject stage { name } } } } } } } }"""
    await client.post(query)  # plans made
    wrapped: list[str] = []
    original = strawberry.Info

    class CountingInfo(original):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            wrapped.append(kwargs["_field"].python_name)

    monkeypatch.setattr(strawberry, "Info", CountingInfo)
    compiled_body, plain_body = await _both(client, query)
    assert compiled_body == plain_body
    stages = [
        lead["node"]["stage"]
        for edge in compiled_body["data"]["contacts"]["edges"]
        for lead in edge["node"]["leads"]["edges"]
    ]
    assert len(stages) >= 3 and all(stage is not None for stage in stages)
    assert wrapped.count("stage") == 1 + len(stages)  # once in the compiled run, per row in the plain one
    # leads: the prefetch plan (with its query) is kept from the first request, so neither run works
    # it out again (prefetch._plan_of); the compiled run converts once, the plain run once per contact.
    assert wrapped.count("leads") == 1 + 6
