"""Every root query and single link, on data built directly in the test's own tenant."""

from __future__ import annotations

import uuid
from typing import Any

from conftest import ROUTED_URLS, Client, token_for
from factories import Factory, error_code, gid
from gateway.settings import Settings


def names(connection: dict[str, Any], field: str = "firstName") -> list[Any]:
    return [edge["node"][field] for edge in connection["edges"]]


# -- node / nodes -----------------------------------------------------------------------------------


async def test_node_resolves_every_kind_of_object(client: Client, factory: Factory) -> None:
    contact = factory.contact("Ada", "Lovelace")
    account = factory.account("Analytical Engines")
    stage = factory.stage("New")
    lead = factory.lead("Difference engine", contact_id=contact)
    task = factory.task("Call Ada", type="CALL")
    appointment = factory.event("Meet Ada", "APPOINTMENT")
    follow_up = factory.event("Write to Ada", "FOLLOW_UP")
    user = factory.user("babbage")
    await factory.save()
    query = """
    query($id: ID!) {
      node(id: $id) {
        __typename id
        ... on Contact { firstName }
        ... on Account { name }
        ... on Stage { name }
        ... on Lead { subject }
        ... on Event { title }
        ... on User { username }
      }
    }
    """
    expected = [
        ("Contact", contact, "firstName", "Ada"),
        ("Account", account, "name", "Analytical Engines"),
        ("Stage", stage, "name", "New"),
        ("Lead", lead, "subject", "Difference engine"),
        ("Task", task, "title", "Call Ada"),
        ("Appointment", appointment, "title", "Meet Ada"),
        ("FollowUp", follow_up, "title", "Write to Ada"),
        ("User", user, "username", "babbage"),
    ]
    for type_name, record_id, field, value in expected:
        body = await client.execute(query, {"id": gid(type_name, record_id)})
        assert body["data"]["node"] == {
            "__typename": type_name,
            "id": gid(type_name, record_id),
            field: value,
        }


async def test_node_of_unknown_or_mistyped_id_is_null(client: Client, factory: Factory) -> None:
    appointment = factory.event("Meet", "APPOINTMENT")
    await factory.save()
    query = "query($id: ID!) { node(id: $id) { id } }"
    for global_id in (
        gid("Contact", uuid.uuid4()),  # no such row
        gid("Spaceship", uuid.uuid4()),  # no such type
        gid("Task", appointment),  # an appointment asked for as a task
    ):
        assert (await client.execute(query, {"id": global_id}))["data"]["node"] is None


def _cost(body: dict[str, Any], database_url: str, *, sql: int, conecrm: int) -> None:
    """SQL statements, or, routed to ConeCRM (the records there, users and stages in SQL), its calls."""
    cost = body["extensions"]["cost"]
    if database_url in ROUTED_URLS:
        assert cost.get("upstreamCallsBySystem") == {"conecrm": conecrm}, cost
    else:
        assert cost["sqlStatements"] == sql, cost


async def _warmed(client: Client, database_url: str, query: str, variables: Any = None) -> Any:
    """The query's answer; routed, asked twice, so that ConeCRM's filter catalog (learned on the first
    read of the session, once per upstream) is not in the counted cost."""
    if database_url in ROUTED_URLS:
        await client.execute(query, variables)
    return await client.execute(query, variables)


