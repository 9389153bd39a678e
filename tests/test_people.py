"""Seed 000 people model through /graphql: URLs, preferred channel and assistant; occasions and
``upcomingOccasions``; contact relations and the key relationship rules (CUST1104, CUST1106, CUST2106).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from conftest import Client, token_for
from factories import Factory, gid
from gateway.backends.sql import tables as t
from resolvers.occasions.calendar import in_year, next_date, window_month_days

ERRORS = "errors { field code seedCode }"
CHANNELS = """
id preferredChannel version
urls { address label icon type isPrimary }
assistant { id }
"""
CONTACT_CREATE = f"""
mutation($input: ContactCreateInput!) {{
  contactCreate(input: $input) {{ contact {{ {CHANNELS} }} {ERRORS} }}
}}
"""
CONTACT_UPDATE = f"""
mutation($id: ID!, $input: ContactUpdateInput!) {{
  contactUpdate(id: $id, input: $input) {{ contact {{ {CHANNELS} }} {ERRORS} }}
}}
"""
ACCOUNT_CREATE = f"""
mutation($input: AccountCreateInput!) {{
  accountCreate(input: $input) {{ account {{ {CHANNELS} owner {{ username }} }} {ERRORS} }}
}}
"""
OCCASION_FIELDS = "id date label recurring reminder nextDate contact { id } account { id }"
OCCASION_CREATE = f"""
mutation($input: OccasionCreateInput!) {{
  occasionCreate(input: $input) {{ occasion {{ {OCCASION_FIELDS} }} {ERRORS} }}
}}
"""
OCCASION_UPDATE = f"""
mutation($id: ID!, $input: OccasionUpdateInput!) {{
  occasionUpdate(id: $id, input: $input) {{ occasion {{ {OCCASION_FIELDS} }} {ERRORS} }}
}}
"""
OCCASION_DELETE = f"mutation($id: ID!) {{ occasionDelete(id: $id) {{ deletedId {ERRORS} }} }}"
OCCASION_RESTORE = f"mutation($id: ID!) {{ occasionRestore(id: $id) {{ occasion {{ id }} {ERRORS} }} }}"
UPCOMING = """
query($days: Int!) { upcomingOccasions(days: $days) { date daysAway occasion { id label } } }
"""
RELATION_FIELDS = "id type notes key contact { id } relatedContact { id } relatedAccount { id }"
RELATION_CREATE = f"""
mutation($input: ContactRelationCreateInput!) {{
  contactRelationCreate(input: $input) {{ contactRelation {{ {RELATION_FIELDS} }} {ERRORS} }}
}}
"""
RELATION_UPDATE = f"""
mutation($id: ID!, $input: ContactRelationUpdateInput!) {{
  contactRelationUpdate(id: $id, input: $input) {{ contactRelation {{ {RELATION_FIELDS} }} {ERRORS} }}
}}
"""
RELATION_DELETE = f"mutation($id: ID!) {{ contactRelationDelete(id: $id) {{ deletedId {ERRORS} }} }}"
REMOVE_MEMBER = f"""
mutation($account: ID!, $contact: ID!) {{
  accountRemoveContact(accountId: $account, contactId: $contact) {{ contact {{ id }} {ERRORS} }}
}}
"""
CONTACT_PEOPLE = """
query($id: ID!) { contact(id: $id) {
  keyCustomers { id } keyOrganizations { id } customers { id }
  relations { totalCount edges { node { type key } } }
  occasions { totalCount edges { node { label } } }
} }
"""


def payload(body: dict[str, Any], name: str) -> dict[str, Any]:
    return body["data"][name]  # type: ignore[no-any-return]


def codes(result: dict[str, Any]) -> list[tuple[list[str], str, str | None]]:
    return [(e["field"], e["code"], e["seedCode"]) for e in result["errors"]]


def caller(
    client: Client, settings: Any, tenant: str, permissions: list[str], subject: str = "tester"
) -> Client:
    return Client(client.http, token_for(settings, tenant, subject, permissions))


async def count(engine: Any, table: sa.Table, tenant: str) -> int:
    async with engine.connect() as connection:
        statement = sa.select(sa.func.count()).select_from(table).where(table.c.tenant == tenant)
        return int((await connection.execute(statement)).scalar_one())


def today() -> date:
    return datetime.now(UTC).date()


# --- URLs, preferred channel, assistant -------------------------------------------------------------


async def test_urls_channel_and_assistant_are_written_and_read(client: Client, factory: Factory) -> None:
    boss = factory.contact("Ada", "Boss")
    helper = factory.contact("Sam", "Helper")
    owner = factory.user("olivia")
    await factory.save()
    urls = [
        {"address": "https://ada.example.com", "label": "Site", "icon": "fa-globe", "isPrimary": True},
        {"address": "http://linkedin.com/in/ada", "icon": "fab fa-linkedin", "type": "Profile"},
    ]
    body = await client.execute(
        CONTACT_UPDATE,
        {
            "id": gid("Contact", boss),
            "input": {"urls": urls, "preferredChannel": "MOBILE", "assistantId": gid("Contact", helper)},
        },
    )
    contact = payload(body, "contactUpdate")["contact"]
    assert contact["preferredChannel"] == "MOBILE"
    assert contact["assistant"] == {"id": gid("Contact", helper)}
    assert [u["address"] for u in contact["urls"]] == [urls[0]["address"], urls[1]["address"]]
    assert contact["urls"][1] == {
        "address": "http://linkedin.com/in/ada",
        "label": None,
        "icon": "fab fa-linkedin",
        "type": "Profile",
        "isPrimary": False,
    }
    # Lists are replaced whole; other fields stay.
    body = await client.execute(
        CONTACT_UPDATE, {"id": gid("Contact", boss), "input": {"urls": [{"address": "https://new.example"}]}}
    )
    contact = payload(body, "contactUpdate")["contact"]
    assert [u["address"] for u in contact["urls"]] == ["https://new.example"]
    assert contact["preferredChannel"] == "MOBILE"

    body = await client.execute(
        ACCOUNT_CREATE,
        {
            "input": {
                "name": "Acme",
                "urls": [{"address": "https://acme.example", "isPrimary": True}],
                "preferredChannel": "EMAIL",
                "assistantId": gid("Contact", helper),
                "ownerId": gid("User", owner),
            }
        },
    )
    account = payload(body, "accountCreate")["account"]
    assert account["owner"] == {"username": "olivia"}
    assert account["assistant"] == {"id": gid("Contact", helper)}
    assert account["preferredChannel"] == "EMAIL" and account["urls"][0]["isPrimary"] is True


async def test_bad_urls_and_assistants_are_refused_and_nothing_is_written(
    client: Client, other_client: Client, factory: Factory, engine: Any, tenant: str
) -> None:
    ada = factory.contact("Ada", "Boss")
    await factory.save()
    bad = [
        {"address": "ftp://files.example"},
        {"address": "https://ok.example", "icon": "globe"},
        {"address": "https://a.example", "isPrimary": True},
        {"address": "https://b.example", "isPrimary": True},
        {"address": "https:// spaced.example"},
    ]
    body = await client.execute(CONTACT_CREATE, {"input": {"firstName": "X", "lastName": "Y", "urls": bad}})
    result = payload(body, "contactCreate")
    assert result["contact"] is None
    assert codes(result) == [
        (["input", "urls", "0", "address"], "INVALID", None),
        (["input", "urls", "1", "icon"], "INVALID", None),
        (["input", "urls", "3", "isPrimary"], "INVALID", None),
        (["input", "urls", "4", "address"], "INVALID", None),
    ]
    assert await count(engine, t.contacts, tenant) == 1 and await count(engine, t.urls, tenant) == 0

    itself = {"assistantId": gid("Contact", ada), "urls": [{"address": "https://kept.example"}]}
    result = payload(
        await client.execute(CONTACT_UPDATE, {"id": gid("Contact", ada), "input": itself}), "contactUpdate"
    )
    assert codes(result) == [(["input", "assistantId"], "INVALID", None)]
    assert await count(engine, t.urls, tenant) == 0  # the URLs of the refused update were not written

    stranger = payload(
        await other_client.execute(CONTACT_CREATE, {"input": {"firstName": "O", "lastName": "T"}}),
        "contactCreate",
    )["contact"]["id"]
    result = payload(
        await client.execute(CONTACT_UPDATE, {"id": gid("Contact", ada), "input": {"assistantId": stranger}}),
        "contactUpdate",
    )
    assert codes(result) == [(["input", "assistantId"], "NOT_FOUND", "CUST1102")]
    body = await client.execute(
        "query($id: ID!) { contact(id: $id) { version assistant { id } } }", {"id": gid("Contact", ada)}
    )
    assert body["data"]["contact"] == {"version": 1, "assistant": None}


# --- Occasions ----------------------------------------------------------------------------------------


async def test_occasions_are_added_changed_removed_and_restored(client: Client, factory: Factory) -> None:
    ada = factory.contact("Ada", "Boss")
    acme = factory.account("Acme")
    await factory.save()
    born = date(1990, 5, 17)
    body = await client.execute(
        OCCASION_CREATE,
        {
            "input": {
                "contactId": gid("Contact", ada),
                "date": born.isoformat(),
                "label": "Birthday",
                "recurring": True,
            }
        },
    )
    birthday = payload(body, "occasionCreate")["occasion"]
    assert birthday["contact"] == {"id": gid("Contact", ada)} and birthday["account"] is None
    assert birthday["nextDate"] == next_date(born, True, today()).isoformat()
    renewal = payload(
        await client.execute(
            OCCASION_CREATE,
            {
                "input": {
                    "accountId": gid("Account", acme),
                    "date": "2001-01-01",
                    "label": "Renewal",
                    "reminder": True,
                }
            },
        ),
        "occasionCreate",
    )["occasion"]
    assert renewal["nextDate"] is None and renewal["reminder"] is True  # a one-off date in the past

    changed = payload(
        await client.execute(
            OCCASION_UPDATE, {"id": birthday["id"], "input": {"label": "Born", "recurring": False}}
        ),
        "occasionUpdate",
    )["occasion"]
    assert (changed["label"], changed["recurring"], changed["date"]) == ("Born", False, born.isoformat())

    query = """query($c: ID!, $a: ID!, $o: ID!) {
      contact(id: $c) { occasions { totalCount edges { node { label } } } }
      account(id: $a) { occasions { totalCount edges { node { label } } } }
      node(id: $o) { ... on Occasion { label } }
    }"""
    variables = {"c": gid("Contact", ada), "a": gid("Account", acme), "o": renewal["id"]}
    body = await client.execute(query, variables)
    assert body["data"]["contact"]["occasions"]["edges"] == [{"node": {"label": "Born"}}]
    assert body["data"]["account"]["occasions"]["edges"] == [{"node": {"label": "Renewal"}}]
    assert body["data"]["node"] == {"label": "Renewal"}

    assert (
        payload(await client.execute(OCCASION_DELETE, {"id": renewal["id"]}), "occasionDelete")["errors"]
        == []
    )
    body = await client.execute(query, variables)
    assert body["data"]["account"]["occasions"]["totalCount"] == 0 and body["data"]["node"] is None
    restored = payload(await client.execute(OCCASION_RESTORE, {"id": renewal["id"]}), "occasionRestore")
    assert restored["occasion"] == {"id": renewal["id"]}


async def test_bad_occasions_are_refused_with_codes(
    client: Client, other_client: Client, factory: Factory, engine: Any, tenant: str
) -> None:
    ada = factory.contact("Ada", "Boss")
    acme = factory.account("Acme")
    existing = factory.occasion(date(2000, 1, 1), contact_id=ada)
    await factory.save()
    cases = [
        ({"date": "2020-01-01"}, [(["input", "contactId"], "REQUIRED", "CUST1101")]),
        (
            {"date": "2020-01-01", "contactId": gid("Contact", ada), "accountId": gid("Account", acme)},
            [(["input", "accountId"], "INVALID", None)],
        ),
        (
            {"date": "2020-01-01", "contactId": gid("Contact", uuid.uuid4())},
            [(["input", "contactId"], "NOT_FOUND", "CUST1102")],
        ),
        (
            {"date": "2020-01-01", "accountId": gid("Contact", ada)},
            [(["input", "accountId"], "NOT_FOUND", "CUST2102")],
        ),
    ]
    for input, expected in cases:
        result = payload(await client.execute(OCCASION_CREATE, {"input": input}), "occasionCreate")
        assert result["occasion"] is None and codes(result) == expected, input
    result = payload(
        await client.execute(OCCASION_UPDATE, {"id": gid("Occasion", existing), "input": {"date": None}}),
        "occasionUpdate",
    )
    assert codes(result) == [(["input", "date"], "REQUIRED", "CUST1101")]
    # Another tenant cannot see or change it.
    result = payload(
        await other_client.execute(
            OCCASION_UPDATE, {"id": gid("Occasion", existing), "input": {"label": "x"}}
        ),
        "occasionUpdate",
    )
    assert codes(result) == [(["id"], "NOT_FOUND", None)]
    bad_date = await client.post(
        OCCASION_CREATE, {"input": {"date": "2021-02-30", "contactId": gid("Contact", ada)}}
    )
    assert bad_date.status_code in (200, 400) and bad_date.json()["errors"]
    assert await count(engine, t.occasions, tenant) == 1


async def test_upcoming_occasions_roll_yearly_ones_and_keep_to_the_window(
    client: Client, factory: Factory
) -> None:
    now = today()
    ada = factory.contact("Ada", "Boss")
    acme = factory.account("Acme")
    soon = now + timedelta(days=3)
    factory.occasion(in_year(soon, soon.year - 30), recurring=True, contact_id=ada, label="Birthday")
    factory.occasion(now, recurring=False, account_id=acme, label="Today")
    factory.occasion(now + timedelta(days=10), contact_id=ada, label="In ten days")
    factory.occasion(now - timedelta(days=1), contact_id=ada, label="Yesterday once")
    factory.occasion(now - timedelta(days=1), recurring=True, contact_id=ada, label="Yearly, was yesterday")
    factory.occasion(soon, contact_id=ada, label="Deleted", is_deleted=True)
    await factory.save()

    body = await client.execute(UPCOMING, {"days": 7})
    found = [(o["occasion"]["label"], o["daysAway"], o["date"]) for o in body["data"]["upcomingOccasions"]]
    assert found == [("Today", 0, now.isoformat()), ("Birthday", 3, soon.isoformat())]
    body = await client.execute(UPCOMING, {"days": 10})
    assert [o["occasion"]["label"] for o in body["data"]["upcomingOccasions"]] == [
        "Today",
        "Birthday",
        "In ten days",
    ]
    body = await client.execute(UPCOMING, {"days": 366})
    labels = [o["occasion"]["label"] for o in body["data"]["upcomingOccasions"]]
    assert labels[-1] == "Yearly, was yesterday" and "Yesterday once" not in labels

    for days in (-1, 367):
        response = await client.post(UPCOMING, {"days": days})
        error = response.json()["errors"][0]
        assert response.status_code == 200 and error["extensions"]["code"] == "BAD_USER_INPUT", days
        assert error["extensions"]["argument"] == "days"


def test_a_leap_day_falls_on_28_february_in_common_years() -> None:
    leap_day = date(2000, 2, 29)
    assert next_date(leap_day, True, date(2027, 1, 10)) == date(2027, 2, 28)
    assert next_date(leap_day, True, date(2027, 3, 1)) == date(2028, 2, 29)
    assert next_date(leap_day, True, date(2028, 2, 29)) == date(2028, 2, 29)
    assert 229 in window_month_days(date(2027, 2, 27), 1)  # 28 February 2027 stands for the 29th
    assert 229 not in window_month_days(date(2028, 2, 27), 1)  # 2028 has its own 29 February
    assert window_month_days(date(2027, 12, 31), 1) == [101, 1231]


async def test_upcoming_occasions_follow_permissions_and_row_rules(
    client: Client, factory: Factory, settings: Any, tenant: str
) -> None:
    now = today()
    ada = factory.contact("Ada", "Open")
    private = factory.contact("Pat", "Private")
    factory.contact_permission(private, owner_only=True)  # private to "factory"
    acme = factory.account("Acme")
    factory.occasion(now, contact_id=ada, label="Ada's")
    factory.occasion(now, contact_id=private, label="Pat's")
    hidden = factory.occasion(now, account_id=acme, label="Acme's")
    await factory.save()

    reader = caller(client, settings, tenant, ["CUST_READ"])
    body = await reader.execute(UPCOMING + "", {"days": 0})
    assert [o["occasion"]["label"] for o in body["data"]["upcomingOccasions"]] == ["Ada's"]
    body = await reader.execute("query($id: ID!) { node(id: $id) { id } }", {"id": gid("Occasion", hidden)})
    assert body["data"]["node"] is None  # an account's needs CUST_ORGANIZATION_VIEW
    both = caller(client, settings, tenant, ["CUST_READ", "CUST_ORGANIZATION_VIEW"])
    body = await both.execute(UPCOMING, {"days": 0})
    assert sorted(o["occasion"]["label"] for o in body["data"]["upcomingOccasions"]) == ["Acme's", "Ada's"]

    outsider = caller(client, settings, tenant, ["CUST_ORGANIZATION_VIEW"])
    body = (await outsider.post(UPCOMING, {"days": 0})).json()
    assert (
        body["errors"][0]["extensions"]["code"] == "FORBIDDEN" and body["data"]["upcomingOccasions"] is None
    )

    writer = caller(client, settings, tenant, ["CUST_READ", "CUST_WRITE", "CUST_ORGANIZATION_VIEW"])
    body = (
        await writer.post(
            OCCASION_CREATE, {"input": {"accountId": gid("Account", acme), "date": "2020-01-01"}}
        )
    ).json()
    assert body["errors"][0]["extensions"]["permission"] == "CUST_ORGANIZATION_EDIT"
    body = (await writer.post(OCCASION_DELETE, {"id": gid("Occasion", hidden)})).json()
    assert body["errors"][0]["extensions"]["permission"] == "CUST_ORGANIZATION_EDIT"
    body = await both.execute(UPCOMING, {"days": 0})
    assert len(body["data"]["upcomingOccasions"]) == 2  # the refused delete was rolled back
    relation = {
        "contactId": gid("Contact", ada),
        "relatedAccountId": gid("Account", acme),
        "type": "EMPLOYEE",
    }
    body = (await writer.post(RELATION_CREATE, {"input": relation})).json()
    assert body["errors"][0]["extensions"]["permission"] == "CUST_ORGANIZATION_EDIT"
    response = await client.post("query { upcomingOccasions(days: 1, first: 0) { date } }")
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "first"}


# --- Contact relations --------------------------------------------------------------------------------


async def test_relations_make_key_customers_organizations_and_connections(
    client: Client, factory: Factory
) -> None:
    ada, bob, cid = factory.contact("Ada", "A"), factory.contact("Bob", "B"), factory.contact("Cid", "C")
    acme = factory.account("Acme", contacts=[ada, bob], primary_contact_id=bob)
    await factory.save()
    made = []
    for input in (
        {"relatedContactId": gid("Contact", bob), "type": "family member", "key": True, "notes": "Brother"},
        {"relatedContactId": gid("Contact", cid), "type": "FRIEND"},
        {"relatedAccountId": gid("Account", acme), "type": "EMPLOYEE", "key": True},
    ):
        result = payload(
            await client.execute(RELATION_CREATE, {"input": {"contactId": gid("Contact", ada), **input}}),
            "contactRelationCreate",
        )
        assert result["errors"] == [], input
        made.append(result["contactRelation"])
    assert made[0]["type"] == "FAMILY_MEMBER" and made[0]["notes"] == "Brother"

    body = await client.execute(CONTACT_PEOPLE, {"id": gid("Contact", ada)})
    contact = body["data"]["contact"]
    assert contact["keyCustomers"] == [{"id": gid("Contact", bob)}]
    assert contact["keyOrganizations"] == [{"id": gid("Account", acme)}]
    assert contact["customers"] == [{"id": gid("Contact", bob)}, {"id": gid("Contact", cid)}]
    assert contact["relations"]["totalCount"] == 3
    body = await client.execute(
        "query($id: ID!) { account(id: $id) { keyCustomers { id } relations { totalCount } } }",
        {"id": gid("Account", acme)},
    )
    assert body["data"]["account"] == {
        "keyCustomers": [{"id": gid("Contact", bob)}, {"id": gid("Contact", ada)}],
        "relations": {"totalCount": 1},
    }

    # A key organization cannot lose the contact (CUST1106), nor the primary contact (CUST2106).
    variables = {"account": gid("Account", acme), "contact": gid("Contact", ada)}
    result = payload(await client.execute(REMOVE_MEMBER, variables), "accountRemoveContact")
    assert codes(result) == [(["contactId"], "INVALID", "CUST1106")]
    variables_bob = {**variables, "contact": gid("Contact", bob)}
    result = payload(await client.execute(REMOVE_MEMBER, variables_bob), "accountRemoveContact")
    assert codes(result) == [(["contactId"], "INVALID", "CUST2106")]
    unkeyed = payload(
        await client.execute(RELATION_UPDATE, {"id": made[2]["id"], "input": {"key": False}}),
        "contactRelationUpdate",
    )
    assert unkeyed["contactRelation"]["key"] is False
    assert payload(await client.execute(REMOVE_MEMBER, variables), "accountRemoveContact")["errors"] == []
    # Now not a member: making it key again is refused (CUST1104), and nothing changes.
    result = payload(
        await client.execute(RELATION_UPDATE, {"id": made[2]["id"], "input": {"key": True, "notes": "n"}}),
        "contactRelationUpdate",
    )
    assert codes(result) == [(["input", "key"], "INVALID", "CUST1104")]
    body = await client.execute(
        f"query($id: ID!) {{ node(id: $id) {{ ... on ContactRelation {{ {RELATION_FIELDS} }} }} }}",
        {"id": made[2]["id"]},
    )
    assert body["data"]["node"]["key"] is False and body["data"]["node"]["notes"] is None
    assert (
        payload(await client.execute(RELATION_DELETE, {"id": made[0]["id"]}), "contactRelationDelete")[
            "errors"
        ]
        == []
    )
    body = await client.execute(CONTACT_PEOPLE, {"id": gid("Contact", ada)})
    assert body["data"]["contact"]["keyCustomers"] == []


async def test_bad_relations_are_refused_with_codes(
    client: Client, factory: Factory, engine: Any, tenant: str
) -> None:
    ada, bob = factory.contact("Ada", "A"), factory.contact("Bob", "B")
    acme = factory.account("Acme", contacts=[bob])
    await factory.save()
    base = {"contactId": gid("Contact", ada), "type": "FRIEND"}
    cases = [
        (base, [(["input", "relatedContactId"], "REQUIRED", "CUST1101")]),
        (
            {**base, "relatedContactId": gid("Contact", ada)},
            [(["input", "relatedContactId"], "INVALID", None)],
        ),
        (
            {**base, "relatedContactId": gid("Contact", bob), "relatedAccountId": gid("Account", acme)},
            [(["input", "relatedAccountId"], "INVALID", None)],
        ),
        (
            {**base, "type": "  ", "relatedContactId": gid("Contact", bob)},
            [(["input", "type"], "REQUIRED", "CUST1101")],
        ),
        (
            {**base, "type": "X" * 65, "relatedContactId": gid("Contact", bob)},
            [(["input", "type"], "INVALID", None)],
        ),
        (
            {**base, "relatedContactId": gid("Contact", uuid.uuid4())},
            [(["input", "relatedContactId"], "NOT_FOUND", "CUST1102")],
        ),
        (
            {**base, "relatedAccountId": gid("Account", acme), "key": True},
            [(["input", "key"], "INVALID", "CUST1104")],
        ),
    ]
    for input, expected in cases:
        result = payload(await client.execute(RELATION_CREATE, {"input": input}), "contactRelationCreate")
        assert result["contactRelation"] is None and codes(result) == expected, input
    assert await count(engine, t.contact_relations, tenant) == 0


async def test_relations_follow_the_row_rules_of_both_contacts(
    client: Client, factory: Factory, settings: Any, tenant: str
) -> None:
    ada, private = factory.contact("Ada", "A"), factory.contact("Pat", "Private")
    factory.contact_permission(private, owner_only=True)
    acme = factory.account("Acme", contacts=[ada])
    to_private = factory.contact_relation(ada, related_contact_id=private, is_key=True)
    to_acme = factory.contact_relation(ada, "EMPLOYEE", related_account_id=acme, is_key=True)
    await factory.save()
    reader = caller(client, settings, tenant, ["CUST_READ"])
    body = await reader.execute(
        """query($id: ID!, $r: ID!, $a: ID!) {
          contact(id: $id) { keyCustomers { id } customers { id } relations { totalCount } }
          r: node(id: $r) { id } a: node(id: $a) { id }
        }""",
        {
            "id": gid("Contact", ada),
            "r": gid("ContactRelation", to_private),
            "a": gid("ContactRelation", to_acme),
        },
    )
    assert body["data"]["contact"] == {"keyCustomers": [], "customers": [], "relations": {"totalCount": 0}}
    assert body["data"]["r"] is None and body["data"]["a"] is None
    response = await reader.post(
        "query($id: ID!) { contact(id: $id) { keyOrganizations { id } } }", {"id": gid("Contact", ada)}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# --- Receiving e-mail and SMS ------------------------------------------------------------------------


async def test_incoming_email_and_sms_need_the_receive_permissions(
    client: Client, factory: Factory, settings: Any, tenant: str
) -> None:
    ada = factory.contact("Ada", "A")
    rows = [
        ("In mail", "EMAIL", "INCOMING"),
        ("Out mail", "EMAIL", "OUTGOING"),
        ("In SMS", "SMS", "INCOMING"),
        ("In call", "PHONE", "INCOMING"),
    ]
    made = {}
    for number, (subject, media, direction) in enumerate(rows, start=1):
        values = {"number": f"R{number}", "subject": subject, "content": "c", "contact_id": ada}
        made[subject] = factory._audited(t.communications, {**values, "media": media, "direction": direction})
    await factory.save()
    query = """query($id: ID!) {
      communications(first: 10) { totalCount edges { node { subject } } }
      node(id: $id) { id }
    }"""
    view = ["CRM_COMMUNICATION_VIEW", "CRM_VIEW_EMAIL", "CRM_VIEW_SMS", "CUST_READ"]
    cases = [
        (view, ["Out mail", "In call"]),
        ([*view, "CRM_RECEIVE_EMAIL"], ["In mail", "Out mail", "In call"]),
        ([*view, "CRM_RECEIVE_SMS"], ["Out mail", "In SMS", "In call"]),
        (["CRM_ALL", "CUST_READ"], ["In mail", "Out mail", "In SMS", "In call"]),
    ]
    for permissions, expected in cases:
        body = await caller(client, settings, tenant, permissions).execute(
            query, {"id": gid("Communication", made["In mail"])}
        )
        assert [e["node"]["subject"] for e in body["data"]["communications"]["edges"]] == expected, (
            permissions
        )
        assert body["data"]["communications"]["totalCount"] == len(expected)
        assert (body["data"]["node"] is not None) is ("In mail" in expected), permissions

    create = """mutation($input: CommunicationCreateInput!) {
      communicationCreate(input: $input) { communication { id } }
    }"""
    input = {
        "contactId": gid("Contact", ada),
        "direction": "INCOMING",
        "media": "EMAIL",
        "subject": "S",
        "content": "C",
        "to": "desk@example.com",
    }
    recorder = caller(client, settings, tenant, ["CRM_COMMUNICATION_EDIT", *view])
    body = (await recorder.post(create, {"input": input})).json()
    assert "errors" in body, body
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "permission": "CRM_RECEIVE_EMAIL"}
    receiver = caller(client, settings, tenant, ["CRM_COMMUNICATION_EDIT", "CRM_RECEIVE_EMAIL", *view])
    body = await receiver.execute(create, {"input": input})
    assert body["data"]["communicationCreate"]["communication"]["id"]


async def test_deleted_or_hidden_owners_hide_what_belongs_to_them(
    client: Client, other_client: Client, factory: Factory, settings: Any, tenant: str
) -> None:
    now = today()
    ada, gone, private = (
        factory.contact("Ada", "A"),
        factory.contact("Gus", "Gone"),
        factory.contact("Pat", "P"),
    )
    factory.contact_permission(private, owner_only=True)
    helper = factory.contact("Sam", "Helper", assistant_id=private)
    closed = factory.account("Closed", is_deleted=True)
    factory.occasion(now, contact_id=gone, label="Gone's")
    factory.occasion(now, account_id=closed, label="Closed's")
    kept = factory.occasion(now, contact_id=ada, label="Ada's")
    relation = factory.contact_relation(ada, related_contact_id=gone, is_key=True)
    await factory.save()
    await client.execute(
        "mutation($id: ID!) { contactDelete(id: $id) { deletedId } }", {"id": gid("Contact", gone)}
    )

    body = await client.execute(UPCOMING, {"days": 0})
    assert [o["occasion"]["label"] for o in body["data"]["upcomingOccasions"]] == ["Ada's"]
    body = await client.execute(CONTACT_PEOPLE, {"id": gid("Contact", ada)})
    assert (
        body["data"]["contact"]["keyCustomers"] == []
        and body["data"]["contact"]["relations"]["totalCount"] == 0
    )

    # The assistant link follows the row rules of the contact it points at.
    reader = caller(client, settings, tenant, ["CUST_READ"])
    query = "query($id: ID!) { contact(id: $id) { assistant { id } } }"
    assert (await reader.execute(query, {"id": gid("Contact", helper)}))["data"]["contact"] == {
        "assistant": None
    }
    admin = await client.execute(query, {"id": gid("Contact", helper)})
    assert admin["data"]["contact"] == {"assistant": {"id": gid("Contact", private)}}

    # Global IDs of the new types resolve in their own tenant only.
    ids = [gid("Occasion", kept), gid("ContactRelation", relation)]
    body = await other_client.execute("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})
    assert body["data"]["nodes"] == [None, None]
    body = await client.execute("query($ids: [ID!]!) { nodes(ids: $ids) { id __typename } }", {"ids": ids})
    assert body["data"]["nodes"] == [{"id": ids[0], "__typename": "Occasion"}, None]  # Gus is deleted


async def test_an_occasion_create_retried_with_its_key_creates_one(
    client: Client, factory: Factory, engine: Any, tenant: str
) -> None:
    ada = factory.contact("Ada", "A")
    await factory.save()
    create = f"""mutation($input: OccasionCreateInput!, $key: String) {{
      occasionCreate(input: $input, idempotencyKey: $key) {{ occasion {{ id }} {ERRORS} }}
    }}"""
    variables = {"input": {"contactId": gid("Contact", ada), "date": "2020-03-01"}, "key": "k-1"}
    first = payload(await client.execute(create, variables), "occasionCreate")
    again = payload(await client.execute(create, variables), "occasionCreate")
    assert first["occasion"] == again["occasion"] and again["errors"] == []
    assert await count(engine, t.occasions, tenant) == 1
