"""Generic per-request batching: by id, pages of children by parent, counts by parent, details by owner."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, ClassVar
from uuid import UUID

from aiodataloader import DataLoader

from gateway.backends.base import RecordReader
from gateway.backends.query import ListQuery, Page
from gateway.backends.records import AuditedRecord, Detail, Entity, Relation


class EntityByIdLoader(DataLoader[UUID, AuditedRecord | None]):
    """Loads records of one entity by id; ids of another tenant or deleted rows load as None."""

    entity: ClassVar[Entity]

    def __init__(self, backend: RecordReader) -> None:
        super().__init__()
        self.backend = backend
        self._loaded: dict[UUID, AuditedRecord | None] = {}  # what batches returned, by id

    async def batch_load_fn(self, ids: Sequence[UUID]) -> list[AuditedRecord | None]:
        found = await self.backend.get_many(self.entity, list(dict.fromkeys(ids)))
        results = [found.get(record_id) for record_id in ids]
        self._loaded.update(zip(ids, results, strict=True))
        return results

    def loaded(self, record_id: UUID) -> tuple[bool, AuditedRecord | None]:
        """(True, record or None) when a batch of this request already loaded this id, else (False, None):
        lets a link resolver return a plain value instead of awaiting a settled future."""
        if record_id in self._loaded:
            return True, self._loaded[record_id]
        return False, None


class ChildrenByParentLoader(DataLoader[tuple[UUID, ListQuery], Page[AuditedRecord]]):
    """One page of children per parent; parents asking for the same page shape share one statement."""

    relation: ClassVar[Relation]

    def __init__(self, backend: RecordReader) -> None:
        super().__init__()
        self.backend = backend

    async def batch_load_fn(self, keys: Sequence[tuple[UUID, ListQuery]]) -> list[Page[AuditedRecord]]:
        results: dict[tuple[UUID, ListQuery], Page[AuditedRecord]] = {}
        for query, parents in _group_by_query(keys).items():
            pages = await self.backend.pages_by_parent(self.relation, parents, query)
            results.update({(parent, query): pages[parent] for parent in parents})
        return [results[key] for key in keys]


class ChildCountByParentLoader(DataLoader[tuple[UUID, ListQuery], int]):
    """``totalCount`` of a nested connection, for all parents with one GROUP BY."""

    relation: ClassVar[Relation]

    def __init__(self, backend: RecordReader) -> None:
        super().__init__()
        self.backend = backend

    async def batch_load_fn(self, keys: Sequence[tuple[UUID, ListQuery]]) -> list[int]:
        results: dict[tuple[UUID, ListQuery], int] = {}
        for query, parents in _group_by_query(keys).items():
            counts = await self.backend.counts_by_parent(self.relation, parents, query)
            results.update({(parent, query): counts[parent] for parent in parents})
        return [results[key] for key in keys]


class DetailsByOwnerLoader(DataLoader[UUID, list[Any]]):
    """E-mail addresses, phone numbers, addresses or third-party ids of many owners at once."""

    detail: ClassVar[Detail]

    def __init__(self, backend: RecordReader) -> None:
        super().__init__()
        self.backend = backend

    async def batch_load_fn(self, owner_ids: Sequence[UUID]) -> list[list[Any]]:
        found = await self.backend.details(self.detail, list(dict.fromkeys(owner_ids)))
        return [found.get(owner, []) for owner in owner_ids]


def _group_by_query(keys: Sequence[tuple[UUID, ListQuery]]) -> dict[ListQuery, list[UUID]]:
    grouped: dict[ListQuery, list[UUID]] = defaultdict(list)
    for parent, query in dict.fromkeys(keys):
        grouped[query].append(parent)
    return grouped
