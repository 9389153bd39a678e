"""Reads through the ConeCRM connector: batching, call counts, tokens, tenants and row rules."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from conecrm_support import (
    client_for,
    cost,
    routed_gateway,
    routing_file,
)
from conftest import SECRET, token_for
from factories import Factory, gid
from gateway.settings import Settings, load_settings
from simulators.faults import Faults

FILTER = "/api/query-builder/filter/{}"
NESTED = """query($n: Int!) { contacts(first: $n) { edges { node { id
  accounts { edges { node { id name } } }
  leads(first: 5) { edges { node { id tasks(first: 5) { edges { node { id title } } } } } }
} } } }"""


@pytest.fixture
async def gateway(
    database_url: str, conecrm_sim: tuple[str, Faults], faults: Faults, tmp_path: Path
) -> AsyncIterator[tuple[Settings, httpx.AsyncClient]]:
    """A gateway routed to the simulator that has learned its catalog (``GET /api/filters``, once per
    upstream: ``test_the_catalog_is_learned_once``), so the tests below count only their own calls."""
    async with routed_gateway(database_url, routing_file(tmp_path, conecrm_sim[0])) as pair:
        warm = await client_for(*pair, "warm-up").execute("{ leads(first: 1) { edges { node { id } } } }")
        assert cost(warm)["upstreamCalls"] == 2, warm
        faults.log.clear()
        yield pair


async def test_the_catalog_is_learned_once(
    database_url: str, conecrm_sim: tuple[str, Faults], faults: Faults, tmp_path: Path, tenant: str
) -> None:
    """Seed 004 names no query-builder entities or filterable fields: the connector asks
    ``GET /api/filters`` on its first read and keeps the answer for the next requests."""
    async with routed_gateway(database_url, routing_file(tmp_path, conecrm_sim[0])) as pair:
        client = client_for(*pair, tenant)
        first = await client.execute("{ leads { totalCount } }")
        second = await client.execute("{ leads { totalCount } }")
    assert cost(first)["upstreamCalls"] == cost(second)["upstreamCalls"] + 1
    assert faults.calls("GET", "/api/filters") == 1


async def test_nested_query_costs_the_same_calls_at_10_and_100_rows(
    gateway: tuple[Settings, httpx.AsyncClient], factory: Factory, tenant: str
) -> None:
    contacts = [factory.contact(f"C{i:03d}", "Nested") for i in range(100)]
    for i, contact in enumerate(contacts):
        factory.account(f"A{i:03d}", contacts=[contact])
        for j in range(2):
            lead = factory.lead(f"L{i}.{j}", contact_id=contact)
            factory.task(f"T{i}.{j}", lead_id=lead)
    await factory.save()
    client = client_for(*gateway, tenant)
    calls = {}
    for n in (10, 100):
        body = await client.execute(NESTED, {"n": n})
        edges = body["data"]["contacts"]["edges"]
        assert [edge["node"]["id"] for edge in edges] == [gid("Contact", c) for c in contacts[:n]]
        for i, edge in enumerate(edges):
            assert [a["node"]["name"] for a in edge["node"]["accounts"]["edges"]] == [f"A{i:03d}"]
            leads = edge["node"]["leads"]["edges"]
            assert [[t["node"]["title"] for t in lead["node"]["tasks"]["edges"]] for lead in leads] == [
                [f"T{i}.0"],
                [f"T{i}.1"],
            ]
        calls[n] = {key: cost(body)[key] for key in ("upstreamCallsBySystem", "sqlStatements")}
    # contacts, their accounts, their leads, the leads' tasks: one query-builder call each.
    assert calls[10] == calls[100] == {"upstreamCallsBySystem": {"conecrm": 4}, "sqlStatements": 0}


async def test_by_id_loads_are_one_in_rule_call(
    gateway: tuple[Settings, httpx.AsyncClient],
    conecrm_sim: tuple[str, Faults],
    factory: Factory,
    tenant: str,
) -> None:
    ids = [factory.contact(f"P{i}", "Batch") for i in range(5)]
    await factory.save()
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Contact { firstName emails { email } } } }"
    global_ids = [gid("Contact", i) for i in reversed(ids)] + [gid("Contact", uuid.uuid4())]
    body = await client_for(*gateway, tenant).execute(query, {"ids": global_ids})
    assert body["data"]["nodes"] == [{"firstName": f"P{i}", "emails": []} for i in reversed(range(5))] + [
        None
    ]
    # The e-mail addresses came with the records: no second call for the details.
    assert cost(body)["upstreamCalls"] == 1
    assert conecrm_sim[1].calls("POST", FILTER.format("contact")) == 1


async def test_details_come_from_the_customer_json(
    gateway: tuple[Settings, httpx.AsyncClient], factory: Factory, tenant: str
) -> None:
    contact = factory.contact("Ada", "Lovelace", emails=["ada@a.org", "ada@b.org"], phones=["+15145550123"])
    await factory.save()
    query = """query($id: ID!) { contact(id: $id) { primaryEmail emails { email isPrimary }
        phones { number mode } } }"""
    body = await client_for(*gateway, tenant).execute(query, {"id": gid("Contact", contact)})
    assert body["data"]["contact"] == {
        "primaryEmail": "ada@a.org",
        "emails": [{"email": "ada@a.org", "isPrimary": True}, {"email": "ada@b.org", "isPrimary": False}],
        "phones": [{"number": "+15145550123", "mode": "PHONE"}],
    }
    assert cost(body)["upstreamCalls"] == 1


async def test_web_addresses_of_a_conecrm_contact_are_kept_in_sql(
    gateway: tuple[Settings, httpx.AsyncClient], factory: Factory, tenant: str
) -> None:
    """Seed 004's customers have no web address member (BaseCustomer l. 12468-12485): seed 000's URLs of
    a ConeCRM contact are the gateway's own data, like its row rules, read from SQL in one statement."""
    contact = factory.contact("Ada", "Lovelace")
    factory.url(contact, "https://ada.example", is_primary=True)
    await factory.save()
    query = "query($id: ID!) { contact(id: $id) { firstName urls { address } } }"
    body = await client_for(*gateway, tenant).execute(query, {"id": gid("Contact", contact)})
    assert body["data"]["contact"] == {"firstName": "Ada", "urls": [{"address": "https://ada.example"}]}
    assert (cost(body)["upstreamCalls"], cost(body)["sqlStatements"]) == (1, 1)


