"""Organization and administration (seed 004 Franchise, Department, User, Role, SecurityGroup and
UserSettings): reads with nested links, CRM_ADMIN mutations with their bad inputs and nothing half
written, the caller's own settings, tenant isolation and franchise filters on customers and leads."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from conecrm_support import routed_gateway, routing_file
from conftest import Client, token_for
from factories import Factory, gid
from gateway.settings import SettingsError
from resolvers.schema import schema

UNKNOWN = uuid.UUID(int=7)
ORGANIZATION = """
{
  franchises(orderBy: [{field: NAME}]) { totalCount edges { node {
    id name code isActive departments(orderBy: [{field: NAME}]) { totalCount edges { node { name } } }
  } } }
  departments(filter: {name: {eq: "Parts"}}) { edges { node { name pipelineName franchise { name } } } }
  users(filter: {username: {eq: "ada"}}) { edges { node {
    username signature stopEscalation roundRobinStatus isThirdPartyProvider versionNumber
    versionDontShowAgain isImpersonated
    roles { edges { node { name permissions users { totalCount } } } }
    securityGroups { edges { node { name roundRobin members { edges { node { username } } } } } }
  } } }
}
"""
FRANCHISE_CREATE = """
mutation($input: FranchiseCreateInput!) {
  franchiseCreate(input: $input) { franchise { id name code isActive } errors { field code seedCode } }
}
"""
DEPARTMENT_CREATE = """
mutation($input: DepartmentCreateInput!) {
  departmentCreate(input: $input) { department { id name franchise { name } } errors { field code } }
}
"""
ROLE_CREATE = """
mutation($input: RoleCreateInput!) {
  roleCreate(input: $input) { role { id name permissions } errors { field code seedCode } }
}
"""
GROUP_CREATE = """
mutation($input: SecurityGroupCreateInput!) {
  securityGroupCreate(input: $input) {
    securityGroup { id name members { edges { node { username } } } } errors { field code }
  }
}
"""
USER_UPDATE = """
mutation($id: ID!, $input: UserUpdateInput!) {
  userUpdate(id: $id, input: $input) {
    user { firstname userType isActive signature roles { edges { node { name } } }
           securityGroups { edges { node { name } } } }
    errors { field code }
  }
}
"""
MY_SETTINGS = (
    "{ mySettings { id language isPushNotificationsEnabled managementViewSettings user { username } } }"
)
MY_SETTINGS_UPDATE = """
mutation($input: UserSettingsInput!) {
  mySettingsUpdate(input: $input) {
    userSettings { id language dueDateDisplayType isPushNotificationsEnabled managementViewSettings }
    errors { field code }
  }
}
"""
COUNTS = (
    "{ franchises { totalCount } departments { totalCount } roles { totalCount }"
    " securityGroups { totalCount } }"
)


def _caller(client: Client, settings: Any, tenant: str, *permissions: str, subject: str = "tester") -> Client:
    return Client(client.http, token_for(settings, tenant, subject=subject, permissions=list(permissions)))


def _names(connection: dict[str, Any], key: str = "name") -> list[Any]:
    return [edge["node"][key] for edge in connection["edges"]]


async def _counts(client: Client) -> dict[str, int]:
    body = await client.execute(COUNTS)
    return {name: value["totalCount"] for name, value in body["data"].items()}


def test_no_secret_of_a_user_is_in_the_graph() -> None:
    """Seed 004's User has an apiKey; the graph keeps no secret of a user, under any name."""
    user_fields = set(schema._schema.get_type("User").fields)  # type: ignore[union-attr]
    assert {"username", "signature", "stopEscalation", "isImpersonated", "roles"} <= user_fields
    assert not {name for name in user_fields if "key" in name.lower() or "password" in name.lower()}


