"""One backend made of several: each entity type is served by the system the routing file names.

``RoutedBackend`` implements the backend protocol by sending each call to the backend that holds the
entity it is about: an entity's own lists and lookups go to its system; a relation goes to the system
of its child entity; details go to the system of their owner. With no routing file it is not used at
all: the SQL backend serves everything directly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any
from uuid import UUID

from gateway.backends.base import Backend, QueueEvent, RecordWriter
from gateway.backends.cross_system import by_parent_across
from gateway.backends.query import ListQuery, Page
from gateway.backends.records import (
    AuditedRecord,
    CommunicationRecord,
    ContactRecord,
    Detail,
    Entity,
    Relation,
    TenantRecord,
)

# The parent entity of each relation (its child entity is in each backend's own mapping).
RELATION_PARENTS: dict[Relation, Entity] = {
    Relation.CONTACT_ACCOUNTS: Entity.CONTACT,
    Relation.CONTACT_LEADS: Entity.CONTACT,
    Relation.CONTACT_EVENTS: Entity.CONTACT,
    Relation.ACCOUNT_CONTACTS: Entity.ACCOUNT,
    Relation.ACCOUNT_LEADS: Entity.ACCOUNT,
    Relation.ACCOUNT_EVENTS: Entity.ACCOUNT,
    Relation.LEAD_EVENTS: Entity.LEAD,
    Relation.LEAD_ASSIGNEES: Entity.LEAD,
    Relation.STAGE_LEADS: Entity.STAGE,
    Relation.CONTACT_COMMUNICATIONS: Entity.CONTACT,
    Relation.LEAD_COMMUNICATIONS: Entity.LEAD,
    Relation.ACCOUNT_COMMUNICATIONS: Entity.ACCOUNT,
    Relation.COMMUNICATION_QUEUE_ENTRIES: Entity.COMMUNICATION,
}
RELATION_CHILDREN: dict[Relation, Entity] = {
    Relation.CONTACT_ACCOUNTS: Entity.ACCOUNT,
    Relation.CONTACT_LEADS: Entity.LEAD,
    Relation.CONTACT_EVENTS: Entity.EVENT,
    Relation.ACCOUNT_CONTACTS: Entity.CONTACT,
    Relation.ACCOUNT_LEADS: Entity.LEAD,
    Relation.ACCOUNT_EVENTS: Entity.EVENT,
    Relation.LEAD_EVENTS: Entity.EVENT,
    Relation.LEAD_ASSIGNEES: Entity.USER,
    Relation.STAGE_LEADS: Entity.LEAD,
    Relation.CONTACT_COMMUNICATIONS: Entity.COMMUNICATION,
    Relation.LEAD_COMMUNICATIONS: Entity.COMMUNICATION,
    Relation.ACCOUNT_COMMUNICATIONS: Entity.COMMUNICATION,
    Relation.COMMUNICATION_QUEUE_ENTRIES: Entity.COMMUNICATION_QUEUE_ENTRY,
}
# Which entities own each kind of detail list (contacts and accounts are both customers in seed 004).
DETAIL_OWNERS: dict[Detail, tuple[Entity, ...]] = {
    Detail.EMAILS: (Entity.CONTACT, Entity.ACCOUNT),
    Detail.PHONES: (Entity.CONTACT, Entity.ACCOUNT),
    Detail.ADDRESSES: (Entity.CONTACT, Entity.ACCOUNT),
    Detail.THIRD_PARTY_IDS: (Entity.CONTACT, Entity.ACCOUNT),
    Detail.PERMISSIONS: (Entity.CONTACT,),
    Detail.COMMUNICATION_REFERENCES: (Entity.COMMUNICATION,),
}


class RoutedBackend:
    """Reads routed per entity; ``sql`` serves every entity the routes do not name."""

    def __init__(
        self, sql: Backend, routed: Mapping[Entity, Backend], system_names: Mapping[Entity, str] | None = None
    ) -> None:
        self.sql = sql
        self.routed = dict(routed)
        # crmcom branch (minimum cross-system relations): the ThirdPartyId systemName of each routed entity.
        self.system_names = dict(system_names or {})

    @property
    def tenant(self) -> str:
        return self.sql.tenant  # type: ignore[attr-defined,no-any-return]

    @property
    def access(self) -> Any:
        return self.sql.access  # type: ignore[attr-defined]

    def transaction(self) -> AbstractAsyncContextManager[RecordWriter]:
        return routed_transaction(self)  # crmcom branch: minimum routed writer

    def backend_for(self, entity: Entity) -> Backend:
        return self.routed.get(entity, self.sql)

    async def get_many(
        self, entity: Entity, ids: Sequence[UUID], *, include_deleted: bool = False
    ) -> Mapping[UUID, AuditedRecord]:
        return await self.backend_for(entity).get_many(entity, ids, include_deleted=include_deleted)

    async def page(self, entity: Entity, query: ListQuery) -> Page[AuditedRecord]:
        return await self.backend_for(entity).page(entity, query)

    async def count(self, entity: Entity, query: ListQuery) -> int:
        return await self.backend_for(entity).count(entity, query)

    async def pages_by_parent(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> Mapping[UUID, Page[AuditedRecord]]:
        child = RELATION_CHILDREN[relation]
        backend = self.backend_for(child)
        parents = self.backend_for(RELATION_PARENTS[relation])
        if parents is backend or child not in self.system_names:
            return await backend.pages_by_parent(relation, parent_ids, query)

        async def load(ids: list[UUID]) -> Mapping[UUID, Page[AuditedRecord]]:
            return await backend.pages_by_parent(relation, ids, query)

        return await by_parent_across(parents, parent_ids, self.system_names[child], load, _empty_page)

    async def counts_by_parent(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> Mapping[UUID, int]:
        child = RELATION_CHILDREN[relation]
        backend = self.backend_for(child)
        parents = self.backend_for(RELATION_PARENTS[relation])
        if parents is backend or child not in self.system_names:
            return await backend.counts_by_parent(relation, parent_ids, query)

        async def load(ids: list[UUID]) -> Mapping[UUID, int]:
            return await backend.counts_by_parent(relation, ids, query)

        return await by_parent_across(parents, parent_ids, self.system_names[child], load, int)

    async def details(self, detail: Detail, owner_ids: Sequence[UUID]) -> Mapping[UUID, list[Any]]:
        found: dict[UUID, list[Any]] = {}
        for backend in self._distinct(DETAIL_OWNERS[detail]):
            # crmcom branch: a backend that does not hold an owner answers [] for it; keep the other's list.
            for owner, items in (await backend.details(detail, owner_ids)).items():
                if items or owner not in found:
                    found[owner] = items
        return found

    async def contacts_by_phone(self, number: str) -> list[ContactRecord]:
        return await self.backend_for(Entity.CONTACT).contacts_by_phone(number)

    async def tenant_record(self) -> TenantRecord | None:
        return await self.sql.tenant_record()

    async def queue_events_after(self, sequence: int, limit: int) -> list[QueueEvent]:
        return await self.backend_for(Entity.COMMUNICATION_QUEUE_ENTRY).queue_events_after(sequence, limit)

    async def latest_queue_event_sequence(self) -> int:
        return await self.backend_for(Entity.COMMUNICATION_QUEUE_ENTRY).latest_queue_event_sequence()

    async def communications_numbered_after(
        self, contact_id: UUID, after: int, upto: int, limit: int
    ) -> list[CommunicationRecord]:
        backend = self.backend_for(Entity.COMMUNICATION)
        return await backend.communications_numbered_after(contact_id, after, upto, limit)

    async def latest_communication_number(self) -> int:
        return await self.backend_for(Entity.COMMUNICATION).latest_communication_number()

    def _distinct(self, entities: Sequence[Entity]) -> list[Backend]:
        backends: list[Backend] = []
        for entity in entities:
            backend = self.backend_for(entity)
            if all(backend is not seen for seen in backends):
                backends.append(backend)
        return backends


def _empty_page() -> Page[AuditedRecord]:
    return Page([], [], False, False)


from gateway.backends.routed_writer import routed_transaction  # noqa: E402  (it imports RoutedBackend)