async def test_contact_by_phone_asks_conecrm_phone_lookup(
    gateway: tuple[Settings, httpx.AsyncClient],
    conecrm_sim: tuple[str, Faults],
    factory: Factory,
    tenant: str,
) -> None:
    factory.contact("Ada", "Lovelace", phones=["+15145550123"])
    factory.contact("Grace", "Hopper", phones=["+16175550199"])
    await factory.save()
    body = await client_for(*gateway, tenant).execute(
        '{ contactByPhone(phone: "+1 514 555 0123") { firstName } }'
    )
    assert body["data"]["contactByPhone"] == [{"firstName": "Ada"}]
    assert conecrm_sim[1].calls("GET", "/api/contact/phone/+15145550123") == 1


async def test_service_token_and_forwarded_token_both_reach_the_tenant(
    database_url: str, conecrm_sim: tuple[str, Faults], factory: Factory, tenant: str, tmp_path: Path
) -> None:
    factory.contact("Ada", "Lovelace")
    await factory.save()
    settings_probe = load_settings(database_url=database_url, jwt_secret=SECRET)
    service = token_for(settings_probe, tenant, subject="gateway-service")
    for routing in (
        routing_file(tmp_path, conecrm_sim[0]),
        routing_file(tmp_path, conecrm_sim[0], token=service),
    ):
        async with routed_gateway(database_url, routing) as (settings, http):
            body = await client_for(settings, http, tenant).execute("{ contacts { totalCount } }")
            assert body["data"]["contacts"]["totalCount"] == 1


async def test_another_tenants_records_never_show(
    database_url: str, conecrm_sim: tuple[str, Faults], factory: Factory, tenant: str, tmp_path: Path
) -> None:
    factory.contact("Ada", "Lovelace")
    await factory.save()
    async with routed_gateway(database_url, routing_file(tmp_path, conecrm_sim[0])) as (settings, http):
        other = client_for(settings, http, f"o{uuid.uuid4().hex[:12]}")
        body = await other.execute("{ contacts { totalCount edges { node { id } } } }")
        assert body["data"]["contacts"] == {"totalCount": 0, "edges": []}
    # A service token of another tenant: ConeCRM answers that tenant's records. Seed 004's tasks say
    # their tenant (EventBase.tenant), so the connector drops them; contacts say none (one gateway
    # tenant per service token: docs/upstreams/conecrm.md).
    victim = Factory(factory.engine, f"v{uuid.uuid4().hex[:12]}", mirrors=factory.mirrors)
    victim.task("Victim's task")
    await victim.save()
    victim_token = token_for(load_settings(database_url=database_url, jwt_secret=SECRET), victim.tenant)
    routing = routing_file(tmp_path, conecrm_sim[0], token=victim_token)
    async with routed_gateway(database_url, routing) as (settings, http):
        body = await client_for(settings, http, tenant).execute("{ tasks { totalCount } }")
        assert body["data"]["tasks"]["totalCount"] == 0