async def test_franchises_departments_users_roles_and_groups_read_with_their_links(
    client: Client, factory: Factory
) -> None:
    north = factory.franchise("North", code="N1")
    factory.franchise("South", is_active=False)
    factory.department("Sales", franchise_id=north)
    factory.department("Parts", franchise_id=north, pipeline_name="Parts pipeline")
    ada = factory.user(
        "ada",
        signature="Ada L.",
        stop_escalation=True,
        round_robin_status="ON",
        version_number="4.2",
        version_dont_show_again=True,
    )
    bob = factory.user("bob")
    agents = factory.role("Agents", ["CRM_LEAD_VIEW", "CUST_READ"])
    factory.user_role(ada, agents)
    factory.user_role(bob, agents)
    factory.security_group("Floor", (ada, bob), round_robin=True)
    await factory.save()

    data = (await client.execute(ORGANIZATION))["data"]
    franchises = data["franchises"]["edges"]
    assert [(f["node"]["name"], f["node"]["code"], f["node"]["isActive"]) for f in franchises] == [
        ("North", "N1", True),
        ("South", None, False),
    ]
    assert _names(franchises[0]["node"]["departments"]) == ["Parts", "Sales"]
    assert franchises[1]["node"]["departments"]["totalCount"] == 0
    assert data["departments"]["edges"][0]["node"] == {
        "name": "Parts",
        "pipelineName": "Parts pipeline",
        "franchise": {"name": "North"},
    }
    [user] = data["users"]["edges"]
    assert user["node"] | {"roles": None, "securityGroups": None} == {
        "username": "ada",
        "signature": "Ada L.",
        "stopEscalation": True,
        "roundRobinStatus": "ON",
        "isThirdPartyProvider": False,
        "versionNumber": "4.2",
        "versionDontShowAgain": True,
        "isImpersonated": False,
        "roles": None,
        "securityGroups": None,
    }
    [role] = user["node"]["roles"]["edges"]
    assert role["node"] == {
        "name": "Agents",
        "permissions": ["CRM_LEAD_VIEW", "CUST_READ"],
        "users": {"totalCount": 2},
    }
    [group] = user["node"]["securityGroups"]["edges"]
    assert group["node"]["roundRobin"] is True
    assert sorted(_names(group["node"]["members"], "username")) == ["ada", "bob"]


async def test_lists_take_filters_the_query_argument_and_paging(client: Client, factory: Factory) -> None:
    for name in ("Alpha", "Beta", "Gamma"):
        factory.role(name)
    await factory.save()
    first = await client.execute(
        "{ roles(first: 2, orderBy: [{field: NAME, direction: DESC}]) { "
        "pageInfo { hasNextPage endCursor } edges { node { name } } } }"
    )
    page = first["data"]["roles"]
    assert _names(page) == ["Gamma", "Beta"] and page["pageInfo"]["hasNextPage"]
    rest = await client.execute(
        "query($after: String) { roles(first: 2, after: $after, orderBy: [{field: NAME, direction: DESC}]) "
        "{ edges { node { name } } } }",
        {"after": page["pageInfo"]["endCursor"]},
    )
    assert _names(rest["data"]["roles"]) == ["Alpha"]
    filtered = await client.execute(
        '{ roles(filter: {name: {beginsWith: "B"}}) { edges { node { name } } } }'
    )
    assert _names(filtered["data"]["roles"]) == ["Beta"]
    built = await client.execute(
        '{ roles(query: {combinator: OR, rules: [{field: "name", operator: "=", value: "Gamma"},'
        ' {field: "name", operator: "endsWith", value: "pha"}]}, orderBy: [{field: NAME}])'
        " { edges { node { name } } } }"
    )
    assert _names(built["data"]["roles"]) == ["Alpha", "Gamma"]


