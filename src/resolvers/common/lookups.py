"""Root lookups by global ID: ``contact(id:)``, ``lead(id:)`` ..."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.backends.records import Entity
from resolvers.common.ids import decode_id_of
from resolvers.common.links import load_node
from resolvers.common.prefetch import prefetch_object
from resolvers.lists import OBJECT_SPECS


async def node_by_id(info: strawberry.Info, global_id: str, entity: Entity, *type_names: str) -> Any:
    """The object for an ID of one of these types; null when it does not exist in the caller's tenant.

    What its selection asks of it (detail lists, links, nested pages) is loaded before it is returned,
    as for the rows of a list page, so its fields complete without waiting one by one."""
    node = await load_node(info, entity, decode_id_of(global_id, *type_names))
    if node is not None and node.__strawberry_definition__.name not in type_names:
        return None  # an event of another kind, e.g. an Appointment asked for as a Task
    if node is not None:
        spec = OBJECT_SPECS.get(entity)
        if spec is not None:
            await prefetch_object(info, spec, node.record)
    return node
