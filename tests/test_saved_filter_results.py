"""Saved filters that run: ``savedFilter(id) { results(first, after) }`` pages what the saved query matches,
with the owner checks of saved filters, the list's permission, tenant and row rules, and batching."""

from __future__ import annotations

from typing import Any

import httpx

from conftest import Client, token_for
from factories import Factory
from gateway.settings import Settings

CREATE = """mutation($value: JSON!, $module: String!, $private: Boolean) {
  savedFilterCreate(input: {name: "Mine", module: $module, value: $value, private: $private}) {
    savedFilter { id } errors { code message } } }"""
RESULTS = """query($id: String!, $after: String) {
savedFilter(id: $id) { name results(first: 2, after: $after) {
  ... on ContactConnection { totalCount edges { node { lastName } } pageInfo { endCursor hasNextPage } }
} } }"""
DOT_COM = {"combinator": "or", "rules": [{"field": "primaryEmail", "operator": "endsWith", "value": ".com"}]}


async def save(client: Client, value: Any, module: str = "contact", private: bool = True) -> str:
    variables = {"value": value, "module": module, "private": private}
    payload = (await client.execute(CREATE, variables))["data"]["savedFilterCreate"]
    assert payload["errors"] == []
    return payload["savedFilter"]["id"]  # type: ignore[no-any-return]


async def _people(factory: Factory) -> None:
    for last, email in (("Ames", "a@x.com"), ("Bose", "b@x.org"), ("Cole", "c@x.com"), ("Dunn", "d@x.com")):
        factory.contact("P", last, emails=[email], created_by="tester")
    await factory.save()


def _caller(http: httpx.AsyncClient, settings: Settings, tenant: str, subject: str, *perms: str) -> Client:
    return Client(http, token_for(settings, tenant, subject=subject, permissions=list(perms) or None))


async def test_results_page_what_the_saved_query_matches(client: Client, factory: Factory) -> None:
    await _people(factory)
    filter_id = await save(client, DOT_COM)
    first = (await client.execute(RESULTS, {"id": filter_id}))["data"]["savedFilter"]["results"]
    assert first["totalCount"] == 3
    assert [e["node"]["lastName"] for e in first["edges"]] == ["Ames", "Cole"]
    assert first["pageInfo"]["hasNextPage"] is True
    variables = {"id": filter_id, "after": first["pageInfo"]["endCursor"]}
    rest = (await client.execute(RESULTS, variables))["data"]["savedFilter"]["results"]
    assert [e["node"]["lastName"] for e in rest["edges"]] == ["Dunn"]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_a_saved_query_in_seed_004_s_body_form_runs_too(client: Client, factory: Factory) -> None:
    await _people(factory)
    filter_id = await save(client, {"query": {"combinator": "and", "not": True, "rules": DOT_COM["rules"]}})
    results = (await client.execute(RESULTS, {"id": filter_id}))["data"]["savedFilter"]["results"]
    assert [e["node"]["lastName"] for e in results["edges"]] == ["Bose"]


async def test_a_shared_filter_runs_for_the_tenant_a_private_one_for_its_owner_only(
    http: httpx.AsyncClient, settings: Settings, tenant: str, factory: Factory
) -> None:
    await _people(factory)
    owner = _caller(http, settings, tenant, "tester")
    colleague = _caller(http, settings, tenant, "colleague")
    shared, private = await save(owner, DOT_COM, private=False), await save(owner, DOT_COM)
    seen = (await colleague.execute(RESULTS, {"id": shared}))["data"]["savedFilter"]["results"]
    assert seen["totalCount"] == 3
    assert (await colleague.execute(RESULTS, {"id": private}))["data"]["savedFilter"] is None
    stranger = Client(http, token_for(settings, f"o{tenant}"))
    assert (await stranger.execute(RESULTS, {"id": shared}))["data"]["savedFilter"] is None


async def test_results_need_the_module_s_read_permission(
    http: httpx.AsyncClient, settings: Settings, tenant: str, factory: Factory
) -> None:
    await _people(factory)
    filter_id = await save(_caller(http, settings, tenant, "tester"), DOT_COM, private=False)
    searcher = _caller(http, settings, tenant, "searcher", "CRM_SEARCH_ALL")
    body = (await searcher.post(RESULTS, {"id": filter_id})).json()
    assert body["data"]["savedFilter"] == {"name": "Mine", "results": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


async def test_results_show_no_contact_the_row_rules_hide(
    http: httpx.AsyncClient, settings: Settings, tenant: str, factory: Factory
) -> None:
    await _people(factory)
    hidden = factory.contact("P", "Hidden", emails=["h@x.com"], created_by="tester")
    factory.contact_permission(hidden, owner_only=True)
    await factory.save()
    reader = _caller(http, settings, tenant, "reader", "CRM_SEARCH_ALL", "CUST_READ")
    filter_id = await save(reader, DOT_COM)
    results = (await reader.execute(RESULTS, {"id": filter_id}))["data"]["savedFilter"]["results"]
    assert results["totalCount"] == 3  # not the hidden fourth .com contact


async def test_a_saved_value_that_is_no_valid_query_answers_a_coded_error(client: Client) -> None:
    for value, code in (
        ({"rules": [{"field": "galaxy", "operator": "=", "value": "x"}]}, "UNKNOWN_FILTER_FIELD"),
        ({"rules": [{"field": "lastName", "operator": "~", "value": "x"}]}, "UNKNOWN_FILTER_OPERATOR"),
        ({"combinator": "xor", "rules": []}, "INVALID_FILTER"),
    ):
        filter_id = await save(client, value)
        body = (await client.post(RESULTS, {"id": filter_id})).json()
        assert body["data"]["savedFilter"]["results"] is None, value
        assert [e["extensions"]["code"] for e in body["errors"]] == [code], value


LEADS = """query($id: String!, $n: Int!) { savedFilter(id: $id) { results(first: $n) {
  ... on LeadConnection { edges { node { subject contact { lastName } customFields { number } } } } } } }"""


async def test_results_batch_their_nested_levels(client: Client, factory: Factory) -> None:
    define = 'mutation { customFieldCreate(input: {entity: "lead", fieldName: "budget", fieldType: NUMBER}) { errors { message } } }'  # noqa: E501
    assert (await client.execute(define))["data"]["customFieldCreate"]["errors"] == []
    for i in range(12):
        contact = factory.contact("P", f"C{i}")
        factory.lead(f"Car {i}", contact_id=contact, custom_fields={"budget": i})
    await factory.save()
    query = {"rules": [{"field": "customFields.budget", "operator": ">=", "value": "0"}]}
    filter_id = await save(client, query, module="lead")
    costs = []
    for n in (2, 12):
        body = await client.execute(LEADS, {"id": filter_id, "n": n})
        edges = body["data"]["savedFilter"]["results"]["edges"]
        assert [e["node"]["contact"]["lastName"] for e in edges] == [f"C{i}" for i in range(n)]
        assert [e["node"]["customFields"] for e in edges] == [[{"number": i}] for i in range(n)]
        costs.append(body["extensions"]["cost"]["sqlStatements"])
    assert costs[0] == costs[1]
