"""ConeCRM failures and writes: partial data with the right code, no POST sent twice, ConeCRM's own errors."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from conecrm_support import (
    SIMULATORS,
    client_for,
    resetting_server,
    routed_gateway,
    routing_file,
)
from conftest import SECRET, Client, token_for
from factories import Factory, gid
from gateway.backends.access import RowAccess
from gateway.backends.rest.client import UpstreamClient
from gateway.backends.rest.conecrm.api import ConeCrmApi
from gateway.backends.rest.config import UpstreamConfig
from gateway.backends.rest.connector import RequestScope
from gateway.backends.rest.errors import UpstreamRejected
from gateway.backends.sql import tables as t
from gateway.cost import Cost
from gateway.settings import load_settings
from resolvers.common.ids import decode_global_id
from simulators.conecrm import records
from simulators.conecrm.ids import user_id
from simulators.conecrm.store import Store
from simulators.faults import Faults

# Stages stay in SQL here, so a ConeCRM failure leaves them served: partial data.
PARTIAL = "{ stages { edges { node { name } } } contacts { totalCount } }"
NOT_STAGES = ("Contact", "Account", "Lead", "Task")


async def _partial(database_url: str, routing: str, tenant: str) -> tuple[httpx.Response, str]:
    async with routed_gateway(database_url, routing) as (settings, http):
        client = client_for(settings, http, tenant)
        return await client.post(PARTIAL), client.token


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("latency", "UPSTREAM_TIMEOUT"),
        ("503", "UPSTREAM_UNAVAILABLE"),
        ("429", "UPSTREAM_RATE_LIMITED"),
        ("reset", "UPSTREAM_UNAVAILABLE"),
    ],
)
async def test_each_fault_gives_partial_data_with_its_code(
    fault: str,
    code: str,
    database_url: str,
    conecrm_sim: tuple[str, Faults],
    faults: Faults,
    factory: Factory,
    tenant: str,
    tmp_path: Path,
) -> None:
    factory.stage("New")
    factory.contact("Ada", "Lovelace")
    await factory.save()
    base, read_timeout = conecrm_sim[0], 5.0
    if fault == "latency":
        faults.latency_seconds, read_timeout = 1.0, 0.2
    elif fault != "reset":
        faults.fail(int(fault), retry_after=7 if fault == "429" else None)
    with resetting_server() as resetting:
        routing = routing_file(
            tmp_path, resetting if fault == "reset" else base, read_timeout=read_timeout, routed=NOT_STAGES
        )
        response, token = await _partial(database_url, routing, tenant)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"stages": {"edges": [{"node": {"name": "New"}}]}, "contacts": None}
    [error] = body["errors"]
    assert (error["path"], error["extensions"]["code"], error["extensions"]["system"]) == (
        ["contacts"],
        code,
        "conecrm",
    )
    if fault == "429":
        assert error["extensions"]["retryAfter"] == 7
    assert token not in response.text and "Traceback" not in response.text


LEAD_CREATE = """mutation($input: LeadCreateInput!) { leadCreate(input: $input) {
    lead { subject } errors { code } } }"""
TASK_CREATE = """mutation($input: TaskCreateInput!) { taskCreate(input: $input) {
    task { id title } errors { code } } }"""


async def _count(factory: Factory, table: sa.Table, **where: Any) -> int:
    async with factory.engine.connect() as connection:
        conditions = [table.c.tenant == factory.tenant, *(table.c[k] == v for k, v in where.items())]
        return int((await connection.execute(sa.select(sa.func.count()).where(*conditions))).scalar_one())


async def test_a_failing_create_is_sent_once_and_writes_nothing(
    conecrm_client: Client, faults: Faults, factory: Factory, conecrm_sim: tuple[str, Faults, Store]
) -> None:
    user = factory.user("agent")
    await factory.save()
    await conecrm_client.execute("{ tasks { totalCount } }")  # the connector learns ConeCRM's catalog
    faults.log.clear()
    faults.fail(503)
    # (A lead names its contact, which is read first: that read fails before any POST, so the task
    # alone, whose references are the gateway's own user, shows the POST sent once.)
    task = await conecrm_client.post(
        TASK_CREATE, {"input": {"title": "Once", "assigneeId": gid("User", user)}}
    )
    assert task.status_code == 200
    [error] = task.json()["errors"]
    assert (error["path"], error["extensions"]["code"]) == (["taskCreate"], "UPSTREAM_UNAVAILABLE")
    assert [(entry.method, entry.path) for entry in faults.log] == [("POST", "/api/task")]
    assert conecrm_sim[2].all(factory.tenant, "event") == []


async def test_tasks_are_created_changed_and_deleted_in_conecrm(
    conecrm_client: Client, faults: Faults, factory: Factory, conecrm_sim: tuple[str, Faults, Store]
) -> None:
    user = factory.user("agent")
    contact = factory.contact("Ada", "Lovelace")
    await factory.save()
    inputs = {"title": "Call Ada", "assigneeId": gid("User", user), "contactId": gid("Contact", contact)}
    created = (await conecrm_client.execute(TASK_CREATE, {"input": inputs}))["data"]["taskCreate"]
    assert created["errors"] == [] and created["task"]["title"] == "Call Ada"
    task_id = created["task"]["id"]
    update = 'mutation($id: ID!) { taskUpdate(id: $id, input: {title: "Call Ada back"}) { task { title } } }'
    updated = await conecrm_client.execute(update, {"id": task_id})
    assert updated["data"]["taskUpdate"]["task"] == {"title": "Call Ada back"}
    delete = "mutation($id: ID!) { taskDelete(id: $id) { deletedId } }"
    deleted = await conecrm_client.execute(delete, {"id": task_id})
    assert deleted["data"]["taskDelete"]["deletedId"] == task_id
    calls = [
        ("POST", "/api/task"),
        ("PATCH", f"/api/task/{_uuid(task_id)}"),
        ("DELETE", f"/api/task/{_uuid(task_id)}"),
    ]
    assert [faults.calls(method, path) for method, path in calls] == [1, 1, 1]
    [stored] = conecrm_sim[2].all(factory.tenant, "event")
    tester = {"id": user_id("tester")}  # the token's subject, as ConeCRM's user id (a UUID)
    assert (stored["isDeleted"], stored["title"], stored["createdBy"]) == (True, "Call Ada back", tester)
    assert (stored["assignee"], stored["contact"]) == ({"id": str(user)}, {"id": str(contact)})


async def test_conecrm_refusals_become_codes(
    conecrm_client: Client, database_url: str, conecrm_sim: tuple[str, Faults], tenant: str
) -> None:
    no_contact = await conecrm_client.post(LEAD_CREATE, {"input": {"subject": "Nobody's"}})
    no_assignee = await conecrm_client.post(TASK_CREATE, {"input": {"title": "Nobody's"}})
    # ConeCRM's lead 400 ({errors, message}; errors a list or an object per profile); a task without
    # an assignee is refused before any call (TaskRequest requires one: seed 004 l. 15643).
    assert _code(no_contact) == "UPSTREAM_VALIDATION_FAILED"
    assert _code(no_assignee) == "UPSTREAM_VALIDATION_FAILED"
    assert conecrm_sim[1].calls("POST", "/api/task") == 0
    token = token_for(load_settings(database_url=database_url, jwt_secret=SECRET), tenant)
    async with direct_api(conecrm_sim[0], token, tenant) as api:
        with pytest.raises(UpstreamRejected) as missing:
            await api.call("GET", f"/api/stage/{uuid.uuid4()}")
        with pytest.raises(UpstreamRejected) as unknown_entity:
            await api.call("POST", "/api/query-builder/filter/spaceship", json={"query": {"rules": []}})
    assert missing.value.code == unknown_entity.value.code == "UPSTREAM_NOT_FOUND"
    assert token not in str(missing.value)


@asynccontextmanager
async def direct_api(base_url: str, token: str, tenant: str) -> AsyncIterator[ConeCrmApi]:
    """The connector's API object alone, with a service token, outside any gateway."""
    config = UpstreamConfig(
        name="conecrm", kind="conecrm", base_url=base_url, system_name="ConeCRM", credentials={"token": token}
    )
    client_ = UpstreamClient(config)
    try:
        yield ConeCrmApi(client_, RequestScope(tenant, RowAccess.unrestricted("t"), Cost()))
    finally:
        await client_.aclose()


