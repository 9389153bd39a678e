"""Per-request loaders. A ``Loaders`` is made for each request, so its caches live one request."""

from __future__ import annotations

from typing import Any

from gateway.backends.base import RecordReader
from gateway.backends.query import ListQuery, Page
from gateway.backends.records import AuditedRecord, Detail, Entity, Relation
from loaders import accounts, communications, contacts, documents, leads, people, tags, tasks, users
from loaders.base import (
    ChildCountByParentLoader,
    ChildrenByParentLoader,
    DetailKindsLoader,
    DetailsByOwnerLoader,
    EntityByIdLoader,
)
from loaders.photos import PHOTO_LOADERS, ProfilePhotoByContactLoader

_MODULES = (accounts, communications, contacts, documents, leads, people, tags, tasks, users)


def _registry(base: type[Any], attribute: str) -> dict[Any, type[Any]]:
    found = {}
    for module in _MODULES:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, base) and value is not base:
                found[getattr(value, attribute)] = value
    return found


BY_ID = _registry(EntityByIdLoader, "entity")
CHILDREN = _registry(ChildrenByParentLoader, "relation")
COUNTS = _registry(ChildCountByParentLoader, "relation")
DETAILS = _registry(DetailsByOwnerLoader, "detail")


class Loaders:
    def __init__(self, backend: RecordReader) -> None:
        self.backend = backend
        self._made: dict[tuple[str, Any], Any] = {}
        # Values derived from the operation's document, e.g. which fields a selection asks for. The
        # document lives as long as the request, so keys may use ids of its nodes.
        self.memo: dict[Any, Any] = {}

    def _get(self, kind: str, key: Any, registry: dict[Any, type[Any]]) -> Any:
        loader = self._made.get((kind, key))
        if loader is None:
            loader = self._made[(kind, key)] = registry[key](self.backend)
        return loader

    def by_id(self, entity: Entity) -> EntityByIdLoader:
        return self._get("id", entity, BY_ID)  # type: ignore[no-any-return]

    def children(self, relation: Relation) -> ChildrenByParentLoader:
        return self._get("children", relation, CHILDREN)  # type: ignore[no-any-return]

    def child_count(self, relation: Relation) -> ChildCountByParentLoader:
        return self._get("count", relation, COUNTS)  # type: ignore[no-any-return]

    def profile_photos(self) -> ProfilePhotoByContactLoader:
        return self._get("photos", None, PHOTO_LOADERS)  # type: ignore[no-any-return]

    def details(self, detail: Detail) -> DetailsByOwnerLoader:
        loader = self._made.get(("details", detail))
        if loader is None:
            # The loaders of all kinds share one DetailKindsLoader: kinds asked together load together.
            together = self._made.get(("details", None))
            if together is None:
                together = self._made[("details", None)] = DetailKindsLoader(self.backend)
            loader = self._made[("details", detail)] = DETAILS[detail](self.backend, together)
        return loader  # type: ignore[no-any-return]

    async def page(self, entity: Entity, query: ListQuery) -> Page[AuditedRecord]:
        """A root list page: one statement, nothing to batch."""
        return await self.backend.page(entity, query)

    async def count(self, entity: Entity, query: ListQuery) -> int:
        return await self.backend.count(entity, query)

    def clear(self) -> None:
        """Forget everything loaded: after a mutation the next read must see the new state."""
        self._made.clear()
