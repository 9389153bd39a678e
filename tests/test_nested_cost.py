"""Nested connections: a bounded number of SQL statements whatever the page size, and paging per parent.

Run with ``-s`` to see the statement counts the closing note quotes.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event

from conftest import ROUTED_URLS, Client
from factories import Factory, gid
from gateway.settings import Settings

NESTED = """
query($n: Int!) {
  contacts(first: $n) {
    edges { node {
      id
      accounts { edges { node { id contacts { edges { node { id } } } } } }
      leads(first: 5) { edges { node {
        id
        stage { name }
        tasks(first: 5) { edges { node { id assignee { username } } } }
      } } }
    } }
  }
}
"""


@contextmanager
def statements_executed(app: Any) -> Iterator[list[str]]:
    """Every statement SQLAlchemy sends on the app's engine while the block runs."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sync_engine = app.state.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(sync_engine, "before_cursor_execute", count)


async def _big_dataset(factory: Factory) -> dict[uuid.UUID, dict[str, Any]]:
    """100 contacts, each with 1-2 accounts, 6-8 leads; each lead with 6-7 tasks and an appointment."""
    rng = random.Random(7)
    users = [factory.user(f"agent{i}") for i in range(5)]
    stages = [factory.stage(f"Stage {i}", i) for i in range(4)]
    contacts = [factory.contact(f"C{i:03d}", "Big") for i in range(100)]
    expected: dict[uuid.UUID, dict[str, Any]] = {
        contact: {"accounts": [], "leads": []} for contact in contacts
    }
    for i in range(0, 100, 2):
        # Two contacts share an account; every other pair also shares a second one.
        pair = contacts[i : i + 2]
        accounts = [factory.account(f"A{i:03d}", contacts=pair)]
        if i % 4 == 0:
            accounts.append(factory.account(f"B{i:03d}", contacts=pair))
        for contact in pair:
            expected[contact]["accounts"] = accounts
    for contact in contacts:
        for j in range(rng.randint(6, 8)):
            stage = rng.randrange(len(stages))
            lead = factory.lead(f"L{j}", contact_id=contact, stage_id=stages[stage])
            tasks = []
            for k in range(rng.randint(6, 7)):
                if k == 2:  # an appointment among the tasks: ``Lead.tasks`` lists tasks only
                    factory.event(f"Appointment {j}", "APPOINTMENT", lead_id=lead, contact_id=contact)
                tasks.append(factory.task(f"T{k}", lead_id=lead, assignee_id=rng.choice(users)))
            expected[contact]["leads"].append((lead, tasks, f"Stage {stage}"))
    await factory.save()
    return expected


@pytest.mark.same_both_ways  # the resolvers, then the planner: pass 1 runs both halves already
async def test_statement_count_does_not_grow_with_the_page(
    client: Client,
    off_client: Client,
    factory: Factory,
    app: Any,
    planner_off: Any,
    settings: Settings,
    database_url: str,
) -> None:
    """The resolvers, then the planner, on one dataset (it is the costly part to build). Routed to
    ConeCRM, what must not grow is the upstream calls (ConeCRM's filter catalog, learned once per
    upstream, is asked before counting); the planner serves no routed entity, so it is asked once."""
    expected = await _big_dataset(factory)
    routed = database_url in ROUTED_URLS
    await _assert_page_cost_is_flat(off_client, planner_off, False, expected, routed)
    if settings.planner and not routed:  # CRM_GATEWAY_PLANNER=false: the planner is the resolvers
        await _assert_page_cost_is_flat(client, app, True, expected, routed)


async def _assert_page_cost_is_flat(
    caller: Client, served_by: Any, planner: bool, expected: dict[uuid.UUID, dict[str, Any]], routed: bool
) -> None:
    if routed:
        await caller.execute(NESTED, {"n": 1})
    counts, calls = {}, {}
    texts = {}
    for n in (10, 100):
        with statements_executed(served_by) as statements:
            body = await caller.execute(NESTED, {"n": n})
        reported = body["extensions"]["cost"]["sqlStatements"]
        assert reported == len(statements), statements
        counts[n] = reported
        calls[n] = body["extensions"]["cost"].get("upstreamCallsBySystem")
        # The root page writes its LIMIT into the SQL (generic plans, reader._row_limit): set it aside.
        texts[n] = sorted(re.sub(r"LIMIT \d+\s*$", "LIMIT n", statement) for statement in statements)
        _assert_nested_page(body, expected, n)

    print(f"\nnested query statement counts: N=10 -> {counts[10]}, N=100 -> {counts[100]}")
    assert counts[10] == counts[100]
    if routed:
        # Contacts (a plain list), their accounts and leads, the accounts' contacts, the leads' tasks: one
        # ConeCRM call each; stages and the tasks' assignees are SQL's.
        assert calls[10] == calls[100] == {"conecrm": 5}, calls
        return
    # The planner: one statement for the root field. The resolvers: one batched statement per relation,
    # whatever the page size: the contacts; their accounts; their leads; the accounts' contacts; the
    # leads' stages; the leads' tasks; the tasks' assignees.
    assert counts[100] == (1 if planner else 7)
    if served_by.state.engine.dialect.name == "postgresql" and not planner:
        # Id lists travel as one array parameter: the same SQL whatever the number of parents, so
        # asyncpg prepares each statement once per connection. (SQLite expands lists: nothing to prepare.
        # The planner's one statement writes its page sizes into the text, as the root page does.)
        assert texts[10] == texts[100]


