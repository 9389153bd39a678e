"""The configured upstreams for the life of the process, and the routed backend of each request.

MINIMUM WIRING added on the crmcom branch so that its connector runs end to end; rest-platform owns the
real wiring (http.py / app.py / context.py) and may replace this module.
"""

from __future__ import annotations

from typing import Any

from gateway.backends.access import RowAccess
from gateway.backends.base import Backend
from gateway.backends.records import Entity
from gateway.backends.rest.client import UpstreamClient
from gateway.backends.rest.config import SQL, BackendsConfig, load_backends
from gateway.backends.rest.connector import CONNECTORS, Connector, RequestScope
from gateway.backends.routing import RoutedBackend
from gateway.cost import Cost
from gateway.settings import Settings, SettingsError


def _register_connectors() -> None:
    """Importing a vendor package registers its connector (``@register``)."""
    import gateway.backends.rest.crmcom  # noqa: F401


class Upstreams:
    def __init__(self, config: BackendsConfig) -> None:
        _register_connectors()
        self.config = config
        self.connectors: dict[str, Connector] = {}
        for name, upstream in config.upstreams.items():
            if upstream.kind not in CONNECTORS:
                raise SettingsError(f"CRM_GATEWAY_BACKENDS: upstream {name}: no {upstream.kind} connector")
            self.connectors[name] = CONNECTORS[upstream.kind](UpstreamClient(upstream))

    @classmethod
    def from_settings(cls, settings: Settings) -> Upstreams:
        return cls(load_backends(settings.backends))

    def backend(
        self, sql: Backend, tenant: str, access: RowAccess, cost: Cost
    ) -> tuple[Backend, dict[str, Any]]:
        """The request's backend (``sql`` itself without routes) and its upstream APIs by kind."""
        if not self.connectors:
            return sql, {}
        scope = RequestScope(tenant=tenant, access=access, cost=cost)
        per_upstream = {name: connector.backend(scope) for name, connector in self.connectors.items()}
        routes = {entity: name for entity, name in self.config.routes.items() if name != SQL}
        routed = RoutedBackend(
            sql,
            {entity: per_upstream[name] for entity, name in routes.items()},
            {entity: self.config.upstreams[name].system_name for entity, name in routes.items()},
        )
        for backend in per_upstream.values():
            bind = getattr(backend, "bind", None)
            if bind is not None:
                bind(routed)
        apis = {self.config.upstreams[name].kind: backend for name, backend in per_upstream.items()}
        return routed, apis

    def routed_to(self, entity: Entity) -> tuple[str, Connector] | None:
        name = self.config.routes.get(entity, SQL)
        return None if name == SQL else (name, self.connectors[name])

    async def aclose(self) -> None:
        for connector in self.connectors.values():
            await connector.aclose()
