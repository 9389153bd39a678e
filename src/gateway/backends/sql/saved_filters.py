"""Saved filters in SQL (seed 004): a caller's own, and the tenant's shared (``private: false``) ones.

The owner is the subject who created the filter. Another caller's private filter does not exist for
the caller (NOT_FOUND, as an invisible contact); a shared one can be read by the whole tenant and
changed or deleted by its owner only (FORBIDDEN). ConeCRM's default applies: a filter is private
unless told otherwise.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from gateway.backends.customization import SavedFilter, SavedFilterChange
from gateway.backends.sql import tables as t
from gateway.backends.sql.area import SqlArea, storable
from gateway.backends.sql.customization_rows import as_id, catalogued_entity, invalid, not_found
from gateway.errors import Forbidden
from gateway.ids import utcnow, uuid7

SAVED = t.saved_filters


class SavedFilterSteps(SqlArea):
    async def saved_filters(self) -> list[SavedFilter]:
        statement = sa.select(SAVED).where(*self._visible()).order_by(SAVED.c.date_created, SAVED.c.id)
        return [_saved_filter(row) for row in (await self.read(statement)).mappings()]

    async def saved_filter(self, filter_id: str) -> SavedFilter:
        return _saved_filter(await self._visible_one(filter_id))

    async def create_saved_filter(self, change: SavedFilterChange) -> SavedFilter:
        if change.name is None or change.module is None or change.value is None:
            raise invalid("input", "name, module and value are required.")
        row = {
            "id": uuid7(),
            "tenant": self.tenant,
            "date_created": utcnow(),
            "owner": self.actor,
            "name": change.name,
            "module": catalogued_entity(change.module, "module"),
            "value": json.dumps(change.value),
            "private": True if change.private is None else change.private,
        }
        async with self.transaction() as connection:
            await self.run(connection, sa.insert(SAVED).values(storable(row)))
        return _saved_filter(row)

    async def update_saved_filter(self, filter_id: str, change: SavedFilterChange) -> SavedFilter:
        current = await self._owned(filter_id)
        values: dict[str, Any] = {"date_modified": utcnow()}
        if change.name is not None:
            values["name"] = change.name
        if change.module is not None:
            values["module"] = catalogued_entity(change.module, "module")
        if change.value is not None:
            values["value"] = json.dumps(change.value)
        if change.private is not None:
            values["private"] = change.private
        async with self.transaction() as connection:
            await self.run(
                connection, sa.update(SAVED).where(*self._one(current["id"])).values(storable(values))
            )
        return _saved_filter({**current, **values})

    async def delete_saved_filter(self, filter_id: str) -> None:
        current = await self._owned(filter_id)
        async with self.transaction() as connection:
            await self.run(connection, sa.delete(SAVED).where(*self._one(current["id"])))

    def _visible(self) -> list[Any]:
        return [
            SAVED.c.tenant == self.tenant,
            sa.or_(SAVED.c.owner == self.actor, SAVED.c.private.is_(False)),
        ]

    def _one(self, filter_id: Any) -> list[Any]:
        return [*self._visible(), SAVED.c.id == filter_id]

    async def _visible_one(self, filter_id: str) -> Any:
        statement = sa.select(SAVED).where(*self._one(as_id(filter_id, "saved filter")))
        row = (await self.read(statement)).mappings().first()
        if row is None:
            raise not_found("saved filter")
        return row

    async def _owned(self, filter_id: str) -> Any:
        row = await self._visible_one(filter_id)
        if row["owner"] != self.actor:
            raise Forbidden("Only the owner of a shared saved filter may change or delete it.")
        return row


def _saved_filter(row: Any) -> SavedFilter:
    value = json.loads(row["value"])
    return SavedFilter(str(row["id"]), row["name"], row["module"], value, row["owner"], row["private"])
