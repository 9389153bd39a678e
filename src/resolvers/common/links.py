"""Single links to another node (``Lead.contact``, ``Task.assignee``), loaded by id in batches."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import strawberry

from gateway.backends.records import Entity
from resolvers.common.node import node_from_record


async def load_node(info: strawberry.Info, entity: Entity, record_id: UUID | None) -> Any:
    if record_id is None:
        return None
    record = await info.context.loaders.by_id(entity).load(record_id)
    return node_from_record(entity, record) if record is not None else None


def link(info: strawberry.Info, entity: Entity, record_id: UUID | None) -> Any:
    """The linked object when its record is already loaded in this request,
    else an awaitable of it."""
    if record_id is None:
        return None
    found, record = info.context.loaders.by_id(entity).loaded(record_id)
    if not found:
        return load_node(info, entity, record_id)
    return node_from_record(entity, record) if record is not None else None
