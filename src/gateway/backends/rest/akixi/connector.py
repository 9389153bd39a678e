"""The Akixi connector (kind ``akixi``): no graph entity, a per-request ``AkixiApi`` instead.

Routing file options (all optional)::

    [upstreams.akixi.options]
    tel_sys_id = 426                  # default scope of every call; -1 / "UnknownNoneOrAll" mean "all"
    partition_id = 1
    device_number = "+442046034983"
    tenants = ["acme"]                # the gateway tenants that may use this Akixi account (default: all)

Credentials: ``api_key`` (sent as ``x-api-key``) or ``jsessionid`` (sent as ``Cookie: JSESSIONID=...``).
"""

from __future__ import annotations

from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gateway.backends.integrations import ALL_DEVICES, ANY_ID, DeviceScope
from gateway.backends.records import Entity
from gateway.backends.rest.akixi.api import AkixiApi
from gateway.backends.rest.client import UpstreamClient
from gateway.backends.rest.connector import ConnectorFactory, RequestScope, register
from gateway.settings import SettingsError


class AkixiOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    tel_sys_id: int = Field(default=ANY_ID, ge=ANY_ID)
    partition_id: int = Field(default=ANY_ID, ge=ANY_ID)
    device_number: str = Field(default=ALL_DEVICES, min_length=1, max_length=64)
    tenants: tuple[str, ...] | None = None


class AkixiConnector:
    entities: frozenset[Entity] = frozenset()  # Akixi holds no entity of the graph

    def __init__(self, client: UpstreamClient) -> None:
        self.client = client
        config = client.config
        where = f"CRM_GATEWAY_BACKENDS: [upstreams.{config.name}]"
        try:
            self.options = AkixiOptions(**config.options)
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, p['loc']))}: {p['msg']}" for p in error.errors())
            raise SettingsError(f"{where} options: {problems}") from None
        self._auth_headers = _auth_headers(config.credentials, where)
        self.default_scope = DeviceScope(
            self.options.tel_sys_id, self.options.partition_id, self.options.device_number
        )

    def backend(self, scope: RequestScope) -> AkixiApi:
        tenants = self.options.tenants
        allowed = tenants is None or scope.tenant in tenants
        return AkixiApi(self.client, scope, self._auth_headers, self.default_scope, allowed)

    async def aclose(self) -> None:
        await self.client.aclose()


def _auth_headers(credentials: dict[str, str], where: str) -> dict[str, str]:
    """Seed 002: "Either Cookie or x-api-key header is required for authentication"."""
    if "api_key" in credentials:
        return {"x-api-key": credentials["api_key"]}
    if "jsessionid" in credentials:
        return {"Cookie": f"JSESSIONID={credentials['jsessionid']};"}
    raise SettingsError(f"{where} credentials: set api_key or jsessionid")


def _factory(client: UpstreamClient) -> Any:
    return AkixiConnector(client)


# The Connector protocol's backend() returns a graph Backend; Akixi's returns its own API (ISSUE5 plan).
register("akixi")(cast(ConnectorFactory, _factory))
