"""Writes inside one transaction. Optimistic locking compares the row's version in the UPDATE itself."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.access import RowAccess
from gateway.backends.errors import IdempotencyRace, InvalidValue
from gateway.backends.records import Detail, Entity, Relation
from gateway.backends.sql import tables as t
from gateway.backends.sql.automation_events import AutomationEventSteps
from gateway.backends.sql.mapping import DETAIL_TABLES, ENTITY_TABLES, REFERENCES, RELATIONS, UNIQUE_VALUES
from gateway.backends.sql.photos import SqlPhotoWrites
from gateway.backends.sql.queue import QueueWriterSteps
from gateway.backends.sql.reader import IDS, SqlReader
from gateway.backends.sql.stage_changes import StageChangeSteps
from gateway.cost import Cost
from gateway.ids import utcnow, uuid7


class SqlWriter(SqlPhotoWrites, AutomationEventSteps, StageChangeSteps, QueueWriterSteps, SqlReader):
    def __init__(self, connection: AsyncConnection, tenant: str, access: RowAccess, cost: Cost) -> None:
        super().__init__(connection.engine, tenant, access, cost)
        self._connection = connection

    async def insert(self, entity: Entity, values: Mapping[str, Any], actor: str) -> UUID:
        _check_values(ENTITY_TABLES[entity], values)
        record_id = uuid7()
        row = {
            **values,
            "id": record_id,
            "tenant": self.tenant,
            "date_created": utcnow(),
            "created_by": actor,
        }
        await self._run_unique(ENTITY_TABLES[entity], sa.insert(ENTITY_TABLES[entity]).values(row))
        await self.record_created_trigger(entity, record_id, actor)
        return record_id

    async def update(
        self, entity: Entity, id: UUID, values: Mapping[str, Any], actor: str, expected_version: int | None
    ) -> bool:
        table = ENTITY_TABLES[entity]
        _check_values(table, values)
        changes = {**values, "date_modified": utcnow(), "modified_by": actor, "version": _next_version(table)}
        move = await self.pending_stage_move(entity, id, values)
        trigger = await self.pending_update_trigger(entity, id, values, move)
        changed = await self._versioned_update(table, id, changes, expected_version, deleted=False)
        if changed:
            await self.record_stage_move(move, actor)
            await self.record_update_trigger(trigger, actor)
        return changed

    async def set_deleted(
        self, entity: Entity, id: UUID, deleted: bool, actor: str, expected_version: int | None
    ) -> bool:
        table = ENTITY_TABLES[entity]
        changes = {
            "is_deleted": deleted,
            "date_deleted": utcnow() if deleted else None,
            "deleted_by": actor if deleted else None,
            "version": _next_version(table),
        }
        return await self._versioned_update(table, id, changes, expected_version, deleted=not deleted)

    async def _versioned_update(
        self, table: sa.Table, id: UUID, changes: Mapping[str, Any], expected: int | None, deleted: bool
    ) -> bool:
        # The row rules hold for writes too: what the caller cannot see, it cannot change.
        conditions = [
            *self._visible(table, include_deleted=True),
            table.c.id == id,
            table.c.is_deleted.is_(deleted),
        ]
        if expected is not None:
            conditions.append(table.c.version == expected)
        result = await self._run_unique(table, sa.update(table).where(*conditions).values(changes))
        return bool(result.rowcount)

    async def _run_unique(self, table: sa.Table, statement: sa.Executable) -> Any:
        """Runs a write; on a table unique by a chosen value, a concurrent duplicate is an InvalidValue
        (the transaction is then rolled back, as for any refused value)."""
        field = UNIQUE_VALUES.get(table.name)
        if field is None:
            return await self._run(statement)
        try:
            return await self._run(statement)
        except sa.exc.IntegrityError as error:
            raise InvalidValue(field, "is taken: the same value was just stored (ignoring case)") from error

    async def replace_details(
        self, detail: Detail, owner_id: UUID, items: Sequence[Mapping[str, Any]]
    ) -> None:
        table = DETAIL_TABLES[detail]
        for item in items:
            _check_values(table, item)
        await self._run(sa.delete(table).where(table.c.tenant == self.tenant, table.c.owner_id == owner_id))
        if not items:
            return
        extra: dict[str, Any] = {"date_created": utcnow()} if "date_created" in table.c else {}
        rows = [
            # an item kept by a per-item change keeps its id (seed 003 set actions)
            {**item, **extra, "id": item.get("id") or uuid7(), "tenant": self.tenant, "owner_id": owner_id}
            | ({"position": index} if "position" in table.c else {})
            for index, item in enumerate(items)
        ]
        await self._run(sa.insert(table).values(rows))

    def invalid_value(
        self, entity: Entity, values: Mapping[str, Any], details: Mapping[Detail, Sequence[Mapping[str, Any]]]
    ) -> InvalidValue | None:
        try:
            _check_values(ENTITY_TABLES[entity], values)
            for detail, items in details.items():
                for item in items:
                    _check_values(DETAIL_TABLES[detail], item)
        except InvalidValue as problem:
            return problem
        return None

    async def link(self, relation: Relation, parent_id: UUID, child_id: UUID) -> bool:
        spec = RELATIONS[relation]
        assert spec.link is not None and spec.child_column is not None
        if await self._linked(relation, parent_id, child_id):
            return False
        row = {
            "tenant": self.tenant,
            spec.parent_column.name: parent_id,
            spec.child_column.name: child_id,
            "date_created": utcnow(),
        }
        await self._run(sa.insert(spec.link).values(row))
        return True

    async def unlink(self, relation: Relation, parent_id: UUID, child_id: UUID) -> bool:
        spec = RELATIONS[relation]
        assert spec.link is not None and spec.child_column is not None
        statement = sa.delete(spec.link).where(
            spec.link.c.tenant == self.tenant, spec.parent_column == parent_id, spec.child_column == child_id
        )
        return bool((await self._run(statement)).rowcount)

    async def linked_ids(self, relation: Relation, parent_id: UUID) -> set[UUID]:
        """Children linked to the parent, deleted ones included (a link table relation only)."""
        spec = RELATIONS[relation]
        assert spec.link is not None and spec.child_column is not None
        statement = sa.select(spec.child_column).where(
            spec.link.c.tenant == self.tenant, spec.parent_column == parent_id
        )
        return set((await self._run(statement)).scalars().all())

    async def _linked(self, relation: Relation, parent_id: UUID, child_id: UUID) -> bool:
        spec = RELATIONS[relation]
        assert spec.link is not None and spec.child_column is not None
        statement = sa.select(sa.literal(1)).where(
            spec.link.c.tenant == self.tenant, spec.parent_column == parent_id, spec.child_column == child_id
        )
        return (await self._run(statement)).first() is not None

    async def is_referenced(self, entity: Entity, id: UUID) -> bool:
        for column in REFERENCES.get(entity, ()):
            table = column.table
            conditions = [table.c.tenant == self.tenant, column == id]  # type: ignore[attr-defined]
            if "is_deleted" in table.c:  # type: ignore[attr-defined]
                conditions.append(table.c.is_deleted.is_(False))  # type: ignore[attr-defined]
            if (await self._run(sa.select(sa.literal(1)).where(*conditions).limit(1))).first():
                return True
        return False

    async def purge(self, entity: Entity, id: UUID, expected_version: int | None) -> bool:
        table = ENTITY_TABLES[entity]
        conditions = [*self._visible(table), table.c.id == id]
        if expected_version is not None:
            conditions.append(table.c.version == expected_version)
        return bool((await self._run(sa.delete(table).where(*conditions))).rowcount)

    async def existing_ids(self, entity: Entity, ids: Sequence[UUID]) -> set[UUID]:
        if not ids:
            return set()
        table = ENTITY_TABLES[entity]
        # Built once, the list bound at execution: ``in_(list)`` built per call cloned its bound
        # parameter, and a cloned BindParameter holds itself (its ``_cloned_set``), a cycle per
        # mutation that waited for the cyclic collector (bench/findings.md).
        statement = self._cached(
            ("existing_ids", entity),
            lambda: sa.select(table.c.id).where(*self._visible(table), self._one_of(table.c.id)),
        )
        return set((await self._run_with(statement, {IDS: list(ids)})).scalars().all())

    async def remembered_create(self, caller: str, operation: str, key: str) -> tuple[str, UUID] | None:
        keys = t.idempotency_keys
        statement = sa.select(keys.c.request_hash, keys.c.record_id).where(
            keys.c.tenant == self.tenant,
            keys.c.caller == caller,
            keys.c.operation == operation,
            keys.c.key == key,
        )
        row = (await self._run(statement)).first()
        return (row[0], row[1]) if row else None

    async def remember_create(
        self, caller: str, operation: str, key: str, request_hash: str, record_id: UUID
    ) -> None:
        row = {
            "tenant": self.tenant,
            "caller": caller,
            "operation": operation,
            "key": key,
            "request_hash": request_hash,
            "record_id": record_id,
            "date_created": utcnow(),
        }
        try:
            async with self._connection.begin_nested():  # type: ignore[union-attr]
                await self._run(sa.insert(t.idempotency_keys).values(row))
        except sa.exc.IntegrityError as error:
            raise IdempotencyRace(key) from error


def _check_values(table: sa.Table, values: Mapping[str, Any]) -> None:
    # PostgreSQL refuses an over-long value with an error; SQLite would silently keep it. Both answer alike.
    for name, value in values.items():
        column = table.c[name]
        length = getattr(column.type, "length", None)
        if isinstance(value, str) and length is not None and len(value) > length:
            raise InvalidValue(name, f"may have at most {length} characters")
        if isinstance(value, str) and "\x00" in value:  # PostgreSQL cannot store NUL in text
            raise InvalidValue(name, "may not contain NUL characters")
        if value is None and not column.nullable:
            raise InvalidValue(name, "cannot be null")


@functools.cache
def _next_version(table: sa.Table) -> Any:
    """``version + 1``, built once per table: built per write, its bound 1 was cloned while the UPDATE
    compiled, and a cloned BindParameter holds itself (``_cloned_set``), a cycle per write that
    waited for the cyclic collector."""
    return table.c.version + 1