def _uuid(global_id: str) -> str:
    return str(decode_global_id(global_id)[1])


def _code(response: httpx.Response) -> str:
    assert response.status_code == 200
    [error] = response.json()["errors"]
    return error["extensions"]["code"]  # type: ignore[no-any-return]


async def test_contact_create_is_unsupported_and_writes_nothing(
    conecrm_client: Client, faults: Faults, factory: Factory
) -> None:
    response = await conecrm_client.post(
        'mutation { contactCreate(input: {firstName: "Ada", lastName: "Lovelace", '
        'emails: [{email: "ada@a.org"}]}) { contact { id } errors { code } } }'
    )
    assert _code(response) == "UPSTREAM_UNSUPPORTED"
    assert await _count(factory, t.contacts) == 0 and await _count(factory, t.emails) == 0
    assert [
        entry for entry in faults.log if entry.method != "GET" and "query-builder" not in entry.path
    ] == []


async def test_accounts_and_stages_are_written_in_conecrm(
    conecrm_client: Client, faults: Faults, factory: Factory, conecrm_sim: tuple[str, Faults, Store]
) -> None:
    create = """mutation { accountCreate(input: {name: "Acme", city: "Montreal",
        emails: [{email: "hq@acme.com"}], phones: [{number: "+15145550123"}]}) {
        account { id name city primaryEmail phones { number } } errors { code } } }"""
    created = (await conecrm_client.execute(create))["data"]["accountCreate"]
    assert created["errors"] == []
    account = created["account"]
    assert {key: account[key] for key in ("name", "city", "primaryEmail")} == {
        "name": "Acme",
        "city": "Montreal",
        "primaryEmail": "hq@acme.com",
    }
    assert account["phones"] == [{"number": "+15145550123"}]
    update = 'mutation($id: ID!) { accountUpdate(id: $id, input: {name: "Acme Inc."}) { account { name } } }'
    assert (await conecrm_client.execute(update, {"id": account["id"]}))["data"]["accountUpdate"] == {
        "account": {"name": "Acme Inc."}
    }
    restore = "mutation($id: ID!) { accountRestore(id: $id) { errors { code } } }"
    delete = "mutation($id: ID!) { accountDelete(id: $id) { deletedId } }"
    assert (await conecrm_client.execute(delete, {"id": account["id"]}))["data"]["accountDelete"] == {
        "deletedId": account["id"]
    }
    assert _code(await conecrm_client.post(restore, {"id": account["id"]})) == "UPSTREAM_UNSUPPORTED"
    assert faults.calls("POST", "/api/account") == 1
    stage = await conecrm_client.execute(
        'mutation { stageCreate(input: {name: "Won"}) { stage { id name } } }'
    )
    stage_id = stage["data"]["stageCreate"]["stage"]["id"]
    stage_ref = {"id": str(decode_global_id(stage_id)[1])}
    conecrm_sim[2].put(
        factory.tenant, "lead", records.lead("agent", subject="Uses the stage", stage=stage_ref)
    )
    in_use = await conecrm_client.post(
        "mutation($id: ID!) { stageDelete(id: $id) { deletedId } }", {"id": stage_id}
    )
    assert _code(in_use) == "UPSTREAM_BAD_REQUEST"


