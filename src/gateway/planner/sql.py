"""One statement per root list that returns its subtree as JSON (PostgreSQL ``json_build_object`` and
``json_agg``; SQLite ``json_object`` and ``json_group_array``).

Each level of the tree is a derived table of the rows the resolvers would read: the same visibility
(tenant, live rows, row rules), filter, order and keyset conditions, built by the reader's own
functions, so the planned answer cannot drift from the resolvers' by a condition written twice. The
derived table selects from the real table (the row rules correlate to it by name) and is named
uniquely (``p0``, ``p1``, ...); the levels below correlate to those names.
"""

from __future__ import annotations

import itertools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from gateway.backends.sql.mapping import DETAIL_TABLES, ENTITY_TABLES, RELATIONS
from gateway.backends.sql.paging import keyset_predicate, order_by, sort_expressions
from gateway.backends.sql.reader import SqlReader, row_limit
from gateway.backends.sql.types import UtcDateTime
from gateway.planner.plan import (
    COUNT,
    KEYS,
    ROWS,
    VALUE,
    VARIANT,
    Computed,
    ConnectionPlan,
    Constant,
    DetailPlan,
    Leaf,
    LinkPlan,
    ObjectPlan,
    ObjectRootPlan,
    Unplannable,
    VariantPlan,
    slot,
)

# The SQL types a leaf of each kind may read: anything else is left to the resolvers.
_LEAF_TYPES: dict[str, tuple[type[Any], ...]] = {
    "computed": (sa.String, sa.Integer, sa.Boolean),  # the Python types a record holds for them
    "id": (sa.Uuid,),
    "str": (sa.String,),
    "enum": (sa.String,),
    "int": (sa.Integer,),
    "bool": (sa.Boolean,),
    "datetime": (UtcDateTime,),
}


