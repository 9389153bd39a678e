"""Tenant-scoped reads. Every statement filters on the tenant and goes through ``_run``, which counts it."""

from __future__ import annotations

import asyncio
import weakref
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import MISSING, dataclass, fields
from operator import itemgetter
from typing import Any, TypeVar, overload
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.backends.access import RowAccess
from gateway.backends.base import QueueEvent
from gateway.backends.query import ListQuery, Page
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
    partial_record_class,
    record_from_mapping,
)
from gateway.backends.search import SearchHit, SearchPage, search_terms
from gateway.backends.sql import tables as t
from gateway.backends.sql.engine import for_tenant
from gateway.backends.sql.filters import compile_filter
from gateway.backends.sql.mapping import (
    DETAIL_TABLES,
    ENTITY_TABLES,
    RELATIONS,
)
from gateway.backends.sql.paging import (
    keyset_predicate,
    omitted_columns,
    order_by,
    per_run_values,
    plain_key,
    row_columns,
    sort_expressions,
    windowed_pages,
)
from gateway.backends.sql.photos import SqlPhotoReads
from gateway.backends.sql.row_rules import (
    live_owner,
    owned_rows,
    visible_contacts,
    visible_document_owners,
    visible_owners,
)
from gateway.backends.sql.search import DOCS, FullText, hits_statement, matching_ids
from gateway.backends.sql.session import (
    DriverStatement,
    SharedConnection,
    driver_statement,
    run_alone,
    run_on,
)
from gateway.cost import Cost
from gateway.errors import InvalidFilter
from gateway.permissions import receivable_media, visible_media
from gateway.planner.plan import UNSERVED, ConnectionPlan, ObjectRootPlan, Unserved

S = TypeVar("S")
IDS = "ids"  # the bound parameter of the id list in a cached statement (see ``SqlReader._cached``)


