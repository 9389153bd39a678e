"""Customization through the gateway: custom fields, custom labels, saved filters, filter metadata, the
query-builder config and automations (seed 004), the same tests for both homes of the data: routed to
the ConeCRM simulator over real HTTP, and the gateway's own SQL store (no routing file), each on SQLite
and PostgreSQL. Checks of what crossed the wire (and the upstream's faults) are the simulator's alone.

The simulator keeps these in memory per tenant, seeded with seed 004's examples (a ``shoeSize`` custom
field, one label set, a shared saved filter, a "Welcome new leads" automation); the SQL world adds the
same through the graph.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conecrm_support import client_for, routed_gateway, routing_file, serve_simulator
from conftest import SECRET, Client, token_for
from customization_support import World, seed_demo
from gateway.settings import Settings, load_settings
from simulators.conecrm import fields as conecrm_fields
from simulators.conecrm.profiles import PROFILES
from simulators.conecrm.store import Store
from simulators.faults import Faults

FIELD = "id entity fieldName fieldType options"
LABEL = "id value dateCreated dateModified"
SAVED = "id name module value ownerId private"
AUTOMATION = (
    "id name automationTrigger nodes edges franchiseId delayedAutomationsCount dateCreated dateModified"
)
ERRORS = "errors { field code message }"
QUERY = {"combinator": "and", "rules": [{"field": "lastName", "operator": "beginsWith", "value": "Sm"}]}


@pytest.fixture(scope="module")
def conecrm_sim(conecrm_profile: str) -> Iterator[tuple[str, Faults, Store]]:
    """Overrides conecrm_support's (and so feeds its ``faults``): these tests need no SQL variant, the
    simulator keeps customization data in memory of its own."""
    with serve_simulator(conecrm_profile) as served:
        yield served


@pytest.fixture
async def gateway(
    sqlite_url: str, conecrm_sim: tuple[str, Faults], faults: Faults, tmp_path: Path
) -> AsyncIterator[tuple[Settings, httpx.AsyncClient]]:
    """A gateway whose routing file names ConeCRM (forwarding the caller's token), routing no entity."""
    async with routed_gateway(sqlite_url, routing_file(tmp_path, conecrm_sim[0], routed=())) as pair:
        yield pair


@pytest.fixture
def api(gateway: tuple[Settings, httpx.AsyncClient], tenant: str) -> Client:
    return client_for(*gateway, tenant)


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


@pytest.fixture(params=["conecrm", "sql"])
async def world(
    request: pytest.FixtureRequest,
    database_url: str,
    settings: Settings,
    http: httpx.AsyncClient,
    conecrm_sim: tuple[str, Faults],
    faults: Faults,
    tmp_path: Path,
    tenant: str,
) -> AsyncIterator[World]:
    """The gateway on this variant's database: routed to the simulator, or serving from its own."""
    if request.param == "sql":
        world = World(settings, http, tenant, None)
        await seed_demo(world, tenant)
        yield world
        return
    async with routed_gateway(database_url, routing_file(tmp_path, conecrm_sim[0], routed=())) as pair:
        yield World(*pair, tenant, faults)


@pytest.fixture
def shared(world: World) -> Client:
    """The test tenant's caller in either world."""
    return world.client()


async def test_custom_fields_are_listed_created_changed_and_deleted(shared: Client) -> None:
    api = shared
    listed = (await api.execute(f"{{ customFields {{ {FIELD} }} }}"))["data"]["customFields"]
    assert [(f["entity"], f["fieldName"], f["fieldType"], f["options"]) for f in listed] == [
        ("contact", "shoeSize", "number", {"min": 1, "max": 10})
    ]
    create = f"""mutation {{ customFieldCreate(input: {{entity: "lead", fieldName: "budget",
        fieldType: NUMBER, options: {{min: 0}}}}) {{ customField {{ {FIELD} }} {ERRORS} }} }}"""
    created = (await api.execute(create))["data"]["customFieldCreate"]
    assert created["errors"] == []
    field = created["customField"]
    assert field | {"id": None} == {
        "id": None,
        "entity": "lead",
        "fieldName": "budget",
        "fieldType": "number",
        "options": {"min": 0},
    }
    update = f"""mutation {{ customFieldUpdate(id: "{field["id"]}", input: {{fieldType: ENUM,
        options: {{values: ["S", "M"]}}}}) {{ customField {{ {FIELD} }} {ERRORS} }} }}"""
    changed = (await api.execute(update))["data"]["customFieldUpdate"]["customField"]
    assert (changed["fieldType"], changed["options"]) == ("enum", {"values": ["S", "M"]})
    leads = await api.execute(f'{{ customFields(entity: "lead") {{ {FIELD} }} }}')
    assert leads["data"]["customFields"] == [changed]
    delete = f'mutation {{ customFieldDelete(id: "{field["id"]}") {{ deletedId {ERRORS} }} }}'
    assert (await api.execute(delete))["data"]["customFieldDelete"] == {
        "deletedId": field["id"],
        "errors": [],
    }
    after = await api.execute('{ customFields(entity: "lead") { id } }')
    assert after["data"]["customFields"] == []


async def test_custom_labels_are_listed_created_changed_and_deleted(shared: Client) -> None:
    api = shared
    listed = (await api.execute(f"{{ customLabels {{ {LABEL} }} }}"))["data"]["customLabels"]
    assert [label["value"] for label in listed] == [{"label1": "Custom Label 1", "label2": "Custom Label 2"}]
    create = f'mutation {{ customLabelCreate(input: {{value: {{region: "Region"}}}}) {{ customLabel {{ {LABEL} }} {ERRORS} }} }}'  # noqa: E501
    created = (await api.execute(create))["data"]["customLabelCreate"]["customLabel"]
    assert created["value"] == {"region": "Region"} and created["dateModified"] is None
    update = f'mutation {{ customLabelUpdate(id: "{created["id"]}", input: {{value: {{region: "Area"}}}}) {{ customLabel {{ {LABEL} }} {ERRORS} }} }}'  # noqa: E501
    changed = (await api.execute(update))["data"]["customLabelUpdate"]["customLabel"]
    assert changed["value"] == {"region": "Area"} and changed["dateModified"] is not None
    delete = f'mutation {{ customLabelDelete(id: "{created["id"]}") {{ deletedId {ERRORS} }} }}'
    assert (await api.execute(delete))["data"]["customLabelDelete"]["errors"] == []
    after = (await api.execute("{ customLabels { id } }"))["data"]["customLabels"]
    assert created["id"] not in [label["id"] for label in after] and len(after) == 1


async def test_saved_filters_are_listed_created_read_changed_and_deleted(shared: Client) -> None:
    api = shared
    create = f"""mutation($value: JSON) {{ savedFilterCreate(input: {{name: "Smiths", module: "contact",
        value: $value, private: true}}) {{ savedFilter {{ {SAVED} }} {ERRORS} }} }}"""
    created = (await api.execute(create, {"value": QUERY}))["data"]["savedFilterCreate"]["savedFilter"]
    assert created | {"id": None} == {
        "id": None,
        "name": "Smiths",
        "module": "contact",
        "value": QUERY,
        "ownerId": "tester",
        "private": True,
    }
    listed = (await api.execute(f"{{ savedFilters {{ {SAVED} }} }}"))["data"]["savedFilters"]
    assert [saved["name"] for saved in listed] == ["E-mail ends with .com", "Smiths"]
    read = await api.execute(f'{{ savedFilter(id: "{created["id"]}") {{ {SAVED} }} }}')
    assert read["data"]["savedFilter"] == created
    update = f'mutation {{ savedFilterUpdate(id: "{created["id"]}", input: {{name: "Smiths only", private: false}}) {{ savedFilter {{ {SAVED} }} {ERRORS} }} }}'  # noqa: E501
    changed = (await api.execute(update))["data"]["savedFilterUpdate"]["savedFilter"]
    assert (changed["name"], changed["private"], changed["value"]) == ("Smiths only", False, QUERY)
    delete = f'mutation {{ savedFilterDelete(id: "{created["id"]}") {{ deletedId {ERRORS} }} }}'
    assert (await api.execute(delete))["data"]["savedFilterDelete"]["deletedId"] == created["id"]
    gone = await api.execute(f'{{ savedFilter(id: "{created["id"]}") {{ id }} }}')
    assert gone["data"]["savedFilter"] is None  # ConeCRM's 404: null, as the graph's own lookups


async def test_filter_metadata_and_query_builder_config_describe_the_fields_and_custom_fields(
    shared: Client, world: World, conecrm_profile: str
) -> None:
    api = shared
    query = """{ all: filterMetadata { entity filters { field } }
      contact: filterMetadata(entity: "contact") { entity filters { field type label operators options } }
      config: queryBuilderConfig(entity: "contact") { entity operators fields { name label type } } }"""
    data = (await api.execute(query))["data"]
    if world.sql:  # the graph's filter inputs, a few more entities than ConeCRM's
        entities = ["contact", "account", "lead", "event", "stage", "communication", "user"]
        entities += ["franchise", "department", "role", "securityGroup", "userSettings", "tag"]
        entities += ["communicationQueueEntry", "communicationCategory"]
        entities += ["communicationTemplate", "communicationQueueExternalSystem"]
    else:  # what the simulator's profile offers (seed 004 names no entities)
        entities = list(conecrm_fields.entities(PROFILES[conecrm_profile]))
    assert [entry["entity"] for entry in data["all"]] == entities
    contact = {f["field"]: f for f in data["contact"][0]["filters"]}
    assert contact["email" if world.sql else "primaryEmail"]["operators"][:3] == ["=", "!=", "contains"]
    assert contact["customFields.shoeSize"] | {"operators": []} == {
        "field": "customFields.shoeSize",
        "type": "number",
        "label": "Shoe size",
        "operators": [],
        "options": None,
    }
    config = data["config"]
    assert config["entity"] == "contact" and "notBetween" in config["operators"]
    field = {"name": "dateCreated", "label": "Date created", "type": "datetime"}
    if not world.sql:  # seed 004's Contact has no BaseRecord members (l. 12728-12742)
        field = {"name": "firstName", "label": "First name", "type": "string"}
    assert field in config["fields"]
    assert [f["name"] for f in config["fields"]] == list(contact)


async def test_every_configured_field_and_operator_is_accepted_by_the_filter_endpoint(
    api: Client, conecrm_sim: tuple[str, Faults], gateway: tuple[Settings, httpx.AsyncClient], tenant: str
) -> None:
    """The config is what the query builder really supports: a saved filter built from it runs."""
    query = '{ queryBuilderConfig(entity: "lead") { fields { name } operators } }'
    config = (await api.execute(query))["data"]["queryBuilderConfig"]
    rules = [{"field": f["name"], "operator": "notNull"} for f in config["fields"]]
    headers = {"Authorization": f"Bearer {token_for(gateway[0], tenant)}"}
    async with httpx.AsyncClient(base_url=conecrm_sim[0], headers=headers) as http:
        answer = await http.post(
            "/api/query-builder/filter/lead", json={"query": {"combinator": "or", "rules": rules}}
        )
        saved = await api.execute("{ savedFilters { module value } }")
        demo = saved["data"]["savedFilters"][0]
        applied = await http.post(
            f"/api/query-builder/filter/{demo['module']}", json={"query": demo["value"]}
        )
    assert answer.status_code == 200 and answer.json() == {"success": True, "data": []}
    assert applied.status_code == 200 and applied.json()["success"] is True


async def test_automations_are_listed_created_changed_duplicated_and_deleted(shared: Client) -> None:
    api = shared
    data = (
        await api.execute(
            f"{{ automations {{ {AUTOMATION} }} automationBuilderData {{ triggers actions conditions }} }}"
        )
    )["data"]
    assert [a["name"] for a in data["automations"]] == ["Welcome new leads"]
    assert "lead.created" in data["automationBuilderData"]["triggers"]
    assert "sendEmail" in data["automationBuilderData"]["actions"]
    franchise = str(uuid.uuid4())
    create = f"""mutation($nodes: JSON) {{ automationCreate(input: {{name: "Follow up",
        automationTrigger: "lead.stageChanged", nodes: $nodes, edges: [], franchiseId: "{franchise}"}})
        {{ automation {{ {AUTOMATION} }} {ERRORS} }} }}"""
    nodes = [{"id": "1", "type": "createTask"}]
    created = (await api.execute(create, {"nodes": nodes}))["data"]["automationCreate"]["automation"]
    assert (created["name"], created["automationTrigger"], created["nodes"]) == (
        "Follow up",
        "lead.stageChanged",
        nodes,
    )
    assert (created["franchiseId"], created["delayedAutomationsCount"]) == (franchise, 0)
    update = f'mutation {{ automationUpdate(id: "{created["id"]}", input: {{delayedAutomationsCount: 2}}) {{ automation {{ {AUTOMATION} }} {ERRORS} }} }}'  # noqa: E501
    changed = (await api.execute(update))["data"]["automationUpdate"]["automation"]
    assert (changed["delayedAutomationsCount"], changed["name"]) == (2, "Follow up")
    duplicate = f'mutation {{ automationDuplicate(id: "{created["id"]}") {{ automation {{ {AUTOMATION} }} {ERRORS} }} }}'  # noqa: E501
    copy = (await api.execute(duplicate))["data"]["automationDuplicate"]["automation"]
    assert copy["id"] != created["id"] and copy["name"] == "Follow up (copy)" and copy["nodes"] == nodes
    read = await api.execute(f'{{ automation(id: "{copy["id"]}") {{ {AUTOMATION} }} }}')
    assert read["data"]["automation"] == copy
    delete = f'mutation {{ automationDelete(id: "{created["id"]}") {{ deletedId {ERRORS} }} }}'
    assert (await api.execute(delete))["data"]["automationDelete"]["deletedId"] == created["id"]
    listed = (await api.execute("{ automations { name } }"))["data"]["automations"]
    assert [a["name"] for a in listed] == ["Welcome new leads", "Follow up (copy)"]
    missing = await api.execute(f'{{ automation(id: "{created["id"]}") {{ id }} }}')
    assert missing["data"]["automation"] is None


async def test_refusals_are_user_errors_with_codes(shared: Client, world: World) -> None:
    api = shared
    bad_trigger = f'mutation {{ automationCreate(input: {{name: "x", automationTrigger: "moon.full"}}) {{ automation {{ id }} {ERRORS} }} }}'  # noqa: E501
    payload = (await api.execute(bad_trigger))["data"]["automationCreate"]
    assert payload["automation"] is None
    (problem,) = payload["errors"]
    assert (problem["code"], problem["message"].split(";")[0]) == (
        "INVALID",
        "Unknown automation trigger" if world.sql else "conecrm: Unknown automation trigger",
    )
    assert problem["field"] == (["input", "automationTrigger"] if world.sql else ["input"])
    duplicate = f'mutation {{ customFieldCreate(input: {{entity: "contact", fieldName: "shoeSize", fieldType: STRING}}) {{ customField {{ id }} {ERRORS} }} }}'  # noqa: E501
    assert (await api.execute(duplicate))["data"]["customFieldCreate"]["errors"][0]["code"] == "INVALID"
    unknown = str(uuid.uuid4())
    for mutation in (
        f'automationUpdate(id: "{unknown}", input: {{name: "y"}}) {{ {ERRORS} }}',
        f'automationDuplicate(id: "{unknown}") {{ {ERRORS} }}',
        f'automationDelete(id: "{unknown}") {{ deletedId {ERRORS} }}',
        f'customLabelUpdate(id: "{unknown}", input: {{value: {{a: "b"}}}}) {{ {ERRORS} }}',
        f'customLabelDelete(id: "{unknown}") {{ {ERRORS} }}',
        f'savedFilterUpdate(id: "{unknown}", input: {{name: "y"}}) {{ {ERRORS} }}',
        f'savedFilterDelete(id: "{unknown}") {{ {ERRORS} }}',
    ):
        body = await api.execute(f"mutation {{ {mutation} }}")
        (payload,) = body["data"].values()
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["id"], "NOT_FOUND")], mutation
    body = (await api.post('{ queryBuilderConfig(entity: "galaxy") { entity } me { subject } }')).json()
    assert body["data"] == {"queryBuilderConfig": None, "me": {"subject": "tester"}}
    not_found = "NOT_FOUND" if world.sql else "UPSTREAM_NOT_FOUND"
    assert codes(body) == [not_found] and body["errors"][0]["path"] == ["queryBuilderConfig"]
    if world.faults is not None:
        assert world.faults.calls("GET", "/api/query-builder/config/galaxy") == 1


