"""One statement per root field (a list, or a lookup by id) that returns the root field's response
JSON itself (PostgreSQL ``json_build_object`` and ``json_agg``; SQLite ``json_object`` and
``json_group_array``).

Each level of the tree is a derived table of the rows the resolvers would read: the same visibility
(tenant, live rows, row rules), filter, order and keyset conditions, built by the reader's own
functions, so the planned answer cannot drift from the resolvers' by a condition written twice. The
derived table selects from the real table (the row rules correlate to it by name) and is named
uniquely (``p0``, ``p1``, ...); the levels below correlate to those names.

The statement also computes what the resolvers compute from the columns, as the same strings:
global ids (``gateway/globalids.py``), cursors (``gateway/cursors.py``), date-times as
Strawberry prints a UTC ``datetime`` (``isoformat``), ``pageInfo``, booleans, the computed fields'
SQL twins (``plan.in_sql``) and, for rows of several types sharing a table (events), each row's object
by its kind. On PostgreSQL these are SQL (``PostgresValues``: tests in
``tests/test_planner.py`` and ``tests/test_planner_sql.py`` pin them to the Python functions); on
SQLite the statement calls the Python functions themselves, registered on each connection
(``sqlite_functions``).
"""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from functools import cache
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from gateway import cursors
from gateway.backends.sql.mapping import DETAIL_TABLES, ENTITY_TABLES, RELATIONS
from gateway.backends.sql.paging import keyset_predicate, order_by, sort_expressions
from gateway.backends.sql.reader import SqlReader, row_limit
from gateway.backends.sql.types import UtcDateTime
from gateway.globalids import encode_global_id
from gateway.planner.plan import (
    UNSERVED,
    Column,
    Computed,
    ConnectionPlan,
    Constant,
    DetailPlan,
    FirstOf,
    Joined,
    Leaf,
    LinkPlan,
    Not,
    ObjectPlan,
    ObjectRootPlan,
    Text,
    Unplannable,
    VariantPlan,
)

