"""Akixi through the gateway when things go wrong: credentials, faults, permissions, tenants, bad input."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from akixi_support import (
    API_KEY,
    SESSION,
    Simulator,
    caller,
    error_codes,
    every_akixi_profile,  # noqa: F401  (the akixi_profile fixture: each test under every profile)
    gateway,
    serve_akixi,
)
from conftest import Client
from simulators.akixi import Credential

LIST = "{ akixiCrmConfigs { totalCount } me { subject } }"
FREE_DEVICE = '{telSysId: 426, partitionId: 1, deviceNumber: "+442046034980"}'
ADD = f"""mutation {{ akixiCrmConfigAdd(scope: {FREE_DEVICE}, input: {{crmType: "CrmAddin.GoogleContacts.GoogleContactsAddin",
    settings: {{contactsFoldersNames: ["Contacts"]}}, common: {{cached: true}}}}) {{ crmConfig {{ id }} errors {{ code }} }} }}"""  # noqa: E501


@pytest.fixture
def akixi(akixi_profile: str) -> Iterator[Simulator]:
    with serve_akixi(akixi_profile) as simulator:
        yield simulator


async def _list_with(folder: Path, url: str, sqlite_url: str, tenant: str, credentials: str) -> Any:
    async with gateway(folder, sqlite_url, url, credentials, tenants=[tenant]) as (http, settings):
        return (await caller(http, settings, tenant).post(LIST)).json()


async def test_a_jsessionid_cookie_authenticates(
    akixi: Simulator, tmp_path: Path, sqlite_url: str, tenant: str
) -> None:
    body = await _list_with(tmp_path, akixi.url, sqlite_url, tenant, f'jsessionid = "{SESSION}"')
    assert body["data"]["akixiCrmConfigs"] == {"totalCount": 3}


async def test_a_wrong_key_is_a_mapped_error_and_never_shown(
    akixi: Simulator, tmp_path: Path, sqlite_url: str, tenant: str, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "wrong-akixi-key-9e8d7c6b"
    caplog.set_level(logging.DEBUG)
    body = await _list_with(tmp_path, akixi.url, sqlite_url, tenant, f'api_key = "{wrong}"')
    assert body["data"] == {"akixiCrmConfigs": None, "me": {"subject": "tester"}}
    assert error_codes(body) == ["UPSTREAM_UNAUTHORIZED"]
    assert wrong not in str(body) and wrong not in caplog.text and API_KEY not in caplog.text


async def test_a_key_limited_to_one_telephone_system_sees_only_its_configurations(
    akixi: Simulator, tmp_path: Path, sqlite_url: str, tenant: str
) -> None:
    akixi.state.api_keys["limited-key-183"] = Credential(tel_sys_id=183)
    body = await _list_with(tmp_path, akixi.url, sqlite_url, tenant, 'api_key = "limited-key-183"')
    assert body["data"]["akixiCrmConfigs"] == {"totalCount": 1}


@pytest.fixture
async def api(akixi: Simulator, tmp_path: Path, sqlite_url: str, tenant: str) -> AsyncIterator[Client]:
    async with gateway(tmp_path, sqlite_url, akixi.url, tenants=[tenant]) as (http, settings):
        yield caller(http, settings, tenant)


async def test_latency_past_the_read_timeout_is_upstream_timeout(api: Client, akixi: Simulator) -> None:
    akixi.faults.latency_seconds = 1.5  # the routing file's read timeout is 0.5 s
    response = await api.post(LIST)
    body = response.json()
    assert response.status_code == 200 and body["data"]["me"] == {"subject": "tester"}
    assert error_codes(body) == ["UPSTREAM_TIMEOUT"] and body["errors"][0]["path"] == ["akixiCrmConfigs"]


async def test_a_503_is_upstream_unavailable_with_partial_data(api: Client, akixi: Simulator) -> None:
    akixi.faults.fail(503)
    response = await api.post(LIST)
    body = response.json()
    assert response.status_code == 200
    assert body["data"] == {"akixiCrmConfigs": None, "me": {"subject": "tester"}}
    assert error_codes(body) == ["UPSTREAM_UNAVAILABLE"]


async def test_a_429_is_rate_limited_with_retry_after(api: Client, akixi: Simulator) -> None:
    akixi.faults.fail(429, retry_after=120)
    body = (await api.post(LIST)).json()
    assert error_codes(body) == ["UPSTREAM_RATE_LIMITED"]
    assert str(body["errors"][0]["extensions"]["retryAfter"]) == "120"


async def test_an_add_answered_503_is_not_sent_twice(api: Client, akixi: Simulator) -> None:
    akixi.faults.fail(503, count=1)
    body = (await api.post(ADD)).json()
    assert error_codes(body) == ["UPSTREAM_UNAVAILABLE"] and body["data"] == {"akixiCrmConfigAdd": None}
    assert akixi.calls("POST") == 1
    assert len(akixi.state.configs) == 3  # the fault answered before the simulator stored anything


@pytest.mark.parametrize(
    ("permissions", "operation"),
    [
        (["CRM_INTEGRATION_EDIT", "CRM_INTEGRATION_DELETE"], LIST),
        (["CRM_INTEGRATION_VIEW", "CRM_INTEGRATION_DELETE"], ADD),
        (
            ["CRM_INTEGRATION_VIEW", "CRM_INTEGRATION_EDIT"],
            'mutation { akixiCrmConfigDelete(id: "a:1") { deletedId } }',
        ),
    ],
)
async def test_without_the_permission_it_is_forbidden_and_akixi_is_not_called(
    akixi: Simulator, tmp_path: Path, sqlite_url: str, tenant: str, permissions: list[str], operation: str
) -> None:
    async with gateway(tmp_path, sqlite_url, akixi.url, tenants=[tenant]) as (http, settings):
        body = (await caller(http, settings, tenant, permissions).post(operation)).json()
    assert "FORBIDDEN" in error_codes(body)
    assert akixi.calls() == 0


async def test_a_tenant_the_routing_file_does_not_name_gets_not_configured(
    akixi: Simulator, tmp_path: Path, sqlite_url: str, tenant: str
) -> None:
    async with gateway(tmp_path, sqlite_url, akixi.url, tenants=["someone-else"]) as (http, settings):
        body = (await caller(http, settings, tenant).post(LIST)).json()
    assert error_codes(body) == ["UPSTREAM_NOT_CONFIGURED"] and body["data"]["me"] == {"subject": "tester"}
    assert akixi.calls() == 0


async def test_without_an_akixi_upstream_the_gateway_keeps_the_configurations(client: Client) -> None:
    assert (await client.execute(LIST))["data"]["akixiCrmConfigs"] == {"totalCount": 0}
    added = (await client.execute(ADD))["data"]["akixiCrmConfigAdd"]
    assert added["errors"] == [] and added["crmConfig"]["id"]
    assert (await client.execute(LIST))["data"]["akixiCrmConfigs"] == {"totalCount": 1}


BAD_MUTATIONS = {
    "device with a slash": (
        'akixiCrmConfigDelete(id: "a:1", scope: {deviceNumber: "12/34"})',
        ["scope", "deviceNumber"],
    ),
    "telSysId below -1": ('akixiCrmConfigDelete(id: "a:1", scope: {telSysId: -5})', ["scope", "telSysId"]),
    "id with a slash": ('akixiCrmConfigDelete(id: "a/b")', ["id"]),
    "add for every telephone system": (
        'akixiCrmConfigAdd(input: {crmType: "X"}, scope: {partitionId: 1})',
        ["scope", "telSysId"],
    ),
    "zero cache frequency": (
        f"akixiCrmConfigAdd(scope: {FREE_DEVICE}, input: {{common: {{cacheFrequency: 0}}}})",
        ["input", "common", "cacheFrequency"],
    ),
    "extra repeating a typed key": (
        'akixiCrmConfigAdd(input: {settings: {extra: {ContactsFoldersNames: ["x"]}}})',
        ["input", "settings", "extra"],
    ),
    "extra not an object": (
        f"akixiCrmConfigAdd(scope: {FREE_DEVICE}, input: {{common: {{extra: [1, 2]}}}})",
        ["input", "common", "extra"],
    ),
    "crm type with spaces": (
        'akixiCrmConfigChange(id: "a:1", input: {crmType: "not a type"})',
        ["input", "crmType"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_MUTATIONS))
async def test_bad_input_is_a_user_error_and_nothing_is_sent(
    api: Client, akixi: Simulator, case: str
) -> None:
    call, field = BAD_MUTATIONS[case]
    body = await api.execute(f"mutation {{ result: {call} {{ errors {{ field code }} }} }}")
    assert {"field": field, "code": "INVALID"} in body["data"]["result"]["errors"]
    assert akixi.calls() == 0


@pytest.mark.parametrize(
    "query",
    [
        "{ akixiCrmConfigs(limit: 0) { totalCount } }",
        '{ akixiCrmConfigs(scope: {deviceNumber: "?x"}) { totalCount } }',
        '{ akixiCrmConfig(id: "") { id } }',
    ],
)
async def test_bad_query_arguments_are_bad_user_input_and_nothing_is_sent(
    api: Client, akixi: Simulator, query: str
) -> None:
    response = await api.post(query)
    assert response.status_code == 200 and error_codes(response.json()) == ["BAD_USER_INPUT"]
    assert akixi.calls() == 0


async def test_configurations_in_the_gateway_belong_to_their_tenant(
    client: Client, other_client: Client
) -> None:
    added = (await client.execute(ADD))["data"]["akixiCrmConfigAdd"]["crmConfig"]
    assert (await other_client.execute(LIST))["data"]["akixiCrmConfigs"] == {"totalCount": 0}
    info = (await other_client.post(f'{{ akixiCrmConfig(id: "{added["id"]}") {{ id }} }}')).json()
    assert error_codes(info) == ["NOT_FOUND"] and info["errors"][0]["extensions"]["seedCode"] == "31003"
    delete = f'mutation {{ akixiCrmConfigDelete(id: "{added["id"]}") {{ errors {{ seedCode }} }} }}'
    refused = (await other_client.execute(delete))["data"]["akixiCrmConfigDelete"]
    assert refused == {"errors": [{"seedCode": "31003"}]}
    # One configuration per scope is per tenant: the other tenant may add the same scope.
    assert (await other_client.execute(ADD))["data"]["akixiCrmConfigAdd"]["errors"] == []
    assert (await client.execute(LIST))["data"]["akixiCrmConfigs"] == {"totalCount": 1}
