"""TEMPORARY minimal wiring (akixi branch) until rest-platform's wiring lands: the configured upstreams'
per-request APIs for ``RequestContext.upstream_apis`` (by connector kind). Replace with the platform's.
"""

from __future__ import annotations

import logging
from typing import Any

import gateway.backends.rest.akixi  # noqa: F401  (registers the akixi connector)
from gateway.auth import Principal
from gateway.backends.access import RowAccess
from gateway.backends.rest.client import UpstreamClient
from gateway.backends.rest.config import load_backends
from gateway.backends.rest.connector import CONNECTORS, Connector, RequestScope
from gateway.cost import Cost
from gateway.settings import Settings

log = logging.getLogger(__name__)


class UpstreamApis:
    """One connector per configured upstream for the life of the process."""

    def __init__(self, settings: Settings) -> None:
        self.connectors: dict[str, Connector] = {}
        for config in load_backends(settings.backends).upstreams.values():
            factory = CONNECTORS.get(config.kind)
            if factory is None:
                log.warning("upstream %s: no %s connector in this build", config.name, config.kind)
                continue
            self.connectors[config.kind] = factory(UpstreamClient(config))

    def for_request(self, principal: Principal, cost: Cost) -> dict[str, Any]:
        scope = RequestScope(principal.tenant, RowAccess.for_principal(principal), cost)
        return {kind: connector.backend(scope) for kind, connector in self.connectors.items()}

    async def aclose(self) -> None:
        for connector in self.connectors.values():
            await connector.aclose()
