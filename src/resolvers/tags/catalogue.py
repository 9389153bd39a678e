"""The tenant's tag catalogue inside a transaction: tags by value, ignoring case, without duplicates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.backends.base import RecordWriter
from gateway.backends.query import Condition, ListQuery, Op, OrderKey, PageRequest
from gateway.backends.records import Entity
from resolvers.common.errors import UserError, UserErrors
from resolvers.tags.errors import tag_problem
from resolvers.tags.inputs import MAX_TAG_LENGTH


def value_key(value: str) -> str:
    """What makes two tag values the same tag: "VIP", "vip" and " Vip " are one."""
    return value.strip().casefold()


def value_problems(value: str, path: list[str]) -> list[UserError]:
    """A tag value the catalogue cannot keep (blank values are the caller's REQUIRED check)."""
    if len(value.strip()) > MAX_TAG_LENGTH:
        return [tag_problem(path, f"A tag has at most {MAX_TAG_LENGTH} characters.")]
    if "\x00" in value:
        return [tag_problem(path, "A tag may not contain NUL characters.")]
    return []


async def tags_by_key(writer: RecordWriter, keys: Sequence[str]) -> dict[str, Any]:
    """The tags with these value keys, by key (one statement)."""
    if not keys:
        return {}
    query = ListQuery(
        filter=Condition("value_key", Op.IN, tuple(keys)),
        order=(OrderKey("date_created"),),
        page=PageRequest(first=len(keys)),
    )
    page = await writer.page(Entity.TAG, query)
    return {record.value_key: record for record in page.rows}  # type: ignore[attr-defined]


async def refuse_duplicate(writer: RecordWriter, key: str, own_id: Any = None) -> None:
    """Another tag with this value exists: the catalogue holds each value once."""
    found = (await tags_by_key(writer, [key])).get(key)
    if found is not None and found.id != own_id:
        raise UserErrors([tag_problem(["input", "value"], "A tag with this value exists already.")])
