"""Offset pages of a CRM.COM list turned into the graph's keyset pages.

A row's cursor key is its sort values plus its offset in the upstream's list, so the next page starts
right after it. Rows the gateway's rules drop (media rule, contact row rules) are fetched but not shown:
a page keeps reading until it has its rows or the list ends, at most ``MAX_CALLS_PER_PAGE`` calls.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.backends.query import OrderKey, Page, PageRequest
from gateway.backends.records import AuditedRecord
from gateway.errors import InvalidFilter

MAX_CALLS_PER_PAGE = 5
COUNT_PAGE = 500  # rows per call when counting (CRM.COM has no count)
MAX_COUNT_CALLS = 20  # a count stops there: 10,000 rows at most
Fetch = Callable[[int, int], Awaitable[list[AuditedRecord]]]
Keep = Callable[[list[AuditedRecord]], Awaitable[list[AuditedRecord]]]


@dataclass(frozen=True)
class Window:
    order: tuple[OrderKey, ...]
    page: PageRequest


def _key(record: AuditedRecord, order: tuple[OrderKey, ...], offset: int) -> tuple[Any, ...]:
    values = [getattr(record, key.field, None) for key in order]
    return (*(v.isoformat() if isinstance(v, datetime) else v for v in values), offset)


def _start(page: PageRequest) -> tuple[int, int]:
    """(first offset, rows wanted): forward after ``after``, or backward before ``before``."""
    size = page.size
    if not page.backwards:
        return (int(page.after[-1]) + 1 if page.after else 0), size
    if page.before is None:
        raise InvalidFilter("CRM.COM lists page forward only: use first/after (or last with before)")
    end = int(page.before[-1])
    return max(0, end - size), min(size, end)


async def fetch_window(window: Window, fetch: Fetch, keep: Keep) -> Page[AuditedRecord]:
    start, size = _start(window.page)
    if size <= 0:
        return Page([], [], False, start > 0)
    if window.page.backwards:
        rows = await fetch(start, size)
        kept = await _kept(rows, start, keep)
        return _page(kept, window, has_next=True, has_previous=start > 0)
    found: list[tuple[int, AuditedRecord]] = []
    offset, ended = start, False
    for _ in range(MAX_CALLS_PER_PAGE):
        wanted = size + 1 - len(found)
        rows = await fetch(offset, wanted)
        found += await _kept(rows, offset, keep)
        offset += len(rows)
        ended = len(rows) < wanted
        if ended or len(found) > size:
            break
    return _page(found[:size], window, has_next=len(found) > size or not ended, has_previous=start > 0)


async def _kept(rows: list[AuditedRecord], first: int, keep: Keep) -> list[tuple[int, AuditedRecord]]:
    """The rows ``keep`` keeps, as it returns them (it may rewrite a row: its parent reference in the
    graph's ids), each with its offset in the upstream's list."""
    kept = {record.id: record for record in await keep(rows)}
    return [(first + n, kept[record.id]) for n, record in enumerate(rows) if record.id in kept]


def _page(found: list[tuple[int, AuditedRecord]], window: Window, **flags: bool) -> Page[AuditedRecord]:
    keys = [_key(record, window.order, offset) for offset, record in found]
    return Page([record for _, record in found], keys, flags["has_next"], flags["has_previous"])


async def count_all(fetch: Fetch, keep: Keep) -> int:
    total = 0
    for call in range(MAX_COUNT_CALLS):
        rows = await fetch(call * COUNT_PAGE, COUNT_PAGE)
        total += len(await keep(rows))
        if len(rows) < COUNT_PAGE:
            break
    return total
