"""The permission matrix: every root field and mutation, with and without the permission it declares.

A caller holding every other permission (but not its module's ``*_ALL``) is refused with FORBIDDEN on
that field only, while a sibling field is still served; a caller holding just that permission passes
the check. The tables below must name every root field, mutation and subscription: a new one fails
``test_matrix_covers_every_root_field`` until it is added here.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, get_named_type

from conftest import Client, token_for
from factories import Factory, gid
from gateway.permissions import CATALOG, denial_code
from resolvers.common.permissions import declared_permission
from resolvers.schema import schema

UNKNOWN = uuid.UUID(int=7)
CONTACT, ACCOUNT, LEAD = gid("Contact", UNKNOWN), gid("Account", UNKNOWN), gid("Lead", UNKNOWN)
TASK, STAGE = gid("Task", UNKNOWN), gid("Stage", UNKNOWN)
COMMUNICATION, QUEUE_ENTRY = gid("Communication", UNKNOWN), gid("CommunicationQueueEntry", UNKNOWN)
QUEUE_SYSTEM = gid("CommunicationQueueExternalSystem", UNKNOWN)
TAG, COMMENT = gid("Tag", UNKNOWN), gid("Comment", UNKNOWN)
OCCASION, RELATION = gid("Occasion", UNKNOWN), gid("ContactRelation", UNKNOWN)
DOCUMENT = gid("Document", UNKNOWN)

# Root fields every caller may use: who am I, what permissions exist, and node lookups (checked per ID).
# Custom fields and labels describe the tenant's forms, not records: every caller of the tenant may read them.
UNGATED_QUERIES = {"me", "permissions", "node", "nodes", "mySettings"}
# A user's own settings (seed 004 UserSettings) are the caller's to read and change, like `me`.
UNGATED_MUTATIONS = {"mySettingsUpdate"}
LABEL = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"

QUERIES: dict[str, tuple[str, str]] = {  # field: (selection, permission it needs)
    "users": ("users(first: 1) { totalCount }", "CRM_USER_VIEW"),
    "contact": (f'contact(id: "{CONTACT}") {{ id }}', "CUST_READ"),
    "contacts": ("contacts(first: 1) { totalCount }", "CUST_READ"),
    "contactByPhone": ('contactByPhone(phone: "+15145550123") { id }', "CUST_READ"),
    "account": (f'account(id: "{ACCOUNT}") {{ id }}', "CUST_ORGANIZATION_VIEW"),
    "accounts": ("accounts(first: 1) { totalCount }", "CUST_ORGANIZATION_VIEW"),
    "lead": (f'lead(id: "{LEAD}") {{ id }}', "CRM_LEAD_VIEW"),
    "leads": ("leads(first: 1) { totalCount }", "CRM_LEAD_VIEW"),
    "search": ('search(text: "ada") { edges { cursor } }', "CRM_SEARCH_ALL"),
    "openLeadsForContact": (f'openLeadsForContact(contactId: "{CONTACT}") {{ id }}', "CRM_LEAD_VIEW"),
    "task": (f'task(id: "{TASK}") {{ id }}', "CRM_TASK_VIEW"),
    "event": (f'event(id: "{TASK}") {{ id }}', "CRM_TASK_VIEW"),
    "tasks": ("tasks(first: 1) { totalCount }", "CRM_TASK_VIEW"),
    "events": ("events(first: 1) { totalCount }", "CRM_TASK_VIEW"),
    "stage": (f'stage(id: "{STAGE}") {{ id }}', "CRM_STAGE_VIEW"),
    "stages": ("stages(first: 1) { totalCount }", "CRM_STAGE_VIEW"),
    "apiKeys": ("apiKeys { id }", "CRM_ADMIN"),
    # Organization (seed 004): readable with CRM_USER_VIEW; other users' settings are for administrators.
    "franchises": ("franchises(first: 1) { totalCount }", "CRM_USER_VIEW"),
    "departments": ("departments(first: 1) { totalCount }", "CRM_USER_VIEW"),
    "roles": ("roles(first: 1) { totalCount }", "CRM_USER_VIEW"),
    "securityGroups": ("securityGroups(first: 1) { totalCount }", "CRM_USER_VIEW"),
    "userSettings": ("userSettings(first: 1) { totalCount }", "CRM_ADMIN"),
    "communication": (f'communication(id: "{COMMUNICATION}") {{ id }}', "CRM_COMMUNICATION_VIEW"),
    "communications": ("communications(first: 1) { totalCount }", "CRM_COMMUNICATION_VIEW"),
    "communicationCategories": ("communicationCategories(first: 1) { totalCount }", "CRM_COMMUNICATION_VIEW"),
    "communicationTemplates": ("communicationTemplates(first: 1) { totalCount }", "CRM_COMMUNICATION_VIEW"),
    "communicationQueueExternalSystems": (
        "communicationQueueExternalSystems(first: 1) { totalCount }",
        "CRM_QUEUE_VIEW",
    ),
    "communicationQueueEntry": (f'communicationQueueEntry(id: "{QUEUE_ENTRY}") {{ id }}', "CRM_QUEUE_VIEW"),
    "communicationQueueEntries": ("communicationQueueEntries(first: 1) { totalCount }", "CRM_QUEUE_VIEW"),
    "communicationQueueLatest": ("communicationQueueLatest(media: SMS, number: 1) { id }", "CRM_QUEUE_VIEW"),
    "communicationQueuePendingCompleted": (
        "communicationQueuePendingCompleted(media: SMS) { id }",
        "CRM_QUEUE_VIEW",
    ),
    "akixiCrmConfigs": ("akixiCrmConfigs { totalCount }", "CRM_INTEGRATION_VIEW"),
    "akixiCrmConfig": ('akixiCrmConfig(id: "x:1") { id }', "CRM_INTEGRATION_VIEW"),
    "customFields": ("customFields { id }", "CUST_READ"),
    "customLabels": ("customLabels { id }", "CUST_READ"),
    "savedFilters": ("savedFilters { id }", "CRM_SEARCH_ALL"),
    "savedFilter": ('savedFilter(id: "x") { id }', "CRM_SEARCH_ALL"),
    "filterMetadata": ('filterMetadata(entity: "contact") { entity }', "CRM_SEARCH_ALL"),
    "queryBuilderConfig": ('queryBuilderConfig(entity: "contact") { entity }', "CRM_SEARCH_ALL"),
    "automations": ("automations { id }", "CRM_AUTOMATION_VIEW"),
    "automation": ('automation(id: "x") { id }', "CRM_AUTOMATION_VIEW"),
    "automationBuilderData": ("automationBuilderData { triggers }", "CRM_AUTOMATION_VIEW"),
    "tags": ("tags(first: 1) { totalCount }", "CUST_READ"),
    "occasion": (f'occasion(id: "{OCCASION}") {{ id }}', "CUST_READ"),
    "upcomingOccasions": ("upcomingOccasions(days: 7) { date }", "CUST_READ"),
    "contactRelation": (f'contactRelation(id: "{RELATION}") {{ id }}', "CUST_READ"),
    "automationRuns": ("automationRuns { totalCount }", "CRM_AUTOMATION_VIEW"),
}

MUTATIONS: dict[str, tuple[str, str]] = {  # mutation: (call, permission it needs)
    "contactCreate": ('contactCreate(input: {firstName: "Ada", lastName: "Lovelace"})', "CUST_WRITE"),
    "contactCreateMany": (
        'contactCreateMany(inputs: [{firstName: "Ada", lastName: "Lovelace"}])',
        "CUST_WRITE",
    ),
    "contactUpdate": (f'contactUpdate(id: "{CONTACT}", input: {{firstName: "Ada"}})', "CUST_WRITE"),
    "contactDelete": (f'contactDelete(id: "{CONTACT}")', "CUST_DELETE"),
    "contactRestore": (f'contactRestore(id: "{CONTACT}")', "CUST_DELETE"),
    "accountCreate": ('accountCreate(input: {name: "Acme"})', "CUST_ORGANIZATION_EDIT"),
    "accountUpdate": (f'accountUpdate(id: "{ACCOUNT}", input: {{name: "Acme"}})', "CUST_ORGANIZATION_EDIT"),
    "accountDelete": (f'accountDelete(id: "{ACCOUNT}")', "CUST_ORGANIZATION_DELETE"),
    "accountRestore": (f'accountRestore(id: "{ACCOUNT}")', "CUST_ORGANIZATION_DELETE"),
    "accountAddContact": (
        f'accountAddContact(accountId: "{ACCOUNT}", contactId: "{CONTACT}")',
        "CUST_ORGANIZATION_EDIT",
    ),
    "accountRemoveContact": (
        f'accountRemoveContact(accountId: "{ACCOUNT}", contactId: "{CONTACT}")',
        "CUST_ORGANIZATION_EDIT",
    ),
    "leadCreate": ('leadCreate(input: {subject: "Deal"})', "CRM_LEAD_CREATE"),
    "leadUpdate": (f'leadUpdate(id: "{LEAD}", input: {{subject: "Deal"}})', "CRM_LEAD_EDIT"),
    "leadDelete": (f'leadDelete(id: "{LEAD}")', "CRM_LEAD_DELETE"),
    "leadRestore": (f'leadRestore(id: "{LEAD}")', "CRM_LEAD_DELETE"),
    "leadMoveToStage": (f'leadMoveToStage(id: "{LEAD}", stageId: "{STAGE}")', "CRM_LEAD_EDIT"),
    # Lead workflow (seed 004): copy is permitted like a create, milestones like an edit.
    "leadCopy": (f'leadCopy(id: "{LEAD}", input: {{contactId: "{CONTACT}"}})', "CRM_LEAD_CREATE"),
    "leadMilestoneSet": (
        f'leadMilestoneSet(id: "{LEAD}", milestone: SOLD, setById: "{gid("User", UNKNOWN)}")',
        "CRM_LEAD_EDIT",
    ),
    "leadMilestoneClear": (f'leadMilestoneClear(id: "{LEAD}", milestone: SOLD)', "CRM_LEAD_EDIT"),
    "taskCreate": ('taskCreate(input: {title: "Call"})', "CRM_TASK_CREATE"),
    "taskUpdate": (f'taskUpdate(id: "{TASK}", input: {{title: "Call"}})', "CRM_TASK_EDIT"),
    "taskDelete": (f'taskDelete(id: "{TASK}")', "CRM_TASK_DELETE"),
    "taskRestore": (f'taskRestore(id: "{TASK}")', "CRM_TASK_DELETE"),
    "taskComplete": (f'taskComplete(id: "{TASK}")', "CRM_TASK_EDIT"),
    "stageCreate": ('stageCreate(input: {name: "New"})', "CRM_STAGE_EDIT"),
    "stageUpdate": (f'stageUpdate(id: "{STAGE}", input: {{name: "New"}})', "CRM_STAGE_EDIT"),
    "stageDelete": (f'stageDelete(id: "{STAGE}")', "CRM_STAGE_DELETE"),
    "stageRestore": (f'stageRestore(id: "{STAGE}")', "CRM_STAGE_DELETE"),
    # Organization administration (seed 004) needs CRM_ADMIN throughout.
    **{
        f"{noun}{operation}": (
            f'{noun}{operation}(id: "{gid(type_name, UNKNOWN)}"{arguments})',
            "CRM_ADMIN",
        )
        for noun, type_name in (
            ("franchise", "Franchise"),
            ("department", "Department"),
            ("role", "Role"),
            ("securityGroup", "SecurityGroup"),
        )
        for operation, arguments in (("Update", ', input: {name: "N"}'), ("Delete", ""), ("Restore", ""))
    },
    "franchiseCreate": ('franchiseCreate(input: {name: "North"})', "CRM_ADMIN"),
    "departmentCreate": ('departmentCreate(input: {name: "Sales"})', "CRM_ADMIN"),
    "roleCreate": ('roleCreate(input: {name: "Agents", permissions: ["CRM_LEAD_VIEW"]})', "CRM_ADMIN"),
    "securityGroupCreate": ('securityGroupCreate(input: {name: "Team"})', "CRM_ADMIN"),
    "userUpdate": (f'userUpdate(id: "{gid("User", UNKNOWN)}", input: {{firstname: "A"}})', "CRM_ADMIN"),
    "apiKeyCreate": ('apiKeyCreate(input: {name: "robot", permissions: []})', "CRM_ADMIN"),
    "apiKeyRevoke": (f'apiKeyRevoke(id: "{UNKNOWN}")', "CRM_ADMIN"),
    "communicationCreate": (
        f'communicationCreate(input: {{contactId: "{CONTACT}", media: PHONE, direction: INCOMING, '
        'subject: "Call", content: "Talked"})',
        "CRM_COMMUNICATION_EDIT",
    ),
    "communicationUpdate": (
        f'communicationUpdate(id: "{COMMUNICATION}", input: {{notes: "n"}})',
        "CRM_COMMUNICATION_EDIT",
    ),
    "communicationComplete": (f'communicationComplete(id: "{COMMUNICATION}")', "CRM_COMMUNICATION_EDIT"),
    "communicationSetViewed": (f'communicationSetViewed(id: "{COMMUNICATION}")', "CRM_COMMUNICATION_EDIT"),
    "communicationQueueClaim": (
        f'communicationQueueClaim(externalSystemId: "{QUEUE_SYSTEM}")',
        "CRM_QUEUE_PROCESS",
    ),
    "communicationQueueEntryComplete": (
        f'communicationQueueEntryComplete(id: "{QUEUE_ENTRY}")',
        "CRM_QUEUE_PROCESS",
    ),
    "communicationQueueEntryReject": (
        f'communicationQueueEntryReject(id: "{QUEUE_ENTRY}", errorCode: "E1", errorDescription: "Failed")',
        "CRM_QUEUE_PROCESS",
    ),
    "communicationQueueEntryRemove": (
        f'communicationQueueEntryRemove(id: "{QUEUE_ENTRY}")',
        "CRM_QUEUE_PROCESS",
    ),
    "akixiCrmConfigAdd": ('akixiCrmConfigAdd(input: {description: "d"})', "CRM_INTEGRATION_EDIT"),
    "akixiCrmConfigChange": ('akixiCrmConfigChange(id: "x:1", input: {})', "CRM_INTEGRATION_EDIT"),
    "akixiCrmConfigDelete": ('akixiCrmConfigDelete(id: "x:1")', "CRM_INTEGRATION_DELETE"),
    "customFieldCreate": (
        'customFieldCreate(input: {entity: "contact", fieldName: "x", fieldType: STRING})',
        "CRM_ADMIN",
    ),
    "customFieldUpdate": ('customFieldUpdate(id: "x", input: {fieldName: "y"})', "CRM_ADMIN"),
    "customFieldDelete": ('customFieldDelete(id: "x")', "CRM_ADMIN"),
    "customLabelCreate": ('customLabelCreate(input: {value: {label1: "A"}})', "CRM_ADMIN"),
    "customLabelUpdate": (
        f'customLabelUpdate(id: "{LABEL}", input: {{value: {{label1: "A"}}}})',
        "CRM_ADMIN",
    ),
    "customLabelDelete": (f'customLabelDelete(id: "{LABEL}")', "CRM_ADMIN"),
    "savedFilterCreate": (
        'savedFilterCreate(input: {name: "n", module: "contact", value: {combinator: "and", rules: []}})',
        "CRM_SEARCH_ALL",
    ),
    "savedFilterUpdate": ('savedFilterUpdate(id: "x", input: {name: "m"})', "CRM_SEARCH_ALL"),
    "savedFilterDelete": ('savedFilterDelete(id: "x")', "CRM_SEARCH_ALL"),
    "automationCreate": (
        'automationCreate(input: {name: "n", automationTrigger: "lead.created"})',
        "CRM_AUTOMATION_EDIT",
    ),
    "automationUpdate": ('automationUpdate(id: "x", input: {name: "m"})', "CRM_AUTOMATION_EDIT"),
    "automationDuplicate": ('automationDuplicate(id: "x")', "CRM_AUTOMATION_EDIT"),
    "automationDelete": ('automationDelete(id: "x")', "CRM_AUTOMATION_DELETE"),
    "tagCreate": ('tagCreate(input: {value: "VIP"})', "CUST_TAG_ADD"),
    "tagUpdate": (f'tagUpdate(id: "{TAG}", input: {{value: "VIP"}})', "CUST_TAG_ADD"),
    "tagAssign": (f'tagAssign(input: {{ownerIds: ["{CONTACT}"], values: ["VIP"]}})', "CUST_TAG_ADD"),
    "tagUnassign": (f'tagUnassign(input: {{ownerIds: ["{CONTACT}"], values: ["VIP"]}})', "CUST_TAG_REMOVE"),
    "commentCreate": (f'commentCreate(input: {{ownerId: "{CONTACT}", text: "Hi"}})', "CUST_READ"),
    "commentUpdate": (f'commentUpdate(id: "{COMMENT}", input: {{text: "Hi"}})', "CUST_READ"),
    "commentDelete": (f'commentDelete(id: "{COMMENT}")', "CUST_READ"),
    "commentRestore": (f'commentRestore(id: "{COMMENT}")', "CUST_READ"),
    "occasionCreate": (
        f'occasionCreate(input: {{contactId: "{CONTACT}", date: "2020-01-01"}})',
        "CUST_WRITE",
    ),
    "occasionUpdate": (f'occasionUpdate(id: "{OCCASION}", input: {{label: "x"}})', "CUST_WRITE"),
    "occasionDelete": (f'occasionDelete(id: "{OCCASION}")', "CUST_WRITE"),
    "occasionRestore": (f'occasionRestore(id: "{OCCASION}")', "CUST_WRITE"),
    "contactRelationCreate": (
        f'contactRelationCreate(input: {{contactId: "{CONTACT}", relatedContactId: "{CONTACT}", type: "X"}})',
        "CUST_WRITE",
    ),
    "contactRelationUpdate": (
        f'contactRelationUpdate(id: "{RELATION}", input: {{notes: "n"}})',
        "CUST_WRITE",
    ),
    "contactRelationDelete": (f'contactRelationDelete(id: "{RELATION}")', "CUST_WRITE"),
    "contactRelationRestore": (f'contactRelationRestore(id: "{RELATION}")', "CUST_WRITE"),
    # Documents: without a file part the upload answers CRM1109, past the permission check.
    "documentUpload": (f'documentUpload(input: {{ownerId: "{CONTACT}"}}, file: "none")', "CRM_DOC_UPLOAD"),
    "documentUpdate": (f'documentUpdate(id: "{DOCUMENT}", input: {{description: "d"}})', "CRM_DOC_UPLOAD"),
    "documentRemove": (f'documentRemove(id: "{DOCUMENT}")', "CRM_DOC_REMOVE"),
    "contactProfilePhotoAdd": (
        f'contactProfilePhotoAdd(input: {{contactId: "{CONTACT}"}}, file: "none")',
        "CUST_WRITE",
    ),
    "contactProfilePhotoRemove": (
        f'contactProfilePhotoRemove(input: {{contactId: "{CONTACT}"}})',
        "CUST_WRITE",
    ),
}
# Errors that show the permission check passed: an area no backend serves here (CAPABILITY_NOT_SERVED),
# or the made-up id of the operation above, looked up in the gateway's own store (NOT_FOUND).
RAN_PAST_THE_CHECK = ("CAPABILITY_NOT_SERVED", "NOT_FOUND")

# Subscriptions are checked over a real WebSocket in test_subscriptions.py (same FORBIDDEN error).
SUBSCRIPTIONS: dict[str, tuple[str, str]] = {
    "communicationQueueUpdated": ("communicationQueueUpdated { kind }", "CRM_QUEUE_VIEW"),
    "communicationCreated": (
        f'communicationCreated(contactId: "{CONTACT}") {{ __typename }}',
        "CRM_COMMUNICATION_VIEW",
    ),
}


def _declared(type_name: str, field_name: str) -> str | None:
    definition = schema.get_type_by_name(type_name)
    assert definition is not None
    for field in definition.fields:  # type: ignore[union-attr]
        if schema.config.name_converter.get_graphql_name(field) == field_name:
            return declared_permission(field)
    raise AssertionError(f"{type_name}.{field_name} not found")


ROOT_FIELDS = pytest.mark.parametrize(
    ("kind", "name"),
    [("query", n) for n in QUERIES]
    + [pytest.param("mutation", n, marks=pytest.mark.same_both_ways) for n in MUTATIONS],
)


def _without(permission: str) -> list[str]:
    """Every catalog permission except this one and the *_ALL that would grant it."""
    excluded = {permission, "CRM_ALL", "CUST_ALL"}
    return [p.name for p in CATALOG if p.name not in excluded]


def _caller(client: Client, settings: Any, tenant: str, permissions: list[str]) -> Client:
    return Client(client.http, token_for(settings, tenant, permissions=permissions))


def _operation(kind: str, name: str) -> str:
    if kind == "query":
        return f"{{ {QUERIES[name][0]} me {{ subject }} }}"
    return f"mutation {{ {MUTATIONS[name][0]} {{ __typename }} }}"


def _forbidden_paths(body: dict[str, Any]) -> list[list[Any]]:
    return [e["path"] for e in body.get("errors", []) if e["extensions"]["code"] == "FORBIDDEN"]


def test_matrix_covers_every_root_field() -> None:
    graphql_schema = schema._schema
    queries = set(graphql_schema.query_type.fields)  # type: ignore[union-attr]
    mutations = set(graphql_schema.mutation_type.fields)  # type: ignore[union-attr]
    assert queries == set(QUERIES) | UNGATED_QUERIES
    assert mutations == set(MUTATIONS) | UNGATED_MUTATIONS
    assert set(graphql_schema.subscription_type.fields) == set(SUBSCRIPTIONS)  # type: ignore[union-attr]


def test_every_gated_root_field_declares_a_permission_and_is_nullable() -> None:
    graphql_schema = schema._schema
    for type_name, names in (("Query", QUERIES), ("Mutation", MUTATIONS), ("Subscription", SUBSCRIPTIONS)):
        graphql_type = graphql_schema.get_type(type_name)
        assert isinstance(graphql_type, GraphQLObjectType)
        for name, (_, permission) in names.items():
            assert _declared(type_name, name) == permission, f"{type_name}.{name} should need {permission}"
            # Non-null would turn a refusal into a null response for the whole operation.
            assert not isinstance(graphql_type.fields[name].type, GraphQLNonNull), f"{type_name}.{name}"
    for name in UNGATED_QUERIES:
        assert _declared("Query", name) is None
    for name in UNGATED_MUTATIONS:
        assert _declared("Mutation", name) is None


def _crosses_to_entity(field_type: Any) -> bool:
    named = get_named_type(field_type)
    interfaces = {i.name for i in getattr(named, "interfaces", [])}
    return "Node" in interfaces or named.name.endswith("Connection")


def test_every_field_that_crosses_to_another_entity_is_gated() -> None:
    """Nested links and lists (Lead.contact, Contact.leads ...) carry the target entity's permission."""
    graphql_schema = schema._schema
    checked = 0
    for type_name, graphql_type in graphql_schema.type_map.items():
        if not isinstance(graphql_type, GraphQLObjectType) or type_name.startswith("__"):
            continue
        if type_name in ("Query", "Mutation", "Subscription", "Viewer") or type_name.endswith(
            ("Payload", "Result", "Edge", "Connection")
        ):
            continue  # roots are checked above; payloads return what was just written; edges sit in lists
        for field_name, field in graphql_type.fields.items():
            if field_name == "id" or not _crosses_to_entity(field.type):
                continue
            checked += 1
            assert _declared(type_name, field_name) is not None, f"{type_name}.{field_name} is not gated"
            assert not isinstance(field.type, GraphQLNonNull), f"{type_name}.{field_name} must be nullable"
    assert checked >= 20  # the walk really found the nested links and lists


