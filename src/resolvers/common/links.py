"""Single links to another node (``Lead.contact``, ``Task.assignee``), loaded by id in batches.

A list resolver prefetches the links its rows' selection asks for (``prefetch_links``), for all
parents of the level in one batch per target; the link resolvers then find the record already
loaded and return the object itself instead of an awaitable. graphql-core completes a subtree of
plain values far cheaper than one with awaitables (no coroutine per field, no task per list item),
and the statements are the same ones the link resolvers would have caused.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import strawberry
from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode

from gateway.backends.records import Entity
from resolvers.common.node import node_from_record
from resolvers.common.permissions import READ_PERMISSIONS


async def load_node(info: strawberry.Info, entity: Entity, record_id: UUID | None) -> Any:
    if record_id is None:
        return None
    record = await info.context.loaders.by_id(entity).load(record_id)
    return node_from_record(entity, record) if record is not None else None


def link(info: strawberry.Info, entity: Entity, record_id: UUID | None) -> Any:
    """The linked object when its record is already loaded in this request, else an awaitable of it."""
    if record_id is None:
        return None
    found, record = info.context.loaders.by_id(entity).loaded(record_id)
    if not found:
        return load_node(info, entity, record_id)
    return node_from_record(entity, record) if record is not None else None


@dataclass(frozen=True)
class Link:
    """A link field of a list's rows: its GraphQL name, the entity it points to, the record attribute."""

    field: str
    target: Entity
    attribute: str


async def prefetch_links(info: strawberry.Info, links: Sequence[Link], records: Sequence[Any]) -> None:
    """Load the records of the selected links of these rows (one batch per target across parents)."""
    if not links or not records:
        return
    memo = info.context.loaders.memo
    key = ("node fields", *map(id, info._raw_info.field_nodes))  # the same for every parent of a level
    selected = memo.get(key)
    if selected is None:
        selected = memo[key] = _node_fields(info)
    principal = info.context.principal
    loads = []
    for wanted in links:
        if wanted.field in selected and principal.has(READ_PERMISSIONS[wanted.target]):
            ids = {getattr(record, wanted.attribute) for record in records} - {None}
            if ids:
                loads.append(info.context.loaders.by_id(wanted.target).load_many(list(ids)))
    if loads:
        await asyncio.gather(*loads)


def _node_fields(info: strawberry.Info) -> set[str]:
    """Names of the fields selected on the rows of this connection (``edges.node`` and ``nodes``)."""
    raw = info._raw_info
    names: set[str] = set()
    for connection in raw.field_nodes:
        for edges in _fields(connection.selection_set, raw.fragments, ("edges", "nodes")):
            if edges.name.value == "nodes":
                names.update(f.name.value for f in _fields(edges.selection_set, raw.fragments, None))
                continue
            for node in _fields(edges.selection_set, raw.fragments, ("node",)):
                names.update(f.name.value for f in _fields(node.selection_set, raw.fragments, None))
    return names


def _fields(
    selection_set: SelectionSetNode | None, fragments: dict[str, Any], only: tuple[str, ...] | None
) -> Iterable[FieldNode]:
    """The fields of a selection set, through inline fragments and fragment spreads."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if only is None or selection.name.value in only:
                yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments, only)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            yield from _fields(fragments[selection.name.value].selection_set, fragments, only)