async def test_row_rules_hide_conecrm_contacts(
    gateway: tuple[Settings, httpx.AsyncClient], factory: Factory, tenant: str
) -> None:
    public = factory.contact("Public", "Row")
    private = factory.contact("Private", "Row")
    managers = factory.contact("Managers", "Row")
    factory.contact_permission(private, owner_only=True)  # created by "factory", not by the caller
    factory.contact_permission(managers, "CRM_ADMIN_MANAGERS")
    await factory.save()
    reader = client_for(*gateway, tenant, permissions=["CUST_READ", "CRM_SEARCH_ALL"])
    body = await reader.execute("{ contacts { totalCount edges { node { id } } } }")
    assert body["data"]["contacts"] == {"totalCount": 1, "edges": [{"node": {"id": gid("Contact", public)}}]}
    body = await reader.execute(
        "query($id: ID!) { contact(id: $id) { id } }", {"id": gid("Contact", private)}
    )
    assert body["data"]["contact"] is None


async def test_a_plain_list_page_reads_on_past_rows_the_row_rules_hide(
    gateway: tuple[Settings, httpx.AsyncClient], factory: Factory, tenant: str
) -> None:
    """A page read by offset keeps reading windows while the row rules hide its rows; its cursor is the
    offset of the last row shown, so the next page starts after it."""
    contacts = [factory.contact(f"R{i}", "Hidden") for i in range(6)]
    for hidden in contacts[:4]:
        factory.contact_permission(hidden, owner_only=True)  # created by "factory", not by the caller
    await factory.save()
    reader = client_for(*gateway, tenant, permissions=["CUST_READ", "CRM_SEARCH_ALL"])
    query = """query($after: String) { contacts(first: 1, after: $after) {
        pageInfo { hasNextPage endCursor } edges { node { id } } } }"""
    first = await reader.execute(query)
    second = await reader.execute(query, {"after": first["data"]["contacts"]["pageInfo"]["endCursor"]})
    assert [e["node"]["id"] for e in first["data"]["contacts"]["edges"]] == [gid("Contact", contacts[4])]
    assert first["data"]["contacts"]["pageInfo"]["hasNextPage"] is True
    assert cost(first)["upstreamCallsBySystem"] == {"conecrm": 3}  # windows of 2: rows 0-1, 2-3, 4-5
    assert [e["node"]["id"] for e in second["data"]["contacts"]["edges"]] == [gid("Contact", contacts[5])]
    assert second["data"]["contacts"]["pageInfo"]["hasNextPage"] is False


async def test_the_simulator_refuses_missing_and_bad_tokens(conecrm_sim: tuple[str, Faults]) -> None:
    query = {"query": {"combinator": "and", "rules": []}}
    async with httpx.AsyncClient(base_url=conecrm_sim[0]) as http:
        missing = await http.post(FILTER.format("contact"), json=query)
        forged = await http.post(
            FILTER.format("contact"), json=query, headers={"Authorization": "Bearer not.a.token"}
        )
    assert (missing.status_code, missing.json()) == (401, {"error": "Access denied"})
    assert forged.status_code == 401


async def test_simulator_list_endpoints_page_sort_and_search(
    conecrm_sim: tuple[str, Faults], factory: Factory, tenant: str, database_url: str
) -> None:
    for name in ("Initech", "Acme", "Globex"):
        factory.account(name)
    factory.account("Gone", is_deleted=True)
    factory.contact("Ada", "Lovelace", emails=["ada@analytical.org"])
    factory.contact("Grace", "Hopper")
    await factory.save()
    token = token_for(load_settings(database_url=database_url, jwt_secret=SECRET), tenant)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=conecrm_sim[0], headers=headers) as http:
        params = {"offset": 1, "limit": 1, "sortField": "name", "sortDirection": "DESC"}
        accounts = (await http.get("/api/account", params=params)).json()
        contacts = (await http.get("/api/contact", params={"search": "analytical", "start": 0})).json()
        bad = await http.get("/api/contact", params={"start": -1})
    assert accounts["total"] == 3 and [a["name"] for a in accounts["accounts"]] == ["Globex"]
    assert [(c["firstName"], c["primaryEmail"]) for c in contacts] == [("Ada", "ada@analytical.org")]
    assert "tenant" not in contacts[0]  # seed 004's Contact has none
    assert bad.status_code == 400 and bad.json() == {"error": "Invalid request: start must not be negative"}


