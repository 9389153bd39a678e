"""The ``Node`` interface and the registry that turns global IDs back into objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry import Private

from gateway.backends.records import Entity
from resolvers.common.ids import decode_global_id, encode_global_id
from resolvers.common.permissions import READ_PERMISSIONS, forbidden
from resolvers.common.records import from_record


@strawberry.interface(description="An object with a global ID; `node(id:)` fetches it again.")
class Node:
    record: Private[Any]

    @strawberry.field(description="The object's global ID. Opaque: pass it back as it is.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode_global_id(self.__strawberry_definition__.name, self.record.id))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class NodeType:
    cls: type[Any]
    entity: Entity
    kind: str | None = None  # events share a table; ``kind`` tells a Task from an Appointment


NODE_TYPES: dict[str, NodeType] = {}


def register_node(cls: type[Any], entity: Entity, kind: str | None = None) -> type[Any]:
    NODE_TYPES[cls.__strawberry_definition__.name] = NodeType(cls, entity, kind)
    return cls


def node_from_record(entity: Entity, record: Any) -> Any:
    """The GraphQL object for a record of this entity (events by their kind)."""
    kind = getattr(record, "kind", None)
    cls = _CLASSES.get((entity, kind))
    if cls is None:
        cls = _CLASSES[(entity, kind)] = _node_class(entity, kind)
    return from_record(cls, record)


_CLASSES: dict[tuple[Entity, Any], type[Any]] = {}  # filled as records come: a few entries


def _node_class(entity: Entity, kind: Any) -> type[Any]:
    for node_type in NODE_TYPES.values():
        if node_type.entity is entity and node_type.kind in (None, kind):
            return node_type.cls
    raise LookupError(f"no GraphQL type for {entity}")


async def resolve_nodes(info: strawberry.Info, global_ids: list[str]) -> list[Any]:
    """Objects for global IDs, batched per entity; unknown or foreign IDs resolve to null.

    An ID of a type the caller may not read gives a FORBIDDEN error in its place (graphql-core
    reports an exception returned as a list item at that item's path).
    """
    decoded = [decode_global_id(global_id) for global_id in global_ids]
    pending: list[Any] = [_load(info, type_name, record_id) for type_name, record_id in decoded]
    results: list[Any] = []
    for (type_name, _), item in zip(decoded, pending, strict=True):
        if item is None or isinstance(item, Exception):
            results.append(item)
            continue
        record = await item
        results.append(_matching_node(NODE_TYPES[type_name], record) if record is not None else None)
    return results


def _load(info: strawberry.Info, type_name: str, record_id: Any) -> Any:
    """A pending load for this ID, None for an unknown type, or the FORBIDDEN error to report."""
    node_type = NODE_TYPES.get(type_name)
    if node_type is None:
        return None
    permission = READ_PERMISSIONS[node_type.entity]
    if not info.context.principal.has(permission):
        return forbidden(permission)
    return info.context.loaders.by_id(node_type.entity).load(record_id)


def _matching_node(node_type: NodeType, record: Any) -> Any:
    if node_type.kind is not None and record.kind != node_type.kind:
        return None
    return from_record(node_type.cls, record)