async def test_nodes_keeps_order_and_answers_null_for_unknown_ids(
    client: Client, factory: Factory, database_url: str
) -> None:
    first = factory.contact("Ada", "Lovelace")
    second = factory.contact("Grace", "Hopper")
    account = factory.account("Navy")
    lead = factory.lead("Compiler")
    await factory.save()
    ids = [
        gid("Lead", lead),
        gid("Contact", second),
        gid("Contact", uuid.uuid4()),
        gid("Account", account),
        gid("Contact", first),
        gid("Contact", second),
    ]
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
    body = await _warmed(client, database_url, query, {"ids": ids})
    assert body["data"]["nodes"] == [
        {"__typename": "Lead", "id": ids[0]},
        {"__typename": "Contact", "id": ids[1]},
        None,
        {"__typename": "Account", "id": ids[3]},
        {"__typename": "Contact", "id": ids[4]},
        {"__typename": "Contact", "id": ids[5]},
    ]
    # Contacts, accounts and leads by id, each type batched into one statement (routed: one ConeCRM call
    # each), however many ids of each.
    _cost(body, database_url, sql=3, conecrm=3)


# -- contacts ---------------------------------------------------------------------------------------


async def test_contact_by_id_with_details(client: Client, factory: Factory) -> None:
    contact = factory.contact(
        "Ada",
        "Lovelace",
        emails=["ada@analytical.org", "countess@lovelace.uk"],
        phones=["+15145550123"],
        city="London",
        gender="FEMALE",
    )
    await factory.save()
    body = await client.execute(
        """query($id: ID!) { contact(id: $id) {
             id kind displayName firstName lastName city gender isDeleted version
             emails { email isPrimary } primaryEmail phones { number mode }
        } }""",
        {"id": gid("Contact", contact)},
    )
    assert body["data"]["contact"] == {
        "id": gid("Contact", contact),
        "kind": "PERSON",
        "displayName": "Ada Lovelace",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "city": "London",
        "gender": "FEMALE",
        "isDeleted": False,
        "version": 1,
        "emails": [
            {"email": "ada@analytical.org", "isPrimary": True},
            {"email": "countess@lovelace.uk", "isPrimary": False},
        ],
        "primaryEmail": "ada@analytical.org",
        "phones": [{"number": "+15145550123", "mode": "PHONE"}],
    }


async def test_contact_by_unknown_id_is_null(client: Client) -> None:
    body = await client.execute(
        "query($id: ID!) { contact(id: $id) { id } }", {"id": gid("Contact", uuid.uuid4())}
    )
    assert body["data"]["contact"] is None


async def test_contacts_lists_in_creation_order_with_total(client: Client, factory: Factory) -> None:
    for first in ("Ada", "Grace", "Alan", "Edsger"):
        factory.contact(first, "X")
    await factory.save()
    body = await client.execute("{ contacts(first: 3) { totalCount edges { node { firstName } } } }")
    assert names(body["data"]["contacts"]) == ["Ada", "Grace", "Alan"]
    assert body["data"]["contacts"]["totalCount"] == 4


async def test_contacts_search_matches_names_emails_and_phones(client: Client, factory: Factory) -> None:
    factory.contact("Ada", "Lovelace", emails=["ada@analytical.org"], phones=["+15145550123"])
    factory.contact("Grace", "Hopper", emails=["grace@navy.mil"], phones=["+16175550199"])
    factory.contact("Alan", "Turing", company_name="Bletchley Park")
    factory.contact(None, None, kind="COMPANY", company_name="Navy Yard Supplies", preferred_name=None)
    factory.contact("Hidden", "Navy", is_deleted=True)
    await factory.save()
    query = """query($search: String) {
      contacts(search: $search, first: 10) { totalCount edges { node { displayName } } }
    }"""
    expected = {
        "lovelace": ["Ada Lovelace"],
        "LOVELACE": ["Ada Lovelace"],
        "analytical.org": ["Ada Lovelace"],
        "navy": ["Grace Hopper", "Navy Yard Supplies"],
        "+1617": ["Grace Hopper"],
        "5145550123": ["Ada Lovelace"],
        "bletchley": ["Alan Turing"],
        "  ada   lovelace ": ["Ada Lovelace"],
        "grace lovelace": [],
        "nobody": [],
        "": ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Navy Yard Supplies"],
    }
    for search, display_names in expected.items():
        body = await client.execute(query, {"search": search})
        contacts = body["data"]["contacts"]
        assert names(contacts, "displayName") == display_names, search
        assert contacts["totalCount"] == len(display_names), search