async def test_admin_creates_updates_deletes_and_restores_franchises_and_departments(client: Client) -> None:
    created = (await client.execute(FRANCHISE_CREATE, {"input": {"name": "North", "code": "N"}}))["data"]
    franchise = created["franchiseCreate"]["franchise"]
    assert created["franchiseCreate"]["errors"] == [] and franchise["isActive"] is True
    department = await client.execute(
        DEPARTMENT_CREATE, {"input": {"name": "Sales", "franchiseId": franchise["id"]}}
    )
    assert department["data"]["departmentCreate"]["department"]["franchise"] == {"name": "North"}
    department_id = department["data"]["departmentCreate"]["department"]["id"]

    updated = await client.execute(
        "mutation($id: ID!) { franchiseUpdate(id: $id, input: {isActive: false, code: null}) "
        "{ franchise { name code isActive version } errors { code } } }",
        {"id": franchise["id"]},
    )
    assert updated["data"]["franchiseUpdate"]["franchise"] == {
        "name": "North",
        "code": None,
        "isActive": False,
        "version": 2,
    }

    # A franchise its department still names is in use; the department goes first.
    refused = await client.execute(
        "mutation($id: ID!) { franchiseDelete(id: $id) { deletedId errors { code } } }",
        {"id": franchise["id"]},
    )
    assert refused["data"]["franchiseDelete"] == {"deletedId": None, "errors": [{"code": "IN_USE"}]}
    for name, record in (("department", department_id), ("franchise", franchise["id"])):
        deleted = await client.execute(
            f"mutation($id: ID!) {{ {name}Delete(id: $id) {{ deletedId errors {{ code }} }} }}",
            {"id": record},
        )
        assert deleted["data"][f"{name}Delete"] == {"deletedId": record, "errors": []}
    assert await _counts(client) == {"franchises": 0, "departments": 0, "roles": 0, "securityGroups": 0}
    restored = await client.execute(
        "mutation($id: ID!) { franchiseRestore(id: $id) { franchise { name isDeleted } errors { code } } }",
        {"id": franchise["id"]},
    )
    assert restored["data"]["franchiseRestore"] == {
        "franchise": {"name": "North", "isDeleted": False},
        "errors": [],
    }


async def test_bad_inputs_answer_codes_and_write_nothing(client: Client, factory: Factory) -> None:
    ada = factory.user("ada")
    await factory.save()
    blank = await client.execute(FRANCHISE_CREATE, {"input": {"name": "  "}})
    assert blank["data"]["franchiseCreate"]["errors"] == [
        {"field": ["input", "name"], "code": "REQUIRED", "seedCode": "CRM1101"}
    ]
    too_long = await client.execute(FRANCHISE_CREATE, {"input": {"name": "N", "code": "x" * 65}})
    assert too_long["data"]["franchiseCreate"]["errors"][0]["code"] == "INVALID"
    unknown_franchise = await client.execute(
        DEPARTMENT_CREATE, {"input": {"name": "Sales", "franchiseId": gid("Franchise", UNKNOWN)}}
    )
    assert unknown_franchise["data"]["departmentCreate"]["errors"] == [
        {"field": ["input", "franchiseId"], "code": "NOT_FOUND"}
    ]
    wrong_type = await client.execute(
        DEPARTMENT_CREATE, {"input": {"name": "Sales", "franchiseId": gid("User", ada)}}
    )
    assert wrong_type["data"]["departmentCreate"]["errors"][0]["code"] == "NOT_FOUND"
    role = await client.execute(
        ROLE_CREATE, {"input": {"name": "Agents", "permissions": ["CRM_LEAD_VIEW", "ROOT"]}}
    )
    assert role["data"]["roleCreate"]["errors"] == [
        {"field": ["input", "permissions", "1"], "code": "INVALID", "seedCode": None}
    ]
    # A member who does not exist: the group is not created either.
    group = await client.execute(
        GROUP_CREATE, {"input": {"name": "Floor", "memberIds": [gid("User", ada), gid("User", UNKNOWN)]}}
    )
    assert group["data"]["securityGroupCreate"] == {
        "securityGroup": None,
        "errors": [{"field": ["input", "memberIds", "1"], "code": "NOT_FOUND"}],
    }
    null_flag = await client.execute(USER_UPDATE, {"id": gid("User", ada), "input": {"isActive": None}})
    assert null_flag["data"]["userUpdate"]["errors"][0]["code"] == "INVALID"
    bad_role = await client.execute(
        USER_UPDATE, {"id": gid("User", ada), "input": {"firstname": "Ada", "roleIds": ["nonsense"]}}
    )
    assert bad_role["data"]["userUpdate"]["errors"] == [
        {"field": ["input", "roleIds", "0"], "code": "NOT_FOUND"}
    ]
    assert await _counts(client) == {"franchises": 0, "departments": 0, "roles": 0, "securityGroups": 0}
    user = await client.execute("{ users { edges { node { firstname isActive } } } }")
    assert _names(user["data"]["users"], "firstname") == [None]


