"""``timeline(first, after)``: the sources' pages merged, newest first.

For a page of ``first`` items after a cursor, each source the caller may read loads ``first`` rows
after the cursor's position (one batched statement or upstream call per source for all parents of
the level, through the source's nested-list loader); the first ``first`` of their merge are the
page. The order is ``at`` descending, then the source's rank (``TimelineItemKind`` order), then the
id descending, so items at the same instant keep one stable order across pages.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

import strawberry

from gateway.backends.query import ListQuery, OrderKey, PageRequest
from gateway.backends.records import Entity
from gateway.errors import InvalidCursor
from gateway.permissions import CRM_ACTIVITY_VIEW
from resolvers.common.arguments import AFTER, FIRST
from resolvers.common.connection import Edge, PageInfo, page_request
from resolvers.common.node import node_from_record
from resolvers.common.permissions import READ_PERMISSIONS, requires
from resolvers.timeline.sources import SOURCES, Source
from resolvers.timeline.types import TimelineConnection, TimelineItem

# The cursor's signature; each source is read in the matching order of its own rows.
TIMELINE_ORDER = (OrderKey("at", descending=True), OrderKey("kind"))
SOURCE_ORDER = (OrderKey("date_created", descending=True),)
_LOWEST, _HIGHEST = str(uuid.UUID(int=0)), str(uuid.UUID(int=2**128 - 1))

# (at, rank, id, source, record) of one merged item
_Item = tuple[datetime, int, uuid.UUID, Source, Any]


def timeline_field(entity: Entity, description: str) -> Any:
    sources = SOURCES[entity]

    async def resolve(
        root: Any, info: strawberry.Info, first: FIRST = None, after: AFTER = None
    ) -> TimelineConnection | None:
        page = page_request(TIMELINE_ORDER, info.context.settings, first, after, None, None)
        readable = [s for s in sources if info.context.principal.has(READ_PERMISSIONS[s.spec.entity])]
        return await _timeline(info, root.record.id, readable, page)

    return strawberry.field(resolver=resolve, description=description, extensions=requires(CRM_ACTIVITY_VIEW))


def source_query(source: Source, page: PageRequest) -> ListQuery:
    """The source's rows after the timeline cursor ``page.after``, ``page.first`` of them."""
    after = None if page.after is None else _source_after(source, page.after)
    return ListQuery(
        filter=source.spec.scope, order=SOURCE_ORDER, page=PageRequest(first=page.first, after=after)
    )


def _source_after(source: Source, cursor: tuple[Any, ...]) -> tuple[str, str]:
    at, rank, item_id = _checked(cursor)
    if source.rank == rank:
        return at, item_id
    # At the cursor's instant, all rows of a later source follow it, none of an earlier one.
    return at, _HIGHEST if source.rank > rank else _LOWEST


def _checked(keys: tuple[Any, ...]) -> tuple[str, int, str]:
    at, rank, item_id = keys
    try:
        aware = datetime.fromisoformat(at).tzinfo is not None
        uuid.UUID(item_id)
    except (TypeError, ValueError, AttributeError):
        raise InvalidCursor("the cursor is not valid") from None
    if not aware or not isinstance(rank, int) or isinstance(rank, bool):
        raise InvalidCursor("the cursor is not valid")
    return at, rank, item_id


async def _timeline(
    info: strawberry.Info, parent: uuid.UUID, sources: list[Source], page: PageRequest
) -> TimelineConnection:
    loaders = info.context.loaders
    queries = [source_query(source, page) for source in sources]
    pages = await asyncio.gather(
        *(loaders.children(s.relation).load((parent, q)) for s, q in zip(sources, queries, strict=True))
    )
    merged: list[_Item] = [
        (record.date_created, source.rank, record.id, source, record)
        for source, found in zip(sources, pages, strict=True)
        for record in found.rows
    ]
    merged.sort(key=lambda item: (item[0], -item[1], item[2]), reverse=True)
    size = page.first or 0
    shown = merged[:size]
    keys = [(at.isoformat(), rank, str(item_id)) for at, rank, item_id, _, _ in shown]
    edges = [
        Edge(keys=keys, index=index, order=TIMELINE_ORDER, node=_item(item))
        for index, item in enumerate(shown)
    ]
    more = len(merged) > size or any(found.has_next for found in pages)
    info_ = PageInfo(has_next_page=more, has_previous_page=page.after is not None, edges=edges)

    async def count() -> int:
        unpaged = [ListQuery(filter=s.spec.scope) for s in sources]
        counts = await asyncio.gather(
            *(
                loaders.child_count(s.relation).load((parent, q))
                for s, q in zip(sources, unpaged, strict=True)
            )
        )
        return sum(counts)

    return TimelineConnection(edges=edges, page_info=info_, count=count)


def _item(item: _Item) -> TimelineItem:
    at, _, _, source, record = item
    return TimelineItem(at=at, kind=source.kind, node=node_from_record(source.spec.entity, record))