async def test_contact_by_phone_finds_the_e164_number_typed_any_way(client: Client, factory: Factory) -> None:
    ada = factory.contact("Ada", "Lovelace", phones=["+15145550123"])
    factory.contact("Grace", "Hopper", phones=["+16175550199"])
    factory.contact("Gone", "Away", phones=["+15145550123"], is_deleted=True)
    await factory.save()
    query = "query($phone: String!) { contactByPhone(phone: $phone) { id firstName } }"
    for typed in ("(514) 555-0123", "514-555-0123", "+1 514 555 0123", "5145550123"):
        body = await client.execute(query, {"phone": typed})
        assert body["data"]["contactByPhone"] == [{"id": gid("Contact", ada), "firstName": "Ada"}], typed
    body = await client.execute(query, {"phone": "(212) 555-0100"})
    assert body["data"]["contactByPhone"] == []


async def test_contact_by_phone_rejects_what_is_not_a_number(client: Client) -> None:
    query = "query($phone: String!) { contactByPhone(phone: $phone) { id } }"
    for typed in ("not a phone", "", "12"):
        assert error_code(await client.post(query, {"phone": typed})) == "INVALID_PHONE", typed
    message = (await client.post(query, {"phone": "555-0100"})).json()["errors"][0]["message"]
    assert "'555-0100' is not a valid number" in message and "country prefix" in message


# -- accounts ---------------------------------------------------------------------------------------


async def test_account_and_accounts_with_search(client: Client, factory: Factory) -> None:
    boss = factory.contact("Wile", "Coyote")
    acme = factory.account(
        "Acme Corporation", alias="ACME", emails=["sales@acme.io"], primary_contact_id=boss
    )
    factory.account("Globex", city="Springfield")
    factory.account("Initech", alias="Initrode")
    factory.account("Acme Deleted", is_deleted=True)
    await factory.save()
    body = await client.execute(
        "query($id: ID!) { account(id: $id) { name alias emails { email } primaryContact { displayName } } }",
        {"id": gid("Account", acme)},
    )
    assert body["data"]["account"] == {
        "name": "Acme Corporation",
        "alias": "ACME",
        "emails": [{"email": "sales@acme.io"}],
        "primaryContact": {"displayName": "Wile Coyote"},
    }
    query = "query($s: String) { accounts(search: $s) { totalCount edges { node { name } } } }"
    expected = {
        None: ["Acme Corporation", "Globex", "Initech"],
        "acme": ["Acme Corporation"],
        "sales@": ["Acme Corporation"],
        "initrode": ["Initech"],
        "glob": ["Globex"],
        "springfield": [],
    }
    for search, account_names in expected.items():
        accounts = (await client.execute(query, {"s": search}))["data"]["accounts"]
        assert names(accounts, "name") == account_names, search
        assert accounts["totalCount"] == len(account_names)


# -- leads ------------------------------------------------------------------------------------------


async def test_lead_and_leads_with_links(client: Client, factory: Factory) -> None:
    contact = factory.contact("Ada", "Lovelace")
    account = factory.account("Analytical Engines")
    stage = factory.stage("Proposal", 2)
    lead = factory.lead(
        "Difference engine", contact_id=contact, account_id=account, stage_id=stage, priority=3, status="WON"
    )
    factory.lead("Orphan lead")
    factory.lead("Deleted lead", is_deleted=True)
    await factory.save()
    body = await client.execute(
        """query($id: ID!) {
          lead(id: $id) {
            subject status priority contact { firstName } account { name } stage { name position }
          }
          leads { totalCount edges { node { subject contact { firstName } stage { name } } } }
        }""",
        {"id": gid("Lead", lead)},
    )
    assert body["data"]["lead"] == {
        "subject": "Difference engine",
        "status": "WON",
        "priority": 3,
        "contact": {"firstName": "Ada"},
        "account": {"name": "Analytical Engines"},
        "stage": {"name": "Proposal", "position": 2},
    }
    assert body["data"]["leads"] == {
        "totalCount": 2,
        "edges": [
            {
                "node": {
                    "subject": "Difference engine",
                    "contact": {"firstName": "Ada"},
                    "stage": {"name": "Proposal"},
                }
            },
            {"node": {"subject": "Orphan lead", "contact": None, "stage": None}},
        ],
    }