async def test_user_update_sets_seed_fields_and_replaces_memberships(
    client: Client, factory: Factory
) -> None:
    ada = factory.user("ada")
    agents, managers = factory.role("Agents"), factory.role("Managers")
    floor = factory.security_group("Floor")
    await factory.save()
    user_id = gid("User", ada)
    body = await client.execute(
        USER_UPDATE,
        {
            "id": user_id,
            "input": {
                "firstname": "Ada",
                "userType": "MANAGER",
                "signature": "—Ada",
                "roleIds": [gid("Role", agents), gid("Role", managers), gid("Role", agents)],
                "securityGroupIds": [gid("SecurityGroup", floor)],
            },
        },
    )
    result = body["data"]["userUpdate"]
    assert result["errors"] == []
    assert result["user"] | {"roles": None, "securityGroups": None} == {
        "firstname": "Ada",
        "userType": "MANAGER",
        "isActive": True,
        "signature": "—Ada",
        "roles": None,
        "securityGroups": None,
    }
    assert sorted(_names(result["user"]["roles"])) == ["Agents", "Managers"]
    assert _names(result["user"]["securityGroups"]) == ["Floor"]

    replaced = await client.execute(
        USER_UPDATE, {"id": user_id, "input": {"roleIds": [gid("Role", managers)], "securityGroupIds": []}}
    )
    assert _names(replaced["data"]["userUpdate"]["user"]["roles"]) == ["Managers"]
    assert replaced["data"]["userUpdate"]["user"]["securityGroups"]["edges"] == []
    group = await client.execute(
        "query($id: ID!) { node(id: $id) { ... on SecurityGroup { members { totalCount } } } }",
        {"id": gid("SecurityGroup", floor)},
    )
    assert group["data"]["node"] == {"members": {"totalCount": 0}}


async def test_roles_and_groups_are_created_changed_deleted_and_restored(
    client: Client, factory: Factory
) -> None:
    ada = factory.user("ada")
    await factory.save()
    role = await client.execute(
        ROLE_CREATE, {"input": {"name": "Agents", "permissions": ["CUST_READ", "CUST_READ", "CRM_ALL"]}}
    )
    assert role["data"]["roleCreate"]["role"]["permissions"] == ["CUST_READ", "CRM_ALL"]
    role_id = role["data"]["roleCreate"]["role"]["id"]
    changed = await client.execute(
        'mutation($id: ID!) { roleUpdate(id: $id, input: {permissions: ["CRM_LEAD_VIEW"]}) '
        "{ role { permissions } } }",
        {"id": role_id},
    )
    assert changed["data"]["roleUpdate"]["role"]["permissions"] == ["CRM_LEAD_VIEW"]
    group = await client.execute(GROUP_CREATE, {"input": {"name": "Floor", "memberIds": [gid("User", ada)]}})
    created = group["data"]["securityGroupCreate"]["securityGroup"]
    assert _names(created["members"], "username") == ["ada"]
    for name, record in (("role", role_id), ("securityGroup", created["id"])):
        deleted = await client.execute(
            f"mutation($id: ID!) {{ {name}Delete(id: $id) {{ deletedId }} }}", {"id": record}
        )
        assert deleted["data"][f"{name}Delete"]["deletedId"] == record
    assert await _counts(client) == {"franchises": 0, "departments": 0, "roles": 0, "securityGroups": 0}
    await client.execute("mutation($id: ID!) { roleRestore(id: $id) { role { id } } }", {"id": role_id})
    assert (await _counts(client))["roles"] == 1