@ROOT_FIELDS
async def test_without_the_permission_the_field_is_forbidden(
    client: Client, settings: Any, tenant: str, kind: str, name: str
) -> None:
    permission = (QUERIES if kind == "query" else MUTATIONS)[name][1]
    caller = _caller(client, settings, tenant, _without(permission))
    response = await caller.post(_operation(kind, name))
    body = response.json()
    assert response.status_code == 200, body
    assert _forbidden_paths(body) == [[name]], body
    error = body["errors"][0]
    assert error["extensions"]["permission"] == permission
    assert error["extensions"].get("seedCode") == denial_code(permission)
    assert body["data"][name] is None
    if kind == "query":
        assert body["data"]["me"]["subject"] == "tester"  # the sibling is still served


@ROOT_FIELDS
async def test_with_only_the_permission_the_field_runs(
    client: Client, settings: Any, tenant: str, kind: str, name: str
) -> None:
    permission = (QUERIES if kind == "query" else MUTATIONS)[name][1]
    caller = _caller(client, settings, tenant, [permission])
    body = (await caller.post(_operation(kind, name))).json()
    errors = [e for e in body.get("errors", []) if e["extensions"]["code"] not in RAN_PAST_THE_CHECK]
    assert not errors, body


@pytest.mark.parametrize("module_all", ["CRM_ALL", "CUST_ALL"])
async def test_module_all_grants_the_whole_module(
    client: Client, settings: Any, tenant: str, module_all: str
) -> None:
    caller = _caller(client, settings, tenant, [module_all])
    body = (await caller.post("{ contacts(first: 1) { totalCount } leads(first: 1) { totalCount } }")).json()
    granted = "contacts" if module_all == "CUST_ALL" else "leads"
    refused = "leads" if module_all == "CUST_ALL" else "contacts"
    assert body["data"][granted] == {"totalCount": 0}
    assert _forbidden_paths(body) == [[refused]]