class SqlReader(SqlPhotoReads):
    def __init__(self, engine: AsyncEngine, tenant: str, access: RowAccess, cost: Cost) -> None:
        self.engine = for_tenant(engine, tenant)  # PostgreSQL's row-level security checks it too
        self._session_engine = for_tenant(engine, tenant, generic_plans=True)
        self.tenant = tenant
        self.access = access
        self.cost = cost
        self._connection: AsyncConnection | None = None
        self._shared: SharedConnection | None = None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[None]:
        """Reads inside the block share one connection (see ``session.py``); the HTTP view opens one
        around each operation. Outside a session each statement has a connection of its own."""
        if self._connection is not None:
            yield
            return
        # The operations of a batch run at the same time on one backend: the last one out closes it.
        shared = self._shared = self._shared or SharedConnection(self._session_engine)
        shared.users += 1
        try:
            yield
        finally:
            shared.users -= 1
            if not shared.users:
                self._shared = None
                await shared.close()

    async def _run(self, statement: sa.Executable) -> Any:
        return await self._run_with(statement, None)

    async def _run_with(
        self, statement: sa.Executable | DriverStatement, parameters: dict[str, Any] | None
    ) -> Any:
        """Runs a statement: on the transaction's connection, the session's, or one of its own."""
        self.cost.sql_statements += 1
        if self._connection is not None:  # a writer's transaction: its result as SQLAlchemy gives it
            if isinstance(statement, DriverStatement):
                return await run_on(self._connection, statement, parameters)
            return await self._connection.execute(statement, parameters)
        if self._shared is not None:
            return await self._shared.execute(statement, parameters)
        return await run_alone(self.engine, statement, parameters)

    def _visible(self, table: sa.Table, include_deleted: bool = False) -> list[Any]:
        """The caller's rows of ``table``: its tenant's, live ones only by default, row rules applied."""
        conditions: list[Any] = [table.c.tenant == self.tenant]
        if not include_deleted and "is_deleted" in table.c:
            conditions.append(table.c.is_deleted.is_(False))
        if table is t.contacts and not self.access.admin:
            conditions.append(visible_contacts(self.tenant, self.access))
        if table is t.comments:
            conditions.append(visible_owners(self.tenant, self.access, table.c.owner_id))
        if table is t.communications and not self.access.admin:
            # Seed 000's CRM_VIEW_EMAIL / CRM_VIEW_SMS: a communication of a medium the caller may not view
            # does not exist for it, on every path.
            conditions.append(table.c.media.in_(sorted(visible_media(self.access.permissions))))
            # CRM_RECEIVE_EMAIL / CRM_RECEIVE_SMS: so does an incoming one the caller may not receive.
            received = sorted(receivable_media(self.access.permissions))
            conditions.append(sa.or_(table.c.direction != "INCOMING", table.c.media.in_(received)))
        if table is t.occasions or table is t.contact_relations:
            conditions += owned_rows(table, self.tenant, self.access)
        if table is t.lead_stage_changes:  # a move exists while its lead does (node(id) included)
            conditions.append(live_owner(self.tenant, self.access, t.leads, table.c.lead_id))
        if table is t.documents:  # a document is seen where its owner is
            conditions.append(visible_document_owners(self.tenant, self.access))
        return conditions

    async def get_many(
        self, entity: Entity, ids: Sequence[UUID], *, include_deleted: bool = False
    ) -> Mapping[UUID, AuditedRecord]:
        if not ids:
            return {}
        table = ENTITY_TABLES[entity]
        statement = self._cached(
            ("get_many", entity, include_deleted),
            lambda: sa.select(table).where(*self._visible(table, include_deleted), self._one_of(table.c.id)),
        )
        records = _records(ENTITY_RECORDS[entity], await self._run_with(statement, {IDS: list(ids)}))
        return {record.id: record for record in records}

    def _cached(self, key: tuple[Any, ...], build: Callable[[], S]) -> S:
        """The statement built once per ``key`` and caller, its id list bound at execution (``IDS``).

        Building a select costs more CPU than PostgreSQL spends running these, and a statement object
        used again skips SQLAlchemy's cache-key walk too. Everything the statement depends on besides
        the bound lists is in the cache key: the caller (tenant, row rules) and the dialect.
        """
        cache_key = (*key, self.tenant, self.access, self.engine.dialect.name)
        found = _STATEMENTS.get(cache_key)
        if found is None:
            if len(_STATEMENTS) > 512:  # a few shapes per entity; this only bounds the worst case
                _STATEMENTS.clear()
            found = _STATEMENTS[cache_key] = build()
        return found  # type: ignore[no-any-return]

    def _one_of(self, column: Any, name: str = IDS) -> Any:
        """``column IN (<the list bound as name>)``.

        On PostgreSQL the list travels as one array parameter (``column = ANY($n)``): the SQL text is
        the same whatever the list's length, so asyncpg prepares it once per connection rather than
        once per length (a round trip each time), and SQLAlchemy has no list to expand. SQLite has no
        arrays: there the list expands into ``IN (?, ?, ...)``.
        """
        if self.engine.dialect.name == "postgresql":
            return column == sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(column.type)))
        return column.in_(sa.bindparam(name, expanding=True, type_=column.type))

    def _where(self, entity: Entity, query: ListQuery) -> list[Any]:
        table = ENTITY_TABLES[entity]
        conditions = self._visible(table)
        if query.filter is not None:
            conditions.append(compile_filter(table, query.filter))
        if query.search:
            conditions.append(self._search(entity, query.search))
        return conditions

    def _search(self, entity: Entity, text: str) -> Any:
        """Every word begins a word of the row's names, e-mail addresses or phone digits: the full-text
        index that ``search`` ranks with (``sql/search.py``)."""
        if "\x00" in text:  # as in every filter: no stored text holds one, PostgreSQL cannot compare one
            raise InvalidFilter("text values may not contain NUL characters")
        terms = search_terms(text)
        if not terms:
            return sa.false()
        full_text = FullText(self.engine.dialect.name, terms)
        return ENTITY_TABLES[entity].c.id.in_(matching_ids(full_text, self.tenant, entity.name))

    async def search(
        self, text: str, entities: Sequence[Entity], size: int, after: tuple[Any, ...] | None
    ) -> SearchPage:
        """Ranked hits among the caller's visible rows of ``entities``, in one statement."""
        terms = search_terms(text)
        if not terms or not entities or size == 0:
            return SearchPage(hits=[], has_next=False)
        # A correlated EXISTS per hit (a primary-key probe), not IN: IN would read every visible row.
        kinds = [
            sa.and_(
                DOCS.c.kind == entity.name,
                sa.exists().where(
                    ENTITY_TABLES[entity].c.id == DOCS.c.id, *self._visible(ENTITY_TABLES[entity])
                ),
            )
            for entity in entities
        ]
        full_text = FullText(self.engine.dialect.name, terms)
        statement = hits_statement(full_text, text, self.tenant, kinds, after, size)
        rows = (await self._run(statement)).all()
        hits = [
            SearchHit(
                id=row.id,
                entity=Entity[row.kind],
                exact=int(row.exact),
                rank=float(row.score),
                highlight=row.highlight or "",
            )
            for row in rows[:size]
        ]
        return SearchPage(hits=hits, has_next=len(rows) > size)

    async def page(self, entity: Entity, query: ListQuery) -> Page[AuditedRecord]:
        table = ENTITY_TABLES[entity]
        keys = sort_expressions(table, query.order)
        backwards = query.page.backwards
        conditions = self._where(entity, query)
        keyset = keyset_predicate(keys, query.page)
        if keyset is not None:
            conditions.append(keyset)
        statement = (
            sa.select(
                *row_columns(table, query.columns),
                *(expr.label(f"_k{i}") for i, (expr, _) in enumerate(keys)),
            )
            .where(*conditions)
            .order_by(*order_by(keys, backwards))
            .limit(row_limit(query.page.size + 1))
        )
        result = await self._run(statement)
        omitted = omitted_columns(table, query.columns)
        shape = _RowShape.of(ENTITY_RECORDS[entity], tuple(result.keys()), len(keys), omitted)
        return _to_page(shape, result.all(), query)

    def tree_statements(self, plans: Sequence[ConnectionPlan | ObjectRootPlan]) -> tuple[Any, ...]:
        """The statement of each root field's planned subtree (``gateway.planner``); raises
        ``Unplannable`` for one it cannot build. They depend on the plans and ``tree_scope()`` only."""
        from gateway.planner.sql import TreeStatement  # the planner builds on this module

        return tuple(
            TreeStatement(self).root_object_statement(plan)
            if isinstance(plan, ObjectRootPlan)
            else TreeStatement(self).statement(plan)
            for plan in plans
        )

    def tree_scope(self) -> tuple[Any, ...]:
        """What a planned statement depends on besides its plan: the caller and the dialect."""
        return (self.tenant, self.access, self.engine.dialect.name)

    async def run_trees(
        self, statements: Sequence[Any], parameters: Sequence[dict[str, Any] | None] | None = None
    ) -> list[str]:
        """Each planned statement's JSON text (given its values bound per request, e.g. a lookup's
        id); one statement each, counted like any other. Raises ``Unserved`` when one answered a row
        it cannot answer (``plan.UNSERVED``).

        A planned statement is compiled once into the driver's text and arguments
        (``session.DriverStatement``), kept as long as the statement is (the plan cache's); the values
        bound per request (a lookup's id, a cursor's keys) go into its slots at each run. A cursor's
        key that is not one of its sort key's type raises ``InvalidCursor``, before any statement runs.
        """
        bound = parameters or [None] * len(statements)
        runs = []
        for statement, values in zip(statements, bound, strict=True):
            driver = _DRIVER_STATEMENTS.get(statement)
            if driver is None:
                driver = driver_statement(statement, self.engine.dialect, values or ())
                _DRIVER_STATEMENTS[statement] = driver
            # A cursor's keys, coerced before any statement runs (a bad one: the resolvers answer all).
            runs.append((driver, per_run_values(values, driver.slot_types) if values else values))
        trees = []
        for driver, values in runs:
            rows = await self._run_with(driver, values)
            [(tree,)] = rows
            if UNSERVED in tree:
                raise Unserved("a row the planned statement cannot answer")
            trees.append(tree)
        return trees

    async def count(self, entity: Entity, query: ListQuery) -> int:
        table = ENTITY_TABLES[entity]
        statement = sa.select(sa.func.count()).select_from(table).where(*self._where(entity, query))
        return int((await self._run(statement)).scalar_one())

    def _related(self, relation: Relation, parents: Any, query: ListQuery) -> tuple[Any, Any, list[Any]]:
        """(child table, parent column, conditions) for the children whose parent matches ``parents``
        (a condition on the parent column)."""
        spec = RELATIONS[relation]
        table = ENTITY_TABLES[spec.child]
        conditions = self._where(spec.child, query)
        conditions.append(parents)
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
        statement, key_count, omitted = self._cached(
            ("pages", relation, query),
            lambda: (
                *windowed_pages(
                    *self._related(relation, self._one_of(RELATIONS[relation].parent_column), query), query
                ),
                omitted_columns(ENTITY_TABLES[spec.child], query.columns),
            ),
        )
        result = await self._run_with(statement, {IDS: list(parent_ids)})
        shape = _RowShape.of(ENTITY_RECORDS[spec.child], tuple(result.keys()), key_count, omitted)
        parent_index = shape.index("_parent")
        grouped: dict[UUID, list[Any]] = defaultdict(list)
        for row in result.all():
            grouped[row[parent_index]].append(row)
        return {parent: _to_page(shape, grouped.get(parent, []), query) for parent in parent_ids}

    async def counts_by_parent(
        self, relation: Relation, parent_ids: Sequence[UUID], query: ListQuery
    ) -> Mapping[UUID, int]:
        parents = RELATIONS[relation].parent_column.in_(list(parent_ids))
        source, parent_column, conditions = self._related(relation, parents, query)
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
        statement = self._cached(
            ("details", detail),
            lambda: (
                sa.select(table)
                .where(table.c.tenant == self.tenant, self._one_of(table.c.owner_id))
                .order_by(table.c.owner_id, order, table.c.id)
            ),
        )
        grouped: dict[UUID, list[Any]] = {owner: [] for owner in owner_ids}
        for record in _records(
            DETAIL_RECORDS[detail], await self._run_with(statement, {IDS: list(owner_ids)})
        ):
            grouped[record.owner_id].append(record)
        return grouped

    async def details_of_kinds(
        self, wanted: Mapping[Detail, Sequence[UUID]]
    ) -> dict[Detail, Mapping[UUID, list[Any]]]:
        """Several kinds of details at once: one statement per kind, sent one after another on the
        session's connection (its lock orders them)."""
        kinds = list(wanted)
        found = await asyncio.gather(*(self.details(kind, wanted[kind]) for kind in kinds))
        return dict(zip(kinds, found, strict=True))

    async def contacts_by_phone(self, number: str) -> list[ContactRecord]:
        contacts, phones = t.contacts, t.phones
        owners = sa.select(phones.c.owner_id).where(phones.c.tenant == self.tenant, phones.c.number == number)
        statement = (
            sa.select(contacts)
            .where(*self._visible(contacts), contacts.c.id.in_(owners))
            .order_by(contacts.c.date_created, contacts.c.id)
            .limit(row_limit(100))
        )
        rows = (await self._run(statement)).mappings().all()
        return [record_from_mapping(ContactRecord, row) for row in rows]

    async def owners_by_third_party_ids(
        self, system_name: str, third_party_ids: Sequence[str]
    ) -> dict[str, UUID]:
        """The reverse of the THIRD_PARTY_IDS details: each given id of ``system_name`` -> the graph id
        of the contact or account that carries it (one statement, on the tenant's index)."""
        table = t.third_party_ids
        statement = sa.select(table.c.third_party_id, table.c.owner_id).where(
            table.c.tenant == self.tenant,
            table.c.system_name == system_name,
            table.c.third_party_id.in_(list(dict.fromkeys(third_party_ids))),
        )
        return {str(row[0]): row[1] for row in (await self._run(statement)).all()}

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
            .limit(row_limit(limit))
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
            .limit(row_limit(limit))
        )
        rows = (await self._run(statement)).mappings().all()
        return [record_from_mapping(CommunicationRecord, row) for row in rows]

    async def latest_communication_number(self) -> int:
        counters = t.counters
        statement = sa.select(counters.c.value).where(
            counters.c.tenant == self.tenant, counters.c.name == COMMUNICATION_NUMBER_COUNTER
        )
        return int((await self._run(statement)).scalar_one_or_none() or 0)