async def test_administration_needs_crm_admin(
    client: Client, settings: Any, tenant: str, factory: Factory
) -> None:
    ada = factory.user("ada")
    await factory.save()
    # Everything but administration: CRM_ALL would grant CRM_ADMIN.
    clerk = _caller(client, settings, tenant, "CRM_USER_VIEW", "CRM_LEAD_EDIT", "CUST_ALL")
    for query, variables in (
        (FRANCHISE_CREATE, {"input": {"name": "North"}}),
        (ROLE_CREATE, {"input": {"name": "Agents"}}),
        (USER_UPDATE, {"id": gid("User", ada), "input": {"firstname": "Eve"}}),
    ):
        body = (await clerk.post(query, variables)).json()
        assert [error["extensions"]["code"] for error in body["errors"]] == ["FORBIDDEN"]
        assert body["errors"][0]["extensions"]["permission"] == "CRM_ADMIN"
    denied = (await clerk.post("{ userSettings { totalCount } }")).json()
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN" and denied["data"]["userSettings"] is None
    assert await _counts(client) == {"franchises": 0, "departments": 0, "roles": 0, "securityGroups": 0}
    reader = (await clerk.execute("{ users { edges { node { firstname } } } roles { totalCount } }"))["data"]
    assert _names(reader["users"], "firstname") == [None] and reader["roles"]["totalCount"] == 0


