"""Seed 004's plain lists, which page by offset, serve the pages the query builder would read whole.

``POST /api/query-builder/filter/{entity}`` has no limit (l. 8581-8600, 11961-11996): a list it serves
reads every match past the cursor, up to ``options.max_matches``. ``GET /api/contact`` (``start``,
``limit``, ``sortField``, ``sortDirection``; l. 4422-4436; answers ``[Contact]``) and ``GET /api/account``
(``offset``, ``limit``, ...; l. 96-108; answers ``{total, accounts}``) take no query-builder filter but do
take a limit. So a contact or account list with no filter and no search, ordered by one of the sort fields
the seed names (contacts: firstName, lastName, dateCreated, l. 4431; accounts: name, dateCreated, l. 106),
is read from them: a page is one call for ``size + 1`` rows at its offset, whatever its depth (more calls,
at most ``MAX_WINDOWS``, only when the gateway's rules hide rows). Such a page's cursors hold the row's
sort value and its offset in ConeCRM's list (as CRM.COM's do), and rows that tie on the sort value come
in ConeCRM's order. A count reads the account list's ``total``; contacts have none, so their count reads
the list in windows of ``options.max_matches`` rows, at most ``MAX_COUNT_WINDOWS`` of them, and past that
is refused (``UPSTREAM_LIMIT_EXCEEDED``), never answered short.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from gateway.backends.query import ListQuery, Page, PageRequest
from gateway.backends.records import ENTITY_RECORDS, AuditedRecord, Entity
from gateway.backends.rest.conecrm.mapping import field_type
from gateway.backends.rest.conecrm.paging import key_of, plain_value
from gateway.backends.rest.errors import UpstreamBadResponse, UpstreamLimitExceeded
from gateway.backends.sql.paging import coerce_cursor_value
from gateway.errors import InvalidCursor

# The graph's order field -> the plain list's sortField, as far as the seed names them.
SORT_FIELDS: dict[Entity, dict[str, str]] = {
    Entity.CONTACT: {"date_created": "dateCreated", "first_name": "firstName", "last_name": "lastName"},
    Entity.ACCOUNT: {"date_created": "dateCreated", "name": "name"},
}
# Path, and the name of its start-index parameter (GET /api/contact says ``start``, /api/account ``offset``).
PATHS = {Entity.CONTACT: ("/api/contact", "start"), Entity.ACCOUNT: ("/api/account", "offset")}
MAX_WINDOWS = 5  # calls for one page when the gateway's rules hide rows; past it the page is short
MAX_COUNT_WINDOWS = 10  # windows of options.max_matches rows one contact count may read
# (its offset in ConeCRM's list, the record) for each row ConeCRM answered that the gateway keeps.
Accept = Callable[[Entity, list[Any]], Awaitable[list[tuple[int, AuditedRecord]]]]
Call = Callable[[str, str, dict[str, Any]], Awaitable[Any]]


def plain_sort(entity: Entity, query: ListQuery) -> tuple[str, str] | None:
    """(sortField, sortDirection) when a plain list can serve this list query, else None."""
    if entity not in SORT_FIELDS or query.filter is not None or query.search or len(query.order) != 1:
        return None
    key = query.order[0]
    field = SORT_FIELDS[entity].get(key.field)
    return None if field is None else (field, "DESC" if key.descending else "ASC")


def countable(entity: Entity, query: ListQuery) -> bool:
    return entity in SORT_FIELDS and query.filter is None and not query.search


def is_offset_cursor(cursor: tuple[Any, ...] | None) -> bool:
    return cursor is not None and len(cursor) == 2 and type(cursor[1]) is int


def serves_page(page: PageRequest) -> bool:
    """Offset cursors page here; keyset cursors (from a query-builder page) stay there. A forward page
    without a cursor starts here; a backward one needs an offset to count back from (``before``), so
    ``last`` without it is the query builder's (bounded by options.max_matches)."""
    if page.backwards:
        return is_offset_cursor(page.before)
    cursors = [cursor for cursor in (page.after, page.before) if cursor is not None]
    return any(is_offset_cursor(cursor) for cursor in cursors) if cursors else True