def row_limit(rows: int) -> Any:
    """A LIMIT written into the SQL text rather than bound: a session's reads use generic plans
    (``engine.for_tenant``), and a generic plan knows a bound LIMIT only as 10% of the table's rows,
    which on a large tenant can turn the index walk of a page into a scan and a sort."""
    return sa.bindparam(None, rows, type_=sa.Integer, literal_execute=True)


def _number_above(number: Any, value: int) -> Any:
    """``number > value`` for the decimal strings the tenant's counter hands out, without a cast.

    Comparing by length first keeps it numeric (no leading zeros) and never fails on a number that is
    not decimal (imported or hand-made ones), which a CAST would on PostgreSQL.
    """
    text = str(value)
    longer = sa.func.length(number) > len(text)
    return sa.or_(longer, sa.and_(sa.func.length(number) == len(text), number > text))


@dataclass(frozen=True)
class _RowShape:
    """How the columns of a result map onto a record class: built once per (class, columns).

    Rows are read by position rather than through ``RowMapping`` (a name lookup and a membership test
    per column and row): for a page of leads with their ~35 columns that is most of the decoding time.
    A read that left columns out (``omitted``) builds partial records (``partial_record_class``).
    """

    keys: tuple[str, ...]
    build: Callable[[Sequence[Any]], Any]
    sort_key_indexes: tuple[int, ...]

    @staticmethod
    def of(
        record_class: type[Any],
        keys: tuple[str, ...],
        key_count: int = 0,
        omitted: frozenset[str] = frozenset(),
    ) -> _RowShape:
        cache_key = (record_class, keys, key_count, omitted)
        shape = _SHAPES.get(cache_key)
        if shape is None:
            if len(_SHAPES) > 1024:  # statements have a few shapes each; this only bounds the worst case
                _SHAPES.clear()
            shape = _SHAPES[cache_key] = _RowShape._make(record_class, keys, key_count, omitted)
        return shape

    @staticmethod
    def _make(
        record_class: type[Any], keys: tuple[str, ...], key_count: int, omitted: frozenset[str]
    ) -> _RowShape:
        sort_keys = tuple(keys.index(f"_k{i}") for i in range(key_count))
        return _RowShape(keys, _builder(record_class, keys, omitted), sort_keys)

    def index(self, column: str) -> int:
        return self.keys.index(column)

    def sort_key(self, row: Sequence[Any]) -> tuple[Any, ...]:
        """The row's sort-key values in a JSON-friendly form, for its cursor."""
        return tuple(plain_key(row[index]) for index in self.sort_key_indexes)