# The SQL types a leaf of each kind may read: anything else is left to the resolvers.
_LEAF_TYPES: dict[str, tuple[type[Any], ...]] = {
    "computed": (sa.String, sa.Integer, sa.Boolean),
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
        self.sql = values_sql(reader.engine.dialect.name)
        self._names = (f"p{i}" for i in itertools.count())
        # PostgreSQL: the single links read from each level's rows, as outer joins (``_link``).
        self._joins: dict[Any, list[tuple[Any, Any, tuple[str, str]]]] = {}

    def statement(self, plan: ConnectionPlan) -> sa.Select[Any]:
        """The root field's response JSON, as text (no JSON decoding by the driver)."""
        self._check_depth(plan)
        tree = self.connection(plan, None)
        return sa.select(sa.cast(tree.scalar_subquery(), sa.Text)) if self.postgresql else tree

    def root_object_statement(self, plan: ObjectRootPlan) -> sa.Select[Any]:
        """A lookup by id: the row's object as response JSON, ``null`` when no visible row has the id
        (or its kind is one the lookup answers null for). The id is bound when the statement runs
        (``plan.parameter``), so the statement serves every id."""
        self._check_depth(plan)
        table = ENTITY_TABLES[plan.entity]
        inner = sa.select(*self._columns(table, _flat(plan.node))).where(
            *self.reader._visible(table), table.c.id == sa.bindparam(plan.parameter, type_=sa.Uuid)
        )
        level = inner.subquery(next(self._names))
        row = self.row_json(plan.node, level)
        found = sa.select(row).select_from(self._joined(level)).scalar_subquery()
        text = sa.cast(found, sa.Text) if self.postgresql else found
        return sa.select(sa.func.coalesce(text, _text("null")))

    def _check_depth(self, plan: Any) -> None:
        """SQLite's parser refuses statements nested past its stack (``parser stack overflow``):
        deeper trees are left to the resolvers there. PostgreSQL has no such limit below the
        operation limits."""
        if not self.postgresql and _depth(plan) > _SQLITE_MAX_DEPTH:
            raise Unplannable(f"more than {_SQLITE_MAX_DEPTH} levels on SQLite")

    def connection(self, plan: ConnectionPlan, parent: Any) -> sa.Select[Any]:
        """The connection's response JSON: one row, one column."""

        query = plan.query
        if query.page.backwards or query.search:
            raise Unplannable("backward pages, search")
        table = ENTITY_TABLES[plan.entity]
        source, conditions = self._source(plan, parent)
        keys = sort_expressions(table, query.order)
        kinds = [_kind_of(expr.type) for expr, _ in keys]
        keyset = keyset_predicate(keys, query.page)
        paged = [*conditions, keyset] if keyset is not None else conditions
        node = plan.node or ObjectPlan(plan.entity, plan.type_name)
        size = query.page.size
        numbered = sa.func.row_number().over(order_by=order_by(keys, False))
        # Whether a row follows (before the limit): the page's last row is the one at the page size,
        # or the one no row follows, so ``endCursor`` computes one cursor, not every row's.
        follows = [sa.func.lead(_int(1)).over(order_by=order_by(keys, False)).label("_f")]
        inner = (
            sa.select(
                *self._columns(table, _flat(node)),
                *(expr.label(f"_k{i}") for i, (expr, _) in enumerate(keys)),
                numbered.label("_n"),
                *(follows if _selects_end_cursor(plan) else ()),
            )
            .select_from(source)
            .where(*paged)
            .order_by(*order_by(keys, False))
            .limit(row_limit(size + 1))  # in the SQL text: see reader.row_limit; the extra row: a next page
        )
        level = self._correlated(inner, parent).subquery(next(self._names))
        position = level.c["_n"]
        on_page = position <= _int(size)
        cursor = None
        if plan.needs_keys:
            cursor = self.sql.cursor(
                cursors.order_signature(query.order),
                [(level.c[f"_k{i}"], kind) for i, kind in enumerate(kinds)],
            )
        pairs: list[tuple[str, Any]] = []
        reads_rows = False
        for key, (name, part) in plan.fields:
            if name == "__typename":
                pairs.append((key, _text(part.value)))
            elif name == "totalCount":
                counted = sa.select(sa.func.count()).select_from(source).where(*conditions)
                pairs.append((key, self._correlated(counted, parent).scalar_subquery()))
            elif name == "nodes":
                reads_rows = True
                pairs.append((key, self.sql.agg(self.row_json(node, level), position, on_page)))
            elif name == "edges":
                reads_rows = True
                edge = self._object([(k, self._edge_part(p, node, level, cursor)) for k, p in part])
                pairs.append((key, self.sql.agg(edge, position, on_page)))
            else:
                reads_rows = True
                pairs.append((key, self._page_info(part, plan, level, cursor)))
        found = sa.select(self._object(pairs))
        # An aggregate over the level answers one row even for no rows; without one, none is read.
        return found.select_from(self._joined(level)) if reads_rows else found

    def _edge_part(self, part: Any, node: ObjectPlan | VariantPlan, level: Any, cursor: Any) -> Any:
        if isinstance(part, Constant):
            return _text(part.value)
        if part == "cursor":
            return cursor
        return self.row_json(node, level)

    def _page_info(self, parts: list[tuple[str, Any]], plan: ConnectionPlan, level: Any, cursor: Any) -> Any:
        position = level.c["_n"]
        size = plan.query.page.size
        on_page = position <= _int(size)
        values = {
            "hasNextPage": lambda: self.sql.boolean(sa.func.count() > _int(size)),
            "hasPreviousPage": lambda: self.sql.constant(plan.query.page.after is not None),
            "startCursor": lambda: sa.func.max(sa.case((sa.and_(position == _int(1), on_page), cursor))),
            "endCursor": lambda: sa.func.max(
                sa.case((sa.and_(on_page, sa.or_(position == _int(size), level.c["_f"].is_(None))), cursor))
            ),
        }
        return self._object(
            [
                (key, _text(part.value) if isinstance(part, Constant) else values[part]())
                for key, part in parts
            ]
        )

    def _source(self, plan: ConnectionPlan, parent: Any) -> tuple[Any, list[Any]]:
        reader = self.reader
        if plan.relation is None:
            return ENTITY_TABLES[plan.entity], reader._where(plan.entity, plan.query)
        spec = RELATIONS[plan.relation]
        if spec.child is not plan.entity:
            raise Unplannable("a relation of another entity")
        source, _, conditions = reader._related(plan.relation, spec.parent_column == parent.c.id, plan.query)
        return source, conditions

    def row_json(self, node: ObjectPlan | VariantPlan, level: Any) -> Any:
        """A row's response JSON; for rows of several types sharing a table, the object of the type
        its kind names (as ``node_from_record`` picks it), null for a kind in ``node.nulls``. A kind
        no type has answers ``UNSERVED``: the resolvers answer that request, with their error (it
        made the statement fail once, which disabled the plan for every request for a while)."""
        if isinstance(node, ObjectPlan):
            return self.object_json(node, level)
        kind = level.c[node.column]
        branches: list[tuple[Any, Any]] = [
            (kind == _text(value), self.object_json(variant, level))
            for value, variant in node.variants.items()
        ]
        branches += [(kind == _text(value), sa.null()) for value in sorted(node.nulls)]
        return self._nested(sa.case(*branches, else_=self.sql.json(_text(UNSERVED))))

    def object_json(self, node: ObjectPlan, level: Any) -> Any:
        """One object's response JSON from the row of ``level`` (a derived table holding the columns
        ``self._columns(table, node)`` selects): the JSON of each field under its response key."""
        return self._object([(key, self._value(node, part, level)) for key, part in node.fields])

    def _value(self, node: ObjectPlan, part: Any, level: Any) -> Any:
        if isinstance(part, Constant):
            return _text(part.value)
        if isinstance(part, Leaf):
            return self._leaf(part, node.type_name, level.c[part.column])
        if isinstance(part, Computed):
            value = twin_sql(part.twin, level.c)
            return self.sql.boolean(value) if part.result == "bool" else value
        if isinstance(part, LinkPlan):
            return self._link(part, level)
        if isinstance(part, DetailPlan):
            return self._nested(self._details(part, level))
        if isinstance(part, ConnectionPlan):
            return self._nested(self.connection(part, level))
        raise Unplannable(f"unknown part {part!r}")

    def _leaf(self, leaf: Leaf, type_name: str, column: Any) -> Any:
        if leaf.kind == "id":
            return self.sql.global_id(type_name, column)
        if leaf.kind == "datetime":
            return self.sql.datetime(column)
        if leaf.kind == "bool":
            return self.sql.boolean(column)
        return column

    def _link(self, link: LinkPlan, parent: Any) -> Any:
        """The target's object, null when the link is null or its row is not visible.

        On PostgreSQL the target's visible rows are outer-joined to the rows of ``parent`` (the level
        whose object holds the link) on their id, the primary key, so a row meets at most one:
        each link a correlated subquery cost a subplan per row (its rescan, and the tenant's
        one-time filter again), about a tenth of Q5 first 10's execution. ``_joined`` adds the
        join where the level is read. SQLite keeps the subquery (its JSON is embedded as text)."""
        table = ENTITY_TABLES[link.target]
        columns = self._columns(table, link.node)
        if not self.postgresql:
            inner = sa.select(*columns).where(
                *self.reader._visible(table), table.c.id == parent.c[link.column]
            )
            level = self._correlated(inner, parent).subquery(next(self._names))
            found = sa.select(self.object_json(link.node, level)).select_from(level)
            return self._nested(found)
        rows = self._link_rows(parent, link.column, table, columns)
        return sa.case((rows.c.id.is_(None), sa.null()), else_=self.object_json(link.node, rows))

    def _link_rows(self, parent: Any, column: str, table: sa.Table, columns: list[Any]) -> Any:
        """The target's rows joined on ``parent.column``: one join per link of a level, even when
        several objects read it (the types of a level's events each have ``assignee``), as long as
        the join already selects the columns wanted."""
        wanted = {c.name for c in columns}
        joins = self._joins.setdefault(parent, [])
        for rows, _on, key in joins:
            if key == (column, table.name) and wanted <= set(rows.c.keys()):
                return rows
        rows = sa.select(*columns).where(*self.reader._visible(table)).subquery(next(self._names))
        joins.append((rows, rows.c.id == parent.c[column], (column, table.name)))
        return rows

    def _joined(self, level: Any) -> Any:
        """``level`` with the targets of the single links read from its rows (``_link``), and theirs."""
        found = level
        pending = list(self._joins.get(level, ()))
        while pending:
            rows, on, _ = pending.pop(0)
            found = found.outerjoin(rows, on)
            pending += self._joins.get(rows, ())
        return found

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
        rows = self.sql.agg(self.object_json(part.node, level), level.c["_n"], None)
        return sa.select(rows).select_from(self._joined(level))

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
        for name, value in pairs:  # response keys are GraphQL names (letters, digits, _): safe literals
            flat += [_text(name), value]
        return sa.func.json_build_object(*flat) if self.postgresql else sa.func.json_object(*flat)

    def _nested(self, value: Any) -> Any:
        if isinstance(value, sa.Select):
            value = value.scalar_subquery()
        # SQLite embeds a subquery's JSON as a string unless told it is JSON.
        return value if self.postgresql else sa.func.json(value)


class PostgresValues:
    """The response's values computed by PostgreSQL, as the Python functions give them."""

    def agg(self, row: Any, position: Any, where: Any) -> Any:
        ordered: Any = sa.func.json_agg(postgresql.aggregate_order_by(row, position))
        if where is not None:
            ordered = ordered.filter(where)
        return sa.func.coalesce(ordered, sa.literal_column("'[]'::json"))

    def boolean(self, value: Any) -> Any:
        return value

    def constant(self, value: bool) -> Any:
        return sa.true() if value else sa.false()

    def json(self, text: Any) -> Any:
        """``text`` read as JSON (an error when it is none)."""
        return sa.cast(text, postgresql.JSON)

    def base64url(self, text: Any, plain: bool = False) -> Any:
        """``base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")``: PostgreSQL's base64 pads
        with '=' and ends every 76 characters (57 bytes) with a newline, the last line's too; both
        go, and '+/' become '-_' (``replace`` is several times cheaper than ``translate``). ``plain``:
        the text is ASCII without a backslash (``_utf8``)."""
        encoded = sa.func.encode(_utf8(text, plain), _text("base64"))
        encoded = sa.func.rtrim(sa.func.replace(encoded, sa.literal_column("E'\\n'"), _text("")), _text("="))
        return sa.func.replace(sa.func.replace(encoded, _text("+"), _text("-")), _text("/"), _text("_"))

    def global_id(self, type_name: str, column: Any) -> Any:
        """``encode_global_id``: base64url of ``<type>:<uuid>`` (a UUID's text is the same in both).
        A page holds hundreds of ids: what the text's length and possible bytes rule out is not
        done (each ``replace`` costs about as much as the encoding itself)."""
        prefix = f"{type_name}:".encode()
        text = _text(type_name + ":").concat(sa.cast(column, sa.Text))
        encoded = sa.func.encode(_utf8(text, _plain(type_name)), _text("base64"))
        size = len(prefix) + 36
        if size >= 57:
            encoded = sa.func.replace(encoded, sa.literal_column("E'\\n'"), _text(""))
        if size % 3:
            encoded = sa.func.rtrim(encoded, _text("="))
        sextets = _uuid_text_sextets(prefix)
        if 62 in sextets:
            encoded = sa.func.replace(encoded, _text("+"), _text("-"))
        if 63 in sextets:
            encoded = sa.func.replace(encoded, _text("/"), _text("_"))
        return encoded

    def datetime(self, column: Any) -> Any:
        """``isoformat()`` of the UTC datetime the resolvers read: microseconds only when not zero,
        '+00:00'. ``to_char`` answers NULL for PostgreSQL's infinities, which asyncpg reads as
        ``datetime.max`` and ``datetime.min``."""
        utc = column.op("AT TIME ZONE")(_text("UTC"))
        full = sa.func.to_char(utc, _text('YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'))
        infinite = sa.case(
            (column > sa.literal_column("'epoch'::timestamptz"), _text(_MAX)),
            (column < sa.literal_column("'epoch'::timestamptz"), _text(_MIN)),
        )
        return sa.func.coalesce(sa.func.replace(full, _text(".000000+"), _text("+")), infinite)

    def cursor(self, signature: str, keys: list[tuple[Any, str]]) -> Any:
        """``encode_cursor``: base64url of orjson's compact ``[signature, [key, ...]]``. PostgreSQL's
        JSON escapes strings as orjson does (``"``, ``\\``, control characters; the rest as is)."""
        texts = [sa.func.coalesce(self._key(key, kind), _text("null")) for key, kind in keys]
        head = f"[{orjson.dumps(signature).decode()},["
        parts: list[Any] = [_text(head)]
        for index, text in enumerate(texts):
            parts += [_text(","), text] if index else [text]
        # Without a string key the cursor's text is ASCII without a backslash: no conversion needed.
        plain = _plain(head) and all(kind != "str" for _, kind in keys)
        return self.base64url(_concat([*parts, _text("]]")]), plain)

    def _key(self, key: Any, kind: str) -> Any:
        """A sort key's JSON text as ``paging.plain_key`` puts it in a cursor (NULL for none). A
        date-time's and a UUID's text never need escaping: they are quoted as they are, which costs
        a fraction of ``to_json`` and its cast back to text."""
        if kind == "datetime":
            return _quoted(self.datetime(key))
        if kind == "id":
            return _quoted(sa.cast(key, sa.Text))
        return sa.cast(sa.func.to_json(key), sa.Text)


class SqliteValues:
    """SQLite has no base64 and stores UUIDs, date-times and booleans its own way: the statement calls
    the Python functions the resolvers use, registered on each connection (``sqlite_functions``)."""

    def agg(self, row: Any, position: Any, where: Any) -> Any:
        # SQLite aggregates the derived table's rows in its order (ORDER BY ... LIMIT keeps it a
        # co-routine read in order); the tests compare every planned page with the resolvers'.
        ordered: Any = sa.func.json_group_array(row)
        return ordered.filter(where) if where is not None else ordered

    def boolean(self, value: Any) -> Any:
        return sa.func.json(
            sa.case((value.is_(None), _text("null")), (value, _text("true")), else_=_text("false"))
        )

    def constant(self, value: bool) -> Any:
        return sa.func.json(_text("true" if value else "false"))

    def json(self, text: Any) -> Any:
        return sa.func.json(text)

    def global_id(self, type_name: str, column: Any) -> Any:
        return sa.func.crm_global_id(_text(type_name), column)

    def datetime(self, column: Any) -> Any:
        return sa.func.crm_datetime(column)

    def cursor(self, signature: str, keys: list[tuple[Any, str]]) -> Any:
        kinds = ",".join(kind for _, kind in keys)
        return sa.func.crm_cursor(_text(signature), _text(kinds), *(key for key, _ in keys))


@cache
def _uuid_text_sextets(prefix: bytes) -> frozenset[int]:
    """Every 6-bit group base64 can meet in ``prefix`` followed by any UUID's text (lower-case hex
    digits, dashes at 8, 13, 18 and 23): 62 and 63 are the characters base64url replaces."""
    hexdigits = set(b"0123456789abcdef")
    choices = [{byte} for byte in prefix] + [
        {ord("-")} if i in (8, 13, 18, 23) else hexdigits for i in range(36)
    ]
    found: set[int] = set()
    for start in range(0, len(choices), 3):
        group = choices[start : start + 3]
        for combination in itertools.product(*group):
            value = int.from_bytes(bytes(combination).ljust(3, b"\0"), "big")
            found.update((value >> (18 - 6 * i)) & 63 for i in range(len(group) + 1))
    return frozenset(found)


def values_sql(dialect_name: str) -> PostgresValues | SqliteValues:
    """How a dialect's statement computes the response's values (global ids, date-times, cursors)."""
    return PostgresValues() if dialect_name == "postgresql" else SqliteValues()


def twin_sql(twin: Any, columns: Any) -> Any:
    """A computed field's SQL twin (``plan.in_sql``) over ``columns`` (the row's, by name)."""
    if isinstance(twin, Column):
        return columns[twin.name]
    if isinstance(twin, Text):
        return _text(twin.value)
    if isinstance(twin, FirstOf):
        *firsts, last = [twin_sql(part, columns) for part in twin.parts]
        return sa.func.coalesce(*(sa.func.nullif(part, _text("")) for part in firsts), last)
    if isinstance(twin, Joined):
        # Each non-empty part after the separator, then the first separator cut off.
        separator = _text(twin.separator)
        parts = [
            sa.func.coalesce(separator.concat(sa.func.nullif(twin_sql(part, columns), _text(""))), _text(""))
            for part in twin.parts
        ]
        return sa.func.substr(_concat(parts), _int(len(twin.separator) + 1))
    if isinstance(twin, Not):
        return sa.case((twin_sql(twin.part, columns), sa.false()), else_=sa.true())
    raise Unplannable(f"an SQL twin of {twin!r}")


_MAX = datetime.max.replace(tzinfo=UTC).isoformat()
_MIN = datetime.min.replace(tzinfo=UTC).isoformat()


def sqlite_functions(dbapi_connection: Any) -> None:
    """Registers the functions ``_Sqlite`` calls on a new SQLite connection (the engine's ``connect``
    event): the gateway's own ``encode_global_id`` and ``encode_signed_cursor``."""

    def global_id(type_name: str, value: str | None) -> str | None:
        return None if value is None else encode_global_id(type_name, uuid.UUID(value))

    def cursor(signature: str, kinds: str, *keys: Any) -> str:
        plain = tuple(_sqlite_key(kind, key) for kind, key in zip(kinds.split(","), keys, strict=True))
        return cursors.encode_signed_cursor(signature, plain)

    dbapi_connection.create_function("crm_global_id", 2, global_id, deterministic=True)
    dbapi_connection.create_function("crm_datetime", 1, _sqlite_datetime, deterministic=True)
    dbapi_connection.create_function("crm_cursor", -1, cursor, deterministic=True)


def _sqlite_datetime(value: str | None) -> str | None:
    """What ``UtcDateTime`` reads from SQLite's naive UTC text, printed as Strawberry does."""
    if value is None:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=UTC).isoformat()


