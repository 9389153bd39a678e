"""The writer of a routed transaction: each write goes to the system that holds its entity.

What is in SQL is written in the SQL transaction and commits or rolls back as one. What lives in an
upstream goes to that connector's writer, opened on the first write to it, and is **not** part of the
SQL transaction: an upstream's API has no transaction to join, so its writes take effect when made and
stay if a later step fails. Mutations should therefore make their upstream write last.

The idempotency-key memory (``remembered_create`` / ``remember_create``) and per-tenant counters stay
in SQL whatever the routes say, so a retried create is recognised even for an upstream entity.
Reads inside the transaction see SQL's uncommitted rows and the upstreams' current state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from datetime import datetime
from typing import Any
from uuid import UUID

from gateway.backends.automations import AutomationEventRecorder
from gateway.backends.base import (
    Capability,
    EntityBackend,
    EntityWriter,
    QueueClaims,
    QueueEvent,
    QueueEventRecorder,
    RecordWriter,
)
from gateway.backends.errors import InvalidValue
from gateway.backends.lead_workflow import LeadCopier
from gateway.backends.records import CommunicationQueueEntryRecord, Detail, Entity, Relation
from gateway.backends.routing import (
    CHILD_PARENTS,
    DETAIL_OWNERS,
    RELATION_CHILDREN,
    RELATION_PARENTS,
    RoutedReads,
    ThirdPartyOwners,
)


class RoutedWriter(RoutedReads):
    def __init__(
        self,
        sql: RecordWriter,
        routed: Mapping[Entity, EntityBackend],
        system_names: Mapping[Entity, str],
        upstream_writers: AsyncExitStack,
    ) -> None:
        super().__init__(sql, routed, system_names)
        self.sql_writer = sql
        self._stack = upstream_writers
        self._opened: dict[int, EntityWriter] = {}  # by id() of the upstream backend

    async def writer_for(self, entity: Entity) -> EntityWriter:
        backend = self.routed.get(entity)
        if backend is None:
            return self.sql_writer
        if id(backend) not in self._opened:
            self._opened[id(backend)] = await self._stack.enter_async_context(backend.transaction())
        return self._opened[id(backend)]

    def _opened_writer(self, entity: Entity) -> EntityWriter | None:
        backend = self.routed.get(entity)
        return self.sql_writer if backend is None else self._opened.get(id(backend))

    async def _parents_translated(self, entity: Entity, values: Mapping[str, Any]) -> Mapping[str, Any]:
        """A routed child's parent references (``CHILD_PARENTS``) as its upstream knows those parents:
        a parent kept in another system that links to it by ThirdPartyId is named by that id there."""
        changed = dict(values)
        for field, parent in CHILD_PARENTS.get(entity, ()):
            value = values.get(field)
            if isinstance(value, UUID):
                changed[field] = await self._translated_parent(entity, parent, value)
        return changed

    async def _parent_there(self, relation: Relation, parent_id: UUID) -> UUID:
        """The parent of a link as the child's system knows it (see ``_parents_translated``)."""
        return await self._translated_parent(
            RELATION_CHILDREN[relation], RELATION_PARENTS[relation], parent_id
        )

    async def _translated_parent(self, child: Entity, parent: Entity, parent_id: UUID) -> UUID:
        """Only where the parent's system can also turn the id back (``ThirdPartyOwners``, i.e. SQL), so
        that what is written reads back under the graph's parent; elsewhere the graph's id goes as it is
        (and the child's system refuses an id it does not know, before anything lands)."""
        if not isinstance(self.backend_for(parent), ThirdPartyOwners):
            return parent_id
        return (await self.parents_there(child, parent, [parent_id])).get(parent_id, parent_id)

    async def insert(self, entity: Entity, values: Mapping[str, Any], actor: str) -> UUID:
        values = await self._parents_translated(entity, values)
        record_id = await (await self.writer_for(entity)).insert(entity, values, actor)
        self.owner_entities[record_id] = entity
        return record_id

    async def copy_lead(self, original_id: UUID, values: Mapping[str, Any]) -> UUID:
        """A copy made by the system that holds leads, where it copies them itself (``LeadCopier``)."""
        writer = await self.writer_for(Entity.LEAD)
        if not isinstance(writer, LeadCopier):
            raise self.not_served(Capability.LEAD_COPY, Entity.LEAD)
        values = await self._parents_translated(Entity.LEAD, values)
        record_id = await writer.copy_lead(original_id, values)
        self.owner_entities[record_id] = Entity.LEAD
        return record_id

    async def update(
        self, entity: Entity, id: UUID, values: Mapping[str, Any], actor: str, expected_version: int | None
    ) -> bool:
        self.owner_entities[id] = entity
        values = await self._parents_translated(entity, values)
        return await (await self.writer_for(entity)).update(entity, id, values, actor, expected_version)

    async def set_deleted(
        self, entity: Entity, id: UUID, deleted: bool, actor: str, expected_version: int | None
    ) -> bool:
        self.owner_entities[id] = entity
        writer = await self.writer_for(entity)
        return await writer.set_deleted(entity, id, deleted, actor, expected_version)

    async def replace_details(
        self, detail: Detail, owner_id: UUID, items: Sequence[Mapping[str, Any]]
    ) -> None:
        entity = await self._owner_entity(detail, owner_id)
        await (await self.writer_for(entity)).replace_details(detail, owner_id, items)

    async def _owner_entity(self, detail: Detail, owner_id: UUID) -> Entity:
        """Which entity owns ``owner_id``: known when this transaction wrote or read it, else looked up."""
        candidates = DETAIL_OWNERS[detail]
        known = self.owner_entities.get(owner_id)
        if known in candidates:
            return known
        if len({id(self.backend_for(entity)) for entity in candidates}) == 1:
            return candidates[0]
        for entity in candidates:
            if owner_id in await (await self.writer_for(entity)).existing_ids(entity, [owner_id]):
                return entity
        return candidates[0]

    def invalid_value(
        self, entity: Entity, values: Mapping[str, Any], details: Mapping[Detail, Sequence[Mapping[str, Any]]]
    ) -> InvalidValue | None:
        # An upstream writer not opened yet cannot be asked without I/O: its upstream checks on write.
        writer = self._opened_writer(entity)
        return writer.invalid_value(entity, values, details) if writer is not None else None

    async def link(self, relation: Relation, parent_id: UUID, child_id: UUID) -> bool:
        parent = await self._parent_there(relation, parent_id)
        return await (await self.writer_for(RELATION_CHILDREN[relation])).link(relation, parent, child_id)

    async def unlink(self, relation: Relation, parent_id: UUID, child_id: UUID) -> bool:
        parent = await self._parent_there(relation, parent_id)
        return await (await self.writer_for(RELATION_CHILDREN[relation])).unlink(relation, parent, child_id)

    async def linked_ids(self, relation: Relation, parent_id: UUID) -> set[UUID]:
        parent = await self._parent_there(relation, parent_id)
        return await (await self.writer_for(RELATION_CHILDREN[relation])).linked_ids(relation, parent)

    async def is_referenced(self, entity: Entity, id: UUID) -> bool:
        return await (await self.writer_for(entity)).is_referenced(entity, id)

    async def existing_ids(self, entity: Entity, ids: Sequence[UUID]) -> set[UUID]:
        return await (await self.writer_for(entity)).existing_ids(entity, ids)

    async def purge(self, entity: Entity, id: UUID, expected_version: int | None) -> bool:
        return await (await self.writer_for(entity)).purge(entity, id, expected_version)

    async def remembered_create(self, caller: str, operation: str, key: str) -> tuple[str, UUID] | None:
        return await self.sql_writer.remembered_create(caller, operation, key)

    async def remember_create(
        self, caller: str, operation: str, key: str, request_hash: str, record_id: UUID
    ) -> None:
        await self.sql_writer.remember_create(caller, operation, key, request_hash, record_id)

    async def next_counter(self, name: str, increment: int = 1) -> int:
        return await self.sql_writer.next_counter(name, increment)

    async def record_queue_events(self, entry_ids: Sequence[UUID], kind: str) -> None:
        writer = await self.writer_for(Entity.COMMUNICATION_QUEUE_ENTRY)
        if not isinstance(writer, QueueEventRecorder):
            raise self.not_served(Capability.QUEUE_EVENTS, Entity.COMMUNICATION_QUEUE_ENTRY)
        await writer.record_queue_events(entry_ids, kind)

    @property
    def recorded_queue_events(self) -> list[QueueEvent]:
        writer = self._opened_writer(Entity.COMMUNICATION_QUEUE_ENTRY)
        return writer.recorded_queue_events if isinstance(writer, QueueEventRecorder) else []

    @property
    def recorded_automation_events(self) -> list[UUID]:
        """Trigger events are recorded by the SQL writer, for the entities SQL holds."""
        writer = self.sql_writer
        return writer.recorded_automation_events if isinstance(writer, AutomationEventRecorder) else []

    async def claim_queue_entries(
        self, external_system_id: UUID, limit: int, lease_seconds: int, claimant: str
    ) -> tuple[UUID, datetime, list[CommunicationQueueEntryRecord]]:
        writer = await self.writer_for(Entity.COMMUNICATION_QUEUE_ENTRY)
        if not isinstance(writer, QueueClaims):
            raise self.not_served(Capability.QUEUE_CLAIMS, Entity.COMMUNICATION_QUEUE_ENTRY)
        return await writer.claim_queue_entries(external_system_id, limit, lease_seconds, claimant)