async def test_search_needs_crm_search_all(client: Client, settings: Any, tenant: str) -> None:
    caller = _caller(client, settings, tenant, ["CUST_READ"])
    body = (await caller.post('{ contacts(search: "ada") { totalCount } }')).json()
    assert body["errors"][0]["extensions"]["permission"] == "CRM_SEARCH_ALL"
    allowed = _caller(client, settings, tenant, ["CUST_READ", "CRM_SEARCH_ALL"])
    assert "errors" not in (await allowed.post('{ contacts(search: "ada") { totalCount } }')).json()


@pytest.mark.parametrize(
    ("kind", "permission"),
    [("CONTACT", "CUST_READ"), ("ACCOUNT", "CUST_ORGANIZATION_VIEW"), ("LEAD", "CRM_LEAD_VIEW")],
)
async def test_search_of_a_type_needs_its_read_permission(
    client: Client, settings: Any, tenant: str, kind: str, permission: str
) -> None:
    caller = _caller(client, settings, tenant, [*_without(permission), "CRM_SEARCH_ALL"])
    body = (await caller.post(f'{{ search(text: "ada", types: [{kind}]) {{ edges {{ cursor }} }} }}')).json()
    assert _forbidden_paths(body) == [["search"]], body
    assert body["errors"][0]["extensions"]["permission"] == permission
    # Without a types filter the search looks only through the types the caller may read.
    assert "errors" not in (await caller.post('{ search(text: "ada") { edges { cursor } } }')).json()


