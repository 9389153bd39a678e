"""What a page's rows select (single links, nested pages) loads with one batched statement per field,
on the resolvers (the planner off) and in the planner's one statement, with the same answers and
the same permission checks.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from conftest import Client, token_for
from factories import Factory
from test_nested_cost import statements_executed

PLAIN = "{ contacts { edges { node { leads { edges { node { subject stage { name } } } } } } } }"
THROUGH_FRAGMENTS = """
query { contacts { edges { node { leads { ...Rows nodes { ... on Lead { subject } } } } } } }
fragment Rows on LeadConnection { edges { node { ... on Lead { subject stage { name } } } } }
"""
NO_LINK = "{ contacts { edges { node { leads { edges { node { subject } } } } } } }"


async def _leads_with_stages(factory: Factory) -> None:
    stages = [factory.stage(f"Stage {i}", i) for i in range(3)]
    for i in range(4):
        contact = factory.contact(f"C{i}", "Linked")
        for j in range(3):
            factory.lead(f"L{i}{j}", contact_id=contact, stage_id=stages[(i + j) % 3])
    await factory.save()


def _stage_names(body: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (lead["node"]["subject"], lead["node"]["stage"]["name"])
        for contact in body["data"]["contacts"]["edges"]
        for lead in contact["node"]["leads"]["edges"]
    )


async def test_links_selected_through_fragments_load_with_the_same_statements(
    client: Client, off_client: Client, factory: Factory, app: Any, planner_off: Any, settings: Any
) -> None:
    """The resolvers (the planner off) batch each field for all rows; the planner answers the same, in
    one statement where it covers the operation (fragments it leaves to the resolvers)."""
    await _leads_with_stages(factory)
    expected = [(f"L{i}{j}", f"Stage {(i + j) % 3}") for i in range(4) for j in range(3)]
    for caller, served_by in ((off_client, planner_off), (client, app)):
        results = {}
        for name, query in (("plain", PLAIN), ("fragments", THROUGH_FRAGMENTS), ("no link", NO_LINK)):
            with statements_executed(served_by) as statements:
                body = await caller.execute(query)
            results[name] = (body, len(statements))
        assert _stage_names(results["plain"][0]) == expected
        assert _stage_names(results["fragments"][0]) == expected
        if caller is client and settings.planner:
            # One planned statement each; fragments are not planned: the resolvers load them.
            assert results["plain"][1] == results["no link"][1] == 1
            assert results["fragments"][1] == 3
            continue
        # contacts, leads, stages; without `stage` in the selection no stage is read.
        assert results["plain"][1] == results["fragments"][1] == 3
        assert results["no link"][1] == 2


async def test_a_link_the_caller_may_not_read_is_neither_loaded_nor_returned(
    client: Client, factory: Factory, app: Any, settings: Any, tenant: str
) -> None:
    await _leads_with_stages(factory)
    limited = Client(client.http, token_for(settings, tenant, permissions=["CUST_READ", "CRM_LEAD_VIEW"]))
    with statements_executed(app) as statements:
        response = await limited.post(PLAIN)
    body = response.json()
    assert response.status_code == 200
    assert {error["extensions"]["code"] for error in body["errors"]} == {"FORBIDDEN"}
    leads = [lead for c in body["data"]["contacts"]["edges"] for lead in c["node"]["leads"]["edges"]]
    assert len(leads) == 12 and all(lead["node"]["stage"] is None for lead in leads)
    assert len(statements) == 2  # contacts and leads only


@pytest.mark.parametrize(
    "planner",
    [pytest.param(True, id="planner", marks=pytest.mark.same_both_ways), pytest.param(False, id="resolvers")],
)
async def test_a_plan_kept_from_another_caller_loads_only_what_this_caller_may_read(
    client: Client,
    off_client: Client,
    factory: Factory,
    app: Any,
    planner_off: Any,
    settings: Any,
    tenant: str,
    planner: bool,
) -> None:
    """The planner keeps its plans across requests by caller (``resolvers/planner/extension.py``): one
    made for a caller who may read stages must not load them for one who may not. The limited caller,
    who gets a FORBIDDEN error for ``stage``, is left to the resolvers, and the first one keeps its plan.
    The resolvers (the planner off) decide per request and load stages for the first caller only."""
    planner = planner and settings.planner  # CRM_GATEWAY_PLANNER=false: both run on the resolvers
    caller, served_by = (client, app) if planner else (off_client, planner_off)
    await _leads_with_stages(factory)
    await caller.execute(PLAIN)  # a plan that loads stages
    limited = Client(caller.http, token_for(settings, tenant, permissions=["CUST_READ", "CRM_LEAD_VIEW"]))
    with statements_executed(served_by) as statements:
        body = (await limited.post(PLAIN)).json()
    assert {error["extensions"]["code"] for error in body["errors"]} == {"FORBIDDEN"}
    assert len(statements) == 2  # contacts and leads: no stage statement
    with statements_executed(served_by) as statements:
        assert len(_stage_names(await caller.execute(PLAIN))) == 12
    # the first caller's plan still loads them (the planner: still in its one statement)
    assert len(statements) == (1 if planner else 3)


NESTED_WITH_VARIABLES = """
query($first: Int!, $order: [LeadOrder!]) { contacts { edges { node {
  leads(first: $first, orderBy: $order) { edges { node { subject stage { name } } } }
} } } }
"""


@pytest.mark.same_both_ways  # asks the resolvers alone (off_client) in every pass
async def test_nested_pages_load_in_one_statement_with_literal_or_variable_arguments(
    off_client: Client, factory: Factory, planner_off: Any
) -> None:
    """The contacts' leads pages load with one statement for all contacts, their arguments worked out
    once per field (``lists._nested_queries``), from literals or variables. (The resolvers, so the
    planner off; the planner's nested pages: tests/test_planner.py.)"""
    client, app = off_client, planner_off

    await _leads_with_stages(factory)
    order = [{"field": "SUBJECT", "direction": "DESC"}]
    with statements_executed(app) as statements:
        body = await client.execute(NESTED_WITH_VARIABLES, {"first": 2, "order": order})
    subjects = [
        [lead["node"]["subject"] for lead in c["node"]["leads"]["edges"]]
        for c in body["data"]["contacts"]["edges"]
    ]
    assert sorted(subjects) == [[f"L{i}2", f"L{i}1"] for i in range(4)]
    assert len(statements) == 3  # contacts, leads, stages

    # Another page size from the same document: its own query, still one statement for all contacts.
    with statements_executed(app) as statements:
        body = await client.execute(NESTED_WITH_VARIABLES, {"first": 1, "order": None})
    subjects = [
        [lead["node"]["subject"] for lead in c["node"]["leads"]["edges"]]
        for c in body["data"]["contacts"]["edges"]
    ]
    assert sorted(subjects) == [[f"L{i}0"] for i in range(4)]
    assert len(statements) == 3  # contacts, leads, stages

    # A page size the caller may not ask for: each field reports its own error.
    response = await client.post(NESTED_WITH_VARIABLES, {"first": 100_000})
    errors = response.json()["errors"]
    assert errors and all(error["extensions"]["code"] == "INVALID_PAGE_SIZE" for error in errors)


async def test_a_nested_page_statement_reused_for_another_tenant_reads_only_that_tenants_rows(
    client: Client, factory: Factory, engine: Any, settings: Any
) -> None:
    """The windowed statement of nested pages is built once per list shape and caller: the same query
    of another tenant gets a statement of its own, never one carrying the first tenant's conditions."""
    other_tenant = f"o{uuid.uuid4().hex[:12]}"
    other = Factory(engine, other_tenant)
    mine = factory.contact("Mine", "Tenant")
    factory.lead("my lead", contact_id=mine)
    theirs = other.contact("Theirs", "Tenant")
    other.lead("their lead", contact_id=theirs)
    await factory.save()
    await other.save()
    other_client = Client(client.http, token_for(settings, other_tenant))
    for caller, subject in ((client, "my lead"), (other_client, "their lead"), (client, "my lead")):
        body = await caller.execute(NO_LINK)
        leads = [
            lead["node"]["subject"]
            for c in body["data"]["contacts"]["edges"]
            for lead in c["node"]["leads"]["edges"]
        ]
        assert leads == [subject]


async def test_operations_of_a_batch_keep_their_own_nested_arguments(
    client: Client, factory: Factory
) -> None:
    # One context serves the whole batch, and both operations share one parsed document: what the
    # first worked out for `leads(first: $n)` must not answer for the second.
    await _leads_with_stages(factory)
    query = (
        "query($n: Int!) { contacts { edges { node { leads(first: $n) { edges { node { subject } } } } } } }"
    )
    response = await client.http.post(
        "/graphql",
        json=[{"query": query, "variables": {"n": n}} for n in (1, 3, 2)],
        headers={"Authorization": f"Bearer {client.token}"},
    )
    assert response.status_code == 200, response.text
    sizes = [
        {len(contact["node"]["leads"]["edges"]) for contact in item["data"]["contacts"]["edges"]}
        for item in response.json()
    ]
    assert sizes == [{1}, {3}, {2}]
