"""What the planner asks of the SQL backend: a root list's subtree, in backend terms.

The GraphQL walk (``resolvers/planner/walk.py``) builds these; ``sql.py`` compiles one into a single
statement that returns the subtree as JSON; ``resolvers/planner/shape.py`` turns that JSON into the
response. Each row's JSON names its values by slot (``slot(i)`` for the i-th field of an object plan,
``KEYS`` for the row's sort keys), so both halves agree without sharing response keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gateway.backends.query import ListQuery
from gateway.backends.records import Detail, Entity, Relation

KEYS = "_k"  # a row's sort-key values, for its cursor
ROWS = "r"  # a connection's rows (its page size + 1: the extra one tells whether a next page exists)
COUNT = "c"  # a connection's totalCount


class Unplannable(Exception):
    """The planner does not cover this: the operation runs through the resolvers instead."""


def slot(index: int) -> str:
    return f"f{index}"


@dataclass(frozen=True)
class Leaf:
    """A column of the row; ``kind`` says how its JSON value becomes the response's:
    ``id`` (a global id), ``str``, ``int``, ``enum`` (stored as its name), ``bool``, ``datetime``."""

    column: str
    kind: str


@dataclass
class Computed:
    """A field computed in Python from columns of the row: ``function`` is its resolver, called on an
    object whose ``record`` holds ``columns`` (and nothing else: reading more fails, and the resolvers
    answer). ``kinds`` is filled by ``sql.py``: how each column's JSON value decodes."""

    columns: tuple[str, ...]
    function: Any
    result: str  # the GraphQL type's kind: "str", "int" or "bool"
    kinds: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Constant:
    """A value known at planning (``__typename``)."""

    value: Any


@dataclass
class ObjectPlan:
    entity: Entity | None  # None for the rows of a detail list (e-mails, phones ...)
    type_name: str
    # (response key, part), in selection order; part: Leaf | Constant | LinkPlan | ConnectionPlan
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
    key_kinds: list[str] = field(default_factory=list)  # filled by sql.py: how each sort key decodes


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
    one plan serves every id: the id comes from the GraphQL ``variable`` (else the ``literal``) and
    must name one of ``type_names`` (else the resolvers answer, with their error)."""

    entity: Entity
    parameter: str
    type_names: tuple[str, ...]
    variable: str | None
    literal: str | None
    node: ObjectPlan | VariantPlan


VARIANT = "t"  # a variant row's value of its plan's column
VALUE = "v"  # a variant row's object, or an object root's (null when absent)