def _assert_nested_page(body: dict[str, Any], expected: dict[uuid.UUID, dict[str, Any]], n: int) -> None:
    contacts = body["data"]["contacts"]["edges"]
    assert [edge["node"]["id"] for edge in contacts] == [gid("Contact", c) for c in list(expected)[:n]]
    by_global_id = {gid("Contact", contact): mine for contact, mine in expected.items()}
    for edge in contacts:
        node = edge["node"]
        mine = by_global_id[node["id"]]
        accounts = node["accounts"]["edges"]
        assert [a["node"]["id"] for a in accounts] == [gid("Account", a) for a in mine["accounts"]]
        for account in accounts:
            members = {c["node"]["id"] for c in account["node"]["contacts"]["edges"]}
            assert node["id"] in members and len(members) == 2
        leads = node["leads"]["edges"]
        assert [lead["node"]["id"] for lead in leads] == [
            gid("Lead", lead) for lead, _, _ in mine["leads"][:5]
        ]
        for lead, (_, tasks, stage_name) in zip(leads, mine["leads"], strict=False):
            assert lead["node"]["stage"] == {"name": stage_name}
            got = lead["node"]["tasks"]["edges"]
            assert [task["node"]["id"] for task in got] == [gid("Task", task) for task in tasks[:5]]
            assert all(task["node"]["assignee"]["username"].startswith("agent") for task in got)


DOCUMENTS = """
query($n: Int!) {
  contacts(first: $n) { edges { node {
    documents(first: 2) { totalCount edges { node { id name ownerId } } }
    accounts { edges { node { documents { totalCount nodes { name } } } } }
  } } }
}
"""


async def test_documents_of_a_page_cost_the_same_statements_at_10_and_100_rows(
    client: Client, factory: Factory, app: Any
) -> None:
    contacts = [factory.contact(f"D{i:03d}", "Docs") for i in range(100)]
    for i, contact in enumerate(contacts):
        for j in range(i % 4):
            factory.document(contact, f"c{i}-{j}.pdf")
        account = factory.account(f"Docs {i}", contacts=[contact])
        factory.document(account, f"a{i}.pdf", owner_type="Account")
    await factory.save()
    counts = {}
    for n in (10, 100):
        with statements_executed(app) as statements:
            body = await client.execute(DOCUMENTS, {"n": n})
        counts[n] = len(statements)
        for i, edge in enumerate(body["data"]["contacts"]["edges"]):
            documents = edge["node"]["documents"]
            assert documents["totalCount"] == i % 4
            assert [d["node"]["name"] for d in documents["edges"]] == [f"c{i}-{j}.pdf" for j in range(i % 4)][
                :2
            ]
            assert {d["node"]["ownerId"] for d in documents["edges"]} <= {gid("Contact", contacts[i])}
            [account] = edge["node"]["accounts"]["edges"]
            assert account["node"]["documents"] == {"totalCount": 1, "nodes": [{"name": f"a{i}.pdf"}]}
    print(f"\ndocuments statement counts: N=10 -> {counts[10]}, N=100 -> {counts[100]}")
    assert counts[10] == counts[100]
    # The contacts; their documents' pages; their accounts; the documents' counts; the accounts'
    # documents; their counts: one batched statement each, whatever the page size.
    # Routed to ConeCRM, contacts and accounts are upstream calls: the four document statements remain.
    assert counts[100] == (6 if app.state.upstreams is None else 4)


