"""Row rules (seed 000 ContactPermission): every path shows a caller exactly the contacts it may see.

The world: three contacts created by ``creator``. "Private" is ownerOnly (its extra permission entry is
not used); "Restricted" needs CUST_TAG_ADD or CRM_SEND_SMS; "Open" has no rules. All three share a
phone number and the last name "Rule", belong to one account (Private is its key contact), and have a
lead and a task each.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from conftest import Client, token_for
from factories import Factory, gid
from gateway.settings import Settings

RULE = "CUST_TAG_ADD"
PHONE = "+15145550123"
NAMES = ("Private", "Restricted", "Open")
# What the per-area permission checks ask of the callers, so that only the row rules differ between them.
BASE = [
    "CUST_READ",
    "CUST_WRITE",
    "CUST_DELETE",
    "CUST_ORGANIZATION_VIEW",
    "CUST_ORGANIZATION_EDIT",
    "CRM_LEAD_VIEW",
    "CRM_LEAD_CREATE",
    "CRM_TASK_VIEW",
    "CRM_TASK_CREATE",
    "CRM_SEARCH_ALL",
    "CRM_ACTIVITY_VIEW",
    "CRM_AUTOMATION_VIEW",
]
CRM_VIEWS = [p for p in BASE if p.startswith("CRM_")]

# caller (= token subject) -> (permissions, the contacts it sees)
CALLERS: dict[str, tuple[list[str], set[str]]] = {
    "creator": (BASE, {"Private", "Open"}),
    "other": (BASE, {"Open"}),
    "holder": ([*BASE, RULE], {"Restricted", "Open"}),
    "cust_all": (["CUST_ALL", *CRM_VIEWS], {"Restricted", "Open"}),
    "crm_all": ([*BASE, "CRM_ALL"], set(NAMES)),
    "admin": ([*BASE, "CRM_ADMIN"], set(NAMES)),
}
HIDDEN = [(caller, name) for caller, (_, seen) in CALLERS.items() for name in NAMES if name not in seen]


async def build_world(factory: Factory) -> dict[str, uuid.UUID]:
    ids = {name: factory.contact(name, "Rule", phones=[PHONE], created_by="creator") for name in NAMES}
    factory.contact_permission(ids["Private"], owner_only=True)
    factory.contact_permission(ids["Private"], RULE)
    factory.contact_permission(ids["Restricted"], "CRM_SEND_SMS")
    factory.contact_permission(ids["Restricted"], RULE)
    ids["account"] = factory.account(
        "Acme", contacts=[ids[n] for n in NAMES], primary_contact_id=ids["Private"]
    )
    ids["empty"] = factory.account("Empty")
    stage = factory.stage("Won")
    for name in NAMES:
        lead = factory.lead(f"Lead of {name}", contact_id=ids[name], stage_id=stage)
        factory.task(f"Task of {name}", contact_id=ids[name])
        factory.stage_change(lead, None, stage)  # a lead's timeline items (issue 22)
        factory.automation_run(lead)
    await factory.save()
    return ids


@pytest.fixture
async def world(factory: Factory) -> dict[str, uuid.UUID]:
    return await build_world(factory)


def caller(http: httpx.AsyncClient, settings: Settings, tenant: str, name: str) -> Client:
    permissions, _ = CALLERS[name]
    return Client(http, token_for(settings, tenant, subject=name, permissions=permissions))


def names(connection: dict[str, Any]) -> set[str]:
    return {edge["node"]["firstName"] for edge in connection["edges"]}


def linked(nodes: list[dict[str, Any]], label: str) -> dict[str, str | None]:
    """``{"Lead of Open": "Open", "Lead of Private": None, ...}`` from leads or tasks with their contact."""
    return {node[label]: (node["contact"] or {}).get("firstName") for node in nodes}


LISTS = """
query($account: ID!, $phone: String!) {
  contacts(first: 50) { totalCount edges { node { firstName } } }
  searched: contacts(first: 50, search: "rule") { totalCount edges { node { firstName } } }
  filtered: contacts(first: 50, filter: {lastName: {eq: "Rule"}}) { totalCount edges { node { firstName } } }
  unfranchised: contacts(first: 50, filter: {franchiseId: {isNull: true}}) {
    totalCount edges { node { firstName } }
  }
  account(id: $account) {
    primaryContact { firstName }
    contacts(first: 50) { totalCount edges { node { firstName } } }
  }
  leads(first: 50) { edges { node { subject contact { firstName } } } }
  tasks(first: 50) { edges { node { title contact { firstName } } } }
  contactByPhone(phone: $phone) { firstName }
}
"""


@pytest.mark.parametrize("who", CALLERS)
async def test_lists_counts_search_and_nested_fields_show_only_visible_contacts(
    http: httpx.AsyncClient, settings: Settings, tenant: str, world: dict[str, uuid.UUID], who: str
) -> None:
    seen = CALLERS[who][1]
    body = await caller(http, settings, tenant, who).execute(
        LISTS, {"account": gid("Account", world["account"]), "phone": PHONE}
    )
    data = body["data"]
    listed = (data["contacts"], data["searched"], data["filtered"], data["unfranchised"])
    for connection in (*listed, data["account"]["contacts"]):
        assert names(connection) == seen
        assert connection["totalCount"] == len(seen)
    primary = data["account"]["primaryContact"]
    assert primary == ({"firstName": "Private"} if "Private" in seen else None)
    expected = {name: (name if name in seen else None) for name in NAMES}
    leads = [edge["node"] for edge in data["leads"]["edges"]]
    tasks = [edge["node"] for edge in data["tasks"]["edges"]]
    assert linked(leads, "subject") == {f"Lead of {name}": value for name, value in expected.items()}
    assert linked(tasks, "title") == {f"Task of {name}": value for name, value in expected.items()}
    assert {contact["firstName"] for contact in data["contactByPhone"]} == seen


LEAD_TIMELINES = """{ leads(first: 50) { edges { node { subject timeline(first: 5) { totalCount edges { node {
  kind node { ... on LeadStageChange { lead { contact { firstName } } } ... on AutomationRun { recordId } }
} } } } } } }"""


@pytest.mark.parametrize("who", CALLERS)
async def test_lead_timelines_reach_contacts_only_through_the_row_rules(
    http: httpx.AsyncClient, settings: Settings, tenant: str, world: dict[str, uuid.UUID], who: str
) -> None:
    """A lead's stage moves and runs are the lead's, seen with it; the contact a move leads back to is
    seen only where the row rules show it."""
    seen = CALLERS[who][1]
    body = await caller(http, settings, tenant, who).execute(LEAD_TIMELINES)
    for edge in body["data"]["leads"]["edges"]:
        lead = edge["node"]
        name = lead["subject"].removeprefix("Lead of ")
        items = [item["node"] for item in lead["timeline"]["edges"]]
        assert [item["kind"] for item in items] == ["AUTOMATION_RUN", "STAGE_CHANGE"]
        assert lead["timeline"]["totalCount"] == 2
        move = items[1]["node"]
        assert move["lead"]["contact"] == ({"firstName": name} if name in seen else None)


def lookups_query() -> str:
    fields = [
        f"""
        {name}: contact(id: ${name}) {{ firstName }}
        {name}Node: node(id: ${name}) {{ ... on Contact {{ firstName }} }}
        {name}Leads: openLeadsForContact(contactId: ${name}) {{ subject }}
        """
        for name in NAMES
    ]
    variables = ", ".join(f"${name}: ID!" for name in NAMES)
    nodes = "nodes(ids: $ids) { ... on Contact { firstName } }"
    return f"query({variables}, $ids: [ID!]!) {{ {''.join(fields)} {nodes} }}"


@pytest.mark.parametrize("who", CALLERS)
async def test_lookups_by_id_answer_null_for_a_contact_the_caller_cannot_see(
    http: httpx.AsyncClient, settings: Settings, tenant: str, world: dict[str, uuid.UUID], who: str
) -> None:
    seen = CALLERS[who][1]
    ids = {name: gid("Contact", world[name]) for name in NAMES}
    body = await caller(http, settings, tenant, who).execute(
        lookups_query(), {**ids, "ids": list(ids.values())}
    )
    data = body["data"]
    for name in NAMES:
        expected = {"firstName": name} if name in seen else None
        assert data[name] == expected
        assert data[f"{name}Node"] == expected
        assert data[f"{name}Leads"] == ([{"subject": f"Lead of {name}"}] if name in seen else [])
    assert data["nodes"] == [({"firstName": name} if name in seen else None) for name in NAMES]


ERRORS = "{ errors { field code seedCode } }"
# mutation name -> (document, its variables for a world and a contact's global ID, the error's path)
WRITES: dict[str, tuple[str, Any, list[str]]] = {
    "contactUpdate": (
        f'mutation($c: ID!) {{ contactUpdate(id: $c, input: {{firstName: "Changed"}}) {ERRORS} }}',
        lambda ids, c: {"c": c},
        ["id"],
    ),
    "contactDelete": (
        f"mutation($c: ID!) {{ contactDelete(id: $c) {ERRORS} }}",
        lambda ids, c: {"c": c},
        ["id"],
    ),
    "accountAddContact": (
        f"mutation($a: ID!, $c: ID!) {{ accountAddContact(accountId: $a, contactId: $c) {ERRORS} }}",
        lambda ids, c: {"a": gid("Account", ids["empty"]), "c": c},
        ["contactId"],
    ),
    "accountRemoveContact": (
        f"mutation($a: ID!, $c: ID!) {{ accountRemoveContact(accountId: $a, contactId: $c) {ERRORS} }}",
        lambda ids, c: {"a": gid("Account", ids["account"]), "c": c},
        ["contactId"],
    ),
    "accountUpdate": (
        f"mutation($a: ID!, $c: ID!) {{ accountUpdate(id: $a, input: {{primaryContactId: $c}}) {ERRORS} }}",
        lambda ids, c: {"a": gid("Account", ids["empty"]), "c": c},
        ["input", "primaryContactId"],
    ),
    "leadCreate": (
        f'mutation($c: ID!) {{ leadCreate(input: {{subject: "New", contactId: $c}}) {ERRORS} }}',
        lambda ids, c: {"c": c},
        ["input", "contactId"],
    ),
    "taskCreate": (
        f'mutation($c: ID!) {{ taskCreate(input: {{title: "New", contactId: $c}}) {ERRORS} }}',
        lambda ids, c: {"c": c},
        ["input", "contactId"],
    ),
    # Seed 000 people model (issue 19): occasions, relations and assistants name contacts too.
    "occasionCreate": (
        f'mutation($c: ID!) {{ occasionCreate(input: {{contactId: $c, date: "2020-01-01"}}) {ERRORS} }}',
        lambda ids, c: {"c": c},
        ["input", "contactId"],
    ),
    "contactRelationCreate": (
        f"""mutation($c: ID!, $e: ID!) {{
          contactRelationCreate(input: {{contactId: $c, relatedAccountId: $e, type: "X"}}) {ERRORS}
        }}""",
        lambda ids, c: {"c": c, "e": gid("Account", ids["empty"])},
        ["input", "contactId"],
    ),
    "relationToHidden": (
        f"""mutation($o: ID!, $c: ID!) {{
          relationToHidden: contactRelationCreate(input: {{contactId: $o, relatedContactId: $c, type: "X"}})
            {ERRORS}
        }}""",
        lambda ids, c: {"o": gid("Contact", ids["Open"]), "c": c},
        ["input", "relatedContactId"],
    ),
    "hiddenAssistant": (
        f"""mutation($o: ID!, $c: ID!) {{
          hiddenAssistant: contactUpdate(id: $o, input: {{assistantId: $c}}) {ERRORS}
        }}""",
        lambda ids, c: {"o": gid("Contact", ids["Open"]), "c": c},
        ["input", "assistantId"],
    ),
}

STATE = """
query($c: ID!, $a: ID!, $e: ID!) {
  contact(id: $c) { firstName isDeleted version }
  account(id: $a) { contacts(first: 10) { totalCount } }
  empty: account(id: $e) { primaryContact { id } contacts(first: 10) { totalCount } }
  leads(first: 50) { totalCount }
  tasks(first: 50) { totalCount }
  contacts(first: 50) { edges { node { version occasions { totalCount } relations { totalCount } } } }
}
"""


@pytest.mark.same_both_ways  # refused writes: the one query compares the state before and after
@pytest.mark.parametrize("mutation", WRITES)
@pytest.mark.parametrize(("who", "hidden"), HIDDEN)
async def test_writes_that_touch_a_hidden_contact_answer_not_found_and_change_nothing(
    http: httpx.AsyncClient,
    settings: Settings,
    tenant: str,
    world: dict[str, uuid.UUID],
    who: str,
    hidden: str,
    mutation: str,
) -> None:
    admin = caller(http, settings, tenant, "admin")
    state = {
        "c": gid("Contact", world[hidden]),
        "a": gid("Account", world["account"]),
        "e": gid("Account", world["empty"]),
    }
    before = await admin.execute(STATE, state)
    document, variables, path = WRITES[mutation]
    body = await caller(http, settings, tenant, who).execute(document, variables(world, state["c"]))
    assert body["data"][mutation]["errors"] == [{"field": path, "code": "NOT_FOUND", "seedCode": "CUST1102"}]
    assert await admin.execute(STATE, state) == before


async def test_restoring_a_hidden_deleted_contact_is_not_found_for_others_and_works_for_its_creator(
    http: httpx.AsyncClient, settings: Settings, tenant: str, factory: Factory
) -> None:
    contact_id = factory.contact("Gone", "Rule", created_by="creator", is_deleted=True)
    factory.contact_permission(contact_id, owner_only=True)
    await factory.save()
    contact = gid("Contact", contact_id)
    restore = (
        "mutation($c: ID!) { contactRestore(id: $c) { contact { firstName } errors { code seedCode } } }"
    )
    refused = await caller(http, settings, tenant, "other").execute(restore, {"c": contact})
    assert refused["data"]["contactRestore"] == {
        "contact": None,
        "errors": [{"code": "NOT_FOUND", "seedCode": "CUST1102"}],
    }
    restored = await caller(http, settings, tenant, "creator").execute(restore, {"c": contact})
    assert restored["data"]["contactRestore"] == {"contact": {"firstName": "Gone"}, "errors": []}


async def test_hidden_contacts_cost_no_extra_statements(
    http: httpx.AsyncClient, settings: Settings, tenant: str, world: dict[str, uuid.UUID]
) -> None:
    variables = {"account": gid("Account", world["account"]), "phone": PHONE}
    costs = []
    for who in ("admin", "other"):
        body = await caller(http, settings, tenant, who).execute(LISTS, variables)
        costs.append(body["extensions"]["cost"]["sqlStatements"])
    assert costs[0] == costs[1]


CREATE = """
mutation($input: ContactCreateInput!) {
  contactCreate(input: $input) {
    contact { firstName permissions { ownerOnly permission } }
    errors { field code }
  }
}
"""
UPDATE = """
mutation($id: ID!, $input: ContactUpdateInput!) {
  contactUpdate(id: $id, input: $input) {
    contact { firstName permissions { ownerOnly permission } }
    errors { field code }
  }
}
"""
COUNT = "{ contacts { totalCount } }"


def new_contact(permissions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"input": {"firstName": "New", "lastName": "Rule", "permissions": permissions}}


@pytest.mark.parametrize(
    ("who", "rules", "stored"),
    [
        ("holder", [{"permission": RULE}], [{"ownerOnly": False, "permission": RULE}]),
        (
            "other",
            [{"ownerOnly": True, "permission": "NOT_A_PERMISSION"}],
            [{"ownerOnly": True, "permission": None}],
        ),
        ("admin", [{"permission": "CRM_SEND_SMS"}], [{"ownerOnly": False, "permission": "CRM_SEND_SMS"}]),
        ("other", [], []),
    ],
)
async def test_a_caller_creates_a_contact_with_rules_it_still_sees(
    http: httpx.AsyncClient, settings: Settings, tenant: str, who: str, rules: Any, stored: Any
) -> None:
    body = await caller(http, settings, tenant, who).execute(CREATE, new_contact(rules))
    assert body["data"]["contactCreate"] == {
        "contact": {"firstName": "New", "permissions": stored},
        "errors": [],
    }


@pytest.mark.parametrize(
    ("who", "rules", "error"),
    [
        (
            "holder",
            [{"permission": "CUST_NOPE"}],
            {"field": ["input", "permissions", "0", "permission"], "code": "INVALID"},
        ),
        (
            "holder",
            [{"ownerOnly": False}],
            {"field": ["input", "permissions", "0", "permission"], "code": "REQUIRED"},
        ),
        (
            "holder",
            [{"permission": " "}],
            {"field": ["input", "permissions", "0", "permission"], "code": "REQUIRED"},
        ),
        ("other", [{"permission": RULE}], {"field": ["input", "permissions"], "code": "INVALID"}),
        (
            "creator",
            [{"permission": "CRM_SEND_SMS"}, {"permission": RULE}],
            {"field": ["input", "permissions"], "code": "INVALID"},
        ),
    ],
)
async def test_a_create_with_bad_rules_or_rules_that_lock_the_caller_out_writes_nothing(
    http: httpx.AsyncClient, settings: Settings, tenant: str, who: str, rules: Any, error: Any
) -> None:
    client = caller(http, settings, tenant, who)
    body = await client.execute(CREATE, new_contact(rules))
    assert body["data"]["contactCreate"] == {"contact": None, "errors": [error]}
    admin = caller(http, settings, tenant, "admin")
    assert (await admin.execute(COUNT))["data"]["contacts"]["totalCount"] == 0


async def test_a_bulk_create_refuses_only_the_row_that_would_lock_the_caller_out(
    http: httpx.AsyncClient, settings: Settings, tenant: str
) -> None:
    rows = [new_contact([])["input"], new_contact([{"permission": RULE}])["input"]]
    query = """
    mutation($inputs: [ContactCreateInput!]!) {
      contactCreateMany(inputs: $inputs) { results { index errors { field code } } }
    }
    """
    body = await caller(http, settings, tenant, "other").execute(query, {"inputs": rows})
    assert body["data"]["contactCreateMany"]["results"] == [
        {"index": 0, "errors": []},
        {"index": 1, "errors": [{"field": ["inputs", "1", "permissions"], "code": "INVALID"}]},
    ]
    admin = caller(http, settings, tenant, "admin")
    assert (await admin.execute(COUNT))["data"]["contacts"]["totalCount"] == 1


@pytest.mark.parametrize(
    ("who", "contact", "rules", "stored"),
    [
        ("creator", "Open", [{"ownerOnly": True}], [{"ownerOnly": True, "permission": None}]),
        ("holder", "Restricted", [], []),
        ("holder", "Restricted", [{"permission": RULE}], [{"ownerOnly": False, "permission": RULE}]),
        (
            "admin",
            "Private",
            [{"permission": "CRM_VIEW_SMS"}],
            [{"ownerOnly": False, "permission": "CRM_VIEW_SMS"}],
        ),
    ],
)
async def test_an_update_replaces_the_rules_when_the_caller_still_sees_the_contact(
    http: httpx.AsyncClient,
    settings: Settings,
    tenant: str,
    world: dict[str, uuid.UUID],
    who: str,
    contact: str,
    rules: Any,
    stored: Any,
) -> None:
    variables = {"id": gid("Contact", world[contact]), "input": {"permissions": rules}}
    body = await caller(http, settings, tenant, who).execute(UPDATE, variables)
    assert body["data"]["contactUpdate"] == {
        "contact": {"firstName": contact, "permissions": stored},
        "errors": [],
    }


@pytest.mark.parametrize(
    ("who", "contact", "rules"),
    [
        ("other", "Open", [{"ownerOnly": True}]),  # private to its creator, and "other" did not create it
        ("holder", "Restricted", [{"permission": "CRM_SEND_SMS"}]),
        ("creator", "Private", [{"permission": RULE}]),
    ],
)
async def test_an_update_that_would_hide_the_contact_from_the_caller_changes_nothing(
    http: httpx.AsyncClient,
    settings: Settings,
    tenant: str,
    world: dict[str, uuid.UUID],
    who: str,
    contact: str,
    rules: Any,
) -> None:
    variables = {
        "id": gid("Contact", world[contact]),
        "input": {"firstName": "Changed", "permissions": rules},
    }
    body = await caller(http, settings, tenant, who).execute(UPDATE, variables)
    assert body["data"]["contactUpdate"] == {
        "contact": None,
        "errors": [{"field": ["input", "permissions"], "code": "INVALID"}],
    }
    seen = await caller(http, settings, tenant, who).execute(
        "query($id: ID!) { contact(id: $id) { firstName version } }", {"id": variables["id"]}
    )
    assert seen["data"]["contact"] == {"firstName": contact, "version": 1}


async def test_clearing_the_rules_shows_the_contact_to_everyone(
    http: httpx.AsyncClient, settings: Settings, tenant: str, world: dict[str, uuid.UUID]
) -> None:
    variables = {"id": gid("Contact", world["Private"]), "input": {"permissions": []}}
    await caller(http, settings, tenant, "creator").execute(UPDATE, variables)
    body = await caller(http, settings, tenant, "other").execute(COUNT)
    assert body["data"]["contacts"]["totalCount"] == 2