async def test_another_users_private_filter_is_refused(world: World) -> None:
    owner, other = world.client("owner"), world.client("other")
    create = 'mutation($v: JSON) { savedFilterCreate(input: {name: "Mine", module: "contact", value: $v}) { savedFilter { id private } } }'  # noqa: E501
    saved = (await owner.execute(create, {"v": QUERY}))["data"]["savedFilterCreate"]["savedFilter"]
    assert saved["private"] is True  # ConeCRM's default
    listed = (await other.execute("{ savedFilters { id } }"))["data"]["savedFilters"]
    assert saved["id"] not in [item["id"] for item in listed]
    delete = f'mutation {{ savedFilterDelete(id: "{saved["id"]}") {{ deletedId errors {{ field code }} }} }}'
    body = (await other.post(delete)).json()
    if world.sql:  # another's private filter does not exist for the caller, as an invisible contact
        refused = {"deletedId": None, "errors": [{"field": ["id"], "code": "NOT_FOUND"}]}
        assert body["data"]["savedFilterDelete"] == refused
    else:
        assert body["data"]["savedFilterDelete"] is None and codes(body) == ["UPSTREAM_ACCESS_DENIED"]
    assert (await owner.execute(f'{{ savedFilter(id: "{saved["id"]}") {{ id }} }}'))["data"]["savedFilter"]