async def test_a_lead_is_created_once_with_the_seeds_required_members_and_reads_back(
    conecrm_client: Client, faults: Faults, factory: Factory, conecrm_sim: tuple[str, Faults, Store]
) -> None:
    """LeadCreateRequest requires department, source and franchise (seed 004 l. 16280-16301): the
    connector sends the routing file's ``lead_defaults``, and nothing the request does not define (the
    simulator checks the body against tests/contracts/conecrm/lead_create.request.json)."""
    contact = factory.contact("Ada", "Lovelace")
    await factory.save()
    created = await conecrm_client.execute(
        """mutation($input: LeadCreateInput!) { leadCreate(input: $input) {
            lead { id subject contact { firstName } } errors { code } } }""",
        {"input": {"subject": "Engines", "contactId": gid("Contact", contact)}},
    )
    lead = created["data"]["leadCreate"]["lead"]
    assert lead["subject"] == "Engines" and lead["contact"] == {"firstName": "Ada"}
    assert faults.calls("POST", "/api/lead") == 1
    [stored] = conecrm_sim[2].all(factory.tenant, "lead")
    assert stored["id"] == _uuid(lead["id"]) and stored["contact"] == {"id": str(contact)}
    assert stored["franchise"] == {"id": "0190a000-0000-7000-8000-000000000003"}
    again = await conecrm_client.execute(
        "query($id: ID!) { lead(id: $id) { subject contact { lastName } } }", {"id": lead["id"]}
    )
    assert again["data"]["lead"] == {"subject": "Engines", "contact": {"lastName": "Lovelace"}}


LEAD_WITH_VALUES = """mutation($input: LeadCreateInput!) { leadCreate(input: $input) {
    lead { id } errors { field code } } }"""