async def test_open_leads_for_contact(client: Client, factory: Factory) -> None:
    ada = factory.contact("Ada", "Lovelace")
    grace = factory.contact("Grace", "Hopper")
    factory.lead("Ada open 1", contact_id=ada)
    factory.lead("Ada won", contact_id=ada, status="WON")
    factory.lead("Grace open", contact_id=grace)
    factory.lead("Ada open 2", contact_id=ada, status="OPEN")
    factory.lead("Ada lost", contact_id=ada, status="LOST")
    factory.lead("Ada closed", contact_id=ada, status="CLOSED")
    factory.lead("Ada open but deleted", contact_id=ada, is_deleted=True)
    await factory.save()
    query = "query($id: ID!) { openLeadsForContact(contactId: $id) { subject status contact { firstName } } }"
    body = await client.execute(query, {"id": gid("Contact", ada)})
    assert body["data"]["openLeadsForContact"] == [
        {"subject": "Ada open 1", "status": "OPEN", "contact": {"firstName": "Ada"}},
        {"subject": "Ada open 2", "status": "OPEN", "contact": {"firstName": "Ada"}},
    ]
    body = await client.execute(query, {"id": gid("Contact", uuid.uuid4())})
    assert body["data"]["openLeadsForContact"] == []


# -- tasks and events -------------------------------------------------------------------------------


async def test_task_tasks_and_events(client: Client, factory: Factory) -> None:
    user = factory.user("hopper", firstname="Grace", lastname="Hopper")
    task = factory.task("Call back", type="CALL", assignee_id=user)
    appointment = factory.event(
        "Demo", "APPOINTMENT", type="Visit", url="https://meet.example/1", no_show=False
    )
    factory.event("Check in", "FOLLOW_UP", from_automation=True)
    factory.task("Send quote", type="OTHER", task_done=True)
    factory.task("Deleted task", is_deleted=True)
    await factory.save()

    body = await client.execute(
        "query($id: ID!) { task(id: $id) { title type taskDone kind assignee { username displayName } } }",
        {"id": gid("Task", task)},
    )
    assert body["data"]["task"] == {
        "title": "Call back",
        "type": "CALL",
        "taskDone": False,
        "kind": "TASK",
        "assignee": {"username": "hopper", "displayName": "Grace Hopper"},
    }
    # An appointment is not a task.
    body = await client.execute(
        "query($id: ID!) { task(id: $id) { title } }", {"id": gid("Task", appointment)}
    )
    assert body["data"]["task"] is None

    body = await client.execute("{ tasks { totalCount edges { node { __typename title } } } }")
    assert body["data"]["tasks"] == {
        "totalCount": 2,
        "edges": [
            {"node": {"__typename": "Task", "title": "Call back"}},
            {"node": {"__typename": "Task", "title": "Send quote"}},
        ],
    }

    body = await client.execute(
        """{ events { totalCount edges { node {
              __typename title kind
              ... on Task { taskType: type }
              ... on Appointment { appointmentType: type url noShow }
              ... on FollowUp { fromAutomation }
        } } } }"""
    )
    assert body["data"]["events"] == {
        "totalCount": 4,
        "edges": [
            {"node": {"__typename": "Task", "title": "Call back", "kind": "TASK", "taskType": "CALL"}},
            {
                "node": {
                    "__typename": "Appointment",
                    "title": "Demo",
                    "kind": "APPOINTMENT",
                    "appointmentType": "Visit",
                    "url": "https://meet.example/1",
                    "noShow": False,
                }
            },
            {
                "node": {
                    "__typename": "FollowUp",
                    "title": "Check in",
                    "kind": "FOLLOW_UP",
                    "fromAutomation": True,
                }
            },
            {"node": {"__typename": "Task", "title": "Send quote", "kind": "TASK", "taskType": "OTHER"}},
        ],
    }
    body = await client.execute(
        "query($id: ID!) { event(id: $id) { __typename title } }", {"id": gid("Appointment", appointment)}
    )
    assert body["data"]["event"] == {"__typename": "Appointment", "title": "Demo"}


