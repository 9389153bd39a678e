"""What a vendor connector provides, and the registry that builds one from its ``kind``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from gateway.backends.access import RowAccess
from gateway.backends.base import EntityBackend, RecordReader
from gateway.backends.records import Entity
from gateway.backends.rest.client import UpstreamClient
from gateway.cost import Cost


@dataclass(frozen=True)
class RequestScope:
    """Who is asking, for one request: what a connector needs to call its upstream on the caller's behalf."""

    tenant: str
    access: RowAccess
    cost: Cost
    # The caller's bearer token (the JWT of its Authorization header, or of the WebSocket's connection_init
    # payload), for upstreams configured to forward it; None for API-key callers.
    bearer_token: str | None = field(default=None, repr=False)
    # The gateway's own SQL reader for this caller, for what the gateway keeps about upstream records
    # (e.g. contact row rules, seed 000 ContactPermission). Added by the conecrm branch.
    sql: RecordReader | None = field(default=None, repr=False)


class Connector(Protocol):
    """One upstream, for the life of the process (it owns the ``UpstreamClient``).

    Optional: ``batches: frozenset[Entity]``, the entities whose by-id loads and nested lists take one
    upstream call per level (a batch form such as ConeCRM's query-builder ``in`` rule). The upstream-call
    budget counts one call per level for those and one per parent for the others; without the attribute
    every entity counts per parent. Optional: ``count_calls: Mapping[Entity, int]``, the most calls a
    connection's ``totalCount`` of an entity may take (one where absent). ``backend(scope)`` is called
    for every request, so it does no I/O.
    Optional too: ``background(routed, engine, pubsub)``, coroutines to run while the app does (CRM.COM's
    queue poller), given the entities the routing file sends to this upstream.
    """

    client: UpstreamClient
    entities: frozenset[Entity]  # the entity types it can hold; routing anything else to it is refused

    def backend(self, scope: RequestScope) -> EntityBackend:
        """A backend for one request; every call it makes counts in ``scope.cost``."""
        ...

    async def aclose(self) -> None: ...


ConnectorFactory = Callable[[UpstreamClient], Connector]
CONNECTORS: dict[str, ConnectorFactory] = {}  # kind -> factory; each vendor module registers itself


def register(kind: str) -> Callable[[ConnectorFactory], ConnectorFactory]:
    def add(factory: ConnectorFactory) -> ConnectorFactory:
        CONNECTORS[kind] = factory
        return factory

    return add