@pytest.fixture
async def linked(factory: Factory) -> dict[str, str]:
    user = factory.user("tester")
    stage = factory.stage("Qualify")
    contact = factory.contact("Ada", "Lovelace")
    account = factory.account("Analytical Engines", contacts=[contact])
    lead = factory.lead("Deal", contact_id=contact, account_id=account, stage_id=stage)
    factory.task("Call", lead_id=lead, contact_id=contact, assignee_id=user)
    await factory.save()
    return {"Contact": gid("Contact", contact), "Lead": gid("Lead", lead), "Account": gid("Account", account)}


NESTED = [
    # (root lookup, nested field selection, permission the caller lacks, path of the refusal)
    ("lead", "contact { id }", "CUST_READ", ["lead", "contact"]),
    ("lead", "account { id }", "CUST_ORGANIZATION_VIEW", ["lead", "account"]),
    ("lead", "stage { id }", "CRM_STAGE_VIEW", ["lead", "stage"]),
    ("lead", "tasks { totalCount }", "CRM_TASK_VIEW", ["lead", "tasks"]),
    ("lead", "assignees { totalCount }", "CRM_USER_VIEW", ["lead", "assignees"]),
    ("contact", "leads { totalCount }", "CRM_LEAD_VIEW", ["contact", "leads"]),
    ("contact", "accounts { totalCount }", "CUST_ORGANIZATION_VIEW", ["contact", "accounts"]),
    ("account", "contacts { totalCount }", "CUST_READ", ["account", "contacts"]),
    ("contact", "communications { totalCount }", "CRM_COMMUNICATION_VIEW", ["contact", "communications"]),
    ("contact", "documents { totalCount }", "CRM_DOC_VIEW", ["contact", "documents"]),
    ("account", "documents { totalCount }", "CRM_DOC_VIEW", ["account", "documents"]),
    ("lead", "communications { totalCount }", "CRM_COMMUNICATION_VIEW", ["lead", "communications"]),
    ("account", "communications { totalCount }", "CRM_COMMUNICATION_VIEW", ["account", "communications"]),
    ("account", "tags { totalCount }", "CUST_READ", ["account", "tags"]),
    ("account", "comments { totalCount }", "CUST_READ", ["account", "comments"]),
    # Seed 000 people model: occasions and relations are customer data; their targets keep their own.
    ("account", "occasions { totalCount }", "CUST_READ", ["account", "occasions"]),
    ("account", "relations { totalCount }", "CUST_READ", ["account", "relations"]),
    ("account", "keyCustomers { id }", "CUST_READ", ["account", "keyCustomers"]),
    ("account", "owner { id }", "CRM_USER_VIEW", ["account", "owner"]),
    ("account", "assistant { id }", "CUST_READ", ["account", "assistant"]),
    ("contact", "keyOrganizations { id }", "CUST_ORGANIZATION_VIEW", ["contact", "keyOrganizations"]),
    # The activity timeline (issue 22): its items keep their own read permissions besides.
    ("contact", "timeline { totalCount }", "CRM_ACTIVITY_VIEW", ["contact", "timeline"]),
    ("account", "timeline { totalCount }", "CRM_ACTIVITY_VIEW", ["account", "timeline"]),
    ("lead", "timeline { totalCount }", "CRM_ACTIVITY_VIEW", ["lead", "timeline"]),
    ("contact", "franchise { id }", "CRM_USER_VIEW", ["contact", "franchise"]),
    ("account", "franchise { id }", "CRM_USER_VIEW", ["account", "franchise"]),
]