INVALID, REQUIRED = "INVALID", "REQUIRED"
BAD_INPUTS = {
    "customFieldCreate": (
        'customFieldCreate(input: {entity: "con/tact", fieldName: "1st", options: [1]})',
        [("input.entity", INVALID), ("input.fieldName", INVALID), ("input.options", INVALID),
         ("input.fieldType", REQUIRED)],
    ),
    "customFieldUpdate": (
        'customFieldUpdate(id: "../custom-field", input: {})', [("id", INVALID), ("input", REQUIRED)]
    ),
    "customFieldDelete": ('customFieldDelete(id: " ")', [("id", REQUIRED)]),
    "customLabelCreate": ("customLabelCreate(input: {value: {}})", [("input.value", REQUIRED)]),
    "customLabelUpdate": (
        'customLabelUpdate(id: "7", input: {value: "text"})', [("id", INVALID), ("input.value", INVALID)]
    ),
    "customLabelDelete": ('customLabelDelete(id: "not-a-uuid")', [("id", INVALID)]),
    "savedFilterCreate": (
        'savedFilterCreate(input: {module: "contact"})', [("input.name", REQUIRED), ("input.value", REQUIRED)]
    ),
    "savedFilterUpdate": ('savedFilterUpdate(id: "x", input: {name: "   "})', [("input.name", REQUIRED)]),
    "automationCreate": (
        'automationCreate(input: {name: "n", nodes: [1], delayedAutomationsCount: -1, franchiseId: "f"})',
        [("input.automationTrigger", REQUIRED), ("input.nodes", INVALID),
         ("input.delayedAutomationsCount", INVALID), ("input.franchiseId", INVALID)],
    ),
    "automationUpdate": ('automationUpdate(id: "a", input: {})', [("input", REQUIRED)]),
    "automationDuplicate": ('automationDuplicate(id: "a/b")', [("id", INVALID)]),
}  # fmt: skip


