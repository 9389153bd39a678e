"""The Akixi connector (kind ``akixi``): no graph entity, a per-request ``AkixiApi`` instead.

Routing file options (``tenants`` required)::

    [upstreams.akixi.options]
    tenants = ["acme"]                # the gateway tenants that may use this Akixi account
    tel_sys_id = 426                  # default scope of every call; -1 / "UnknownNoneOrAll" mean "all"
    partition_id = 1
    device_number = "+442046034983"

``tenants`` is required: the gateway takes each caller's tenant from its token, so every deployment
can serve several tenants, and one Akixi account (seed 002 knows no tenant) would otherwise be open to
all of them. Without it the gateway refuses to start, naming the option.

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
    tenants: tuple[str, ...] | None = None  # None: not set, refused by ``AkixiConnector``


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
        if not self.options.tenants:
            raise SettingsError(
                f'{where} options.tenants: required (e.g. tenants = ["acme"]): one Akixi account serves '
                "every tenant allowed here, and the gateway serves every tenant its tokens name, so the "
                "tenants that may use this account must be listed"
            )
        self._auth_headers = _auth_headers(config.credentials, where)
        self.default_scope = DeviceScope(
            self.options.tel_sys_id, self.options.partition_id, self.options.device_number
        )

    def backend(self, scope: RequestScope) -> AkixiApi:
        allowed = scope.tenant in (self.options.tenants or ())
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