@pytest.mark.parametrize(("root", "selection", "permission", "path"), NESTED)
async def test_nested_fields_check_the_target_entity(
    client: Client,
    settings: Any,
    tenant: str,
    linked: dict[str, str],
    root: str,
    selection: str,
    permission: str,
    path: list[str],
) -> None:
    caller = _caller(client, settings, tenant, _without(permission))
    root_id = linked[root.capitalize()]
    body = (await caller.post(f'{{ {root}(id: "{root_id}") {{ id {selection} }} }}')).json()
    assert _forbidden_paths(body) == [path], body
    assert body["data"][root]["id"] == root_id  # the parent and its other fields are still served
    assert body["data"][root][path[1]] is None


TIMELINE_NODES = [
    # (node type, selection on it, permission the caller lacks, path of the refusal): a lead's stage
    # moves are read with the lead, its runs with the run log; a move's stages keep their own permission.
    ("LeadStageChange", "id", "CRM_LEAD_VIEW", ["node"]),
    (
        "LeadStageChange",
        "... on LeadStageChange { fromStage { id } }",
        "CRM_STAGE_VIEW",
        ["node", "fromStage"],
    ),
    ("LeadStageChange", "... on LeadStageChange { toStage { id } }", "CRM_STAGE_VIEW", ["node", "toStage"]),
    ("AutomationRun", "id", "CRM_AUTOMATION_VIEW", ["node"]),
]


