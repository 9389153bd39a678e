"""One statement per level: the reads a wave of loads asks for at once, sent as one ``UNION ALL``.

A page's prefetch (``resolvers/common/prefetch.py``) loads each level of the selection at once: for
the contact of Q2 its e-mails, phones, addresses, accounts, leads, events and communications, each
through its own loader, each loader with one statement. Each statement is a round trip and the
statements of a request wait for each other on its one connection, so the request paid one round
trip per relation. Here the reader's cached statements (by id list: ``get_many``, ``details``,
``pages_by_parent``) that arrive within a few turns of the event loop of each other go to the
database as one statement, so a level costs one round trip whatever it selects.

How the statements become one (``combine``): each keeps its own SQL, wrapped as a subquery, and
numbers its rows in its own order (``row_number() OVER (ORDER BY ...)``, its ORDER BY clause moved
into the window). The branches' columns go into shared, typed slots: a branch's n-th column of a
kind of type (uuid, text, timestamp, ...) fills that kind's n-th slot, the slots it does not fill are
typed NULLs, so the union is as wide as the widest branch per type, not the sum of all. ``_kind``
says which branch a row is from and ``_ord`` its place there; each branch's rows come back as union rows
read through names that place the branch's own column names at its slots.

When the combined statement fails, each statement runs again on its own, so that each load gets
its own outcome, as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

KIND = "_kind"
ORDER = "_ord"
# Turns of the event loop without a new statement after which a wave is sent. A wave's loaders
# start their batches a turn or two apart, and a detail list's loader hands its batch on to the
# loader of all detail kinds (loaders/base.py), three turns later.
QUIET_TURNS = 3

# Types whose values PostgreSQL can put in one column of a UNION and SQLAlchemy processes alike.
_KINDS_OF_TYPE = {
    sa.String: "text",
    sa.Text: "text",
    sa.Integer: "integer",
    sa.BigInteger: "integer",
    sa.SmallInteger: "integer",
}


def combinable(statement: Any) -> bool:
    """Whether ``statement`` can be a branch: a plain select without LIMIT or OFFSET."""
    return (
        isinstance(statement, sa.Select)
        and statement._limit_clause is None
        and statement._offset_clause is None
    )


@dataclass(frozen=True)
class Combined:
    """Several statements as one, and how to read each one's rows back out of its rows."""

    statement: sa.CompoundSelect
    # For each branch, a name for each column of the union: its own column name where the branch
    # fills that slot, a name no record field has elsewhere. Read by position through these names, a
    # union row is the branch's row: no copy of each row into the branch's own tuple is needed.
    keys: tuple[tuple[str, ...], ...]

    def split(self, rows: Sequence[Any]) -> list[list[Any]]:
        """The union rows of each branch, in each branch's own order (read them through ``keys``)."""
        found: list[list[Any]] = [[] for _ in self.keys]
        for row in rows:  # ordered by branch, then by the branch's own order
            found[row[0]].append(row)
        return found


def parameter_name(name: str, branch: int) -> str:
    """What bound name ``name`` of branch ``branch`` is called in the combined statement."""
    return f"{name}_b{branch}"