_SHAPES: dict[tuple[type[Any], tuple[str, ...], int, frozenset[str]], _RowShape] = {}


def _builder(
    record_class: type[Any], keys: tuple[str, ...], omitted: frozenset[str] = frozenset()
) -> Callable[[Sequence[Any]], Any]:
    """Row -> record. When every field the row lacks has a plain default, the record's ``__dict__`` is
    filled directly (a frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``).
    The ``omitted`` columns make a partial record, whose lacking fields raise when read."""
    record_fields = fields(record_class)
    picks = [(f.name, keys.index(f.name)) for f in record_fields if f.name in keys]
    names = tuple(name for name, _ in picks)
    lacking = [f for f in record_fields if f.name not in names and f.name not in omitted]
    if not picks or any(f.default is MISSING for f in lacking):
        if omitted:
            raise ValueError(f"a partial {record_class.__name__} lacks a field without a default")
        return lambda row: record_class(**{name: row[index] for name, index in picks})
    if omitted:
        record_class = partial_record_class(record_class, omitted & {f.name for f in record_fields})
    values = _picker([index for _, index in picks])
    new = object.__new__

    def build(row: Sequence[Any]) -> Any:
        record = new(record_class)
        record.__dict__.update(zip(names, values(row), strict=True))
        return record

    return build