@pytest.mark.parametrize("name", list(BAD_INPUTS))
async def test_bad_inputs_are_user_errors_and_call_nothing(shared: Client, world: World, name: str) -> None:
    api = shared
    mutation, expected = BAD_INPUTS[name]
    body = await api.execute(f"mutation {{ {mutation} {{ {ERRORS} }} }}")
    found = sorted((".".join(e["field"]), e["code"]) for e in body["data"][name]["errors"])
    assert found == sorted(expected)
    assert world.called() == 0


@pytest.mark.parametrize(
    "query",
    [
        '{ queryBuilderConfig(entity: "../automation") { entity } }',
        '{ filterMetadata(entity: "") { entity } }',
        '{ customFields(entity: "a b") { id } }',
        '{ savedFilter(id: "") { id } }',
        '{ automation(id: "x/duplicate") { id } }',
    ],
)
async def test_bad_query_arguments_are_refused_before_any_call(
    shared: Client, world: World, query: str
) -> None:
    body = (await shared.post(query)).json()
    assert codes(body) == ["BAD_USER_INPUT"]
    assert world.called() == 0


async def test_an_unavailable_conecrm_gives_partial_data(api: Client, faults: Faults) -> None:
    faults.fail(503)
    body = (await api.post("{ automations { id } savedFilters { id } me { subject } }")).json()
    assert body["data"] == {"automations": None, "savedFilters": None, "me": {"subject": "tester"}}
    assert sorted(codes(body)) == ["UPSTREAM_UNAVAILABLE", "UPSTREAM_UNAVAILABLE"]
    assert sorted(tuple(e["path"]) for e in body["errors"]) == [("automations",), ("savedFilters",)]


