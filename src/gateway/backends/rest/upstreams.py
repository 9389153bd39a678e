"""The configured upstreams of one gateway process, built at start-up from the routing file.

``Upstreams`` makes one ``UpstreamClient`` and connector per ``[upstreams.<name>]`` section (the vendor
module is imported by its ``kind`` only when configured), checks that every route names an entity its
connector can hold, and for each request builds the routed backend and the per-kind upstream APIs.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.base import Backend
from gateway.backends.records import Entity
from gateway.backends.rest.client import UpstreamClient
from gateway.backends.rest.config import BackendsConfig, UpstreamConfig, load_backends
from gateway.backends.rest.connector import CONNECTORS, Connector, RequestScope
from gateway.backends.routing import RoutedBackend
from gateway.pubsub import PubSub
from gateway.settings import Settings, SettingsError


@dataclass(frozen=True)
class UpstreamRoute:
    """What the upstream-call estimate needs to know of a routed entity."""

    system: str  # the upstream's name in the routing file (as in ``upstreamCallsBySystem``)
    batches: bool  # a nested list or by-id load costs one call per level, not one per parent
    count_calls: int = 1  # the most calls a connection's totalCount of this entity may take


class Upstreams:
    def __init__(self, config: BackendsConfig, connectors: Mapping[str, Connector]) -> None:
        self.config = config
        self.connectors = dict(connectors)
        self.routes: dict[Entity, UpstreamRoute] = {
            entity: UpstreamRoute(
                name, entity in _batched(self.connectors[name]), _count_calls(self.connectors[name], entity)
            )
            for entity, name in config.routes.items()
            if name in self.connectors
        }

    @classmethod
    def from_settings(cls, settings: Settings) -> Upstreams | None:
        """None without a routing file: the SQL backend then serves everything, as it always did."""
        if settings.backends is None:
            return None
        return cls.build(load_backends(settings.backends))

    @classmethod
    def build(
        cls, config: BackendsConfig, transports: Mapping[str, httpx.AsyncBaseTransport] | None = None
    ) -> Upstreams:
        # A client that never sent anything holds no connection: a refusal below leaves nothing open.
        connectors = {
            name: _connector(upstream, UpstreamClient(upstream, (transports or {}).get(name)))
            for name, upstream in config.upstreams.items()
        }
        _check_routes(config, connectors)
        return cls(config, connectors)

    def for_request(self, sql: Backend, scope: RequestScope) -> tuple[Backend, dict[str, Any]]:
        """The request's backend (routed by entity) and its upstream APIs by connector kind."""
        backends = {name: connector.backend(scope) for name, connector in self.connectors.items()}
        apis = {self.config.upstreams[name].kind: backend for name, backend in backends.items()}
        routed = {entity: backends[route.system] for entity, route in self.routes.items()}
        system_names = {
            entity: self.config.upstreams[route.system].system_name for entity, route in self.routes.items()
        }
        if not routed:
            return sql, apis
        backend = RoutedBackend(sql, routed, system_names)
        for upstream in backends.values():
            # A connector that needs the rest of the request's graph (e.g. CRM.COM checking the row rules
            # of contacts held elsewhere) gets the routed backend once it exists.
            bind = getattr(upstream, "bind", None)
            if bind is not None:
                bind(backend)
        return backend, apis

    def routed_to(self, entity: Entity) -> tuple[str, Connector] | None:
        """The upstream name and connector that hold ``entity``; None when it lives in SQL."""
        route = self.routes.get(entity)
        return None if route is None else (route.system, self.connectors[route.system])

    def start_background(self, engine: AsyncEngine, pubsub: PubSub) -> list[asyncio.Task[None]]:
        """Start what connectors run while the app does (``background``, optional: e.g. CRM.COM's queue
        poller), each told which entities the routing file sends it."""
        tasks: list[asyncio.Task[None]] = []
        for name, connector in self.connectors.items():
            background = getattr(connector, "background", None)
            if background is None:
                continue
            routed = frozenset(entity for entity, route in self.routes.items() if route.system == name)
            for number, job in enumerate(background(routed, engine, pubsub)):
                tasks.append(asyncio.create_task(job, name=f"upstream-{name}-{number}"))
        return tasks

    async def aclose(self) -> None:
        for connector in self.connectors.values():
            await connector.aclose()


def _connector(upstream: UpstreamConfig, client: UpstreamClient) -> Connector:
    factory = CONNECTORS.get(upstream.kind)
    if factory is None:
        module = f"gateway.backends.rest.{upstream.kind}"
        try:
            importlib.import_module(module)  # registers the kind's factory
        except ModuleNotFoundError as error:
            if error.name != module:
                raise
        factory = CONNECTORS.get(upstream.kind)
    if factory is None:
        raise SettingsError(
            f"CRM_GATEWAY_BACKENDS: [upstreams.{upstream.name}] kind {upstream.kind!r}: "
            "this build of the gateway has no such connector"
        )
    return factory(client)


def _check_routes(config: BackendsConfig, connectors: Mapping[str, Connector]) -> None:
    for entity, name in config.routes.items():
        if name in connectors and entity not in connectors[name].entities:
            held = ", ".join(sorted(connectors[name].entities)) or "no graph entities"
            raise SettingsError(
                f"CRM_GATEWAY_BACKENDS: [routes] {entity.value} = {name!r}, but the "
                f"{config.upstreams[name].kind} connector holds {held}"
            )


def _count_calls(connector: Connector, entity: Entity) -> int:
    """The most calls a ``totalCount`` of ``entity`` takes there (``count_calls``; one by default)."""
    return int(getattr(connector, "count_calls", {}).get(entity, 1))


def _batched(connector: Connector) -> frozenset[Entity]:
    """Entities the connector loads in one call per level (``batches``); the others cost one per parent."""
    return frozenset(getattr(connector, "batches", frozenset()))