def _picker(indexes: list[int]) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """The values at ``indexes`` of a row, as a sequence even for one index (``itemgetter`` then
    returns the value itself)."""
    if len(indexes) == 1:
        only = indexes[0]
        return lambda row: (row[only],)
    return itemgetter(*indexes)


_STATEMENTS: dict[tuple[Any, ...], Any] = {}
# The planned statements (kept by the planner's bounded cache) in the driver's form, for as long as
# the statement itself lives.
_DRIVER_STATEMENTS: weakref.WeakKeyDictionary[Any, DriverStatement] = weakref.WeakKeyDictionary()


def _records(record_class: type[Any], result: Any) -> list[Any]:
    build = _RowShape.of(record_class, tuple(result.keys())).build
    return [build(row) for row in result.all()]


class _SortKeys(Sequence[tuple[Any, ...]]):
    """A page's sort keys, each worked out when asked for: only the rows whose cursor is selected need
    one (on a nested page usually none, on a root page its first and last row)."""

    __slots__ = ("_rows", "_shape")

    def __init__(self, shape: _RowShape, rows: Sequence[Any]) -> None:
        self._shape = shape
        self._rows = rows

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> tuple[Any, ...]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[Any, ...]]: ...
    def __getitem__(self, index: int | slice) -> tuple[Any, ...] | list[tuple[Any, ...]]:
        if isinstance(index, slice):
            return [self._shape.sort_key(row) for row in self._rows[index]]
        return self._shape.sort_key(self._rows[index])


def _to_page(shape: _RowShape, rows: Sequence[Any], query: ListQuery) -> Page[Any]:
    size = query.page.size
    more = len(rows) > size
    rows = list(rows[:size])
    if query.page.backwards:
        rows.reverse()
    return Page(
        rows=[shape.build(row) for row in rows],
        keys=_SortKeys(shape, rows),
        has_next=more if not query.page.backwards else query.page.before is not None,
        has_previous=more if query.page.backwards else query.page.after is not None,
    )