def _sqlite_key(kind: str, value: Any) -> Any:
    """A sort key read from SQLite as ``paging.plain_key`` gives it to the resolvers' cursors."""
    if value is None:
        return None
    if kind == "datetime":
        return _sqlite_datetime(value)
    if kind == "id":
        return str(uuid.UUID(value))
    if kind == "bool":
        return bool(value)
    return value


def _text(value: str) -> Any:
    """A string as an SQL literal (planning-time values: names, signatures, separators)."""
    return sa.literal_column("'" + value.replace("'", "''") + "'", sa.Text)


def _utf8(text: Any, plain: bool) -> Any:
    """``text``'s UTF-8 bytes. ``convert_to`` looks the encoding up by name at every call (a third
    of a global id's cost); when ``plain`` (the text is ASCII and holds no backslash, such as a type
    name and a UUID, which the caller knows from the plan) the text's bytes are the same in every
    server encoding and the cast to ``bytea`` reads them as they are (it only unescapes backslashes).
    """
    return sa.cast(text, postgresql.BYTEA) if plain else sa.func.convert_to(text, _text("UTF8"))


def _plain(text: str) -> bool:
    """Whether ``text`` (a planning-time part of a value) is ASCII without a backslash."""
    return text.isascii() and "\\" not in text


def _quoted(text: Any) -> Any:
    """A JSON string of ``text`` that never needs escaping; NULL stays NULL."""
    return _text('"').concat(text).concat(_text('"'))


def _int(value: int) -> Any:
    return sa.literal_column(str(int(value)), sa.Integer)


def _concat(parts: list[Any]) -> Any:
    found = parts[0]
    for part in parts[1:]:
        found = found.concat(part)
    return found


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
    if isinstance(part, LinkPlan | DetailPlan | ObjectRootPlan):
        return 1 + _depth(part.node)
    return 0


def _selects_end_cursor(plan: ConnectionPlan) -> bool:
    return any(
        name == "pageInfo" and any(p == "endCursor" for _, p in part) for _, (name, part) in plan.fields
    )


def _flat(node: ObjectPlan | VariantPlan) -> ObjectPlan:
    return node.flat() if isinstance(node, VariantPlan) else node


def _kind_of(sql_type: Any) -> str:
    for kind in ("datetime", "id", "bool", "int", "str"):
        if isinstance(sql_type, _LEAF_TYPES[kind]):
            return kind
    raise Unplannable(f"a sort key of type {sql_type}")