# -- stages, users, me ------------------------------------------------------------------------------


async def test_stages_are_ordered_by_position(client: Client, factory: Factory) -> None:
    won = factory.stage("Won", 3)
    factory.stage("New", 0)
    factory.stage("Proposal", 2)
    factory.stage("Qualified", 1)
    factory.stage("Retired", 4, is_deleted=True)
    await factory.save()
    body = await client.execute(
        "query($id: ID!) { stage(id: $id) { name position } stages { totalCount edges { node { name } } } }",
        {"id": gid("Stage", won)},
    )
    assert body["data"]["stage"] == {"name": "Won", "position": 3}
    assert names(body["data"]["stages"], "name") == ["New", "Qualified", "Proposal", "Won"]
    assert body["data"]["stages"]["totalCount"] == 4


async def test_users_and_me(client: Client, factory: Factory, settings: Any, tenant: str) -> None:
    factory.tenant_row("Tester Inc.", vertical="Automotive")
    factory.user("zed")
    factory.user("tester", firstname="Tess", lastname="Ter", email="tess@example.com")
    factory.user("gone", is_deleted=True)
    await factory.save()
    body = await client.execute("{ users { totalCount edges { node { username } } } }")
    assert names(body["data"]["users"], "username") == ["zed", "tester"]
    assert body["data"]["users"]["totalCount"] == 2

    body = await client.execute(
        "{ me { subject permissions tenant { key name vertical } user { username displayName email } } }"
    )
    assert body["data"]["me"] == {
        "subject": "tester",
        "permissions": ["CRM_ALL", "CUST_ALL"],
        "tenant": {"key": tenant, "name": "Tester Inc.", "vertical": "Automotive"},
        "user": {"username": "tester", "displayName": "Tess Ter", "email": "tess@example.com"},
    }


async def test_me_without_tenant_row_or_user(client: Client, settings: Any, tenant: str) -> None:
    other = Client(
        client.http, token_for(settings, tenant, subject="nobody", permissions=["CRM_CONTACT_VIEW"])
    )
    body = await other.execute("{ me { subject permissions tenant { key name } user { username } } }")
    assert body["data"]["me"] == {
        "subject": "nobody",
        "permissions": ["CRM_CONTACT_VIEW"],
        "tenant": {"key": tenant, "name": tenant},
        "user": None,
    }


# -- single links -----------------------------------------------------------------------------------