async def test_events_are_served_where_conecrm_holds_them_and_refused_by_name_where_not(
    gateway: tuple[Settings, httpx.AsyncClient], factory: Factory, tenant: str, conecrm_profile: str
) -> None:
    """Seed 004 names no query-builder entities: where the instance calls its events ``event`` every
    kind is served; where it calls them ``task`` (tasks only), a list of every kind is refused, naming
    what is missing, and ``tasks`` still works: never the tasks alone passed off as all events."""
    factory.task("Call")
    factory.event("Meet", "APPOINTMENT")
    await factory.save()
    response = await client_for(*gateway, tenant).post("{ tasks { totalCount } events { totalCount } }")
    body = response.json()
    assert response.status_code == 200 and body["data"]["tasks"] == {"totalCount": 1}
    if conecrm_profile == "objects":
        assert body["data"]["events"] == {"totalCount": 2} and "errors" not in body
    else:
        [error] = body["errors"]
        assert (error["path"], error["extensions"]["code"]) == (["events"], "UPSTREAM_UNSUPPORTED")
        assert "tasks only" in error["message"] and body["data"]["events"] is None


PAGE = """query($first: Int, $after: String, $last: Int, $before: String) {
  contacts(first: $first, after: $after, last: $last, before: $before) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { id } }
  }
}"""


async def test_lists_page_past_one_query_builder_answer(
    database_url: str, conecrm_sim: tuple[str, Faults], factory: Factory, tenant: str, tmp_path: Path
) -> None:
    """The query builder has no limit, so one answer is capped (``options.max_matches``, here 3). A
    contact list of 11, more than three such answers, still pages forward and back, one plain-list call
    per page (``GET /api/contact`` pages by offset), and its count reads the list in windows of 3;
    a list only the query builder can serve (a filter) is refused past the cap, never cut short."""
    ids = [factory.contact(f"C{i:02d}", "Paged") for i in range(11)]
    for name in ("Initech", "Acme", "Globex", "Umbrella"):
        factory.account(name)
    await factory.save()
    async with routed_gateway(
        database_url, routing_file(tmp_path, conecrm_sim[0], options="max_matches = 3")
    ) as pair:
        client = client_for(*pair, tenant)
        seen, after, calls = [], None, []
        while True:
            body = await client.execute(PAGE, {"first": 4, "after": after})
            page = body["data"]["contacts"]
            assert page["totalCount"] == 11 and page["pageInfo"]["hasPreviousPage"] == (after is not None)
            seen += [edge["node"]["id"] for edge in page["edges"]]
            calls.append(cost(body)["upstreamCallsBySystem"]["conecrm"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        back = await client.execute(PAGE, {"last": 4, "before": page["pageInfo"]["startCursor"]})
        accounts = await client.execute(
            "{ accounts(first: 2, orderBy: [{field: NAME, direction: DESC}])"
            " { totalCount edges { node { name } } } }"
        )
        over = (await client.post('{ contacts(filter: {lastName: {eq: "Paged"}}) { totalCount } }')).json()
        within = await client.execute('{ contacts(filter: {firstName: {eq: "C01"}}) { totalCount } }')
    assert seen == [gid("Contact", c) for c in ids]
    # each page: one GET /api/contact for its rows, and four windows of 3 for the count of 11
    assert calls == [5, 5, 5]
    assert [e["node"]["id"] for e in back["data"]["contacts"]["edges"]] == [
        gid("Contact", c) for c in ids[4:8]
    ]
    assert back["data"]["contacts"]["pageInfo"]["hasPreviousPage"] is True
    assert accounts["data"]["accounts"] == {
        "totalCount": 4,
        "edges": [{"node": {"name": "Umbrella"}}, {"node": {"name": "Initech"}}],
    }
    [error] = over["errors"]
    assert (error["path"], error["extensions"]["code"]) == (["contacts"], "UPSTREAM_LIMIT_EXCEEDED")
    assert error["extensions"]["limit"] == 3 and "max_matches" in error["message"]
    assert within["data"]["contacts"] == {"totalCount": 1}


async def test_a_count_past_its_windows_is_refused(
    database_url: str, conecrm_sim: tuple[str, Faults], factory: Factory, tenant: str, tmp_path: Path
) -> None:
    """Contacts have no total in seed 004: a count reads at most ten windows of ``options.max_matches``
    rows; a list longer than that is refused with the cap, while its pages are still served."""
    for i in range(11):
        factory.contact(f"C{i:02d}", "Counted")
    await factory.save()
    async with routed_gateway(
        database_url, routing_file(tmp_path, conecrm_sim[0], options="max_matches = 1")
    ) as pair:
        body = (
            await client_for(*pair, tenant).post(
                "{ contacts(first: 2) { totalCount edges { node { id } } } }"
            )
        ).json()
    [error] = body["errors"]
    assert (error["path"], error["extensions"]["code"]) == (
        ["contacts", "totalCount"],
        "UPSTREAM_LIMIT_EXCEEDED",
    )
    assert error["extensions"]["limit"] == 10