@pytest.mark.parametrize(("type_name", "selection", "permission", "path"), TIMELINE_NODES)
async def test_timeline_nodes_check_their_own_and_their_targets_permissions(
    client: Client,
    settings: Any,
    tenant: str,
    factory: Factory,
    type_name: str,
    selection: str,
    permission: str,
    path: list[str],
) -> None:
    stages = factory.stage("New"), factory.stage("Won")
    lead = factory.lead("Deal", stage_id=stages[1])
    made = {
        "LeadStageChange": factory.stage_change(lead, *stages),
        "AutomationRun": factory.automation_run(lead),
    }
    await factory.save()
    node_id = gid(type_name, made[type_name])
    query = f'{{ node(id: "{node_id}") {{ __typename {selection} }} me {{ subject }} }}'
    body = (await _caller(client, settings, tenant, _without(permission)).post(query)).json()
    assert _forbidden_paths(body) == [path], body
    assert body["errors"][0]["extensions"]["permission"] == permission
    assert body["data"]["me"] is not None
    if path != ["node"]:  # the node itself is still served
        assert body["data"]["node"] == {"__typename": type_name, path[1]: None}
    allowed = (await client.post(query)).json()
    assert "errors" not in allowed and allowed["data"]["node"]["__typename"] == type_name


async def test_node_and_nodes_check_each_ids_type(
    client: Client, settings: Any, tenant: str, linked: dict[str, str]
) -> None:
    caller = _caller(client, settings, tenant, _without("CUST_READ"))
    body = (await caller.post(f'{{ node(id: "{linked["Contact"]}") {{ id }} }}')).json()
    assert body["data"]["node"] is None
    assert _forbidden_paths(body) == [["node"]]
    ids = [linked["Lead"], linked["Contact"], linked["Account"]]
    body = (await caller.post("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids})).json()
    assert body["data"]["nodes"] == [{"id": linked["Lead"]}, None, {"id": linked["Account"]}]
    assert _forbidden_paths(body) == [["nodes", 1]]
    assert body["errors"][0]["extensions"]["seedCode"] == "CUST1103"


async def test_the_permissions_query_lists_the_catalog(client: Client, settings: Any, tenant: str) -> None:
    caller = _caller(client, settings, tenant, ["CUST_ALL", "CRM_TASK_VIEW"])
    body = (await caller.execute("{ permissions { name module source granted } }"))["data"]
    entries = {entry["name"]: entry for entry in body["permissions"]}
    assert set(entries) == {p.name for p in CATALOG}
    assert entries["CUST_ORGANIZATION_DELETE"]["granted"] is True  # via CUST_ALL
    assert entries["CRM_TASK_VIEW"]["granted"] is True
    assert entries["CRM_TASK_DELETE"]["granted"] is False
    assert entries["CRM_LEAD_VIEW"]["source"] == "gateway"
    assert entries["CUST_READ"] == {
        "name": "CUST_READ",
        "module": "CUST",
        "source": "seed 000",
        "granted": True,
    }


def test_forbidden_errors_carry_seed_codes() -> None:
    assert denial_code("CUST_READ") == "CUST1103"
    assert denial_code("CUST_ORGANIZATION_VIEW") == "CUST2103"
    assert denial_code("CUST_TAG_ADD") == "CUST3103"
    assert denial_code("CRM_LEAD_VIEW") is None


def test_nullable_list_check_sees_lists() -> None:
    # Guard for the walk above: a list of entities counts as crossing to an entity.
    assert _crosses_to_entity(GraphQLList(schema._schema.get_type("Contact")))  # type: ignore[arg-type]


async def test_tags_and_comments_check_the_entities_they_reach(
    client: Client, settings: Any, tenant: str, factory: Factory
) -> None:
    """A tag's contacts and organizations, a comment's author, contact and organization: each needs the
    target's permission; a comment's node needs CUST_READ (organization comments also its view)."""
    user = factory.user("tester")
    contact = factory.contact("Ada", "Lovelace")
    account = factory.account("Acme", contacts=[contact])
    tag = factory.tag("VIP")
    factory.tag_owner(contact, tag)
    factory.tag_owner(account, tag)
    comment = factory.comment(contact, "Hello", author_id=user)
    await factory.save()
    cases = [
        (gid("Tag", tag), "... on Tag { contacts { totalCount } }", "CUST_READ", None),
        (gid("Tag", tag), "... on Tag { accounts { totalCount } }", "CUST_ORGANIZATION_VIEW", "accounts"),
        (gid("Comment", comment), "... on Comment { author { id } }", "CRM_USER_VIEW", "author"),
        (gid("Comment", comment), "... on Comment { contact { id } }", "CUST_READ", None),
    ]
    for node_id, selection, permission, field in cases:
        caller = _caller(client, settings, tenant, _without(permission))
        body = (await caller.post(f'{{ node(id: "{node_id}") {{ id {selection} }} }}')).json()
        if field is None:  # the node itself needs the permission the caller lacks
            assert body["data"]["node"] is None and _forbidden_paths(body) == [["node"]], body
        else:
            assert body["data"]["node"] == {"id": node_id, field: None}, body
            assert _forbidden_paths(body) == [["node", field]], body


SENSITIVE_FILTERS = ["idNumber", "passportNumber", "socialSecurityNumber"]


@pytest.mark.parametrize("field", SENSITIVE_FILTERS)
async def test_filtering_contacts_by_a_sensitive_number_needs_cust_sensitive_view(
    client: Client, settings: Any, tenant: str, field: str
) -> None:
    """Seed 003's id, passport and SSN filters: FORBIDDEN without CUST_SENSITIVE_VIEW (masked values could
    otherwise be guessed through the filter), served with only it and CUST_READ."""
    query = f'{{ contacts(filter: {{ {field}: {{ eq: "X" }} }}) {{ totalCount }} me {{ subject }} }}'
    refused = (await _caller(client, settings, tenant, _without("CUST_SENSITIVE_VIEW")).post(query)).json()
    assert refused["data"]["contacts"] is None and _forbidden_paths(refused) == [["contacts"]], refused
    allowed = _caller(client, settings, tenant, ["CUST_READ", "CUST_SENSITIVE_VIEW", "CRM_USER_VIEW"])
    assert (await allowed.post(query)).json()["data"]["contacts"] == {"totalCount": 0}