@pytest.mark.parametrize(
    ("mutation", "path"),
    [
        ('automationCreate(input: {name: "n", automationTrigger: "task.due"})', "/api/automation"),
        ('automationDuplicate(id: "a1")', "/api/automation/a1/duplicate"),
        ('customLabelCreate(input: {value: {a: "b"}})', "/api/custom-labels"),
        ('savedFilterUpdate(id: "s1", input: {name: "n"})', "/api/saved-filter/s1"),
    ],
)
async def test_a_post_or_patch_is_never_sent_twice(
    api: Client, faults: Faults, mutation: str, path: str
) -> None:
    faults.fail(503)
    body = (await api.post(f"mutation {{ {mutation} {{ __typename }} }}")).json()
    assert codes(body) == ["UPSTREAM_UNAVAILABLE"]
    assert [(entry.method, entry.path) for entry in faults.log] == [(faults.log[0].method, path)]
    assert faults.log[0].method in ("POST", "PATCH")


@pytest.mark.parametrize(
    ("operation", "permission"),
    [
        ("{ automations { id } }", "CRM_AUTOMATION_VIEW"),
        ("{ savedFilters { id } }", "CRM_SEARCH_ALL"),
        ('{ queryBuilderConfig(entity: "contact") { entity } }', "CRM_SEARCH_ALL"),
        ('mutation { customFieldDelete(id: "x") { deletedId } }', "CRM_ADMIN"),
        ('mutation { automationDelete(id: "x") { deletedId } }', "CRM_AUTOMATION_DELETE"),
    ],
)
async def test_without_the_permission_it_is_forbidden_and_calls_nothing(
    world: World, operation: str, permission: str
) -> None:
    granted = ["CUST_ALL", "CRM_AUTOMATION_EDIT", "CRM_TASK_VIEW"]
    body = (await world.client(permissions=granted).post(operation)).json()
    assert codes(body) == ["FORBIDDEN"] and body["errors"][0]["extensions"]["permission"] == permission
    assert world.called() == 0


