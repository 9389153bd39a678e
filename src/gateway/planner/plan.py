"""What the planner asks of the SQL backend: a root field's subtree (a list, or a lookup by id), in
backend terms.

The GraphQL walk (``resolvers/planner/walk.py``) builds these; ``sql.py`` compiles one into a single
statement that returns the root field's response JSON itself (response keys, global ids, cursors,
``pageInfo``, date-times as Strawberry prints them), so the gateway only parses it.

A computed field is served by its *SQL twin*: a small backend-neutral expression (``Column``,
``Text``, ``FirstOf``, ``Joined``, ``Not``) declared next to its Python resolver with ``in_sql``;
``tests/test_planner_sql.py`` pins each twin equal to its resolver on both databases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from gateway.backends.query import ListQuery
from gateway.backends.records import Detail, Entity, Relation

F = TypeVar("F", bound=Callable[..., Any])


class Unplannable(Exception):
    """The planner does not cover this: the operation runs through the resolvers instead."""


class Unserved(Exception):
    """A planned statement answered ``UNSERVED`` for a row it cannot answer: the resolvers answer
    this request (with their error); the plan stays, for the next."""


# What a planned statement answers in place of a row it cannot answer (an event of a kind no GraphQL
# type has): the JSON string of one NUL character, which no data produces (PostgreSQL text holds no
# NUL, and JSON escapes a backslash, so a text spelling it out reads "\\u0000"). A statement's text
# holding it is the resolvers' to answer (``Unserved``): a false alarm would cost time, not answers.
UNSERVED = '"\\u0000"'


# --- SQL twins of computed fields: what the statement computes instead of the Python resolver -------
@dataclass(frozen=True)
class Column:
    """A column of the row (the resolver's ``self.record.<name>``)."""

    name: str


@dataclass(frozen=True)
class Text:
    value: str


@dataclass(frozen=True)
class FirstOf:
    """Python's ``a or b or c`` of strings: the first that is neither None nor empty, else the last."""

    parts: tuple[Any, ...]


@dataclass(frozen=True)
class Joined:
    """Python's ``separator.join(part for part in parts if part)``."""

    separator: str
    parts: tuple[Any, ...]


@dataclass(frozen=True)
class Not:
    """Python's ``not value`` of a boolean (None counts as false)."""

    part: Any


_TWINS: dict[Callable[..., Any], Any] = {}


def in_sql(twin: Any) -> Callable[[F], F]:
    """Declare a computed field's SQL twin: the expression ``sql.py`` compiles instead of calling the
    resolver. It must answer what the resolver answers for every row (a test compares the two)."""

    def register(resolver: F) -> F:
        _TWINS[resolver] = twin
        return resolver

    return register


def declared_twins() -> dict[Callable[..., Any], Any]:
    """Every resolver's SQL twin (for the test that compares each with its resolver)."""
    return dict(_TWINS)


def twin_of(resolver: Callable[..., Any]) -> Any:
    """The SQL twin ``resolver`` declares, or None."""
    return _TWINS.get(resolver)


def twin_columns(twin: Any) -> set[str]:
    """The columns a twin reads."""
    if isinstance(twin, Column):
        return {twin.name}
    if isinstance(twin, FirstOf | Joined):
        return set().union(*(twin_columns(part) for part in twin.parts))
    if isinstance(twin, Not):
        return twin_columns(twin.part)
    return set()


@dataclass(frozen=True)
class Leaf:
    """A column of the row; ``kind`` says how its JSON value becomes the response's:
    ``id`` (a global id), ``str``, ``int``, ``enum`` (stored as its name), ``bool``, ``datetime``."""

    column: str
    kind: str


@dataclass(frozen=True)
class Computed:
    """A field computed from columns of the row by its SQL twin (``in_sql``)."""

    twin: Any
    result: str  # the GraphQL type's kind: "str", "int" or "bool"

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns its twin reads."""
        return tuple(sorted(twin_columns(self.twin)))


@dataclass(frozen=True)
class Constant:
    """A value known at planning (``__typename``)."""

    value: Any


@dataclass
class ObjectPlan:
    entity: Entity | None  # None for the rows of a detail list (e-mails, phones ...)
    type_name: str
    # (response key, part), in selection order; part: Leaf | Computed | Constant | LinkPlan |
    # DetailPlan | ConnectionPlan
    fields: list[tuple[str, Any]] = field(default_factory=list)

    def columns(self) -> list[str]:
        names = ["id"]
        for _, part in self.fields:
            wanted = part.columns if isinstance(part, Computed) else (getattr(part, "column", None),)
            names += [column for column in wanted if column is not None and column not in names]
        return names


@dataclass
class LinkPlan:
    """A single link (``Lead.stage``): the row of ``target`` whose id is in ``column``, if visible."""

    column: str
    target: Entity
    node: ObjectPlan


@dataclass
class DetailPlan:
    """An owner's detail list (``Contact.emails``): every row of ``detail`` it owns, in stored order."""

    detail: Detail
    node: ObjectPlan


@dataclass
class ConnectionPlan:
    entity: Entity
    relation: Relation | None  # None for a root list
    query: ListQuery
    type_name: str
    node: ObjectPlan | VariantPlan | None = None
    # (response key, part): ("edges", [(key, "cursor" | "node" | Constant)]), ("nodes", None),
    # ("pageInfo", [(key, name | Constant)]), ("totalCount", None), ("__typename", Constant)
    fields: list[tuple[str, tuple[str, Any]]] = field(default_factory=list)
    needs_keys: bool = False
    needs_count: bool = False
    # A root list's ``after`` from a variable, bound per request: (the variable, the prefix of the bind
    # parameters its keys go to). ``query.page.after`` then holds ``PerRun`` slots, not the keys.
    cursor: tuple[str, str] | None = None


@dataclass
class VariantPlan:
    """The rows of an interface whose types share a table (``Event``: ``Task``, ``Appointment``,
    ``FollowUp``): the value of ``column`` picks each row's type and so its object plan (fields
    collected for that type). A row of a kind in ``nulls`` answers null (``task(id:)`` given an
    appointment's id); a kind in neither is the resolvers' to answer."""

    entity: Entity
    column: str
    variants: dict[str, ObjectPlan]
    nulls: frozenset[str] = frozenset()

    def flat(self) -> ObjectPlan:
        """One object plan reading every variant's columns (and ``column``): the level's columns."""
        fields: list[tuple[str, Any]] = [("", Leaf(self.column, "str"))]
        for variant in self.variants.values():
            fields += variant.fields
        return ObjectPlan(self.entity, "", fields)


@dataclass
class ObjectRootPlan:
    """A root field by id (``contact(id:)``): the visible row of ``entity`` with the id bound to
    ``parameter`` when the statement runs, or null. The plan does not depend on the id's value, so
    one plan serves every id: the id comes from the GraphQL ``variable`` (else the ``literal``: the
    argument's, or the variable's default when it is not sent) and must name one of ``type_names``
    (else the resolvers answer, with their error)."""

    entity: Entity
    parameter: str
    type_names: tuple[str, ...]
    variable: str | None
    literal: str | None
    node: ObjectPlan | VariantPlan