async def test_single_links_are_batched_and_null_when_missing(
    client: Client, off_client: Client, factory: Factory, settings: Settings, database_url: str
) -> None:
    users = [factory.user(f"user{i}") for i in range(3)]
    contacts = [factory.contact(f"C{i}", "Linked") for i in range(3)]
    gone = factory.contact("Gone", "Deleted", is_deleted=True)
    stages = [factory.stage(f"S{i}", i) for i in range(2)]
    account = factory.account("Primary", primary_contact_id=contacts[1])
    factory.account("Lost primary", primary_contact_id=gone)
    for i in range(6):
        lead = factory.lead(
            f"L{i}",
            contact_id=contacts[i % 3] if i < 5 else gone,
            account_id=account if i % 2 == 0 else None,
            stage_id=stages[i % 2],
        )
        factory.task(f"T{i}", lead_id=lead, assignee_id=users[i % 3] if i != 4 else None)
    await factory.save()
    query = "{ leads { edges { node { subject contact { firstName } account { name } stage { name } } } } }"
    body = await _warmed(off_client, database_url, query)
    # The resolvers: the list, then one batched statement each for contacts, accounts and stages (routed:
    # the list, the contacts and the accounts, one ConeCRM call each; stages stay in SQL). The planner:
    # one statement for all (it serves no routed entity).
    _cost(body, database_url, sql=4, conecrm=3)
    planned = await _warmed(client, database_url, query)
    assert planned["data"] == body["data"]
    _cost(planned, database_url, sql=1 if settings.planner else 4, conecrm=3)
    leads = [edge["node"] for edge in body["data"]["leads"]["edges"]]
    assert leads == [
        {
            "subject": "L0",
            "contact": {"firstName": "C0"},
            "account": {"name": "Primary"},
            "stage": {"name": "S0"},
        },
        {"subject": "L1", "contact": {"firstName": "C1"}, "account": None, "stage": {"name": "S1"}},
        {
            "subject": "L2",
            "contact": {"firstName": "C2"},
            "account": {"name": "Primary"},
            "stage": {"name": "S0"},
        },
        {"subject": "L3", "contact": {"firstName": "C0"}, "account": None, "stage": {"name": "S1"}},
        {
            "subject": "L4",
            "contact": {"firstName": "C1"},
            "account": {"name": "Primary"},
            "stage": {"name": "S0"},
        },
        {"subject": "L5", "contact": None, "account": None, "stage": {"name": "S1"}},
    ]
    body = await off_client.execute(
        "{ tasks { edges { node { title assignee { username } lead { subject } } } } }"
    )
    _cost(body, database_url, sql=3, conecrm=2)  # the list, then the assignees, then the leads
    tasks = [edge["node"] for edge in body["data"]["tasks"]["edges"]]
    assert tasks == [
        {
            "title": f"T{i}",
            "assignee": None if i == 4 else {"username": f"user{i % 3}"},
            "lead": {"subject": f"L{i}"},
        }
        for i in range(6)
    ]
    body = await client.execute("{ accounts { edges { node { name primaryContact { firstName } } } } }")
    _cost(body, database_url, sql=2, conecrm=2)
    accounts = [edge["node"] for edge in body["data"]["accounts"]["edges"]]
    assert accounts == [
        {"name": "Primary", "primaryContact": {"firstName": "C1"}},
        {"name": "Lost primary", "primaryContact": None},
    ]


# -- soft deletion ----------------------------------------------------------------------------------