async def test_a_leads_custom_field_values_are_sent_to_conecrm_by_field_id(
    conecrm_client: Client, faults: Faults, factory: Factory, conecrm_sim: tuple[str, Faults, Store]
) -> None:
    """LeadCreateRequest carries ``customFieldValues: [{field: {id}, value: "string"}]`` (seed 004
    l. 16267-16305): the graph's values, named by field name and checked against ConeCRM's definitions,
    reach ConeCRM by its field ids as text; contacts and accounts have no such member, so theirs are
    refused before any write."""
    contact = factory.contact("Ada", "Lovelace")
    await factory.save()
    define = """mutation { customFieldCreate(input: {entity: "lead", fieldName: "budget", fieldType: NUMBER})
        { customField { id } errors { code } } }"""
    field_id = (await conecrm_client.execute(define))["data"]["customFieldCreate"]["customField"]["id"]
    values = [{"fieldName": "budget", "value": "25000"}]
    lead_input = {"subject": "Engines", "contactId": gid("Contact", contact), "customFieldValues": values}
    created = (await conecrm_client.execute(LEAD_WITH_VALUES, {"input": lead_input}))["data"]["leadCreate"]
    assert created["errors"] == [] and created["lead"] is not None
    kept = SIMULATORS[conecrm_sim[0]].app.state.tenants.of(factory.tenant).lead_custom_values
    assert kept == {_uuid(created["lead"]["id"]): [{"field": {"id": field_id}, "value": "25000"}]}
    # A value its definition refuses never reaches ConeCRM.
    faults.log.clear()
    bad = {**lead_input, "customFieldValues": [{"fieldName": "budget", "value": "lots"}]}
    refused = (await conecrm_client.execute(LEAD_WITH_VALUES, {"input": bad}))["data"]["leadCreate"]
    assert refused["errors"] == [{"field": ["input", "customFieldValues", "0"], "code": "INVALID"}]
    assert faults.calls("POST", "/api/lead") == 0
    tier = define.replace(
        '"lead", fieldName: "budget", fieldType: NUMBER', '"account", fieldName: "t", fieldType: STRING'
    )
    assert (await conecrm_client.execute(tier))["data"]["customFieldCreate"]["errors"] == []
    account = """mutation { accountCreate(input: {name: "Acme",
        customFieldValues: [{fieldName: "t", value: "gold"}]}) { account { id } errors { field code } } }"""
    no_member = (await conecrm_client.execute(account))["data"]["accountCreate"]
    assert no_member["account"] is None
    assert no_member["errors"] == [{"field": ["input", "customFieldValues"], "code": "INVALID"}]
    assert faults.calls("POST", "/api/account") == 0


LEADS_BY_QUERY = "query($q: QueryBuilderQuery) { leads(query: $q) { totalCount } }"


async def test_a_custom_field_defined_after_the_catalog_was_learned_filters_at_once(
    conecrm_client: Client, factory: Factory
) -> None:
    """The connector learns GET /api/filters once per upstream for minutes, for every tenant; a tenant's
    custom fields are its own and change at any time, so their rules go to ConeCRM's query builder,
    which judges them, rather than being refused against the learned catalog."""
    factory.lead("Car")
    await factory.save()
    warm = await conecrm_client.execute(
        LEADS_BY_QUERY, {"q": {"rules": [{"field": "subject", "operator": "notNull"}]}}
    )
    assert warm["data"]["leads"]["totalCount"] == 1  # the catalog is learned now
    define = """mutation { customFieldCreate(input: {entity: "lead", fieldName: "budget", fieldType: NUMBER})
        { errors { code } } }"""
    assert (await conecrm_client.execute(define))["data"]["customFieldCreate"]["errors"] == []
    by_budget = {"rules": [{"field": "customFields.budget", "operator": "null"}]}
    assert (await conecrm_client.execute(LEADS_BY_QUERY, {"q": by_budget}))["data"]["leads"][
        "totalCount"
    ] == 1


async def test_a_refused_lead_says_why_whether_errors_is_a_list_or_an_object(
    conecrm_sim: tuple[str, Faults, Store], database_url: str, tenant: str
) -> None:
    """Seed 004's lead 400 gives ``errors`` as an object (l. 6818-6821), its ValidationError as a list
    (l. 16124-16128); the simulator answers one or the other per profile, the connector reads both."""
    token = token_for(load_settings(database_url=database_url, jwt_secret=SECRET), tenant)
    ref = {"id": str(uuid.uuid4())}
    body = {"subject": "Ghost", "contact": ref, "department": ref, "source": ref, "franchise": ref}
    async with direct_api(conecrm_sim[0], token, tenant) as api:
        with pytest.raises(UpstreamRejected) as refused:
            await api.call("POST", "/api/lead", json=body)
    assert refused.value.code == "UPSTREAM_VALIDATION_FAILED"
    assert "contact" in str(refused.value) and "not found" in str(refused.value)


async def test_a_record_the_connector_cannot_read_is_an_error_on_its_field(
    conecrm_client: Client, factory: Factory, conecrm_sim: tuple[str, Faults, Store]
) -> None:
    """Never a 500, never silently nothing: UPSTREAM_BAD_RESPONSE on the field, with the system."""
    conecrm_sim[2].put(factory.tenant, "contact", records.contact(id="not-a-uuid", firstName="Broken"))
    response = await conecrm_client.post("{ contacts { totalCount edges { node { firstName } } } }")
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["path"] == ["contacts"]
    assert error["extensions"]["code"] == "UPSTREAM_BAD_RESPONSE"
    assert error["extensions"]["system"] == "conecrm"
