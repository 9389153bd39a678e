"""Several kinds of detail rows (e-mails, phones, addresses...) of the same owners in one statement.

A contact in full shows five detail lists. One statement per list costs five round trips and five
times SQLAlchemy's per-statement work, for a handful of rows each. ``details_union`` selects them
together as a ``UNION ALL``: each table's columns go into shared slots (a slot per column name;
tables without that column put a typed NULL there) and a ``_kind`` column says which table a row
came from. ``DetailsUnion.keys`` names the slots as each kind's record reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from gateway.backends.records import Detail
from gateway.backends.sql.mapping import DETAIL_TABLES
from gateway.backends.sql.types import UtcDateTime

KIND = "_kind"
_POSITION = "_position"  # the tables' own order: position where they have one, else creation time
_CREATED = "_created"


@dataclass(frozen=True)
class DetailsUnion:
    statement: sa.CompoundSelect
    # for each kind, in the order given: the row's column names as its record reads them (slots
    # the table does not fill get a name no record field has)
    keys: tuple[tuple[str, ...], ...]


def details_union(
    kinds: Sequence[Detail], branch_conditions: Callable[[int, sa.Table], list[Any]]
) -> DetailsUnion:
    """The rows of the ``kinds``' tables meeting ``branch_conditions(index, table)``, ordered as each
    table's own statement orders them: by owner, then position (or creation time), then id."""
    tables = [DETAIL_TABLES[kind] for kind in kinds]
    slots = _slots(tables)
    branches = []
    for index, table in enumerate(tables):
        columns = [sa.literal_column(str(index), sa.Integer).label(KIND)]
        columns += [_filled(table, name, column_type) for name, column_type in slots.items()]
        columns += _order_columns(table)
        branches.append(sa.select(*columns).where(*branch_conditions(index, table)))
    union = sa.union_all(*branches)
    order = (KIND, "owner_id", _POSITION, _CREATED, "id")
    statement = union.order_by(*(sa.literal_column(name) for name in order))
    names = (KIND, *slots, _POSITION, _CREATED)
    keys = tuple(
        tuple(name if name in table.c or name == KIND else f"\x00{name}" for name in names)
        for table in tables
    )
    return DetailsUnion(statement, keys)


def _slots(tables: Sequence[sa.Table]) -> dict[str, Any]:
    """Column name -> its type (the first table's), for every column of every table."""
    slots: dict[str, Any] = {}
    for table in tables:
        for column in table.c:
            slots.setdefault(column.name, column.type)
    return slots


def _filled(table: sa.Table, name: str, column_type: Any) -> Any:
    # A typed NULL: PostgreSQL resolves a UNION's column types pair by pair, and an untyped NULL
    # met first would become text, which a uuid or timestamp in a later branch cannot match.
    column = table.c[name] if name in table.c else sa.cast(sa.null(), column_type)
    return column.label(name)


def _order_columns(table: sa.Table) -> list[Any]:
    if "position" in table.c:
        return [table.c.position.label(_POSITION), sa.cast(sa.null(), UtcDateTime()).label(_CREATED)]
    return [sa.cast(sa.null(), sa.Integer).label(_POSITION), table.c.date_created.label(_CREATED)]