class TreeStatement:
    """Compiles plans for one reader (its tenant, row rules and dialect)."""

    def __init__(self, reader: SqlReader) -> None:
        self.reader = reader
        self.postgresql = reader.engine.dialect.name == "postgresql"
        self._names = (f"p{i}" for i in itertools.count())

    def statement(self, plan: ConnectionPlan) -> sa.Select[Any]:
        self._check_depth(plan)
        tree = self.connection(plan, None)
        return sa.select(sa.cast(tree, sa.Text) if self.postgresql else tree)

    def connection(self, plan: ConnectionPlan, parent: Any) -> Any:
        query = plan.query
        if query.page.backwards or query.search:
            raise Unplannable("backward pages, search")
        table = ENTITY_TABLES[plan.entity]
        source, conditions = self._source(plan, parent)
        keys = sort_expressions(table, query.order)
        plan.key_kinds = [_kind_of(expr.type) for expr, _ in keys]
        keyset = keyset_predicate(keys, query.page)
        paged = [*conditions, keyset] if keyset is not None else conditions
        node = plan.node or ObjectPlan(plan.entity, plan.type_name)
        numbered = sa.func.row_number().over(order_by=order_by(keys, False))
        inner = (
            sa.select(
                *self._columns(table, _flat(node)),
                *(expr.label(f"_k{i}") for i, (expr, _) in enumerate(keys)),
                numbered.label("_n"),
            )
            .select_from(source)
            .where(*paged)
            .order_by(*order_by(keys, False))
            .limit(row_limit(query.page.size + 1))  # in the SQL text: see reader.row_limit
        )
        level = self._correlated(inner, parent).subquery(next(self._names))
        pairs = self._row_pairs(node, level)
        if plan.needs_keys:
            pairs.append((KEYS, self._keys(level, len(keys))))
        row = self._object(pairs)
        parts = [(ROWS, self._nested(sa.select(self._agg(row, level.c["_n"])).select_from(level)))]
        if plan.needs_count:
            counted = sa.select(sa.func.count()).select_from(source).where(*conditions)
            parts.append((COUNT, self._correlated(counted, parent).scalar_subquery()))
        return self._object(parts)

    def root_object_statement(self, plan: ObjectRootPlan) -> sa.Select[Any]:
        """A lookup by id: ``{VALUE: the row's object}``, null when no visible row has the id."""
        self._check_depth(plan)
        table = ENTITY_TABLES[plan.entity]
        inner = sa.select(*self._columns(table, _flat(plan.node))).where(
            *self.reader._visible(table), table.c.id == sa.bindparam(plan.parameter, type_=sa.Uuid)
        )
        level = inner.subquery(next(self._names))
        found = sa.select(self._object(self._row_pairs(plan.node, level))).select_from(level)
        tree = self._object([(VALUE, self._nested(found))])
        return sa.select(sa.cast(tree, sa.Text) if self.postgresql else tree)

    def _check_depth(self, plan: Any) -> None:
        """SQLite's parser refuses statements nested past its stack (``parser stack overflow``, at
        four levels of lists): deeper trees are left to the resolvers there. PostgreSQL has no such
        limit below the operation limits."""
        if not self.postgresql and _depth(plan) > _SQLITE_MAX_DEPTH:
            raise Unplannable(f"more than {_SQLITE_MAX_DEPTH} levels on SQLite")

    def _row_pairs(self, node: ObjectPlan | VariantPlan, level: Any) -> list[tuple[str, Any]]:
        """A row's pairs; for rows of several types, its kind and the object of its kind's plan."""
        if isinstance(node, ObjectPlan):
            return self._pairs(node, level)
        kind = level.c[node.column]
        branches = [(kind == value, self.row(variant, level)) for value, variant in node.variants.items()]
        return [(VARIANT, kind), (VALUE, self._nested(sa.case(*branches)))]

    def _source(self, plan: ConnectionPlan, parent: Any) -> tuple[Any, list[Any]]:
        reader = self.reader
        if plan.relation is None:
            return ENTITY_TABLES[plan.entity], reader._where(plan.entity, plan.query)
        spec = RELATIONS[plan.relation]
        if spec.child is not plan.entity:
            raise Unplannable("a relation of another entity")
        source, _, conditions = reader._related(plan.relation, spec.parent_column == parent.c.id, plan.query)
        return source, conditions

    def row(self, node: ObjectPlan, level: Any) -> Any:
        return self._object(self._pairs(node, level))

    def _pairs(self, node: ObjectPlan, level: Any) -> list[tuple[str, Any]]:
        pairs: list[tuple[str, Any]] = []
        for index, (_, part) in enumerate(node.fields):
            if isinstance(part, Leaf):
                pairs.append((slot(index), level.c[part.column]))
            elif isinstance(part, Computed):
                table_columns = [level.c[name] for name in part.columns]
                if not all(isinstance(c.type, _LEAF_TYPES["computed"]) for c in table_columns):
                    raise Unplannable("a computed field reading columns of other types")
                part.kinds = [_computed_kind(column.type) for column in table_columns]
                pairs.append((slot(index), self._array(table_columns)))
            elif isinstance(part, LinkPlan):
                pairs.append((slot(index), self._nested(self._link(part, level))))
            elif isinstance(part, DetailPlan):
                pairs.append((slot(index), self._nested(self._details(part, level))))
            elif isinstance(part, ConnectionPlan):
                pairs.append((slot(index), self._nested(self.connection(part, level))))
            elif not isinstance(part, Constant):
                raise Unplannable(f"unknown part {part!r}")
        return pairs

    def _link(self, link: LinkPlan, parent: Any) -> Any:
        table = ENTITY_TABLES[link.target]
        inner = sa.select(*self._columns(table, link.node)).where(
            *self.reader._visible(table), table.c.id == parent.c[link.column]
        )
        level = self._correlated(inner, parent).subquery(next(self._names))
        return sa.select(self.row(link.node, level)).select_from(level).scalar_subquery()

    def _details(self, part: DetailPlan, parent: Any) -> Any:
        """As ``SqlReader.details`` reads them: the tenant's rows of the owner, by position (else date
        of creation), then id."""
        table = DETAIL_TABLES[part.detail]
        order = [table.c.position if "position" in table.c else table.c.date_created, table.c.id]
        numbered = sa.func.row_number().over(order_by=order)
        inner = (
            sa.select(*self._columns(table, part.node), numbered.label("_n"))
            .where(table.c.tenant == self.reader.tenant, table.c.owner_id == parent.c.id)
            .order_by(*order)
        )
        level = self._correlated(inner, parent).subquery(next(self._names))
        return sa.select(self._agg(self.row(part.node, level), level.c["_n"])).select_from(level)

    def _columns(self, table: sa.Table, node: ObjectPlan) -> list[Any]:
        kinds = {leaf.column: leaf.kind for _, leaf in node.fields if isinstance(leaf, Leaf)}
        for _, part in node.fields:
            if isinstance(part, Computed):
                kinds.update((name, kinds.get(name, "computed")) for name in part.columns)
        found = []
        for name in node.columns():
            if name not in table.c:
                raise Unplannable(f"{table.name} has no column {name}")
            column = table.c[name]
            allowed = _LEAF_TYPES.get(kinds.get(name, "id" if name == "id" else "fk"), (sa.Uuid,))
            # A BigInteger may not fit GraphQL's 32-bit Int: the resolvers report that, so they serve it.
            if not isinstance(column.type, allowed) or isinstance(column.type, sa.BigInteger):
                raise Unplannable(f"{table.name}.{name} is a {column.type}")
            found.append(column)
        return found

    def _correlated(self, select: sa.Select[Any], parent: Any) -> sa.Select[Any]:
        return select.correlate(parent) if parent is not None else select

    def _object(self, pairs: list[tuple[str, Any]]) -> Any:
        if len(pairs) > _MAX_PAIRS:
            raise Unplannable(f"an object of {len(pairs)} fields")
        flat: list[Any] = []
        for name, value in pairs:  # the names are the planner's own slots: safe as literals
            flat += [sa.literal_column(f"'{name}'"), value]
        return sa.func.json_build_object(*flat) if self.postgresql else sa.func.json_object(*flat)

    def _keys(self, level: Any, count: int) -> Any:
        return self._array([level.c[f"_k{i}"] for i in range(count)])

    def _array(self, values: list[Any]) -> Any:
        return sa.func.json_build_array(*values) if self.postgresql else sa.func.json_array(*values)

    def _agg(self, row: Any, position: Any) -> Any:
        if self.postgresql:
            ordered = sa.func.json_agg(postgresql.aggregate_order_by(row, position))
            return sa.func.coalesce(ordered, sa.literal_column("'[]'::json"))
        # SQLite aggregates the derived table's rows in its order (ORDER BY ... LIMIT keeps it a
        # co-routine read in order); the tests compare every planned page with the resolvers'.
        return sa.func.json_group_array(row)

    def _nested(self, value: Any) -> Any:
        if isinstance(value, sa.Select):
            value = value.scalar_subquery()
        # SQLite embeds a subquery's JSON as a string unless told it is JSON.
        return value if self.postgresql else sa.func.json(value)


