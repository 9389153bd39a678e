"""Contact depth routed to CRM.COM (seed 003): every depth member written with create/update in the
seed's request shapes and read back from show; per-item set actions sent as the seed's ``action``
items; list filters by identifier numbers; the sensitive numbers masked on every path; bad input
refused with a code and nothing kept. Runs against the simulator over real HTTP, under each profile,
with every call checked against ``tests/contracts/crmcom``."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from conftest import Client, token_for
from crmcom_env import Simulator, cost
from factories import gid
from resolvers.common.ids import decode_global_id
from test_contact_depth import (
    CREATE,
    FULL,
    LIST,
    MASKED,
    NODE,
    READ,
    SENSITIVE,
    UPDATE,
    WITHOUT_SENSITIVE,
)
from test_contact_depth import PERSON as SQL_PERSON

ROUTES = {"Contact": "crmcom", "Communication": "crmcom", "CommunicationQueueEntry": "crmcom"}
# Seed 003's first create example (L2081-2140) as the graph's input.
PERSON: dict[str, Any] = {
    "firstName": "Louis",
    "lastName": "Kozior",
    "gender": "FEMALE",
    "category": "Contact Category",
    "ownedByGroup": "Main Group",
    "privacyLevel": "Regular Customers",
    "notes": "Family",
    "preferredLanguage": "ENG",
    "demographics": SQL_PERSON["demographics"],  # seed 003 L2120-2140 in the graph's form
    "consent": {"sendDirectMarketingMaterial": True, "sendAffiliateMarketingMaterial": False},
    "udfs": {
        "string1": "udf string 1",
        "string16": "udf string 16",
        "float8": 80.0,
        "date8": "2014-05-05T15:49:59+00:00",
    },
}
# The second example (L2310-2360): a company.
COMPANY_INPUT: dict[str, Any] = {
    "kind": "COMPANY",
    "companyName": "Koziors",
    "companyProfile": {
        "profileYear": 1999,
        "annualTurnover": 1999.0,
        "establishedDate": "1999-05-05",
        "numberOfEmployees": 4,
        "registrationNumber": "KZ126591",
        "vatRegistrationNumber": "126591",
        "vatRegisteredBy": "Manager",
        "vatRegistrationDate": "2000-05-05",
        "taxReferenceNumber": "126591",
        "registeredInCountry": "CY",
        "industry": "Interior Design",
        "industrySector": "GOVERNMENTAL",
    },
}


@pytest.fixture
def crm_routes() -> dict[str, str]:
    return ROUTES


def _stored(simulator: Simulator, tenant: str, node_id: str) -> dict[str, Any]:
    return simulator.store.org(tenant).contacts[_crm_id(node_id)]  # type: ignore[no-any-return]


def _crm_id(node_id: str) -> str:
    return decode_global_id(node_id)[1].hex.upper()


async def _create(client: Client, input: dict[str, Any]) -> dict[str, Any]:
    payload = (await client.execute(CREATE, {"input": input}))["data"]["contactCreate"]
    assert payload["errors"] == [], payload
    return payload["contact"]  # type: ignore[no-any-return]


async def test_every_depth_member_is_written_in_the_seeds_shapes_and_read_back(
    crm_client: Client, simulator: Simulator, tenant: str
) -> None:
    created = await _create(crm_client, PERSON)
    read = (await crm_client.execute(READ, {"id": created["id"]}))["data"]["contact"]
    assert read == created
    gender = await crm_client.execute(
        "query($id: ID!) { contact(id: $id) { gender } }", {"id": created["id"]}
    )
    assert gender["data"]["contact"]["gender"] == "FEMALE" and read["preferredLanguage"] == "ENG"
    assert read["lifeCycleState"] == "MARKETING"  # CRM.COM's own for a new contact (L2224)
    assert (read["category"], read["ownedByGroup"], read["privacyLevel"]) == (
        "Contact Category",
        "Main Group",
        "Regular Customers",
    )
    assert read["notes"] == "Family" and read["demographics"] == PERSON["demographics"]
    consent = read["consent"]
    assert (consent["sendDirectMarketingMaterial"], consent["sendAffiliateMarketingMaterial"]) == (
        True,
        False,
    )
    assert consent["directMarketingChangedBy"] == "gateway"  # CRM.COM records the token's user
    assert consent["directMarketingChangedAt"] is not None
    audit = await crm_client.execute(
        "query($id: ID!) { contact(id: $id) { createdBy modifiedBy } }", {"id": created["id"]}
    )
    assert audit["data"]["contact"] == {"createdBy": "gateway", "modifiedBy": "gateway"}  # L200-212
    assert read["udfs"] == {
        "string1": "udf string 1",
        "string16": "udf string 16",
        "float1": None,
        "float8": 80.0,
        "date1": None,
        "date8": "2014-05-05T15:49:59+00:00",
    }
    stored = _stored(simulator, tenant, created["id"])
    assert stored["demographics"]["date_of_birth"] == {"month": 5, "day": 12, "year": 1981}
    assert stored["demographics"]["name_day"] == {"month": 8, "day": 18}
    assert stored["demographics"]["passport_issued_by_country"]["name"] == "GREECE"
    assert stored["privacy_level"]["number"] == "8" and stored["udf_date_8"] == "2014-05-05T15:49:59"
    assert simulator.calls("contact_information/create", "POST") == 1


async def test_a_company_profile_round_trips(crm_client: Client, simulator: Simulator, tenant: str) -> None:
    created = await _create(crm_client, COMPANY_INPUT)
    read = (await crm_client.execute(READ, {"id": created["id"]}))["data"]["contact"]
    assert read["companyProfile"] == COMPANY_INPUT["companyProfile"]
    stored = _stored(simulator, tenant, created["id"])["company_profile"]
    assert stored["industry_sector"]["alternative_code"] == "GOV"
    assert stored["vat_registration_date"] == "2000-05-05T00:00:00"


async def test_an_update_sends_what_it_gives_and_null_clears(
    crm_client: Client, simulator: Simulator, tenant: str
) -> None:
    created = await _create(crm_client, PERSON)
    change = {
        "notes": None,
        "category": "Clients",
        "demographics": {"passportNumber": "ZZ998877", "industry": None},
        "consent": {"sendDirectMarketingMaterial": False},
        "udfs": {"string1": None, "float1": 10.5},
    }
    updated = (await crm_client.execute(UPDATE, {"id": created["id"], "input": change}))["data"]
    contact = updated["contactUpdate"]["contact"]
    assert updated["contactUpdate"]["errors"] == []
    assert contact["notes"] is None and contact["category"] == "Clients"
    assert contact["demographics"] == {
        **PERSON["demographics"],
        "passportNumber": "ZZ998877",
        "industry": None,
    }
    assert contact["consent"]["sendDirectMarketingMaterial"] is False
    assert contact["consent"]["sendAffiliateMarketingMaterial"] is False  # untouched
    assert contact["udfs"]["string1"] is None and contact["udfs"]["float1"] == 10.5
    assert contact["udfs"]["string16"] == "udf string 16"
    assert _stored(simulator, tenant, created["id"])["category"]["code"] == "CLS"


@pytest.mark.parametrize(
    ("input", "code"),
    [
        ({"category": "No such category"}, "CRMCOM_NOT_FOUND"),
        ({"demographics": {"countryOfResidence": "ZZ"}}, "CRMCOM_NOT_FOUND"),
        ({"companyProfile": {"registrationNumber": "X1"}}, "CRMCOM_INVALID_VALUE"),  # a PERSON (L1962)
        ({"lifeCycleState": "FINANCIAL"}, "UPSTREAM_UNSUPPORTED"),  # in no table of create/update
        ({"language": "Klingon"}, "UPSTREAM_UNSUPPORTED"),  # not one of the seed's codes
    ],
)
async def test_what_crmcom_refuses_is_an_error_with_a_code_and_nothing_is_kept(
    crm_client: Client, simulator: Simulator, tenant: str, input: dict[str, Any], code: str
) -> None:
    person = {
        "firstName": "Grace",
        "lastName": "Hopper",
        "demographics": {"socialSecurityNumber": "SS445566"},
    }
    response = await crm_client.post(CREATE, {"input": {**person, **input}})
    body = response.json()
    assert [e["extensions"]["code"] for e in body["errors"]] == [code], body
    assert "SS445566" not in response.text
    assert simulator.store.org(tenant).contacts == {}
    created = await _create(crm_client, person)
    before = dict(_stored(simulator, tenant, created["id"]))
    response = await crm_client.post(UPDATE, {"id": created["id"], "input": input})
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == [code]
    assert _stored(simulator, tenant, created["id"]) == before and "SS445566" not in response.text


async def test_an_update_of_a_contact_crmcom_does_not_have_is_not_found(crm_client: Client) -> None:
    missing = gid("Contact", uuid.uuid4())
    body = await crm_client.execute(UPDATE, {"id": missing, "input": {"notes": "x"}})
    assert [e["code"] for e in body["data"]["contactUpdate"]["errors"]] == ["NOT_FOUND"]


ITEMS = """mutation($id: ID!, $input: ContactUpdateInput!) {
  contactUpdate(id: $id, input: $input) {
    contact { phones { itemId number countryCode } emails { itemId email } } errors { field code }
  }
}"""


def _ada(simulator: Simulator, tenant: str, phones: list[Any], emails: list[Any]) -> str:
    return simulator.store.add_contact(
        tenant, first_name="Ada", last_name="Lovelace", phones_set=phones, emails_set=emails
    )


def _sent(simulator: Simulator, set_name: str) -> list[dict[str, Any]]:
    bodies = simulator.contracts.sent("contact_information/update")
    return [item for body in bodies for item in body.get(set_name, [])]


async def test_per_item_changes_are_sent_as_the_seeds_actions_keeping_item_ids(
    crm_client: Client, simulator: Simulator, tenant: str
) -> None:
    phones = [
        {"id": "A" * 32, "type": "LANDLINE", "number": "+35722114455"},
        {"id": "B" * 32, "type": "MOBILE", "number": "+35799123456"},
    ]
    ada = _ada(simulator, tenant, phones, [{"id": "C" * 32, "type": "PERSONAL", "email": "ada@example.com"}])
    node = gid("Contact", uuid.UUID(hex=ada))
    landline, mobile = str(uuid.UUID(hex="A" * 32)), str(uuid.UUID(hex="B" * 32))
    change = {
        "phoneItems": [
            {
                "action": "UPDATE",
                "itemId": landline,
                "phone": {"number": "+35722998877", "countryCode": "CY"},
            },
            {"action": "REMOVE", "itemId": mobile},
        ],
        "emailItems": [{"action": "ADD", "email": {"email": "ada@two.example", "type": "Business"}}],
    }
    payload = (await crm_client.execute(ITEMS, {"id": node, "input": change}))["data"]["contactUpdate"]
    assert payload["errors"] == []
    assert payload["contact"]["phones"] == [
        {"itemId": landline, "number": "+35722998877", "countryCode": "CY"}
    ]
    assert [e["email"] for e in payload["contact"]["emails"]] == ["ada@example.com", "ada@two.example"]
    assert payload["contact"]["emails"][0]["itemId"] == str(uuid.UUID(hex="C" * 32))
    assert _sent(simulator, "phone_set") == [
        {"action": "remove", "phone_identifier": {"id": "B" * 32}},
        {
            "action": "update",
            "phone_identifier": {"id": "A" * 32},
            "type": "LANDLINE",
            "number": "+35722998877",
            "country_identifier": {"two_character_code": "CY"},
        },
    ]
    assert _sent(simulator, "email_set") == [
        {"action": "add", "type": "BUSINESS", "email_address": "ada@two.example"}
    ]
    stored = simulator.store.org(tenant).contacts[ada]
    assert stored["phones_set"][0]["country"]["name"] == "CYPRUS"
    assert stored["emails_set"][1]["state"] == "Active"  # added items are active (L1327)


async def test_an_unknown_item_is_not_found_and_nothing_is_sent(
    crm_client: Client, simulator: Simulator, tenant: str
) -> None:
    ada = simulator.store.add_contact(tenant, first_name="Ada", last_name="Lovelace")
    change = {"phoneItems": [{"action": "REMOVE", "itemId": str(uuid.uuid4())}]}
    body = await crm_client.execute(ITEMS, {"id": gid("Contact", uuid.UUID(hex=ada)), "input": change})
    assert [e["code"] for e in body["data"]["contactUpdate"]["errors"]] == ["NOT_FOUND"]
    assert simulator.calls("contact_information/update", "POST") == 0


@pytest.mark.parametrize("action", ["UPDATE", "REMOVE", "REPLACE"])
async def test_an_item_crmcom_showed_without_an_id_is_refused_before_anything_is_sent(
    crm_client: Client, simulator: Simulator, tenant: str, action: str
) -> None:
    """Its item id in the graph is made up from its position; CRM.COM does not know it, so no update or
    remove action can name it (L3397-3402): refused with a code, not sent under the made-up id."""
    phones = [
        {"type": "LANDLINE", "number": "+35722114455"},
        {"id": "B" * 32, "type": "MOBILE", "number": "1"},
    ]
    ada = _ada(simulator, tenant, phones, [])
    node = gid("Contact", uuid.UUID(hex=ada))
    shown = await crm_client.execute(
        "query($id: ID!) { contact(id: $id) { phones { itemId } } }", {"id": node}
    )
    item_id = shown["data"]["contact"]["phones"][0]["itemId"]
    change = {
        "UPDATE": {
            "phoneItems": [{"action": "UPDATE", "itemId": item_id, "phone": {"number": "+35722998877"}}]
        },
        "REMOVE": {"phoneItems": [{"action": "REMOVE", "itemId": item_id}]},
        "REPLACE": {"phones": [{"number": "+35799000000"}]},
    }[action]
    response = (await crm_client.post(ITEMS, {"id": node, "input": change})).json()
    assert [e["extensions"]["code"] for e in response["errors"]] == ["UPSTREAM_UNSUPPORTED"]
    assert "without an id" in response["errors"][0]["message"]
    assert simulator.calls("contact_information/update", "POST") == 0
    assert simulator.store.org(tenant).contacts[ada]["phones_set"] == phones


NESTED = f"""query($id: ID!) {{ communication(id: $id) {{ contact {{ {SENSITIVE} }} }} }}"""


@pytest.mark.parametrize(
    ("field", "value", "parameter"),
    [
        ("idNumber", "AB112234", "id_number"),
        ("passportNumber", "CD112234", "passport_number"),
        ("socialSecurityNumber", "EF112234", "social_security_number"),
        ("vatRegistrationNumber", "126591", "vat_registration_number"),
    ],
)
async def test_contacts_are_listed_by_identifier_numbers_with_crmcoms_list_parameters(
    crm_client: Client, simulator: Simulator, field: str, value: str, parameter: str
) -> None:
    person = await _create(crm_client, PERSON)
    company = await _create(crm_client, COMPANY_INPUT)
    await _create(crm_client, {"firstName": "Bob", "lastName": "Builder", "demographics": {"idNumber": "X1"}})
    body = await crm_client.execute(LIST, {"filter": {field: {"eq": value}}})
    wanted = company if field == "vatRegistrationNumber" else person
    assert [c["id"] for c in body["data"]["contacts"]["nodes"]] == [wanted["id"]]
    [query] = simulator.contracts.sent("contact_information/list")
    assert query[parameter] == value


async def test_sensitive_numbers_stay_masked_on_every_routed_path_without_the_permission(
    crm_client: Client, simulator: Simulator, tenant: str, settings: Any
) -> None:
    created = await _create(crm_client, {**PERSON, "emails": [{"email": "louis@example.com"}]})
    call = simulator.store.add_communication(tenant, _crm_id(created["id"]), subject="Hello")
    permissions = {"masked": WITHOUT_SENSITIVE, "full": [*WITHOUT_SENSITIVE, "CUST_SENSITIVE_VIEW"]}
    for kind, held in permissions.items():
        caller = Client(crm_client.http, token_for(settings, tenant, permissions=held))
        expected = MASKED if kind == "masked" else FULL
        listed = await caller.execute(LIST, {"filter": {"email": {"eq": "louis@example.com"}}})
        assert [node["demographics"] for node in listed["data"]["contacts"]["nodes"]] == [expected], kind
        node = await caller.execute(NODE, {"id": created["id"]})
        assert node["data"]["node"]["demographics"] == expected, kind
        nested = await caller.execute(NESTED, {"id": gid("Communication", uuid.UUID(hex=call))})
        assert nested["data"]["communication"]["contact"]["demographics"] == expected, kind
    masked = Client(crm_client.http, token_for(settings, tenant, permissions=WITHOUT_SENSITIVE))
    refused = (await masked.post(LIST, {"filter": {"idNumber": {"eq": "AB112234"}}})).json()
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    assert simulator.calls("contact_information/list") == 2  # one per caller: the refused filter sent none


ADDRESS = {
    "type": "BUSINESS",
    "line1": "Latisa",
    "city": "Nicosia",
    "state": "Nicosia",
    "zip": "7060",
    "country": "CY",
    "careOf": "Maria Kyriacou",
    "floor": 2,
    "apartmentNumber": "204",
    "municipality": "NA Nicosia",
    "poBox": "986547",
    "poBoxPostalCode": "986547-1",
    "notes": "To be reviewed",
}
ITEM_FIELDS = """mutation($input: ContactCreateInput!) { contactCreate(input: $input) {
  contact { id addresses { type line1 city state zip country careOf floor apartmentNumber municipality poBox
    poBoxPostalCode notes itemState } }
  errors { code }
} }"""


async def test_an_address_items_seed_fields_round_trip(
    crm_client: Client, simulator: Simulator, tenant: str
) -> None:
    """Seed 003's update example's address (L3380-3396) with its care_of and notes (L2156-2157)."""
    input = {"firstName": "Ellen", "lastName": "Leon", "addresses": [ADDRESS]}
    payload = (await crm_client.execute(ITEM_FIELDS, {"input": input}))["data"]["contactCreate"]
    assert payload["errors"] == []
    assert payload["contact"]["addresses"] == [{**ADDRESS, "itemState": "ACTIVE"}]
    [stored] = _stored(simulator, tenant, payload["contact"]["id"])["addresses_set"]
    assert (stored["care_of"], stored["floor"], stored["country"]["name"]) == ("Maria Kyriacou", 2, "CYPRUS")


async def test_phone_and_email_items_show_crmcoms_notes_and_state_but_cannot_send_notes(
    crm_client: Client, simulator: Simulator, tenant: str
) -> None:
    phones = [{"id": "A" * 32, "type": "LANDLINE", "number": "988321236448", "notes": "Honduras"}]
    emails = [{"id": "C" * 32, "type": "PERSONAL", "email": "ada@example.com", "state": "Inactive"}]
    ada = _ada(simulator, tenant, phones, emails)
    node = gid("Contact", uuid.UUID(hex=ada))
    read = await crm_client.execute(
        "query($id: ID!) { contact(id: $id) { phones { notes itemState } emails { notes itemState } } }",
        {"id": node},
    )
    assert read["data"]["contact"] == {
        "phones": [{"notes": "Honduras", "itemState": "ACTIVE"}],
        "emails": [{"notes": None, "itemState": "INACTIVE"}],
    }
    change = {"emailItems": [{"action": "ADD", "email": {"email": "ada@two.example", "notes": "new"}}]}
    response = await crm_client.post(ITEMS, {"id": node, "input": change})
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["UPSTREAM_UNSUPPORTED"]
    assert simulator.calls("contact_information/update", "POST") == 0
    kept = {"phoneItems": [{"action": "ADD", "phone": {"number": "+35722114455"}}]}
    payload = (await crm_client.execute(ITEMS, {"id": node, "input": kept}))["data"]["contactUpdate"]
    assert payload["errors"] == [] and len(payload["contact"]["phones"]) == 2  # the notes shown stay


RELATION_CREATE = """mutation($input: ContactRelationCreateInput!) {
  contactRelationCreate(input: $input) {
    contactRelation { id type notes relatedContact { id } } errors { code }
  }
}"""
RELATIONS = """query($id: ID!) { contact(id: $id) {
  relations(first: 10) { totalCount nodes { type notes relatedContact { firstName } } }
} }"""


@pytest.mark.parametrize("crm_routes", [{**ROUTES, "ContactRelation": "crmcom"}])
async def test_relations_are_read_from_relation_set_and_added_through_it(
    crm_client: Client, simulator: Simulator, tenant: str
) -> None:
    ada = simulator.store.add_contact(tenant, first_name="Ada", last_name="Lovelace")
    bob = simulator.store.add_contact(tenant, first_name="Bob", last_name="Byron")
    node, bob_node = (gid("Contact", uuid.UUID(hex=i)) for i in (ada, bob))
    input = {"contactId": node, "relatedContactId": bob_node, "type": "Family Member"}
    created = (await crm_client.execute(RELATION_CREATE, {"input": input}))["data"]["contactRelationCreate"]
    assert created["errors"] == []
    assert created["contactRelation"]["type"] == "FAMILY_MEMBER"
    assert created["contactRelation"]["relatedContact"] == {"id": bob_node}
    [sent] = simulator.contracts.sent("contact_information/update")
    assert sent["relation_set"] == [
        {"action": "add", "type": "FAMILY_MEMBER", "contact_information_identifier": {"id": bob}}
    ]
    read = (await crm_client.execute(RELATIONS, {"id": node}))["data"]["contact"]["relations"]
    assert read == {
        "totalCount": 1,
        "nodes": [{"type": "FAMILY_MEMBER", "notes": None, "relatedContact": {"firstName": "Bob"}}],
    }
    stored = simulator.store.org(tenant).contacts[ada]["relation_set"]
    assert stored[0]["contact"]["first_name"] == "Bob"
    refused = await crm_client.post(RELATION_CREATE, {"input": {**input, "notes": "Brother"}})
    assert [e["extensions"]["code"] for e in refused.json()["errors"]] == ["UPSTREAM_UNSUPPORTED"]
    assert len(simulator.store.org(tenant).contacts[ada]["relation_set"]) == 1
    relation = created["contactRelation"]["id"]
    for mutation in (
        'mutation($id: ID!) { contactRelationUpdate(id: $id, input: {type: "X"}) { errors { code } } }',
        "mutation($id: ID!) { contactRelationDelete(id: $id) { errors { code } } }",
    ):
        answer = (await crm_client.post(mutation, {"id": relation})).json()
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["UPSTREAM_UNSUPPORTED"], answer


@pytest.mark.parametrize("crm_routes", [{**ROUTES, "ContactRelation": "crmcom"}])
async def test_a_relation_crmcom_shows_by_its_display_type_reads_as_the_code(
    crm_client: Client, simulator: Simulator, tenant: str
) -> None:
    bob = simulator.store.add_contact(tenant, first_name="Bob", last_name="Byron")
    related = {"id": bob, "first_name": "Bob", "last_name": "Byron", "type": "PERSON"}
    shown = [{"id": "5" * 32, "type": "Family Member", "contact": related, "notes": None}]  # L139-175
    ada = simulator.store.add_contact(tenant, first_name="Ada", last_name="Lovelace", relation_set=shown)
    body = await crm_client.execute(RELATIONS, {"id": gid("Contact", uuid.UUID(hex=ada))})
    assert body["data"]["contact"]["relations"]["nodes"] == [
        {"type": "FAMILY_MEMBER", "notes": None, "relatedContact": {"firstName": "Bob"}}
    ]


PAGE_DEPTH = f"""query($filter: ContactFilter) {{ contacts(first: 20, filter: $filter) {{
  nodes {{ {SENSITIVE} udfs {{ string1 }} consent {{ sendDirectMarketingMaterial }} emails {{ itemId }} }}
}} }}"""


@pytest.mark.parametrize("size", [2, 12])
async def test_a_page_of_routed_contacts_with_their_depth_is_one_list_call(
    crm_client: Client, simulator: Simulator, tenant: str, size: int
) -> None:
    """The depth and the sets come with each contact of the list answer: no call per contact."""
    for n in range(size):
        email = [{"id": f"{n:032X}", "type": "PERSONAL", "email": "team@example.com"}]
        simulator.store.add_contact(
            tenant, first_name=f"P{n}", last_name="Team", emails_set=email, udf_string_1="u"
        )
    await crm_client.execute("{ me { subject } }")
    body = await crm_client.execute(PAGE_DEPTH, {"filter": {"email": {"eq": "team@example.com"}}})
    assert len(body["data"]["contacts"]["nodes"]) == size
    assert {node["udfs"]["string1"] for node in body["data"]["contacts"]["nodes"]} == {"u"}
    assert cost(body)["upstreamCallsBySystem"] == {"crmcom": 2}  # the login, then one list call


async def test_a_create_with_three_sets_reads_the_contact_once_before_writing_them(
    crm_client: Client, simulator: Simulator
) -> None:
    """Each set's update answers the whole contact (L3414-3706): the next set starts from it."""
    input = {
        "firstName": "Ellen",
        "lastName": "Leon",
        "emails": [{"email": "ellen@example.com"}],
        "phones": [{"number": "+35722114455"}],
        "addresses": [{"line1": "Piccadilly Avenue", "city": "Oxford"}],
    }
    payload = (await crm_client.execute(ITEM_FIELDS, {"input": input}))["data"]["contactCreate"]
    assert payload["errors"] == []
    assert simulator.calls("contact_information/create", "POST") == 1
    assert simulator.calls("contact_information/update", "POST") == 3
    assert simulator.calls("contact_information/show") == 1  # before the first set, none after