async def test_the_caller_keeps_its_own_settings_without_crm_admin(
    client: Client, settings: Any, tenant: str, factory: Factory
) -> None:
    factory.user("ada")
    factory.user("bob")
    await factory.save()
    ada = _caller(client, settings, tenant, "CRM_USER_VIEW", subject="ada")
    assert (await ada.execute(MY_SETTINGS))["data"]["mySettings"] is None

    first = await ada.execute(
        MY_SETTINGS_UPDATE, {"input": {"language": "fr-CA", "managementViewSettings": {"a": 1}}}
    )
    saved = first["data"]["mySettingsUpdate"]
    assert saved["errors"] == [] and saved["userSettings"]["language"] == "fr-CA"
    assert saved["userSettings"]["isPushNotificationsEnabled"] is True
    second = await ada.execute(MY_SETTINGS_UPDATE, {"input": {"isPushNotificationsEnabled": False}})
    again = second["data"]["mySettingsUpdate"]["userSettings"]
    assert again["id"] == saved["userSettings"]["id"]  # one settings row per user
    assert (again["language"], again["isPushNotificationsEnabled"], again["managementViewSettings"]) == (
        "fr-CA",
        False,
        {"a": 1},
    )
    mine = (await ada.execute(MY_SETTINGS))["data"]["mySettings"]
    assert mine["user"] == {"username": "ada"} and mine["language"] == "fr-CA"

    bob = _caller(client, settings, tenant, "CRM_USER_VIEW", subject="bob")
    assert (await bob.execute(MY_SETTINGS))["data"]["mySettings"] is None
    # An administrator sees every user's settings; bob's node lookup of ada's needs CRM_ADMIN.
    everyone = await client.execute("{ userSettings { edges { node { language user { username } } } } }")
    assert [edge["node"] for edge in everyone["data"]["userSettings"]["edges"]] == [
        {"language": "fr-CA", "user": {"username": "ada"}}
    ]
    peek = (
        await bob.post("query($id: ID!) { node(id: $id) { id } }", {"id": saved["userSettings"]["id"]})
    ).json()
    assert peek["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    nobody = _caller(client, settings, tenant, "CRM_USER_VIEW", subject="ghost")
    refused = await nobody.execute(MY_SETTINGS_UPDATE, {"input": {"language": "en"}})
    assert refused["data"]["mySettingsUpdate"] == {
        "userSettings": None,
        "errors": [{"field": [], "code": "NOT_FOUND"}],
    }
    bad = await ada.execute(MY_SETTINGS_UPDATE, {"input": {"language": "x" * 17, "dueDateDisplayType": 3}})
    assert bad["data"]["mySettingsUpdate"]["errors"][0]["code"] == "INVALID"
    kept = (await ada.execute("{ mySettings { language dueDateDisplayType } }"))["data"]["mySettings"]
    assert kept == {"language": "fr-CA", "dueDateDisplayType": 0}


async def test_tenants_do_not_see_each_others_organization(
    client: Client, other_client: Client, factory: Factory
) -> None:
    north = factory.franchise("North")
    agents = factory.role("Agents")
    ada = factory.user("ada")
    await factory.save()
    assert await _counts(other_client) == {"franchises": 0, "departments": 0, "roles": 0, "securityGroups": 0}
    lookup = await other_client.execute(
        "query($id: ID!) { node(id: $id) { id } }", {"id": gid("Franchise", north)}
    )
    assert lookup["data"]["node"] is None
    update = await other_client.execute(
        'mutation($id: ID!) { roleUpdate(id: $id, input: {name: "Mine"}) { role { id } errors { code } } }',
        {"id": gid("Role", agents)},
    )
    assert update["data"]["roleUpdate"] == {"role": None, "errors": [{"code": "NOT_FOUND"}]}
    department = await other_client.execute(
        DEPARTMENT_CREATE, {"input": {"name": "Sales", "franchiseId": gid("Franchise", north)}}
    )
    assert department["data"]["departmentCreate"]["errors"][0]["code"] == "NOT_FOUND"
    member = await other_client.execute(
        GROUP_CREATE, {"input": {"name": "G", "memberIds": [gid("User", ada)]}}
    )
    assert member["data"]["securityGroupCreate"]["errors"][0]["code"] == "NOT_FOUND"
    assert _names((await client.execute("{ roles { edges { node { name } } } }"))["data"]["roles"]) == [
        "Agents"
    ]


async def test_franchise_filters_on_contacts_accounts_and_leads(client: Client, factory: Factory) -> None:
    north, south = factory.franchise("North"), factory.franchise("South")
    ada = factory.contact("Ada", "Lovelace", franchise_id=north)
    factory.contact("Bob", "Babbage", franchise_id=south)
    factory.contact("Cy", "None")
    factory.account("Acme", franchise_id=north)
    factory.account("Globex")
    factory.lead("Car", franchise_id=north)
    factory.lead("Van", franchise_id=south)
    await factory.save()
    north_id, south_id = gid("Franchise", north), gid("Franchise", south)

    body = await client.execute(
        "query($f: ID!) { contacts(filter: {franchiseId: {eq: $f}}) "
        "{ edges { node { firstName franchise { name } } } }"
        " accounts(filter: {franchiseId: {eq: $f}}) { edges { node { name } } }"
        " leads(filter: {franchiseId: {eq: $f}}) { edges { node { subject } } } }",
        {"f": north_id},
    )
    data = body["data"]
    assert [edge["node"] for edge in data["contacts"]["edges"]] == [
        {"firstName": "Ada", "franchise": {"name": "North"}}
    ]
    assert _names(data["accounts"]) == ["Acme"]
    assert _names(data["leads"], "subject") == ["Car"]
    built = await client.execute(
        'query($f: JSON) { leads(query: {combinator: AND, rules: [{field: "franchiseId", operator: "=",'
        " value: $f}]}) { edges { node { subject } } } }",
        {"f": south_id},
    )
    assert _names(built["data"]["leads"], "subject") == ["Van"]
    none = await client.execute(
        "{ contacts(filter: {franchiseId: {isNull: true}}) { edges { node { firstName } } } }"
    )
    assert _names(none["data"]["contacts"], "firstName") == ["Cy"]

    # A contact moves to another franchise through contactUpdate; an unknown franchise is refused.
    moved = await client.execute(
        "mutation($id: ID!, $f: ID) { contactUpdate(id: $id, input: {franchiseId: $f}) "
        "{ contact { franchise { name } } errors { field code } } }",
        {"id": gid("Contact", ada), "f": south_id},
    )
    assert moved["data"]["contactUpdate"] == {"contact": {"franchise": {"name": "South"}}, "errors": []}
    unknown = await client.execute(
        "mutation($id: ID!, $f: ID) { contactUpdate(id: $id, input: {franchiseId: $f}) "
        "{ errors { field code } } }",
        {"id": gid("Contact", ada), "f": gid("Franchise", UNKNOWN)},
    )
    assert unknown["data"]["contactUpdate"]["errors"] == [
        {"field": ["input", "franchiseId"], "code": "NOT_FOUND"}
    ]
    south_contacts = await client.execute(
        "query($f: ID!) { contacts(filter: {franchiseId: {eq: $f}}) { totalCount } }", {"f": south_id}
    )
    assert south_contacts["data"]["contacts"]["totalCount"] == 2


@pytest.mark.parametrize("name", ["franchise", "department"])
async def test_in_use_records_keep_their_links_when_refused(
    client: Client, factory: Factory, name: str
) -> None:
    north = factory.franchise("North")
    sales = factory.department("Sales", franchise_id=north)
    factory.lead("Car", franchise_id=north, department_id=sales)
    await factory.save()
    record = gid(name.capitalize(), north if name == "franchise" else sales)
    body = await client.execute(
        f"mutation($id: ID!) {{ {name}Delete(id: $id) {{ deletedId errors {{ code }} }} }}", {"id": record}
    )
    assert body["data"][f"{name}Delete"] == {"deletedId": None, "errors": [{"code": "IN_USE"}]}
    lead = await client.execute("{ leads { edges { node { franchise { name } department { name } } } } }")
    assert lead["data"]["leads"]["edges"][0]["node"] == {
        "franchise": {"name": "North"},
        "department": {"name": "Sales"},
    }


async def test_routed_to_conecrm_customers_refuse_a_franchise_they_cannot_hold(
    conecrm_client: Client, factory: Factory
) -> None:
    """Seed 004's Contact and Account have no franchise member (their lists' `franchise` parameter is an
    integer): routed there, a franchise filter or write answers a code instead of being dropped."""
    north = factory.franchise("North")
    factory.contact("Ada", "Lovelace")
    acme = factory.account("Acme")
    await factory.save()
    refused = (
        await conecrm_client.post(
            "query($f: ID!) { contacts(filter: {franchiseId: {eq: $f}}) { totalCount } }",
            {"f": gid("Franchise", north)},
        )
    ).json()
    assert refused["errors"][0]["extensions"]["code"] == "INVALID_FILTER"
    updated = await conecrm_client.execute(
        'mutation($id: ID!, $f: ID) { accountUpdate(id: $id, input: {name: "Acme 2", franchiseId: $f}) '
        "{ account { id } errors { field code } } }",
        {"id": gid("Account", acme), "f": gid("Franchise", north)},
    )
    assert updated["data"]["accountUpdate"] == {
        "account": None,
        "errors": [{"field": ["input", "franchiseId"], "code": "INVALID"}],
    }
    served = await conecrm_client.execute(
        "{ accounts { edges { node { name franchise { id } } } } franchises { totalCount } }"
    )
    assert served["data"]["accounts"]["edges"] == [{"node": {"name": "Acme", "franchise": None}}]
    assert served["data"]["franchises"] == {"totalCount": 1}


async def test_organization_entities_cannot_be_routed_to_conecrm(
    database_url: str, conecrm_sim: tuple[str, Any, Any], tmp_path: Path
) -> None:
    routing = routing_file(tmp_path, conecrm_sim[0], routed=("Contact", "Franchise"))
    with pytest.raises(SettingsError, match="Franchise = 'conecrm'"):
        async with routed_gateway(database_url, routing):
            pass