def combine(statements: Sequence[sa.Select[Any]], variable: Sequence[Sequence[str]]) -> Combined:
    """``statements`` as one ``UNION ALL``; ``variable[i]`` are the bound names of statement ``i`` given
    at execution, renamed in the union by ``parameter_name``."""
    numbered = [_numbered(_renamed(s, i, variable[i])) for i, s in enumerate(statements)]
    slots: list[tuple[str, Any]] = []  # (kind of type, SQL type) of each slot
    placements: list[list[int]] = []
    for subquery in numbered:
        used: dict[str, int] = {}
        placement = []
        for column in _data_columns(subquery):
            kind = _kind_of(column.type)
            nth = used[kind] = used.get(kind, -1) + 1
            matching = [index for index, (k, _) in enumerate(slots) if k == kind]
            if nth == len(matching):
                slots.append((kind, column.type))
                matching.append(len(slots) - 1)
            placement.append(matching[nth])
        placements.append(placement)
    branches = []
    for index, (subquery, placement) in enumerate(zip(numbered, placements, strict=True)):
        columns = _data_columns(subquery)
        filled = dict(zip(placement, columns, strict=True))
        branches.append(
            sa.select(
                sa.literal_column(str(index), sa.Integer).label(KIND),
                subquery.c[ORDER],
                *(
                    (filled[slot] if slot in filled else sa.cast(sa.null(), slot_type)).label(f"_s{slot}")
                    for slot, (_, slot_type) in enumerate(slots)
                ),
            )
        )
    union = sa.union_all(*branches).order_by(sa.literal_column(KIND), sa.literal_column(ORDER))
    width = 2 + len(slots)
    keys = []
    for statement, placement in zip(statements, placements, strict=True):
        names = [f"_slot{position}" for position in range(width)]  # _kind, _ord and unfilled slots
        for name, slot in zip(statement.selected_columns.keys(), placement, strict=True):
            names[2 + slot] = name
        keys.append(tuple(names))
    return Combined(union, tuple(keys))


def _renamed(statement: sa.Select[Any], branch: int, variable: Sequence[str]) -> sa.Select[Any]:
    """The statement with each bound name in ``variable`` renamed for its branch."""
    names = set(variable)

    def rename(element: Any, **_: Any) -> Any:
        if isinstance(element, BindParameter) and element.key in names:
            return sa.bindparam(
                parameter_name(element.key, branch), type_=element.type, expanding=element.expanding
            )
        return None

    return visitors.replacement_traverse(statement, {}, rename)  # type: ignore[return-value]


def _numbered(statement: sa.Select[Any]) -> Any:
    """The statement as a subquery with an ``_ord`` column numbering its rows in its own order."""
    order = statement._order_by_clauses
    position = (
        sa.func.row_number(type_=sa.Integer).over(order_by=order) if order else sa.literal(0, sa.Integer)
    )
    return statement.add_columns(position.label(ORDER)).order_by(None).subquery()


def _data_columns(subquery: Any) -> list[Any]:
    return [column for column in subquery.c if column.key != ORDER]


def _kind_of(sql_type: Any) -> str:
    """Columns of one kind of type may share a slot; any other type has a kind of its own."""
    for python_class in type(sql_type).__mro__:
        found = _KINDS_OF_TYPE.get(python_class)
        if found is not None:
            return found
    # A type with variants (custom field values: JSON, jsonb on PostgreSQL) is a kind apart from the
    # plain one, which PostgreSQL could not put in one column with it.
    variants = getattr(sql_type, "_variant_mapping", None)
    suffix = "".join(f"+{name}:{type(t).__qualname__}" for name, t in sorted((variants or {}).items()))
    return type(sql_type).__qualname__ + suffix


@dataclass
class _Pending:
    statement: sa.Select[Any]
    parameters: dict[str, Any]
    future: asyncio.Future[Any]


@dataclass
class Wave:
    """The statements submitted within ``QUIET_TURNS`` turns of each other, sent together by ``send``."""

    send: Callable[[list[_Pending]], Any]  # a coroutine function that settles each pending future
    pending: list[_Pending] = field(default_factory=list)
    _quiet: int = 0
    _scheduled: bool = False
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    def submit(self, statement: sa.Select[Any], parameters: dict[str, Any]) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.pending.append(_Pending(statement, parameters, future))
        self._quiet = 0
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._turn)
        return future

    async def close(self) -> None:
        """Reads not sent yet are cancelled; the ones being sent are waited for, so that no statement
        of the session outlives it (when a request times out, its loads are left behind)."""
        for read in self.pending:
            read.future.cancel()
        self.pending = []
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _turn(self) -> None:
        self._quiet += 1
        loop = asyncio.get_running_loop()
        if self._quiet < QUIET_TURNS:
            loop.call_soon(self._turn)
            return
        self._scheduled = False
        batch, self.pending = self.pending, []
        if not batch:  # closed meanwhile
            return
        task = loop.create_task(self.send(batch))
        self._tasks.add(task)  # kept until done: the loop holds tasks only weakly
        task.add_done_callback(self._tasks.discard)