async def test_soft_deleted_rows_never_appear(client: Client, factory: Factory) -> None:
    ada = factory.contact("Ada", "Lovelace")
    gone = factory.contact("Gone", "Deleted", is_deleted=True)
    account = factory.account("Engines", contacts=[ada, gone])
    factory.account("Deleted account", contacts=[ada], is_deleted=True)
    stage = factory.stage("New")
    live_lead = factory.lead("Live", contact_id=ada, account_id=account, stage_id=stage)
    factory.lead("Dead", contact_id=ada, account_id=account, stage_id=stage, is_deleted=True)
    factory.lead("Of deleted contact", contact_id=gone)
    factory.task("Live task", lead_id=live_lead, contact_id=ada, account_id=account)
    factory.task("Dead task", lead_id=live_lead, contact_id=ada, account_id=account, is_deleted=True)
    await factory.save()

    body = await client.execute(
        """query($gone: ID!, $goneNode: ID!) {
          contacts { totalCount edges { node {
            firstName
            accounts { totalCount edges { node { name } } }
            leads { totalCount edges { node { subject tasks { totalCount edges { node { title } } } } } }
            events { totalCount edges { node { title } } }
          } } }
          accounts { totalCount edges { node {
            name contacts { totalCount edges { node { firstName } } }
            leads { totalCount } events { totalCount }
          } } }
          stages { edges { node { leads { totalCount edges { node { subject } } } } } }
          leads { totalCount }
          tasks { totalCount }
          events { totalCount }
          contact(id: $gone) { id }
          node(id: $goneNode) { id }
          nodes(ids: [$goneNode]) { id }
        }""",
        {"gone": gid("Contact", gone), "goneNode": gid("Contact", gone)},
    )
    data = body["data"]
    assert data["contacts"] == {
        "totalCount": 1,
        "edges": [
            {
                "node": {
                    "firstName": "Ada",
                    "accounts": {"totalCount": 1, "edges": [{"node": {"name": "Engines"}}]},
                    "leads": {
                        "totalCount": 1,
                        "edges": [
                            {
                                "node": {
                                    "subject": "Live",
                                    "tasks": {"totalCount": 1, "edges": [{"node": {"title": "Live task"}}]},
                                }
                            }
                        ],
                    },
                    "events": {"totalCount": 1, "edges": [{"node": {"title": "Live task"}}]},
                }
            }
        ],
    }
    assert data["accounts"] == {
        "totalCount": 1,
        "edges": [
            {
                "node": {
                    "name": "Engines",
                    "contacts": {"totalCount": 1, "edges": [{"node": {"firstName": "Ada"}}]},
                    "leads": {"totalCount": 1},
                    "events": {"totalCount": 1},
                }
            }
        ],
    }
    assert data["stages"] == {
        "edges": [{"node": {"leads": {"totalCount": 1, "edges": [{"node": {"subject": "Live"}}]}}}]
    }
    assert data["leads"] == {"totalCount": 2}  # "Live" and the lead of the deleted contact
    assert data["tasks"] == {"totalCount": 1}
    assert data["events"] == {"totalCount": 1}
    assert data["contact"] is None
    assert data["node"] is None
    assert data["nodes"] == [None]


async def test_lead_linked_to_a_deleted_contact_shows_no_contact(client: Client, factory: Factory) -> None:
    gone = factory.contact("Gone", "Deleted", is_deleted=True)
    lead = factory.lead("Of deleted contact", contact_id=gone)
    await factory.save()
    body = await client.execute(
        "query($id: ID!) { lead(id: $id) { contact { id } } }", {"id": gid("Lead", lead)}
    )
    assert body["data"]["lead"] == {"contact": None}


async def test_nested_tasks_leave_out_other_events(client: Client, factory: Factory) -> None:
    contact = factory.contact("Ada", "Lovelace")
    account = factory.account("Engines", contacts=[contact])
    lead = factory.lead("Engine", contact_id=contact, account_id=account)
    links = {"contact_id": contact, "account_id": account, "lead_id": lead}
    factory.task("Task 1", **links)
    factory.event("Appointment", "APPOINTMENT", **links)
    factory.event("Follow-up", "FOLLOW_UP", **links)
    factory.task("Task 2", **links)
    await factory.save()
    lists = "tasks { totalCount edges { node { __typename title } } } events { totalCount }"
    body = await client.execute(
        f"""query($c: ID!, $a: ID!, $l: ID!) {{
          contact(id: $c) {{ {lists} }} account(id: $a) {{ {lists} }} lead(id: $l) {{ {lists} }}
        }}""",
        {"c": gid("Contact", contact), "a": gid("Account", account), "l": gid("Lead", lead)},
    )
    expected = {
        "tasks": {
            "totalCount": 2,
            "edges": [
                {"node": {"__typename": "Task", "title": "Task 1"}},
                {"node": {"__typename": "Task", "title": "Task 2"}},
            ],
        },
        "events": {"totalCount": 4},
    }
    assert body["data"] == {"contact": expected, "account": expected, "lead": expected}
