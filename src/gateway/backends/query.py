"""Backend-neutral list queries: filters, ordering and keyset pages.

The GraphQL layer compiles its filter inputs into these values; the SQL backend compiles them to
SQL and a REST backend to its upstream's query language. All are hashable, so loaders can batch
parents that ask for the same page shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar


class Op(StrEnum):
    """The ConeCRM query-builder operators (seed 004)."""

    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    CONTAINS = "contains"
    DOES_NOT_CONTAIN = "doesNotContain"
    BEGINS_WITH = "beginsWith"
    DOES_NOT_BEGIN_WITH = "doesNotBeginWith"
    ENDS_WITH = "endsWith"
    DOES_NOT_END_WITH = "doesNotEndWith"
    IS_NULL = "isNull"
    IN = "in"
    NOT_IN = "notIn"
    BETWEEN = "between"
    NOT_BETWEEN = "notBetween"


@dataclass(frozen=True)
class Condition:
    field: str
    op: Op
    value: Any


@dataclass(frozen=True)
class AllOf:
    items: tuple[FilterExpr, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[FilterExpr, ...]


@dataclass(frozen=True)
class NoneOf:
    item: FilterExpr


FilterExpr = Condition | AllOf | AnyOf | NoneOf


@dataclass(frozen=True)
class OrderKey:
    field: str
    descending: bool = False


@dataclass(frozen=True)
class PageRequest:
    """A keyset page: ``first`` rows after ``after`` or ``last`` rows before ``before``.

    ``after`` and ``before`` hold the sort-key values of a row (its order fields, then its id).
    """

    first: int | None = None
    after: tuple[Any, ...] | None = None
    last: int | None = None
    before: tuple[Any, ...] | None = None

    @property
    def size(self) -> int:
        return self.last if self.last is not None else (self.first or 0)

    @property
    def backwards(self) -> bool:
        return self.last is not None


@dataclass(frozen=True)
class PerRun:
    """In a planned statement's ``PageRequest.after``: a cursor's sort key bound when the statement
    runs (the bind parameter ``name``), so one statement serves every cursor (``gateway.planner``)."""

    name: str


@dataclass(frozen=True)
class CursorKey:
    """A cursor's sort key, as decoded, given for a ``PerRun`` slot: the backend coerces it to its
    sort key's type when the statement runs (``InvalidCursor`` when it cannot be one)."""

    value: Any


@dataclass(frozen=True)
class ListQuery:
    filter: FilterExpr | None = None
    order: tuple[OrderKey, ...] = ()
    page: PageRequest = field(default_factory=PageRequest)
    search: str | None = None
    # The record attributes the caller reads of each row (None: all of them). A backend may then
    # leave the others out (the SQL one does, see ``records.partial_record_class``); one that
    # cannot simply returns whole records.
    columns: frozenset[str] | None = None

    def __hash__(self) -> int:
        # A nested list's query is a loader key once per parent row (~300 lookups for a list page), and
        # hashing the nested dataclasses again each time showed in profiles. Frozen: hash it once. The
        # hash lives outside the fields, so equality, repr and ``replace`` do not see it.
        found: int | None = self.__dict__.get("_hash")
        if found is None:
            found = hash((self.filter, self.order, self.page, self.search, self.columns))
            object.__setattr__(self, "_hash", found)
        return found


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """Rows of one page in display order, each with its sort key for cursors."""

    rows: list[T]
    keys: Sequence[tuple[Any, ...]]  # the SQL reader works each one out only when asked for
    has_next: bool
    has_previous: bool
