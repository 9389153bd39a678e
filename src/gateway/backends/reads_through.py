"""``ReadsThrough``: the core reads of an upstream's writer are those of the backend it writes for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from gateway.backends.base import EntityReader
from gateway.backends.query import ListQuery, Page
from gateway.backends.records import AuditedRecord, Detail, Entity, Relation


class ReadsThrough:
    """A writer without a transaction of its own reads what its upstream currently holds."""

    reads: EntityReader

    async def get_many(
        self, entity: Entity, ids: Sequence[UUID], *, include_deleted: bool = False
    ) -> Mapping[UUID, AuditedRecord]:
        return await self.reads.get_many(entity, ids, include_deleted=include_deleted)

    async def page(self, entity: Entity, query: ListQuery) -> Page[AuditedRecord]:
        return await self.reads.page(entity, query)

    async def count(self, entity: Entity, query: ListQuery) -> int:
        return await self.reads.count(entity, query)

    async def pages_by_parent(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> Mapping[UUID, Page[AuditedRecord]]:
        return await self.reads.pages_by_parent(relation, parent_ids, query)

    async def counts_by_parent(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> Mapping[UUID, int]:
        return await self.reads.counts_by_parent(relation, parent_ids, query)

    async def details(self, detail: Detail, owner_ids: Sequence[UUID]) -> Mapping[UUID, list[Any]]:
        return await self.reads.details(detail, owner_ids)

    async def details_of_kinds(
        self, wanted: Mapping[Detail, Sequence[UUID]]
    ) -> Mapping[Detail, Mapping[UUID, list[Any]]]:
        return await self.reads.details_of_kinds(wanted)