async def test_another_tenant_sees_none_of_the_first_tenants_data(world: World) -> None:
    other_tenant = f"o{uuid.uuid4().hex[:12]}"
    await seed_demo(world, other_tenant)
    first, second = world.client(), world.client(tenant=other_tenant)
    shared = 'mutation($v: JSON) { savedFilterCreate(input: {name: "Team", module: "contact", value: $v, private: false}) { savedFilter { id } } }'  # noqa: E501
    saved = (await first.execute(shared, {"v": QUERY}))["data"]["savedFilterCreate"]["savedFilter"]
    label = 'mutation { customLabelCreate(input: {value: {x: "y"}}) { customLabel { id } } }'
    created = (await first.execute(label))["data"]["customLabelCreate"]["customLabel"]
    seen = (await second.execute("{ savedFilters { id name } customLabels { id } }"))["data"]
    assert [item["name"] for item in seen["savedFilters"]] == ["E-mail ends with .com"]  # its own demo filter
    assert saved["id"] not in [item["id"] for item in seen["savedFilters"]]
    assert created["id"] not in [item["id"] for item in seen["customLabels"]]
    assert (await second.execute(f'{{ savedFilter(id: "{saved["id"]}") {{ id }} }}'))["data"][
        "savedFilter"
    ] is None