async def test_nested_pages_are_per_parent(client: Client, factory: Factory) -> None:
    ada = factory.contact("Ada", "Seven")
    bob = factory.contact("Bob", "Three")
    cid = factory.contact("Cid", "None")
    dee = factory.contact("Dee", "Five")
    counts = {ada: 7, bob: 3, cid: 0, dee: 5}
    subjects: dict[uuid.UUID, list[str]] = {contact: [] for contact in counts}
    # Interleave creation so that a global order would mix the contacts' leads.
    for j in range(7):
        for contact, count in counts.items():
            if j < count:
                factory.lead(f"{j}", contact_id=contact, priority=(j * 3) % 7)
                subjects[contact].append(f"{j}")
        factory.lead(f"deleted {j}", contact_id=ada, is_deleted=True)
    await factory.save()

    body = await client.execute(
        """{ contacts { edges { node { id firstName
              leads(first: 5) {
                totalCount
                edges { node { subject contact { id } } }
                pageInfo { hasNextPage hasPreviousPage endCursor }
              }
        } } } }"""
    )
    found = {edge["node"]["firstName"]: edge["node"] for edge in body["data"]["contacts"]["edges"]}
    for name, contact in (("Ada", ada), ("Bob", bob), ("Cid", cid), ("Dee", dee)):
        leads = found[name]["leads"]
        assert [lead["node"]["subject"] for lead in leads["edges"]] == subjects[contact][:5], name
        assert {lead["node"]["contact"]["id"] for lead in leads["edges"]} <= {gid("Contact", contact)}
        assert leads["totalCount"] == counts[contact], name
        assert leads["pageInfo"]["hasNextPage"] is (counts[contact] > 5), name
        assert leads["pageInfo"]["hasPreviousPage"] is False

    # The next page of Ada's leads, through her own cursor.
    cursor = found["Ada"]["leads"]["pageInfo"]["endCursor"]
    body = await client.execute(
        """query($id: ID!, $after: String) { contact(id: $id) {
              leads(first: 5, after: $after) {
                totalCount edges { node { subject } } pageInfo { hasNextPage hasPreviousPage }
              }
        } }""",
        {"id": gid("Contact", ada), "after": cursor},
    )
    leads = body["data"]["contact"]["leads"]
    assert [lead["node"]["subject"] for lead in leads["edges"]] == ["5", "6"]
    assert leads["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True}
    assert leads["totalCount"] == 7

    # Backwards and with another order, still per parent.
    body = await client.execute(
        """{ contacts { edges { node { firstName
              last: leads(last: 2) { edges { node { subject } } pageInfo { hasPreviousPage } }
              top: leads(first: 2, orderBy: [{field: PRIORITY, direction: DESC}]) {
                edges { node { subject priority } }
              }
        } } } }"""
    )
    found = {edge["node"]["firstName"]: edge["node"] for edge in body["data"]["contacts"]["edges"]}
    for name, contact in (("Ada", ada), ("Bob", bob), ("Cid", cid), ("Dee", dee)):
        assert [lead["node"]["subject"] for lead in found[name]["last"]["edges"]] == subjects[contact][-2:], (
            name
        )
        assert found[name]["last"]["pageInfo"]["hasPreviousPage"] is (counts[contact] > 2), name
        by_priority = sorted(range(counts[contact]), key=lambda j: (j * 3) % 7, reverse=True)[:2]
        assert [lead["node"]["subject"] for lead in found[name]["top"]["edges"]] == [
            str(j) for j in by_priority
        ]


async def test_nested_link_table_lists_page_and_count_per_parent(client: Client, factory: Factory) -> None:
    people = [factory.contact(f"P{i}", "Member") for i in range(5)]
    big = factory.account("Big", contacts=people)
    small = factory.account("Small", contacts=people[3:])
    factory.account("Empty")
    await factory.save()
    body = await client.execute(
        """{ accounts { edges { node { name
              contacts(first: 2) {
                totalCount
                edges { node { firstName accounts { totalCount } } }
                pageInfo { hasNextPage endCursor }
              }
        } } } }"""
    )
    found = {edge["node"]["name"]: edge["node"]["contacts"] for edge in body["data"]["accounts"]["edges"]}
    assert found["Big"]["totalCount"] == 5
    assert [c["node"]["firstName"] for c in found["Big"]["edges"]] == ["P0", "P1"]
    assert [c["node"]["accounts"]["totalCount"] for c in found["Big"]["edges"]] == [1, 1]
    assert found["Big"]["pageInfo"]["hasNextPage"] is True
    assert found["Small"]["totalCount"] == 2
    assert [c["node"]["firstName"] for c in found["Small"]["edges"]] == ["P3", "P4"]
    assert [c["node"]["accounts"]["totalCount"] for c in found["Small"]["edges"]] == [2, 2]
    assert found["Small"]["pageInfo"]["hasNextPage"] is False
    assert found["Empty"] == {
        "totalCount": 0,
        "edges": [],
        "pageInfo": {"hasNextPage": False, "endCursor": None},
    }

    body = await client.execute(
        """query($id: ID!, $after: String) { account(id: $id) { contacts(first: 2, after: $after) {
              edges { node { firstName } } pageInfo { hasNextPage } } } }""",
        {"id": gid("Account", big), "after": found["Big"]["pageInfo"]["endCursor"]},
    )
    assert body["data"]["account"]["contacts"] == {
        "edges": [{"node": {"firstName": "P2"}}, {"node": {"firstName": "P3"}}],
        "pageInfo": {"hasNextPage": True},
    }
    assert small  # built for its links


async def test_nested_total_counts_cost_one_statement_per_level(
    client: Client, off_client: Client, factory: Factory, settings: Settings, database_url: str
) -> None:
    for i in range(4):
        contact = factory.contact(f"C{i}", "Counted")
        for j in range(i + 1):
            lead = factory.lead(f"L{i}.{j}", contact_id=contact)
            for k in range(j + 1):
                factory.task(f"T{i}.{j}.{k}", lead_id=lead)
    await factory.save()
    query = """{ contacts { totalCount edges { node { firstName
              leads(first: 2) { totalCount edges { node { subject tasks(first: 1) { totalCount } } } }
        } } } }"""
    routed = database_url in ROUTED_URLS
    if routed:  # ConeCRM's filter catalog: learned once per app, not counted
        await client.execute(query)
        await off_client.execute(query)
    body = await off_client.execute(query)
    planned = await client.execute(query)
    assert planned["data"] == body["data"]
    # The planner: the counts inside its one statement (it serves no routed entity).
    planned_cost = planned["extensions"]["cost"]
    assert planned_cost["sqlStatements"] == (0 if routed else 1 if settings.planner else 6)
    contacts = body["data"]["contacts"]
    assert contacts["totalCount"] == 4
    for i, edge in enumerate(contacts["edges"]):
        leads = edge["node"]["leads"]
        assert leads["totalCount"] == i + 1
        assert [lead["node"]["tasks"]["totalCount"] for lead in leads["edges"]] == [1, 2][: i + 1]
    # The resolvers: contacts page + count, leads page + count, tasks page + count (routed: one ConeCRM
    # call each).
    cost = body["extensions"]["cost"]
    assert (cost.get("upstreamCallsBySystem"), cost["sqlStatements"]) == (
        ({"conecrm": 6}, 0) if routed else (None, 6)
    )


DETAILS = """
query($id: ID!) {
  contacts(first: 10, orderBy: [{field: FIRST_NAME}]) { edges { node {
    firstName emails { email isPrimary } phones { number mode } permissions { permission ownerOnly }
  } } }
  contact(id: $id) { emails { email } phones { number } }
}
"""


async def test_detail_lists_load_with_one_statement_per_kind(
    client: Client, off_client: Client, factory: Factory, app: Any, planner_off: Any, settings: Settings
) -> None:
    ada = factory.contact("Ada", "Lists")
    bob = factory.contact("Bob", "Lists")
    factory.contact("Cy", "Lists")  # no details at all
    factory.email(ada, "ada@one.test")
    factory.email(ada, "ada@two.test")
    factory.email(ada, "ada@other-tenant.test", tenant="elsewhere")  # must not show
    factory.phone(ada, "+15145550101", mode="MOBILE")
    factory.phone(ada, "+15145550102")
    factory.email(bob, "bob@one.test")
    factory.contact_permission(bob, "CRM_ALL")
    await factory.save()

    with statements_executed(planner_off) as statements:  # the resolvers' batching
        body = await off_client.execute(DETAILS, {"id": gid("Contact", ada)})
    assert "errors" not in body, body
    with statements_executed(app) as planned_statements:  # the planner: one statement per root field
        planned = await client.execute(DETAILS, {"id": gid("Contact", ada)})
    assert planned["data"] == body["data"]
    assert len(planned_statements) == (2 if settings.planner else len(statements))
    rows = [edge["node"] for edge in body["data"]["contacts"]["edges"]]
    assert rows == [
        {
            "firstName": "Ada",
            "emails": [
                {"email": "ada@one.test", "isPrimary": True},
                {"email": "ada@two.test", "isPrimary": False},
            ],
            "phones": [
                {"number": "+15145550101", "mode": "MOBILE"},
                {"number": "+15145550102", "mode": "PHONE"},
            ],
            "permissions": [],
        },
        {
            "firstName": "Bob",
            "emails": [{"email": "bob@one.test", "isPrimary": True}],
            "phones": [],
            "permissions": [{"permission": "CRM_ALL", "ownerOnly": False}],
        },
        {"firstName": "Cy", "emails": [], "phones": [], "permissions": []},
    ]
    assert body["data"]["contact"] == {
        "emails": [{"email": "ada@one.test"}, {"email": "ada@two.test"}],
        "phones": [{"number": "+15145550101"}, {"number": "+15145550102"}],
    }
    # The page, the contact, then one statement per kind for all their details: the page's three kinds
    # and the contact's two load in the same turn (the contact's are among the page's), not one per owner.
    assert body["extensions"]["cost"]["sqlStatements"] == len(statements) == 5, statements


TAGGED = """
query($n: Int!) {
  contacts(first: $n) {
    edges { node {
      id
      tags { totalCount edges { node { value } } }
      comments(first: 3) { totalCount edges { node { text author { username } } } }
      accounts { edges { node { tags { edges { node { value } } } comments { totalCount } } } }
    } }
  }
}
"""


async def test_tags_and_comments_keep_the_statement_count_flat(
    client: Client, factory: Factory, app: Any, database_url: str
) -> None:
    """Tags and comments of contacts and their accounts (seed 000) load per level, not per row.

    Routed to ConeCRM (contacts and accounts there, tags and comments in SQL), whether two SQL loads
    meet in one wave depends on when ConeCRM's answers come back, so the count may be 5 or 6 at any
    size: there, what must hold is that ConeCRM's calls do not grow and the SQL statements stay within
    one per SQL load of the query (7: the contacts' tags, tag counts, comments, comment counts and
    authors; the accounts' tags and comment counts), which a per-row load exceeds at 10 rows."""
    routed = database_url in ROUTED_URLS
    rng = random.Random(11)
    users = [factory.user(f"author{i}") for i in range(3)]
    tags = [factory.tag(f"Tag {i}") for i in range(10)]
    expected: dict[str, tuple[list[str], list[str]]] = {}
    for i in range(100):
        contact = factory.contact(f"C{i:03d}", "Tagged")
        chosen = rng.sample(range(10), rng.randint(1, 3))
        factory.tag_owner(contact, *(tags[k] for k in chosen))
        texts = [f"Note {i}.{j}" for j in range(rng.randint(2, 4))]
        for text in texts:
            factory.comment(contact, text, author_id=rng.choice(users))
        account = factory.account(f"A{i:03d}", contacts=[contact])
        factory.tag_owner(account, tags[i % 10])
        factory.comment(account, f"Account note {i}", owner_type="ACCOUNT")
        expected[gid("Contact", contact)] = (sorted(f"Tag {k}" for k in chosen), texts)
    await factory.save()
    counts, calls = {}, {}
    if routed:
        await client.execute(TAGGED, {"n": 1})  # ConeCRM's filter catalog: learned once, not counted
    for n in (10, 100):
        with statements_executed(app) as statements:
            body = await client.execute(TAGGED, {"n": n})
        counts[n] = body["extensions"]["cost"]["sqlStatements"]
        calls[n] = body["extensions"]["cost"].get("upstreamCallsBySystem")
        assert counts[n] == len(statements), statements
        edges = body["data"]["contacts"]["edges"]
        assert len(edges) == n
        for edge in edges:
            node = edge["node"]
            tag_values, texts = expected[node["id"]]
            assert sorted(tag["node"]["value"] for tag in node["tags"]["edges"]) == tag_values
            assert node["tags"]["totalCount"] == len(tag_values)
            comments = [c["node"] for c in node["comments"]["edges"]]
            assert [c["text"] for c in comments] == texts[:3]
            assert node["comments"]["totalCount"] == len(texts)
            assert all(c["author"]["username"].startswith("author") for c in comments)
            account = node["accounts"]["edges"][0]["node"]
            assert len(account["tags"]["edges"]) == 1 and account["comments"]["totalCount"] == 1
    print(f"\ntags and comments statement counts: N=10 -> {counts[10]}, N=100 -> {counts[100]}")
    assert calls[10] == calls[100]
    if routed:
        assert max(counts.values()) <= 8, counts
    else:
        assert counts[10] == counts[100]


PEOPLE = """
query($n: Int!) {
  contacts(first: $n) {
    edges { node {
      id
      urls { address }
      assistant { id }
      occasions(first: 5) { edges { node { label account { id } } } }
      relations(first: 5) { edges { node { type relatedContact { id } relatedAccount { name } } } }
      keyCustomers { id }
      keyOrganizations { id }
      customers { id }
    } }
  }
}
"""


async def test_people_fields_cost_the_same_for_10_and_100_contacts(
    client: Client, factory: Factory, app: Any, database_url: str
) -> None:
    """Seed 000 URLs, occasions and relations (issue 19) batch per level like every nested list."""
    contacts = [factory.contact(f"P{i:03d}", "People") for i in range(100)]
    accounts = [factory.account(f"Org{i:02d}", contacts=contacts[i * 2 : i * 2 + 2]) for i in range(50)]
    for i, contact in enumerate(contacts):
        factory.url(contact, f"https://p{i}.example", is_primary=True)
        factory.occasion(
            date(1990, 1 + i % 12, 1 + i % 28), recurring=True, contact_id=contact, label=f"B{i}"
        )
        neighbour = contacts[(i + 1) % 100]
        factory.contact_relation(contact, related_contact_id=neighbour, is_key=i % 2 == 0)
        factory.contact_relation(contact, "EMPLOYEE", related_account_id=accounts[i // 2], is_key=True)
    await factory.save()
    routed = database_url in ROUTED_URLS
    if routed:
        await client.execute(PEOPLE, {"n": 1})  # ConeCRM's filter catalog: learned once, not counted
    counts, calls = {}, {}
    for n in (10, 100):
        with statements_executed(app) as statements:
            body = await client.execute(PEOPLE, {"n": n})
        counts[n] = body["extensions"]["cost"]["sqlStatements"]
        calls[n] = body["extensions"]["cost"].get("upstreamCallsBySystem")
        assert counts[n] == len(statements)
        edges = body["data"]["contacts"]["edges"]
        assert len(edges) == n
        for i, edge in enumerate(edges):
            node = edge["node"]
            neighbour = gid("Contact", contacts[(i + 1) % 100])
            assert node["urls"] == [{"address": f"https://p{i}.example"}]
            assert [o["node"]["label"] for o in node["occasions"]["edges"]] == [f"B{i}"]
            assert [r["node"]["type"] for r in node["relations"]["edges"]] == ["FAMILY_MEMBER", "EMPLOYEE"]
            assert node["customers"] == [{"id": neighbour}]
            assert node["keyCustomers"] == ([{"id": neighbour}] if i % 2 == 0 else [])
            assert node["keyOrganizations"] == [{"id": gid("Account", accounts[i // 2])}]
    print(f"\npeople fields statement counts: N=10 -> {counts[10]}, N=100 -> {counts[100]}")
    assert counts[10] == counts[100]
    if routed:
        assert calls[10] == calls[100], calls  # the contacts, then the key and related records by id
        return
    # A handful of batched statements, whatever the page size: the contacts; their details,
    # occasions and relations; then the links of those rows and the derived key lists' targets.
    assert counts[100] == 8


CUSTOM_FIELDS = """
query($n: Int!) {
  contacts(first: $n) { edges { node {
    customFields { fieldName number }
    leads(first: 3) { edges { node { customFields { fieldName number } } } }
  } } }
}
"""


async def test_custom_field_values_cost_one_statement_per_entity_whatever_the_page(
    client: Client, factory: Factory
) -> None:
    for entity, name in (("contact", "footLength"), ("lead", "budgetCap")):
        define = f'mutation {{ customFieldCreate(input: {{entity: "{entity}", fieldName: "{name}", fieldType: NUMBER}}) {{ errors {{ message }} }} }}'  # noqa: E501
        assert (await client.execute(define))["data"]["customFieldCreate"]["errors"] == []
    for i in range(30):
        contact = factory.contact(f"C{i}", "Custom", custom_fields={"footLength": i})
        for j in range(3):
            factory.lead(f"L{i}.{j}", contact_id=contact, custom_fields={"budgetCap": 1000 * j})
    await factory.save()
    costs = {}
    for n in (3, 30):
        body = await client.execute(CUSTOM_FIELDS, {"n": n})
        cost = body["extensions"]["cost"]
        costs[n] = {key: cost[key] for key in ("sqlStatements", "upstreamCalls")}
        edges = body["data"]["contacts"]["edges"]
        assert len(edges) == n
        if costs[n]["upstreamCalls"] == 0:  # the gateway's own store (a routed one maps no values here)
            assert [e["node"]["customFields"] for e in edges] == [
                [{"fieldName": "footLength", "number": i}] for i in range(n)
            ]
            budgets = [lead["node"]["customFields"] for lead in edges[-1]["node"]["leads"]["edges"]]
            assert budgets == [[{"fieldName": "budgetCap", "number": 1000 * j}] for j in range(3)]
    assert costs[3] == costs[30]
    if costs[30]["upstreamCalls"] == 0:
        # The contacts page, the leads of all of them, and each entity's definitions once.
        assert costs[30]["sqlStatements"] == 4


TIMELINES = """
query($n: Int!, $k: Int!) {
  contacts(first: $n) { edges { node {
    id
    timeline(first: $k) {
      totalCount
      pageInfo { hasNextPage }
      edges { node { kind node { id } } }
    }
  } } }
}
"""


async def test_timelines_of_a_page_cost_one_statement_per_source_at_every_size(
    client: Client, factory: Factory, app: Any
) -> None:
    """100 contacts with 51 timeline items each (tasks, comments, documents): the statements of a
    page of contacts with their timelines do not depend on the timeline's page size nor on the
    number of contacts."""
    contacts = [factory.contact(f"T{i:03d}", "Timeline") for i in range(100)]
    for contact in contacts:
        for j in range(17):
            factory.task(f"Task {j}", contact_id=contact)
            factory.comment(contact, f"Comment {j}")
            factory.document(contact, f"doc{j}.pdf")
    await factory.save()
    if app.state.upstreams is not None:
        # Routed to ConeCRM, events come from its query builder, which lists tasks only: the timeline
        # (like ``Contact.events``) is refused with an error naming the upstream, not served in part.
        body = (await client.post(TIMELINES, {"n": 10, "k": 5})).json()
        if "errors" not in body:  # the `objects` reading: its event entity holds every kind of event
            edges = body["data"]["contacts"]["edges"]
            assert len(edges) == 10 and all(edge["node"]["timeline"]["totalCount"] == 51 for edge in edges)
            return
        assert {error["extensions"]["code"] for error in body["errors"]} == {"UPSTREAM_UNSUPPORTED"}
        assert all("conecrm" in error["message"] for error in body["errors"])
        assert {tuple(error["path"][-1:]) for error in body["errors"]} == {("timeline",)}
        assert len(body["data"]["contacts"]["edges"]) == 10
        return
    counts = await _timeline_costs(client, app, TIMELINES, "contacts", 100, {"EVENT", "COMMENT", "DOCUMENT"})
    print(f"\ntimeline statement counts (contacts, page size): {counts}")
    assert len(set(counts.values())) == 1, counts
    # The contacts; then each source's pages and its totalCount, one batched statement each whatever the
    # page size: communications have no rows here but are still read and counted.
    assert counts[100, 50] == 9


WHOLE_PEOPLE = """
query($n: Int!) {
  contacts(first: $n) { edges { node {
    id
    tags(first: 3) { edges { node { value } } }
    comments(first: 3) { totalCount edges { node { text } } }
    documents(first: 2) { totalCount edges { node { name } } }
    occasions(first: 2) { edges { node { label } } }
    urls { address }
    relations(first: 2) { edges { node { type relatedContact { id } relatedAccount { name } } } }
    accounts(first: 2) { edges { node {
      name
      tags(first: 3) { edges { node { value } } }
      comments(first: 2) { totalCount edges { node { text } } }
      documents(first: 2) { totalCount nodes { name } }
      occasions(first: 2) { edges { node { label } } }
      urls { address }
      relations(first: 2) { edges { node { type } } }
    } } }
  } } }
}
"""


async def test_a_contact_page_with_all_of_seed_000s_lists_costs_the_same_at_10_and_100_rows(
    client: Client, factory: Factory, app: Any
) -> None:
    """Issue 19's "done when": tags, comments, documents, occasions, URLs and relations of contacts and
    of their organizations, in one query, batched per level."""
    tags = [factory.tag(f"Tag {i}") for i in range(5)]
    contacts = [factory.contact(f"W{i:03d}", "Whole") for i in range(100)]
    accounts = []
    for i, contact in enumerate(contacts):
        account = factory.account(f"Org {i:03d}", contacts=[contact])
        accounts.append(account)
        factory.tag_owner(contact, tags[i % 5], tags[(i + 1) % 5])
        factory.tag_owner(account, tags[i % 5])
        for j in range(i % 3 + 1):
            factory.comment(contact, f"Note {i}.{j}")
        factory.comment(account, f"Org note {i}", owner_type="ACCOUNT")
        for j in range(i % 3):
            factory.document(contact, f"c{i}-{j}.pdf")
        factory.document(account, f"a{i}.pdf", owner_type="Account")
        factory.occasion(
            date(1990, 1 + i % 12, 1 + i % 28), recurring=True, contact_id=contact, label=f"B{i}"
        )
        factory.occasion(date(2001, 1 + i % 12, 1), account_id=account, label=f"F{i}")
        factory.url(contact, f"https://w{i}.example")
        factory.url(account, f"https://org{i}.example")
        factory.contact_relation(
            contact, related_contact_id=contacts[(i + 1) % 100] if i < 99 else contacts[0]
        )
        factory.contact_relation(contact, "EMPLOYEE", related_account_id=account)
    await factory.save()
    counts = {}
    for n in (10, 100):
        with statements_executed(app) as statements:
            body = await client.execute(WHOLE_PEOPLE, {"n": n})
        counts[n] = len(statements)
        edges = body["data"]["contacts"]["edges"]
        assert len(edges) == n
        for i, edge in enumerate(edges):
            node = edge["node"]
            assert node["id"] == gid("Contact", contacts[i])
            assert sorted(t["node"]["value"] for t in node["tags"]["edges"]) == sorted(
                [f"Tag {i % 5}", f"Tag {(i + 1) % 5}"]
            )
            assert node["comments"]["totalCount"] == i % 3 + 1
            assert [c["node"]["text"] for c in node["comments"]["edges"]] == [
                f"Note {i}.{j}" for j in range(i % 3 + 1)
            ]
            assert node["documents"]["totalCount"] == i % 3
            assert [d["node"]["name"] for d in node["documents"]["edges"]] == [
                f"c{i}-{j}.pdf" for j in range(i % 3)
            ]
            assert [o["node"]["label"] for o in node["occasions"]["edges"]] == [f"B{i}"]
            # Seed 000 URLs (seed 004 has no member for them) are the gateway's, for ConeCRM's contacts too.
            assert node["urls"] == [{"address": f"https://w{i}.example"}]
            relations = [r["node"] for r in node["relations"]["edges"]]
            assert [r["type"] for r in relations] == ["FAMILY_MEMBER", "EMPLOYEE"]
            assert relations[1]["relatedAccount"] == {"name": f"Org {i:03d}"}
            [account] = [a["node"] for a in node["accounts"]["edges"]]
            assert account == {
                "name": f"Org {i:03d}",
                "tags": {"edges": [{"node": {"value": f"Tag {i % 5}"}}]},
                "comments": {"totalCount": 1, "edges": [{"node": {"text": f"Org note {i}"}}]},
                "documents": {"totalCount": 1, "nodes": [{"name": f"a{i}.pdf"}]},
                "occasions": {"edges": [{"node": {"label": f"F{i}"}}]},
                "urls": [{"address": f"https://org{i}.example"}],
                "relations": {"edges": [{"node": {"type": "EMPLOYEE"}}]},
            }
    print(f"\nseed 000 lists statement counts: N=10 -> {counts[10]}, N=100 -> {counts[100]}")
    assert counts[10] == counts[100]


ORGANIZATION = """
query($n: Int!) {
  users(first: $n, orderBy: [{field: USERNAME}]) { edges { node {
    username
    roles { totalCount edges { node { name users { totalCount } } } }
    securityGroups { edges { node { name members(first: 2) { edges { node { username } } } } } }
  } } }
  franchises(first: $n) { edges { node { departments { edges { node { name franchise { name } } } } } } }
}
"""


async def test_organization_links_cost_the_same_for_10_and_100_rows(
    client: Client, factory: Factory, app: Any
) -> None:
    """Seed 004 users with their roles and security groups, franchises with their departments (issue 22)."""
    roles = [factory.role(f"R{i}") for i in range(10)]
    users = [factory.user(f"u{i:03d}") for i in range(100)]
    for i in range(10):
        factory.security_group(f"G{i}", tuple(users[i::10]))
    for i, user in enumerate(users):
        factory.user_role(user, roles[i % 10])
        if i % 3 == 0:
            factory.user_role(user, roles[(i + 1) % 10])
    for i in range(100):
        franchise = factory.franchise(f"F{i:03d}")
        factory.department(f"D{i:03d}", franchise_id=franchise)
    await factory.save()
    counts = {}
    for n in (10, 100):
        with statements_executed(app) as statements:
            body = await client.execute(ORGANIZATION, {"n": n})
        counts[n] = len(statements)
        edges = body["data"]["users"]["edges"]
        assert len(edges) == n
        for i, edge in enumerate(edges):
            node = edge["node"]
            assert node["roles"]["totalCount"] == (2 if i % 3 == 0 else 1)
            assert node["roles"]["edges"][0]["node"]["users"]["totalCount"] >= 10
            [group] = node["securityGroups"]["edges"]
            assert group["node"]["name"] == f"G{i % 10}"
            assert len(group["node"]["members"]["edges"]) == 2
        for edge in body["data"]["franchises"]["edges"]:
            [department] = edge["node"]["departments"]["edges"]
            assert department["node"]["franchise"]["name"] == "F" + department["node"]["name"][1:]
    print(f"\norganization statement counts: N=10 -> {counts[10]}, N=100 -> {counts[100]}")
    assert counts[10] == counts[100]
    # The two root pages, then each nested list's pages and counts, one batched statement each (none of
    # these rows is routed).
    assert counts[100] == 10


LEAD_TIMELINES = TIMELINES.replace("contacts(first: $n)", "leads(first: $n)")


async def test_lead_timelines_cost_one_statement_per_source_at_every_size(
    client: Client, factory: Factory, app: Any
) -> None:
    """50 leads with 51 timeline items each (tasks, stage moves, automation runs): the statements of a
    page of leads with their timelines do not depend on the timeline's page size nor on the number
    of leads."""
    stages = [factory.stage("New"), factory.stage("Won", position=1)]
    leads = [factory.lead(f"L{i:03d}", stage_id=stages[1]) for i in range(50)]
    for lead in leads:
        for j in range(17):
            factory.task(f"Task {j}", lead_id=lead)
            factory.stage_change(lead, stages[j % 2], stages[(j + 1) % 2])
            factory.automation_run(lead)
    await factory.save()
    if app.state.upstreams is not None:
        # Routed to ConeCRM, a lead's events come from its query builder (tasks only): refused whole.
        body = (await client.post(LEAD_TIMELINES, {"n": 5, "k": 5})).json()
        if "errors" not in body:  # the `objects` reading serves every kind of event
            edges = body["data"]["leads"]["edges"]
            assert len(edges) == 5 and all(edge["node"]["timeline"]["totalCount"] == 51 for edge in edges)
            return
        assert {error["extensions"]["code"] for error in body["errors"]} == {"UPSTREAM_UNSUPPORTED"}
        return
    kinds = {"EVENT", "STAGE_CHANGE", "AUTOMATION_RUN"}
    counts = await _timeline_costs(client, app, LEAD_TIMELINES, "leads", 50, kinds)
    print(f"\nlead timeline statement counts (leads, page size): {counts}")
    assert len(set(counts.values())) == 1, counts
    # The leads; then each source's pages and its totalCount, one batched statement each.
    assert counts[50, 50] == 9


async def _timeline_costs(
    client: Client, app: Any, query: str, root: str, parents: int, kinds: set[str]
) -> dict[tuple[int, int], int]:
    """The statements of a page of ``parents`` (and of a tenth of them) with timelines of 1, 10 and 50
    items, each parent having 51 items of ``kinds``; every page checked."""
    counts = {}
    for n, k in ((parents, 1), (parents, 10), (parents, 50), (parents // 10, 50)):
        with statements_executed(app) as statements:
            body = await client.execute(query, {"n": n, "k": k})
        counts[n, k] = len(statements)
        edges = body["data"][root]["edges"]
        assert len(edges) == n
        for edge in edges:
            timeline = edge["node"]["timeline"]
            assert len(timeline["edges"]) == k and timeline["totalCount"] == 51
            assert timeline["pageInfo"]["hasNextPage"] is True
            assert {item["node"]["kind"] for item in timeline["edges"]} <= kinds
        if k == 50:
            assert {item["node"]["kind"] for item in edges[0]["node"]["timeline"]["edges"]} == kinds
    return counts