class PlainLists:
    def __init__(self, call: Call, accept: Accept, system: str) -> None:
        self.call, self.accept, self.system = call, accept, system

    async def rows(self, entity: Entity, sort: tuple[str, str] | None, offset: int, limit: int) -> Any:
        path, start = PATHS[entity]
        params: dict[str, Any] = {start: offset, "limit": limit}
        if sort is not None:
            params |= {"sortField": sort[0], "sortDirection": sort[1]}
        return await self.call("GET", path, params)

    async def window_of(
        self, entity: Entity, sort: tuple[str, str] | None, offset: int, limit: int
    ) -> tuple[int, list[tuple[int, AuditedRecord]]]:
        """(how many rows ConeCRM answered, the kept ones with their offsets)."""
        answer = await self.rows(entity, sort, offset, limit)
        items = _items(entity, answer)
        if items is None:
            raise UpstreamBadResponse(
                self.system, f"{self.system} answered GET {PATHS[entity][0]} with an unexpected shape"
            )
        kept = await self.accept(entity, items)
        return len(items), [(offset + n, record) for n, record in kept]

    async def page(self, entity: Entity, query: ListQuery, sort: tuple[str, str]) -> Page[AuditedRecord]:
        page, size = query.page, query.page.size
        after, before = _offset(entity, query, page.after), _offset(entity, query, page.before)
        first = after + 1 if after is not None else 0
        if page.backwards:
            end = before if before is not None else first  # serves_page: backward pages have ``before``
            start = max(first, end - size)
            found = [] if end <= start else (await self.window_of(entity, sort, start, end - start))[1]
            return self._page(entity, query, found, has_next=True, has_previous=start > first)
        found = []
        offset, ended = first, False
        for _ in range(MAX_WINDOWS):
            wanted = size + 1 - len(found)
            if before is not None:
                wanted = min(wanted, before - offset)
            if wanted <= 0:
                ended = before is not None and offset >= before
                break
            answered, kept = await self.window_of(entity, sort, offset, wanted)
            found += kept
            offset += answered
            ended = answered < wanted
            if ended or len(found) > size:
                break
        more = len(found) > size or not ended
        return self._page(entity, query, found[:size], has_next=more, has_previous=after is not None)

    def _page(
        self, entity: Entity, query: ListQuery, found: list[tuple[int, AuditedRecord]], **flags: bool
    ) -> Page[AuditedRecord]:
        keys = [(query.order[0].field, query.order[0].descending)]
        return Page(
            rows=[record for _, record in found],
            keys=[(plain_value(key_of(entity, record, keys)[0]), offset) for offset, record in found],
            has_next=flags["has_next"],
            has_previous=flags["has_previous"],
        )

    async def count(self, entity: Entity, cap: int) -> int:
        """The account list's ``total``; contacts: windows of ``cap`` rows, refused past the last."""
        if entity is Entity.ACCOUNT:
            answer = await self.rows(entity, None, 0, 1)
            total = answer.get("total") if isinstance(answer, dict) else None
            if isinstance(total, int) and not isinstance(total, bool) and total >= 0:
                return total
        counted, offset = 0, 0
        for _ in range(MAX_COUNT_WINDOWS):
            answered, kept = await self.window_of(entity, None, offset, cap)
            counted += len(kept)
            offset += answered
            if answered < cap:
                return counted
        raise UpstreamLimitExceeded(
            self.system,
            f"{self.system} holds more than {MAX_COUNT_WINDOWS * cap} {entity.value} records to count "
            f"({MAX_COUNT_WINDOWS} windows of options.max_matches = {cap})",
            limit=MAX_COUNT_WINDOWS * cap,
        )


def _items(entity: Entity, answer: Any) -> list[Any] | None:
    """GET /api/contact answers a list (l. 4445), GET /api/account ``{total, accounts}`` (l. 111-113)."""
    if isinstance(answer, list):
        return answer
    if isinstance(answer, dict):
        for member in ("accounts" if entity is Entity.ACCOUNT else "contacts", "data"):
            if isinstance(answer.get(member), list):
                return answer[member]  # type: ignore[no-any-return]
    return None


def _offset(entity: Entity, query: ListQuery, cursor: tuple[Any, ...] | None) -> int | None:
    if cursor is None:
        return None
    if not is_offset_cursor(cursor) or cursor[1] < 0:
        raise InvalidCursor("cursor does not match this ordering")
    try:
        coerce_cursor_value(field_type(ENTITY_RECORDS[entity], query.order[0].field), cursor[0])
    except (TypeError, ValueError) as error:
        raise InvalidCursor("cursor does not match this ordering") from error
    return int(cursor[1])
