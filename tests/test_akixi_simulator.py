"""The Akixi simulator keeps seed 002's contract, and the connector reads what it answers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from akixi_support import ADMIN, API_KEY, Simulator, serve_akixi
from gateway.backends.access import RowAccess
from gateway.backends.rest.akixi import AkixiApi, AkixiConnector, AkixiRejected, DeviceScope
from gateway.backends.rest.client import UpstreamClient
from gateway.backends.rest.config import UpstreamConfig
from gateway.backends.rest.connector import RequestScope
from gateway.cost import Cost
from gateway.settings import SettingsError

DEVICE_PATH = "/telsys/426/partition/1/device/%2B442046034980/crm/configs"
BODY = {
    "Description": "test CRM",
    "CRMType": "CrmAddin.GraphContacts.GraphContactsAddin",
    "CRMConfiguration": {"JSONData": '{"RelatedMailFoldersNames":[],"ContactsFoldersNames":["Contacts"]}'},
    "CRMConfigurationCommon": {"JSONData": '{"Cached":true,"CacheFrequency":"60"}'},
}


@pytest.fixture
def akixi() -> Iterator[Simulator]:
    with serve_akixi() as simulator:
        yield simulator


@pytest.fixture
async def http(akixi: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=akixi.url, headers={"x-api-key": API_KEY}) as client:
        yield client


def _config(url: str, **credentials: str) -> UpstreamConfig:
    return UpstreamConfig(
        name="akixi", kind="akixi", base_url=url, system_name="Akixi", credentials=credentials
    )


@pytest.fixture
async def api(akixi: Simulator) -> AsyncIterator[AkixiApi]:
    connector = AkixiConnector(UpstreamClient(_config(akixi.url, api_key=API_KEY)))
    try:
        yield connector.backend(RequestScope("acme", RowAccess("tester", admin=False), Cost()))
    finally:
        await connector.aclose()


async def test_add_answers_204_without_a_body(http: httpx.AsyncClient) -> None:
    response = await http.post(ADMIN + DEVICE_PATH, json=BODY)
    assert (response.status_code, response.content) == (204, b"")


async def test_delete_also_serves_the_seeds_amin_path(http: httpx.AsyncClient, akixi: Simulator) -> None:
    config_id = next(iter(akixi.state.configs))
    config = akixi.state.configs[config_id]
    path = f"/telsys/{config.device.tel_sys_id}/partition/-1/device/UnknownNoneOrAll/crm/configs/{config_id}"
    response = await http.delete("/CCS/API/v1/amin" + path)
    assert response.status_code == 204 and config_id not in akixi.state.configs


async def test_without_credentials_the_answer_is_401(akixi: Simulator) -> None:
    async with httpx.AsyncClient(base_url=akixi.url) as anonymous:
        response = await anonymous.get(ADMIN + DEVICE_PATH)
    assert response.status_code == 401 and response.json()["Result"] == "Error"


async def test_info_gives_ids_as_strings_and_settings_as_objects(http: httpx.AsyncClient) -> None:
    await http.post(ADMIN + DEVICE_PATH, json=BODY)
    listed = (await http.get(ADMIN + DEVICE_PATH, params={"crmConfigurationFields": "[TelSysID]"})).json()
    (item,) = listed["Data"]["Items"]
    assert item["TelSysID"] == 426
    info = (
        await http.get(
            f"{ADMIN}{DEVICE_PATH}/{item['CRMConfigurationID']}",
            params={"crmConfigurationFields": "[TelSysID,PartIDInTelSys]"},
        )
    ).json()
    assert info["Data"]["TelSysID"] == "426" and info["Data"]["PartIDInTelSys"] == "1"
    assert info["Data"]["CRMConfiguration"]["ContactsFoldersNames"] == ["Contacts"]


async def test_a_missing_id_reaches_the_connector_as_31002(api: AkixiApi) -> None:
    with pytest.raises(AkixiRejected) as raised:
        await api.info(" ", DeviceScope(426, 1, "+442046034983"))
    assert raised.value.extensions == {
        "code": "REQUIRED",
        "system": "akixi",
        "seedCode": "31002",
        "upstreamCode": "31002",
    }


async def test_a_connector_needs_a_key_or_a_session(akixi: Simulator) -> None:
    client = UpstreamClient(_config(akixi.url))
    try:
        with pytest.raises(SettingsError, match="set api_key or jsessionid"):
            AkixiConnector(client)
    finally:
        await client.aclose()
