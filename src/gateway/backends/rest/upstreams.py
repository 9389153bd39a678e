"""TEMPORARY wiring from the conecrm branch, until rest-platform's lands: the routing file's upstreams
as per-request backends, and a writer for ``RoutedBackend``.

``Upstreams`` builds one connector per configured upstream (process-wide: its client pool is shared)
and, per request, a ``RoutedBackend`` over the SQL backend. ``RoutedWriter`` sends each write to the
system of its entity; idempotency keys, counters and the queue stay in SQL. The lead replaces this
module with rest-platform's wiring when merging.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any
from uuid import UUID

from gateway.backends.base import Backend, RecordWriter
from gateway.backends.errors import InvalidValue
from gateway.backends.records import Detail, Entity, Relation
from gateway.backends.rest.client import UpstreamClient
from gateway.backends.rest.config import BackendsConfig, load_backends
from gateway.backends.rest.connector import CONNECTORS, Connector, RequestScope
from gateway.backends.routing import RELATION_CHILDREN, RoutedBackend

VENDOR_MODULES = {"conecrm": "gateway.backends.rest.conecrm"}


class Upstreams:
    def __init__(self, config: BackendsConfig) -> None:
        self.config = config
        self.connectors: dict[str, Connector] = {}
        for name, upstream in config.upstreams.items():
            if upstream.kind in VENDOR_MODULES:
                importlib.import_module(VENDOR_MODULES[upstream.kind])
            if upstream.kind in CONNECTORS:
                self.connectors[name] = CONNECTORS[upstream.kind](UpstreamClient(upstream))

    @classmethod
    def from_path(cls, path: str | None) -> Upstreams | None:
        return cls(load_backends(path)) if path else None

    def backend(self, sql: Backend, scope: RequestScope) -> Backend:
        scope = RequestScope(scope.tenant, scope.access, scope.cost, scope.bearer_token, sql=sql)
        per_request = {name: connector.backend(scope) for name, connector in self.connectors.items()}
        routed = {
            entity: per_request[name] for entity, name in self.config.routes.items() if name in per_request
        }
        return WritableRoutedBackend(sql, routed)  # type: ignore[return-value]

    async def aclose(self) -> None:
        for connector in self.connectors.values():
            await connector.aclose()


class WritableRoutedBackend(RoutedBackend):
    def __getattr__(self, name: str) -> Any:
        return getattr(self.sql, name)  # tenant, access, ... of the caller

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[RecordWriter]:
        async with AsyncExitStack() as stack:
            sql_writer = await stack.enter_async_context(self.sql.transaction())
            writers: dict[int, RecordWriter] = {}
            by_entity: dict[Entity, RecordWriter] = {}
            for entity, backend in self.routed.items():
                if id(backend) not in writers:
                    writers[id(backend)] = await stack.enter_async_context(backend.transaction())
                by_entity[entity] = writers[id(backend)]
            yield RoutedWriter(sql_writer, by_entity)  # type: ignore[misc]


class RoutedWriter:
    """Writes by entity; everything that is not about a routed entity goes to the SQL transaction."""

    def __init__(self, sql: RecordWriter, routed: Mapping[Entity, RecordWriter]) -> None:
        self.sql = sql
        self.routed = dict(routed)
        self._owners: dict[UUID, Entity] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sql, name)

    def _for(self, entity: Entity) -> RecordWriter:
        return self.routed.get(entity, self.sql)

    async def get_many(self, entity: Entity, ids: Sequence[UUID], *, include_deleted: bool = False) -> Any:
        return await self._for(entity).get_many(entity, ids, include_deleted=include_deleted)

    async def insert(self, entity: Entity, values: Mapping[str, Any], actor: str) -> UUID:
        record_id = await self._for(entity).insert(entity, values, actor)
        self._owners[record_id] = entity
        return record_id

    async def update(
        self, entity: Entity, id: UUID, values: Mapping[str, Any], actor: str, expected_version: int | None
    ) -> bool:
        self._owners[id] = entity
        return await self._for(entity).update(entity, id, values, actor, expected_version)

    async def set_deleted(
        self, entity: Entity, id: UUID, deleted: bool, actor: str, expected_version: int | None
    ) -> bool:
        return await self._for(entity).set_deleted(entity, id, deleted, actor, expected_version)

    async def replace_details(
        self, detail: Detail, owner_id: UUID, items: Sequence[Mapping[str, Any]]
    ) -> None:
        owner = self._owners.get(owner_id)
        writer = self.sql if detail is Detail.PERMISSIONS or owner is None else self._for(owner)
        await writer.replace_details(detail, owner_id, items)

    def invalid_value(
        self, entity: Entity, values: Mapping[str, Any], details: Mapping[Detail, Sequence[Mapping[str, Any]]]
    ) -> InvalidValue | None:
        return self._for(entity).invalid_value(entity, values, details)

    async def is_referenced(self, entity: Entity, id: UUID) -> bool:
        return await self._for(entity).is_referenced(entity, id)

    async def existing_ids(self, entity: Entity, ids: Sequence[UUID]) -> set[UUID]:
        return await self._for(entity).existing_ids(entity, ids)

    async def link(self, relation: Relation, parent_id: UUID, child_id: UUID) -> bool:
        return await self._for(RELATION_CHILDREN[relation]).link(relation, parent_id, child_id)

    async def unlink(self, relation: Relation, parent_id: UUID, child_id: UUID) -> bool:
        return await self._for(RELATION_CHILDREN[relation]).unlink(relation, parent_id, child_id)

    async def linked_ids(self, relation: Relation, parent_id: UUID) -> set[UUID]:
        return await self._for(RELATION_CHILDREN[relation]).linked_ids(relation, parent_id)
