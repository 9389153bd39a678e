"""Seed 000's lists derived from contact relations: ``keyCustomers``, ``keyOrganizations``, ``customers``.

Each loads the parent's relations (one batched statement per level, like any nested list) and then the
related contacts or accounts by ID (one more): the row rules of both apply.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import strawberry

from gateway.backends.query import Condition, ListQuery, Op, OrderKey, PageRequest
from gateway.backends.records import Entity, Relation
from resolvers.common.columns import uses_columns
from resolvers.common.node import node_from_record
from resolvers.common.permissions import reads

MAX_RELATED = 100  # related records one such list shows, oldest relation first
_ORDER = (OrderKey("date_created"),)
KEY_RELATIONS = ListQuery(
    filter=Condition("is_key", Op.EQ, True), order=_ORDER, page=PageRequest(first=MAX_RELATED)
)
ALL_RELATIONS = ListQuery(order=_ORDER, page=PageRequest(first=MAX_RELATED))


async def related_nodes(
    info: strawberry.Info,
    relation: Relation,
    parent_id: UUID,
    query: ListQuery,
    attribute: str,
    entity: Entity,
    first: UUID | None = None,
) -> list[Any]:
    """The objects the parent's relations point at through ``attribute`` (``first`` before them)."""
    loaders = info.context.loaders
    page = await loaders.children(relation).load((parent_id, query))
    ids = [first] if first is not None else []
    ids += [getattr(row, attribute) for row in page.rows if getattr(row, attribute) is not None]
    records = await loaders.by_id(entity).load_many(list(dict.fromkeys(ids)))
    return [node_from_record(entity, record) for record in records if record is not None]


def related_list(
    relation: Relation,
    query: ListQuery,
    attribute: str,
    entity: Entity,
    returns: Any,
    description: str,
    first: str | None = None,
) -> Any:
    """A field listing what the parent's relations point at; ``first`` names a record attribute
    holding one more to put first (an account's primary contact)."""

    async def resolve(root: Any, info: strawberry.Info) -> Any:
        leading = getattr(root.record, first) if first is not None else None
        return await related_nodes(info, relation, root.record.id, query, attribute, entity, leading)

    resolve.__annotations__["return"] = list[returns] | None  # type: ignore[valid-type]
    uses_columns("id", *((first,) if first else ()))(resolve)
    return strawberry.field(resolver=resolve, description=description, extensions=reads(entity))