# PostgreSQL functions take at most 100 arguments (FUNC_MAX_ARGS), json_build_object two per field.
_MAX_PAIRS = 50


_SQLITE_MAX_DEPTH = 7


def _depth(part: Any) -> int:
    """How deep a plan's statement nests, roughly as SQLite's parser counts it: a list nests two
    subqueries (its rows, their aggregate), a link, a detail list or a lookup's row one."""
    if isinstance(part, VariantPlan):
        return max(_depth(variant) for variant in part.variants.values())
    if isinstance(part, ObjectPlan):
        return max((_depth(child) for _, child in part.fields), default=0)
    if isinstance(part, ConnectionPlan):
        return 2 + (_depth(part.node) if part.node is not None else 0)
    if isinstance(part, (LinkPlan, DetailPlan, ObjectRootPlan)):
        return 1 + _depth(part.node)
    return 0


def _flat(node: ObjectPlan | VariantPlan) -> ObjectPlan:
    return node.flat() if isinstance(node, VariantPlan) else node


def _computed_kind(sql_type: Any) -> str:
    return "bool" if isinstance(sql_type, sa.Boolean) else "plain"


def _kind_of(sql_type: Any) -> str:
    for kind in ("datetime", "id", "bool", "int", "str"):
        if isinstance(sql_type, _LEAF_TYPES[kind]):
            return kind
    raise Unplannable(f"a sort key of type {sql_type}")
