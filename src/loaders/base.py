"""Generic per-request batching: by id, pages of children by parent, counts by parent, details by owner."""

from __future__ import annotations

from asyncio import Future, get_running_loop
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from aiodataloader import DataLoader

from gateway.backends.base import RecordReader
from gateway.backends.query import ListQuery, Page
from gateway.backends.records import AuditedRecord, Detail, Entity, Relation
from gateway.observability.metrics import loader_batch_size

K = TypeVar("K")
V = TypeVar("V")


class _Remembering(DataLoader[K, V]):
    """A loader that keeps what its batches returned, so that a resolver can use a value loaded
    earlier in the request without awaiting a settled future."""

    def __init__(self, backend: RecordReader) -> None:
        super().__init__()
        self.backend = backend
        self._loaded: dict[K, V] = {}

    def remember(self, keys: Sequence[K], results: list[V]) -> list[V]:
        self._loaded.update(zip(keys, results, strict=True))
        return results

    def loaded(self, key: K) -> tuple[bool, V | None]:
        """(True, value) when a batch of this request already loaded ``key``, else (False, None)."""
        if key in self._loaded:
            return True, self._loaded[key]
        return False, None

    def load(self, key: K) -> Future[V]:
        """A settled future for a key a batch loaded already; else DataLoader's."""
        if key in self._loaded:
            settled: Future[V] = get_running_loop().create_future()
            settled.set_result(self._loaded[key])
            return settled
        return super().load(key)


class EntityByIdLoader(_Remembering[UUID, AuditedRecord | None]):
    """Loads records of one entity by id; ids of another tenant or deleted rows load as None."""

    entity: ClassVar[Entity]

    async def batch_load_fn(self, ids: Sequence[UUID]) -> list[AuditedRecord | None]:
        _observe(self, ids)
        found = await self.backend.get_many(self.entity, list(dict.fromkeys(ids)))
        return self.remember(ids, [found.get(record_id) for record_id in ids])


class ChildrenByParentLoader(_Remembering[tuple[UUID, ListQuery], Page[AuditedRecord]]):
    """One page of children per parent; parents asking for the same page shape share one statement."""

    relation: ClassVar[Relation]

    async def batch_load_fn(self, keys: Sequence[tuple[UUID, ListQuery]]) -> list[Page[AuditedRecord]]:
        _observe(self, keys)
        results: dict[tuple[UUID, ListQuery], Page[AuditedRecord]] = {}
        for query, parents in _group_by_query(keys).items():
            pages = await self.backend.pages_by_parent(self.relation, parents, query)
            results.update({(parent, query): pages[parent] for parent in parents})
        return self.remember(keys, [results[key] for key in keys])


class ChildCountByParentLoader(DataLoader[tuple[UUID, ListQuery], int]):
    """``totalCount`` of a nested connection, for all parents with one GROUP BY."""

    relation: ClassVar[Relation]

    def __init__(self, backend: RecordReader) -> None:
        super().__init__()
        self.backend = backend

    async def batch_load_fn(self, keys: Sequence[tuple[UUID, ListQuery]]) -> list[int]:
        _observe(self, keys)
        results: dict[tuple[UUID, ListQuery], int] = {}
        for query, parents in _group_by_query(keys).items():
            counts = await self.backend.counts_by_parent(self.relation, parents, query)
            results.update({(parent, query): counts[parent] for parent in parents})
        return [results[key] for key in keys]


class DetailKindsLoader(DataLoader[tuple[Detail, UUID], list[Any]]):
    """Details of every kind asked for in one turn of the event loop, with one backend call.

    A contact in full selects five detail lists; their loaders dispatch in the same turn, and each
    hands its batch on to this loader, which asks the backend for all kinds at once (the SQL backend
    answers with one statement instead of five).
    """

    def __init__(self, backend: RecordReader) -> None:
        super().__init__()
        self.backend = backend

    async def batch_load_fn(self, keys: Sequence[tuple[Detail, UUID]]) -> list[list[Any]]:
        _observe(self, keys)
        wanted: dict[Detail, list[UUID]] = defaultdict(list)
        for detail, owner in dict.fromkeys(keys):
            wanted[detail].append(owner)
        found = await self.backend.details_of_kinds(wanted)
        return [found[detail].get(owner, []) for detail, owner in keys]


class DetailsByOwnerLoader(_Remembering[UUID, list[Any]]):
    """E-mail addresses, phone numbers, addresses or third-party ids of many owners at once."""

    detail: ClassVar[Detail]

    def __init__(self, backend: RecordReader, together: DetailKindsLoader | None = None) -> None:
        super().__init__(backend)
        self.together = together or DetailKindsLoader(backend)

    async def batch_load_fn(self, owner_ids: Sequence[UUID]) -> list[list[Any]]:
        found = await self.together.load_many([(self.detail, owner) for owner in owner_ids])
        return self.remember(owner_ids, found)


def _observe(loader: DataLoader[Any, Any], keys: Sequence[Any]) -> None:
    """The batch's size in /metrics (per loader class: a bounded set of labels)."""
    loader_batch_size.labels(type(loader).__name__).observe(len(keys))


def _group_by_query(keys: Sequence[tuple[UUID, ListQuery]]) -> dict[ListQuery, list[UUID]]:
    grouped: dict[ListQuery, list[UUID]] = defaultdict(list)
    for parent, query in dict.fromkeys(keys):
        grouped[query].append(parent)
    return grouped
