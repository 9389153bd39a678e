"""The tenant's tag catalogue inside a transaction, for every writer of tags (``tagAssign`` and the
automations' ``addTag``): values unique ignoring case, created when missing, linked to contacts and
organizations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from gateway.backends.base import RecordWriter
from gateway.backends.query import Condition, ListQuery, Op, OrderKey, PageRequest
from gateway.backends.records import Entity, Relation

MAX_TAG_LENGTH = 100
MAX_TAGS_PER_CALL = 20
TAG_RELATIONS = {Entity.CONTACT: Relation.CONTACT_TAGS, Entity.ACCOUNT: Relation.ACCOUNT_TAGS}


def value_key(value: str) -> str:
    """What makes two tag values the same tag: "VIP", "vip" and " Vip " are one."""
    return value.strip().casefold()


def value_problem(value: str) -> str | None:
    """Why the catalogue cannot keep a (non-blank) tag value, or None."""
    if len(value.strip()) > MAX_TAG_LENGTH:
        return f"A tag has at most {MAX_TAG_LENGTH} characters."
    if "\x00" in value:
        return "A tag may not contain NUL characters."
    return None


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


async def tag_ids_by_key(
    writer: RecordWriter, values: Mapping[str, str], actor: str, create: bool
) -> dict[str, UUID]:
    """The ids of the tags ``values`` (value key -> value) name; with ``create``, the missing ones are
    added to the catalogue (otherwise left out of the answer)."""
    found = {key: tag.id for key, tag in (await tags_by_key(writer, list(values))).items()}
    for key, value in values.items():
        if key not in found and create:
            found[key] = await writer.insert(Entity.TAG, {"value": value.strip(), "value_key": key}, actor)
    return found


async def link_tags(
    writer: RecordWriter, owner: Entity, owner_id: UUID, tag_ids: Sequence[UUID], adding: bool = True
) -> None:
    """Put the tags on a contact or organization (carrying one already is fine), or take them off."""
    relation = TAG_RELATIONS[owner]
    for tag_id in tag_ids:
        if adding:
            await writer.link(relation, owner_id, tag_id)
        else:
            await writer.unlink(relation, owner_id, tag_id)
