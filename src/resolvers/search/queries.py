"""``search(text, types, first, after)``: one ranked statement over the full-text index, then the
rows found loaded by id (one batched statement per type), whatever the page size."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

import strawberry

from gateway.backends.base import Capability, CapabilityNotServed, TextSearch
from gateway.backends.query import OrderKey
from gateway.backends.search import SearchHit as Hit
from gateway.errors import BadUserInput, InvalidCursor
from gateway.permissions import CRM_SEARCH_ALL
from resolvers.common.connection import Edge, PageInfo, page_request
from resolvers.common.links import load_node
from resolvers.common.lists import MAX_SEARCH_LENGTH
from resolvers.common.permissions import READ_PERMISSIONS, forbidden, requires
from resolvers.search.types import SearchHit, SearchHitConnection, SearchType

ORDER = (OrderKey("exactNameMatch", descending=True), OrderKey("rank", descending=True))


class SearchTextTooLong(BadUserInput):
    code = "SEARCH_TEXT_TOO_LONG"


class InvalidSearchText(BadUserInput):
    code = "INVALID_SEARCH_TEXT"


def _types(info: strawberry.Info, types: list[SearchType] | None) -> list[SearchType]:
    """The types asked for, each needing its read permission; by default those the caller may read."""
    principal = info.context.principal
    if types is None:
        return [kind for kind in SearchType if principal.has(READ_PERMISSIONS[kind.entity])]
    for kind in types:
        if not principal.has(READ_PERMISSIONS[kind.entity]):
            raise forbidden(READ_PERMISSIONS[kind.entity])
    return list(dict.fromkeys(types))


def _after(keys: tuple[Any, ...] | None) -> tuple[int, float, UUID] | None:
    if keys is None:
        return None
    exact, rank, id = keys
    try:
        if exact not in (0, 1) or isinstance(rank, bool) or not isinstance(rank, int | float):
            raise ValueError
        return int(exact), float(rank), UUID(str(id))
    except ValueError:
        raise InvalidCursor("the cursor is not valid") from None


async def _hit(info: strawberry.Info, hit: Hit) -> SearchHit | None:
    node = await load_node(info, hit.entity, hit.id)
    if node is None:  # deleted between the search and the load
        return None
    kind = SearchType[hit.entity.name]
    return SearchHit(
        node=node, type=kind, rank=hit.rank, exact_name_match=bool(hit.exact), highlight=hit.highlight
    )


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="Contacts, accounts and leads whose names, e-mail addresses or phone digits begin with "
        "every word of `text`, best first: a row whose full name is `text` leads, then by full-text rank. "
        "The text is read as words, never as query syntax; with no word in it, nothing is found.",
        extensions=requires(CRM_SEARCH_ALL),
    )
    async def search(
        self,
        info: strawberry.Info,
        text: Annotated[str, strawberry.argument(description=f"At most {MAX_SEARCH_LENGTH} characters.")],
        types: Annotated[
            list[SearchType] | None,
            strawberry.argument(description="Only these kinds of rows; by default every kind you may read."),
        ] = None,
        first: Annotated[int | None, strawberry.argument(description="At most this many hits.")] = None,
        after: Annotated[str | None, strawberry.argument(description="Hits after this cursor.")] = None,
    ) -> SearchHitConnection | None:
        if len(text) > MAX_SEARCH_LENGTH:
            raise SearchTextTooLong(f"`text` must be at most {MAX_SEARCH_LENGTH} characters")
        if "\x00" in text:
            raise InvalidSearchText("`text` may not contain NUL characters")
        request = page_request(ORDER, info.context.settings, first, after, None, None)
        wanted = _types(info, types)
        backend = info.context.loaders.backend
        if not isinstance(backend, TextSearch):
            raise CapabilityNotServed(Capability.SEARCH, "The configured backend")
        entities = [kind.entity for kind in wanted]
        page = await backend.search(text, entities, request.first or 0, _after(request.after))
        found = await asyncio.gather(*(_hit(info, hit) for hit in page.hits))
        kept = [(hit.key, node) for hit, node in zip(page.hits, found, strict=True) if node is not None]
        keys = [key for key, _ in kept]
        edges = [Edge(keys=keys, index=i, order=ORDER, node=node) for i, (_, node) in enumerate(kept)]
        page_info = PageInfo(has_next_page=page.has_next, has_previous_page=after is not None, edges=edges)
        return SearchHitConnection(edges=edges, page_info=page_info)
