"""The Akixi simulator keeps seed 002's contract, and the connector reads what it answers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from akixi_support import (
    ADMIN,
    API_KEY,
    Simulator,
    every_akixi_profile,  # noqa: F401  (the akixi_profile fixture: each test under every profile)
    serve_akixi,
)
from gateway.backends.access import RowAccess
from gateway.backends.rest.akixi import AkixiApi, AkixiConnector, AkixiRejected, DeviceScope
from gateway.backends.rest.client import UpstreamClient
from gateway.backends.rest.config import UpstreamConfig
from gateway.backends.rest.connector import RequestScope
from gateway.cost import Cost
from gateway.settings import SettingsError
from simulators.akixi import AkixiSimulator

DEVICE_PATH = "/telsys/426/partition/1/device/%2B442046034980/crm/configs"
BODY = {
    "Description": "test CRM",
    "CRMType": "CrmAddin.GraphContacts.GraphContactsAddin",
    "CRMConfiguration": {"JSONData": '{"RelatedMailFoldersNames":[],"ContactsFoldersNames":["Contacts"]}'},
    "CRMConfigurationCommon": {"JSONData": '{"Cached":true,"CacheFrequency":"60"}'},
}


@pytest.fixture
def akixi(akixi_profile: str) -> Iterator[Simulator]:
    with serve_akixi(akixi_profile) as simulator:
        yield simulator


@pytest.fixture
async def http(akixi: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=akixi.url, headers={"x-api-key": API_KEY}) as client:
        yield client


def _config(url: str, options: dict[str, object] | None = None, **credentials: str) -> UpstreamConfig:
    return UpstreamConfig(
        name="akixi",
        kind="akixi",
        base_url=url,
        system_name="Akixi",
        credentials=credentials,
        options={"tenants": ["acme"]} if options is None else options,
    )


@pytest.fixture
async def api(akixi: Simulator) -> AsyncIterator[AkixiApi]:
    connector = AkixiConnector(UpstreamClient(_config(akixi.url, api_key=API_KEY)))
    try:
        yield connector.backend(RequestScope("acme", RowAccess("tester", admin=False), Cost()))
    finally:
        await connector.aclose()


async def test_add_answers_204_without_a_body_or_200_with_the_samples_body(
    http: httpx.AsyncClient, akixi_profile: str
) -> None:
    """Seed 002 line 53 says 204 No Content; lines 55-57 show {"Result": "Success"}: both readings."""
    response = await http.post(ADMIN + DEVICE_PATH, json=BODY)
    if akixi_profile == "literal":
        assert (response.status_code, response.content) == (204, b"")
    else:
        assert (response.status_code, response.json()) == (200, {"Result": "Success"})


@pytest.mark.parametrize(
    "body",
    [
        {**BODY, "customFields": {}},
        {**BODY, "CRMConfiguration": {"JSONData": "{}", "Extra": 1}},
    ],
)
async def test_a_body_member_the_seed_does_not_define_is_refused(
    http: httpx.AsyncClient, akixi: Simulator, body: dict[str, object]
) -> None:
    akixi.contracts.enabled = False  # sent on purpose outside the seed's contract
    response = await http.post(ADMIN + DEVICE_PATH, json=body)
    assert response.status_code == 400 and "Unknown member" in response.json()["ErrorMessage"]
    assert akixi.state.configs.keys() == AkixiSimulator.demo().configs.keys()


async def test_a_query_parameter_the_seed_does_not_define_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.get(ADMIN + DEVICE_PATH, params={"limit": 5, "filter": "x"})
    assert response.status_code == 400 and "filter" in response.json()["ErrorMessage"]


async def test_a_crm_code_as_each_profile_reads_the_error_envelope(
    http: httpx.AsyncClient, akixi_profile: str
) -> None:
    response = await http.get(f"{ADMIN}{DEVICE_PATH}/nope:1")
    expected = (404, 31003) if akixi_profile == "literal" else (400, "31003")
    assert (response.status_code, response.json()["ErrorCode"]) == expected


async def test_delete_also_serves_the_seeds_amin_path(http: httpx.AsyncClient, akixi: Simulator) -> None:
    config_id = next(iter(akixi.state.configs))
    config = akixi.state.configs[config_id]
    path = f"/telsys/{config.device.tel_sys_id}/partition/-1/device/UnknownNoneOrAll/crm/configs/{config_id}"
    response = await http.delete("/CCS/API/v1/amin" + path)
    assert response.status_code in (200, 204) and config_id not in akixi.state.configs


async def test_without_credentials_the_answer_is_401(akixi: Simulator) -> None:
    async with httpx.AsyncClient(base_url=akixi.url) as anonymous:
        response = await anonymous.get(ADMIN + DEVICE_PATH)
    assert response.status_code == 401 and response.json()["Result"] == "Error"


async def test_info_gives_ids_as_strings_and_settings_as_objects(
    http: httpx.AsyncClient, akixi_profile: str
) -> None:
    await http.post(ADMIN + DEVICE_PATH, json=BODY)
    listed = (await http.get(ADMIN + DEVICE_PATH, params={"crmConfigurationFields": "[TelSysID]"})).json()
    (item,) = listed["Data"]["Items"]
    assert item["TelSysID"] == (426 if akixi_profile == "literal" else "426")
    info = (
        await http.get(
            f"{ADMIN}{DEVICE_PATH}/{item['CRMConfigurationID']}",
            params={"crmConfigurationFields": "[TelSysID,PartIDInTelSys]"},
        )
    ).json()
    assert info["Data"]["TelSysID"] == "426" and info["Data"]["PartIDInTelSys"] == "1"
    settings = info["Data"]["CRMConfiguration"]
    if akixi_profile == "textual":  # the JSONData form Add sent (seed 002 lines 43-45)
        settings = json.loads(settings["JSONData"])
    assert settings["ContactsFoldersNames"] == ["Contacts"]


async def test_a_missing_id_reaches_the_connector_as_31002(api: AkixiApi) -> None:
    with pytest.raises(AkixiRejected) as raised:
        await api.info(" ", DeviceScope(426, 1, "+442046034983"))
    assert raised.value.extensions == {
        "code": "REQUIRED",
        "system": "akixi",
        "seedCode": "31002",
        "upstreamCode": "31002",
    }


@pytest.mark.parametrize("options", [{}, {"tenants": []}, {"tel_sys_id": 426}])
async def test_a_connector_without_its_tenants_refuses_to_start(
    akixi: Simulator, options: dict[str, object]
) -> None:
    """The gateway serves every tenant its tokens name; one Akixi account must say which may use it."""
    client = UpstreamClient(_config(akixi.url, options, api_key=API_KEY))
    try:
        with pytest.raises(SettingsError, match=r"\[upstreams.akixi\] options.tenants: required"):
            AkixiConnector(client)
    finally:
        await client.aclose()


async def test_a_connector_needs_a_key_or_a_session(akixi: Simulator) -> None:
    client = UpstreamClient(_config(akixi.url))
    try:
        with pytest.raises(SettingsError, match="set api_key or jsessionid"):
            AkixiConnector(client)
    finally:
        await client.aclose()
