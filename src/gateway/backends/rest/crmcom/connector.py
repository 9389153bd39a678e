"""The ``crmcom`` connector: one per configured CRM.COM upstream, for the life of the process.

Routing-file settings (docs/upstreams/crmcom.md): ``credentials.username``/``password``/``organisation`` (the
login method) or ``credentials.token``; ``options.tenants`` (the gateway tenants this upstream's account
serves; default: the organisation's name) and ``options.poll_seconds`` (the queue poller).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.records import Entity
from gateway.backends.rest.client import UpstreamClient
from gateway.backends.rest.connector import RequestScope, register
from gateway.backends.rest.crmcom.api import CrmcomApi, TokenSource
from gateway.backends.rest.crmcom.backend import ENTITIES, CrmcomBackend
from gateway.pubsub import PubSub


class CrmcomConnector:
    entities = ENTITIES
    # No batch-by-ids or by-parent form in CRM.COM's API: the upstream-call budget counts per parent.
    batches: frozenset[Entity] = frozenset()

    def __init__(self, client: UpstreamClient) -> None:
        self.client = client
        self.tokens = TokenSource(client)
        options, credentials = client.config.options, client.config.credentials
        tenants = options.get("tenants") or [credentials.get("organisation")]
        self.tenants = frozenset(str(tenant) for tenant in tenants if tenant)

    def backend(self, scope: RequestScope) -> CrmcomBackend:
        api = CrmcomApi(self.client, self.tokens, scope.cost)
        serves = scope.tenant in self.tenants
        return CrmcomBackend(api, scope, serves, self.client.config.max_concurrency)

    def background(self, routed: frozenset[Entity], engine: AsyncEngine, pubsub: PubSub) -> list[Any]:
        """What runs while the app does: the queue poller, when the routing file sends the queue here."""
        if Entity.COMMUNICATION_QUEUE_ENTRY not in routed:
            return []
        from gateway.backends.rest.crmcom.poller import QueuePoller  # it imports this module

        return [QueuePoller(self, engine, pubsub).run()]

    async def aclose(self) -> None:
        await self.client.aclose()


@register("crmcom")
def crmcom_connector(client: UpstreamClient) -> CrmcomConnector:
    return CrmcomConnector(client)