async def test_without_a_conecrm_upstream_the_gateway_keeps_customization(client: Client) -> None:
    body = await client.execute("{ customFields { id } automations { id } me { subject } }")
    assert body["data"] == {"customFields": [], "automations": [], "me": {"subject": "tester"}}


async def test_a_service_token_is_sent_and_never_shown(
    sqlite_url: str, conecrm_sim: tuple[str, Faults], faults: Faults, tmp_path: Path, tenant: str
) -> None:
    # A token the simulator accepts (same secret), configured as the upstream's service token.
    service = token_for(load_settings(database_url=sqlite_url, jwt_secret=SECRET), tenant, subject="service")
    routing = routing_file(tmp_path, conecrm_sim[0], token=service, routed=())
    async with routed_gateway(sqlite_url, routing) as (settings, http):
        caller = Client(http, token_for(settings, tenant, subject="someone"))
        create = 'mutation { savedFilterCreate(input: {name: "S", module: "contact", value: {}}) { savedFilter { ownerId } } }'  # noqa: E501
        created = await caller.execute(create)
        assert created["data"]["savedFilterCreate"]["savedFilter"]["ownerId"] == "service"
        faults.fail(400)
        body = (await caller.post("{ automationBuilderData { triggers } }")).json()
    assert codes(body) == ["UPSTREAM_BAD_REQUEST"]
    assert service not in json.dumps(body)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/custom-field"),
        ("POST", "/api/saved-filter"),
        ("GET", "/api/filters"),
        ("GET", "/api/automation"),
    ],
)
async def test_the_simulator_refuses_calls_without_a_bearer_token(
    conecrm_sim: tuple[str, Faults], method: str, path: str
) -> None:
    async with httpx.AsyncClient(base_url=conecrm_sim[0]) as http:
        answer = await http.request(method, path, json={})
    assert (answer.status_code, answer.json()) == (401, {"error": "Access denied"})


async def test_custom_labels_of_another_tenant_are_dropped(
    sqlite_url: str, conecrm_sim: tuple[str, Faults], faults: Faults, tmp_path: Path, tenant: str
) -> None:
    """A service token of another ConeCRM tenant: its labels carry that tenant and never reach the caller."""
    other = token_for(load_settings(database_url=sqlite_url, jwt_secret=SECRET), f"o{tenant}")
    async with routed_gateway(
        sqlite_url, routing_file(tmp_path, conecrm_sim[0], token=other, routed=())
    ) as pair:
        caller = client_for(*pair, tenant)
        assert (await caller.execute("{ customLabels { id } }"))["data"]["customLabels"] == []
        body = (
            await caller.post(
                'mutation { customLabelCreate(input: {value: {a: "b"}}) { customLabel { id } } }'
            )
        ).json()
    assert body["data"]["customLabelCreate"] is None and codes(body) == ["UPSTREAM_BAD_ANSWER"]
    assert faults.calls("GET", "/api/custom-labels") == 1


async def test_enabled_is_the_gateways_own_flag(shared: Client, world: World) -> None:
    create = f"""mutation {{ automationCreate(input: {{name: "Quiet", automationTrigger: "lead.created",
        enabled: false}}) {{ automation {{ name enabled }} {ERRORS} }} }}"""
    payload = (await shared.execute(create))["data"]["automationCreate"]
    if world.sql:
        assert payload == {"automation": {"name": "Quiet", "enabled": False}, "errors": []}
        return
    assert payload["automation"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["input", "enabled"], "INVALID")]
    assert world.called() == 0  # refused before anything was sent
    listed = (await shared.execute("{ automations { enabled } }"))["data"]["automations"]
    assert listed == [{"enabled": None}]  # ConeCRM's automations have no such flag
