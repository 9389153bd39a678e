"""Root lookups by global ID: ``contact(id:)``, ``lead(id:)`` ..."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.backends.records import Entity
from resolvers.common.ids import decode_id_of
from resolvers.common.links import load_node


async def node_by_id(info: strawberry.Info, global_id: str, entity: Entity, *type_names: str) -> Any:
    """The object for an ID of one of these types; null when it does not exist in the caller's tenant."""
    node = await load_node(info, entity, decode_id_of(global_id, *type_names))
    if node is not None and node.__strawberry_definition__.name not in type_names:
        return None  # an event of another kind, e.g. an Appointment asked for as a Task
    return node
