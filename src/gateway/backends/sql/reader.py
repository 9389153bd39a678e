"""Tenant-scoped reads. Every statement filters on the tenant and goes through ``_run``, which counts it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.backends.access import RowAccess
from gateway.backends.base import QueueEvent
from gateway.backends.query import AllOf, AnyOf, Condition, ListQuery, Op, Page
from gateway.backends.records import (
    COMMUNICATION_NUMBER_COUNTER,
    DETAIL_RECORDS,
    ENTITY_RECORDS,
    AuditedRecord,
    CommunicationRecord,
    ContactRecord,
    Detail,
    Entity,
    Relation,
    TenantRecord,
    record_from_mapping,
)
from gateway.backends.sql import tables as t
from gateway.backends.sql.engine import for_tenant
from gateway.backends.sql.filters import compile_filter
from gateway.backends.sql.mapping import (
    DETAIL_FILTER_FIELDS,
    DETAIL_TABLES,
    ENTITY_TABLES,
    RELATIONS,
    SEARCH_COLUMNS,
)
from gateway.backends.sql.paging import key_values, keyset_predicate, order_by, sort_expressions
from gateway.backends.sql.row_rules import visible_contacts
from gateway.cost import Cost
from gateway.permissions import visible_media


class SqlReader:
    def __init__(self, engine: AsyncEngine, tenant: str, access: RowAccess, cost: Cost) -> None:
        self.engine = for_tenant(engine, tenant)  # PostgreSQL's row-level security checks it too
        self.tenant = tenant
        self.access = access
        self.cost = cost
        self._connection: AsyncConnection | None = None

    async def _run(self, statement: sa.Executable) -> Any:
        self.cost.sql_statements += 1
        if self._connection is not None:
            return await self._connection.execute(statement)
        async with self.engine.connect() as connection:
            result = await connection.execute(statement)
            return result.freeze()()

    def _visible(self, table: sa.Table, include_deleted: bool = False) -> list[Any]:
        """The caller's rows of ``table``: its tenant's, live ones only by default, row rules applied."""
        conditions: list[Any] = [table.c.tenant == self.tenant]
        if not include_deleted and "is_deleted" in table.c:
            conditions.append(table.c.is_deleted.is_(False))
        if table is t.contacts and not self.access.admin:
            conditions.append(visible_contacts(self.tenant, self.access))
        if table is t.communications and not self.access.admin:
            # Seed 000's CRM_VIEW_EMAIL / CRM_VIEW_SMS: a communication of a medium the caller may not view
            # does not exist for it, on every path.
            conditions.append(table.c.media.in_(sorted(visible_media(self.access.permissions))))
        return conditions

    async def get_many(
        self, entity: Entity, ids: Sequence[UUID], *, include_deleted: bool = False
    ) -> Mapping[UUID, AuditedRecord]:
        if not ids:
            return {}
        table = ENTITY_TABLES[entity]
        statement = sa.select(table).where(*self._visible(table, include_deleted), table.c.id.in_(list(ids)))
        rows = (await self._run(statement)).mappings().all()
        record_class = ENTITY_RECORDS[entity]
        return {row["id"]: record_from_mapping(record_class, row) for row in rows}

    def _where(self, entity: Entity, query: ListQuery) -> list[Any]:
        table = ENTITY_TABLES[entity]
        conditions = self._visible(table)
        if query.filter is not None:
            conditions.append(compile_filter(table, query.filter))
        if query.search:
            conditions.append(self._search(entity, query.search))
        return conditions

    def _search(self, entity: Entity, text: str) -> Any:
        """Every word is in a searchable column or in one of the owner's e-mail addresses or phones."""
        fields = (*SEARCH_COLUMNS[entity], *DETAIL_FILTER_FIELDS)
        words = text.split()[:8]
        expr = AllOf(tuple(AnyOf(tuple(Condition(f, Op.CONTAINS, word) for f in fields)) for word in words))
        return compile_filter(ENTITY_TABLES[entity], expr)

    async def page(self, entity: Entity, query: ListQuery) -> Page[AuditedRecord]:
        table = ENTITY_TABLES[entity]
        keys = sort_expressions(table, query.order)
        backwards = query.page.backwards
        conditions = self._where(entity, query)
        keyset = keyset_predicate(keys, query.page)
        if keyset is not None:
            conditions.append(keyset)
        statement = (
            sa.select(table, *(expr.label(f"_k{i}") for i, (expr, _) in enumerate(keys)))
            .where(*conditions)
            .order_by(*order_by(keys, backwards))
            .limit(query.page.size + 1)
        )
        rows = (await self._run(statement)).mappings().all()
        return _to_page(ENTITY_RECORDS[entity], list(rows), len(keys), query)

    async def count(self, entity: Entity, query: ListQuery) -> int:
        table = ENTITY_TABLES[entity]
        statement = sa.select(sa.func.count()).select_from(table).where(*self._where(entity, query))
        return int((await self._run(statement)).scalar_one())

    def _related(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> tuple[Any, Any, list[Any]]:
        """(child table, parent column, conditions) for the children of these parents."""
        spec = RELATIONS[relation]
        table = ENTITY_TABLES[spec.child]
        conditions = self._where(spec.child, query)
        conditions.append(spec.parent_column.in_(list(parent_ids)))
        source: Any = table
        if spec.link is not None and spec.child_column is not None:
            source = table.join(spec.link, spec.child_column == table.c.id)
            conditions.append(spec.link.c.tenant == self.tenant)
        return source, spec.parent_column, conditions

    async def pages_by_parent(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> Mapping[UUID, Page[AuditedRecord]]:
        """One statement for all parents: a window function numbers each parent's rows."""
        spec = RELATIONS[relation]
        table = ENTITY_TABLES[spec.child]
        source, parent_column, conditions = self._related(relation, parent_ids, query)
        keys = sort_expressions(table, query.order)
        keyset = keyset_predicate(keys, query.page)
        if keyset is not None:
            conditions.append(keyset)
        row_number = sa.func.row_number().over(
            partition_by=parent_column, order_by=order_by(keys, query.page.backwards)
        )
        numbered = (
            sa.select(
                table,
                parent_column.label("_parent"),
                row_number.label("_rn"),
                *(expr.label(f"_k{i}") for i, (expr, _) in enumerate(keys)),
            )
            .select_from(source)
            .where(*conditions)
            .subquery()
        )
        statement = (
            sa.select(numbered)
            .where(numbered.c["_rn"] <= query.page.size + 1)
            .order_by(numbered.c["_parent"], numbered.c["_rn"])
        )
        rows = (await self._run(statement)).mappings().all()
        grouped: dict[UUID, list[Any]] = defaultdict(list)
        for row in rows:
            grouped[row["_parent"]].append(row)
        record_class = ENTITY_RECORDS[spec.child]
        return {
            parent: _to_page(record_class, grouped.get(parent, []), len(keys), query) for parent in parent_ids
        }

    async def counts_by_parent(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> Mapping[UUID, int]:
        source, parent_column, conditions = self._related(relation, parent_ids, query)
        statement = (
            sa.select(parent_column, sa.func.count())
            .select_from(source)
            .where(*conditions)
            .group_by(parent_column)
        )
        counts = {row[0]: int(row[1]) for row in (await self._run(statement)).all()}
        return {parent: counts.get(parent, 0) for parent in parent_ids}

    async def details(self, detail: Detail, owner_ids: Sequence[UUID]) -> Mapping[UUID, list[Any]]:
        table = DETAIL_TABLES[detail]
        order = table.c.position if "position" in table.c else table.c.date_created
        statement = (
            sa.select(table)
            .where(table.c.tenant == self.tenant, table.c.owner_id.in_(list(owner_ids)))
            .order_by(table.c.owner_id, order, table.c.id)
        )
        grouped: dict[UUID, list[Any]] = {owner: [] for owner in owner_ids}
        record_class = DETAIL_RECORDS[detail]
        for row in (await self._run(statement)).mappings().all():
            grouped[row["owner_id"]].append(record_from_mapping(record_class, row))
        return grouped

    async def contacts_by_phone(self, number: str) -> list[ContactRecord]:
        contacts, phones = t.contacts, t.phones
        owners = sa.select(phones.c.owner_id).where(phones.c.tenant == self.tenant, phones.c.number == number)
        statement = (
            sa.select(contacts)
            .where(*self._visible(contacts), contacts.c.id.in_(owners))
            .order_by(contacts.c.date_created, contacts.c.id)
            .limit(100)
        )
        rows = (await self._run(statement)).mappings().all()
        return [record_from_mapping(ContactRecord, row) for row in rows]

    async def tenant_record(self) -> TenantRecord | None:
        statement = sa.select(t.tenants).where(t.tenants.c.key == self.tenant)
        row = (await self._run(statement)).mappings().first()
        return record_from_mapping(TenantRecord, row) if row else None

    async def queue_events_after(self, sequence: int, limit: int) -> list[QueueEvent]:
        events = t.communication_queue_events
        statement = (
            sa.select(events.c.sequence, events.c.kind, events.c.entry_id, events.c.occurred_at)
            .where(events.c.tenant == self.tenant, events.c.sequence > sequence)
            .order_by(events.c.sequence)
            .limit(limit)
        )
        rows = (await self._run(statement)).all()
        return [QueueEvent(int(row[0]), row[1], row[2], row[3]) for row in rows]

    async def latest_queue_event_sequence(self) -> int:
        events = t.communication_queue_events
        statement = sa.select(sa.func.max(events.c.sequence)).where(events.c.tenant == self.tenant)
        return int((await self._run(statement)).scalar_one() or 0)

    async def communications_numbered_after(
        self, contact_id: UUID, after: int, upto: int, limit: int
    ) -> list[CommunicationRecord]:
        table = t.communications
        statement = (
            sa.select(table)
            .where(
                *self._visible(table),
                table.c.contact_id == contact_id,
                _number_above(table.c.number, after),
                sa.not_(_number_above(table.c.number, upto)),
            )
            .order_by(sa.func.length(table.c.number), table.c.number)
            .limit(limit)
        )
        rows = (await self._run(statement)).mappings().all()
        return [record_from_mapping(CommunicationRecord, row) for row in rows]

    async def latest_communication_number(self) -> int:
        counters = t.counters
        statement = sa.select(counters.c.value).where(
            counters.c.tenant == self.tenant, counters.c.name == COMMUNICATION_NUMBER_COUNTER
        )
        return int((await self._run(statement)).scalar_one_or_none() or 0)


def _number_above(number: Any, value: int) -> Any:
    """``number > value`` for the decimal strings the tenant's counter hands out, without a cast.

    Comparing by length first keeps it numeric (no leading zeros) and never fails on a number that is
    not decimal (imported or hand-made ones), which a CAST would on PostgreSQL.
    """
    text = str(value)
    longer = sa.func.length(number) > len(text)
    return sa.or_(longer, sa.and_(sa.func.length(number) == len(text), number > text))


def _to_page(record_class: type[Any], rows: list[Any], key_count: int, query: ListQuery) -> Page[Any]:
    size = query.page.size
    more = len(rows) > size
    rows = rows[:size]
    if query.page.backwards:
        rows.reverse()
    return Page(
        rows=[record_from_mapping(record_class, row) for row in rows],
        keys=[key_values(row, key_count) for row in rows],
        has_next=more if not query.page.backwards else query.page.before is not None,
        has_previous=more if query.page.backwards else query.page.after is not None,
    )
