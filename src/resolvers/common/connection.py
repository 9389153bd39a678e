"""Relay connections: ``edges { cursor node }``, ``pageInfo`` and a lazily counted ``totalCount``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from strawberry import Private

from gateway.backends.query import ListQuery, OrderKey, Page, PageRequest
from gateway.errors import BadUserInput
from resolvers.common.cursor import decode_cursor, encode_cursor

T = TypeVar("T")


@strawberry.type(description="One row of a page and its cursor.")
class Edge(Generic[T]):
    # The cursor is encoded only when selected: most nested pages never show one, and a page's rows
    # carry their sort keys unencoded (``Page.keys`` may even work them out only when asked).
    keys: Private[Sequence[tuple[Any, ...]]]
    index: Private[int]
    order: Private[tuple[OrderKey, ...]]

    @strawberry.field(description="Opaque position of this row, for `after` / `before`.")
    def cursor(self) -> str:
        return _cursor(self)

    node: T = strawberry.field(description="The row itself.")


def _cursor(edge: Edge[Any]) -> str:
    return encode_cursor(edge.order, edge.keys[edge.index])


@strawberry.type(description="Where a page sits in its list, for fetching the next or previous one.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when more rows follow `endCursor`.")
    has_previous_page: bool = strawberry.field(description="True when rows precede `startCursor`.")
    edges: Private[list[Edge[Any]]]  # the cursors are encoded only when selected, as on the edges

    @strawberry.field(description="Cursor of the first edge, to page backwards.")
    def start_cursor(self) -> str | None:
        return _cursor(self.edges[0]) if self.edges else None

    @strawberry.field(description="Cursor of the last edge, to page forwards.")
    def end_cursor(self) -> str | None:
        return _cursor(self.edges[-1]) if self.edges else None


@strawberry.type(description="A page of a list, with keyset cursors.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The rows of this page, in order.")
    page_info: PageInfo = strawberry.field(description="Cursors and whether more pages exist.")
    count: Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Number of rows in the whole list with this filter (all pages).")
    async def total_count(self) -> int:
        return await self.count()

    @strawberry.field(description="The rows of this page without their cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


class InvalidPageSize(BadUserInput):
    code = "INVALID_PAGE_SIZE"


def page_request(
    order: tuple[OrderKey, ...],
    settings: Any,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> PageRequest:
    """Validate the paging arguments once for every list in the graph."""
    if first is not None and last is not None:
        raise InvalidPageSize("pass either `first` or `last`, not both")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= settings.max_page_size:
            raise InvalidPageSize(f"`{name}` must be between 0 and {settings.max_page_size}")
    if first is None and last is None:
        first = settings.default_page_size
    return PageRequest(
        first=first,
        after=decode_cursor(after, order) if after is not None else None,
        last=last,
        before=decode_cursor(before, order) if before is not None else None,
    )


def build_connection(
    cls: type[Any],
    page: Page[Any],
    query: ListQuery,
    to_node: Callable[[Any], Any],
    count: Callable[[], Awaitable[int]],
) -> Any:
    keys, order = page.keys, query.order
    edges = [Edge(keys=keys, index=i, order=order, node=to_node(row)) for i, row in enumerate(page.rows)]
    info = PageInfo(has_next_page=page.has_next, has_previous_page=page.has_previous, edges=edges)
    return cls(edges=edges, page_info=info, count=count)
