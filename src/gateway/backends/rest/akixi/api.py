"""``AkixiApi``: seed 002's five operations for one request, on the caller's tenant's behalf."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import quote

import httpx

from gateway.backends.crm_settings import InvalidJsonData, dump_common, dump_settings
from gateway.backends.integrations import CrmConfig, CrmConfigChange, CrmConfigPage, DeviceScope, Integrations
from gateway.backends.rest.akixi import records
from gateway.backends.rest.akixi.errors import failure, invalid_response
from gateway.backends.rest.client import UpstreamClient
from gateway.backends.rest.connector import RequestScope
from gateway.backends.rest.errors import UpstreamNotConfigured

# Seed 002 List/Info: the fields asked for in every answer, in the seed's own notation.
CONFIGURATION_FIELDS = (
    "[TelSysDescription,PartitionDescription,DeviceDescription,CMEnvironmentID,TelSysID,DeviceNumber,"
    "PartIDInTelSys]"
)


class AkixiApi:
    """``gateway.backends.integrations.Integrations`` over Akixi."""

    def __init__(
        self,
        client: UpstreamClient,
        request: RequestScope,
        auth_headers: dict[str, str],
        default_scope: DeviceScope,
        allowed: bool,
    ) -> None:
        self._client = client
        self._request = request
        self._auth_headers = auth_headers
        self.default_scope = default_scope  # the routing file's options; each call may name another
        self._allowed = allowed  # False: the routing file does not open this upstream to the tenant

    def integrations(self) -> Integrations:
        return self

    async def add(self, change: CrmConfigChange, scope: DeviceScope | None = None) -> CrmConfig | None:
        """Add; the answer is an empty 204, so the new configuration is read back by List on its scope
        (one configuration per scope, seed 002 31005). None if it is not listed (yet)."""
        where = scope or self.default_scope
        await self._call("POST", _configs(where), json=_body(change))
        listed = await self.list(where, limit=1000)
        found = next((c for c in listed.items if _in_scope(c, where)), None)
        # List items carry no settings: those are what was just sent.
        return None if found is None else replace(found, settings=change.settings, common=change.common)

    async def change(self, config_id: str, change: CrmConfigChange, scope: DeviceScope | None = None) -> None:
        await self._call("PUT", _config(scope or self.default_scope, config_id), json=_body(change))

    async def delete(self, config_id: str, scope: DeviceScope | None = None) -> None:
        await self._call("DELETE", _config(scope or self.default_scope, config_id))

    async def list(
        self, scope: DeviceScope | None = None, limit: int = 25, offset: int = 0, descending: bool = False
    ) -> CrmConfigPage:
        params = {
            "limit": limit,
            "offset": offset,
            "sort": "DESC" if descending else "ASC",
            "crmConfigurationFields": CONFIGURATION_FIELDS,
        }
        data = await self._read(_configs(scope or self.default_scope), params)
        return self._parsed(records.page, data)

    async def info(self, config_id: str, scope: DeviceScope | None = None) -> CrmConfig:
        params = {"crmConfigurationFields": CONFIGURATION_FIELDS}
        data = await self._read(_config(scope or self.default_scope, config_id), params)
        return self._parsed(records.config, data)

    async def _read(self, path: str, params: dict[str, Any]) -> Any:
        response = await self._call("GET", path, params=params)
        try:
            body = response.json()
        except ValueError:
            raise invalid_response(self._client.name, "the body is not JSON") from None
        if not isinstance(body, dict) or body.get("Result") != "Success" or "Data" not in body:
            raise invalid_response(self._client.name, "no successful Result with Data")
        return body["Data"]

    def _parsed(self, reader: Any, data: Any) -> Any:
        try:
            return reader(data)
        except InvalidJsonData as problem:
            raise invalid_response(self._client.name, str(problem)) from None

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if not self._allowed:
            raise UpstreamNotConfigured(self._client.name, "Akixi is not configured for your tenant.")
        headers = {"Content-Type": "application/json", **self._auth_headers}
        response = await self._client.request(
            method, path, cost=self._request.cost, headers=headers, **kwargs
        )
        if not response.is_success:
            raise failure(self._client.name, response)
        return response


def _configs(scope: DeviceScope) -> str:
    device = quote(scope.device_number, safe="")
    where = f"telsys/{scope.tel_sys_id}/partition/{scope.partition_id}/device/{device}"
    return f"/CCS/API/v1/admin/{where}/crm/configs"


def _config(scope: DeviceScope, config_id: str) -> str:
    # Seed 002 sample: CRMConfigID "3d5b6efefaa0a823%3A3af2db2a%3A199bb1c0014%3A-496" (':' encoded).
    return f"{_configs(scope)}/{quote(config_id, safe='')}"


def _body(change: CrmConfigChange) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if change.description is not None:
        body["Description"] = change.description
    if change.crm_type is not None:
        body["CRMType"] = change.crm_type
    if change.settings is not None:
        body["CRMConfiguration"] = {"JSONData": dump_settings(change.settings)}
    if change.common is not None:
        body["CRMConfigurationCommon"] = {"JSONData": dump_common(change.common)}
    return body


def _in_scope(config: CrmConfig, scope: DeviceScope) -> bool:
    wanted = (scope.tel_sys_id, scope.partition_id, scope.device_number)
    return (config.tel_sys_id, config.partition_id, config.device_number) == wanted
