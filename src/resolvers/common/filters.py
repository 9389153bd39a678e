"""Filter inputs shared by every list: per-type operator inputs and ``and`` / ``or`` / ``not``.

The operators are the ConeCRM query-builder's (seed 004): ``null`` / ``notNull`` are ``isNull: true``
/ ``isNull: false``. Text comparisons with contains / begins / ends ignore case; ``eq`` is exact.
Negative operators (``ne``, ``notIn``, ``doesNotContain``, ...) also match rows with no value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry

from gateway.backends.query import AllOf, AnyOf, Condition, FilterExpr, NoneOf, Op
from gateway.errors import InvalidFilter
from resolvers.common.fields import optional_field as _f
from resolvers.common.ids import decode_global_id
from resolvers.common.validation import storable_instant

MAX_FILTER_DEPTH = 8
MAX_LIST_VALUES = 1000
E = TypeVar("E")


@strawberry.input(description="An inclusive range of text values.")
class StringRange:
    start: str = strawberry.field(name="from", description="Lower bound, inclusive.")
    end: str = strawberry.field(name="to", description="Upper bound, inclusive.")


@strawberry.input(description="An inclusive range of integers.")
class IntRange:
    start: int = strawberry.field(name="from", description="Lower bound, inclusive.")
    end: int = strawberry.field(name="to", description="Upper bound, inclusive.")


@strawberry.input(description="An inclusive range of numbers.")
class FloatRange:
    start: float = strawberry.field(name="from", description="Lower bound, inclusive.")
    end: float = strawberry.field(name="to", description="Upper bound, inclusive.")


@strawberry.input(description="An inclusive range of date-times.")
class DateTimeRange:
    start: dt.datetime = strawberry.field(name="from", description="Lower bound, inclusive.")
    end: dt.datetime = strawberry.field(name="to", description="Upper bound, inclusive.")


class OperatorInput:
    """Turns each operator that was given into a condition on one field."""

    def conditions(self, field: str) -> list[Condition]:
        found = []
        for item in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            if value is not None:
                found.append(Condition(field, Op(_OP_NAMES[item.name]), self._plain(value)))
        return found

    def _plain(self, value: Any) -> Any:
        if isinstance(value, list):
            if len(value) > MAX_LIST_VALUES:
                raise InvalidFilter(f"a filter list may hold at most {MAX_LIST_VALUES} values")
            return tuple(self._scalar(item) for item in value)
        if isinstance(value, StringRange | IntRange | FloatRange | DateTimeRange):
            return (self._scalar(value.start), self._scalar(value.end))
        return self._scalar(value)

    def _scalar(self, value: Any) -> Any:
        if isinstance(value, dt.datetime) and not storable_instant(value):
            raise InvalidFilter("date-time is out of range in UTC")
        return value.value if isinstance(value, Enum) else value


_OP_NAMES = {
    "eq": "eq",
    "ne": "ne",
    "gt": "gt",
    "gte": "gte",
    "lt": "lt",
    "lte": "lte",
    "contains": "contains",
    "does_not_contain": "doesNotContain",
    "begins_with": "beginsWith",
    "does_not_begin_with": "doesNotBeginWith",
    "ends_with": "endsWith",
    "does_not_end_with": "doesNotEndWith",
    "is_null": "isNull",
    "in_": "in",
    "not_in": "notIn",
    "between": "between",
    "not_between": "notBetween",
}


@strawberry.input(description="Conditions on a text field; all given conditions must hold.")
class StringFilter(OperatorInput):
    eq: str | None = _f("Equal to (exact, case-sensitive).")
    ne: str | None = _f("Not equal to.")
    gt: str | None = _f("Sorts after.")
    gte: str | None = _f("Equal or sorts after.")
    lt: str | None = _f("Sorts before.")
    lte: str | None = _f("Equal or sorts before.")
    contains: str | None = _f("Contains this text, ignoring case.")
    does_not_contain: str | None = _f("Does not contain this text, ignoring case.")
    begins_with: str | None = _f("Begins with this text, ignoring case.")
    does_not_begin_with: str | None = _f("Does not begin with this text, ignoring case.")
    ends_with: str | None = _f("Ends with this text, ignoring case.")
    does_not_end_with: str | None = _f("Does not end with this text, ignoring case.")
    is_null: bool | None = _f("true: has no value (null); false: has a value (notNull).")
    in_: list[str] | None = _f("Equal to one of these.", name="in")
    not_in: list[str] | None = _f("Equal to none of these.")
    between: StringRange | None = _f("Within this range, inclusive.")
    not_between: StringRange | None = _f("Outside this range.")


@strawberry.input(description="Conditions on an integer field; all given conditions must hold.")
class IntFilter(OperatorInput):
    eq: int | None = _f("Equal to.")
    ne: int | None = _f("Not equal to.")
    gt: int | None = _f("Greater than.")
    gte: int | None = _f("Greater than or equal to.")
    lt: int | None = _f("Less than.")
    lte: int | None = _f("Less than or equal to.")
    is_null: bool | None = _f("true: has no value (null); false: has a value (notNull).")
    in_: list[int] | None = _f("Equal to one of these.", name="in")
    not_in: list[int] | None = _f("Equal to none of these.")
    between: IntRange | None = _f("Within this range, inclusive.")
    not_between: IntRange | None = _f("Outside this range.")


@strawberry.input(description="Conditions on a number field; all given conditions must hold.")
class FloatFilter(OperatorInput):
    eq: float | None = _f("Equal to.")
    ne: float | None = _f("Not equal to.")
    gt: float | None = _f("Greater than.")
    gte: float | None = _f("Greater than or equal to.")
    lt: float | None = _f("Less than.")
    lte: float | None = _f("Less than or equal to.")
    is_null: bool | None = _f("true: has no value (null); false: has a value (notNull).")
    in_: list[float] | None = _f("Equal to one of these.", name="in")
    not_in: list[float] | None = _f("Equal to none of these.")
    between: FloatRange | None = _f("Within this range, inclusive.")
    not_between: FloatRange | None = _f("Outside this range.")


@strawberry.input(description="Conditions on a date-time field; all given conditions must hold.")
class DateTimeFilter(OperatorInput):
    eq: dt.datetime | None = _f("At exactly this instant.")
    ne: dt.datetime | None = _f("Not at this instant.")
    gt: dt.datetime | None = _f("After.")
    gte: dt.datetime | None = _f("At or after.")
    lt: dt.datetime | None = _f("Before.")
    lte: dt.datetime | None = _f("At or before.")
    is_null: bool | None = _f("true: has no value (null); false: has a value (notNull).")
    between: DateTimeRange | None = _f("Within this range, inclusive.")
    not_between: DateTimeRange | None = _f("Outside this range.")


@strawberry.input(description="Conditions on a true/false field.")
class BooleanFilter(OperatorInput):
    eq: bool | None = _f("Equal to.")
    is_null: bool | None = _f("true: has no value (null); false: has a value (notNull).")


@strawberry.input(description="Conditions on a reference to another object, by its global ID.")
class IDFilter(OperatorInput):
    eq: strawberry.ID | None = _f("Refers to this object.")
    ne: strawberry.ID | None = _f("Does not refer to this object.")
    is_null: bool | None = _f("true: refers to nothing (null); false: refers to something (notNull).")
    in_: list[strawberry.ID] | None = _f("Refers to one of these objects.", name="in")
    not_in: list[strawberry.ID] | None = _f("Refers to none of these objects.")

    def _scalar(self, value: Any) -> Any:
        return value if isinstance(value, bool) else decode_global_id(value)[1]


@strawberry.input(description="Conditions on an enumerated field.")
class EnumFilter(OperatorInput, Generic[E]):
    eq: E | None = _f("Equal to.")
    ne: E | None = _f("Not equal to.")
    is_null: bool | None = _f("true: has no value (null); false: has a value (notNull).")
    in_: list[E] | None = _f("One of these.", name="in")
    not_in: list[E] | None = _f("None of these.")


MAX_CUSTOM_FIELD_FILTERS = 16
CUSTOM_FIELD_PREFIX = "customFields."


@strawberry.input(
    description="Conditions on one custom field (by fieldName), with the operator input of its type: "
    "`text` for string, enum and date (ISO 8601 text) fields, `number`, `boolean`, `dateTime`. A row "
    "without a value of that type has none (`isNull: true`)."
)
class CustomFieldFilter:
    field_name: str = strawberry.field(description="The custom field's fieldName.")
    text: StringFilter | None = _f("Conditions on a string, enum or date field.")
    number: FloatFilter | None = _f("Conditions on a number field.")
    boolean: BooleanFilter | None = _f("Conditions on a boolean field.")
    date_time: DateTimeFilter | None = _f("Conditions on a datetime field.")

    def conditions(self) -> list[Condition]:
        path = custom_field_path(self.field_name)
        found: list[Condition] = []
        for given in (self.text, self.number, self.boolean, self.date_time):
            if given is not None:
                found.extend(given.conditions(path))
        return found


def custom_field_path(name: str) -> str:
    """``shoeSize`` -> ``customFields.shoeSize``; INVALID_FILTER for a name no custom field has."""
    if not name or len(name) > 64 or "\x00" in name:
        raise InvalidFilter("a custom field name has 1 to 64 characters")
    return CUSTOM_FIELD_PREFIX + name


_COMBINATORS = ("and_", "or_", "not_")


def compile_filter(value: Any, depth: int = 0) -> FilterExpr | None:
    """Turn an entity filter input (``ContactFilter`` ...) into a backend-neutral expression."""
    if value is None:
        return None
    if depth > MAX_FILTER_DEPTH:
        raise InvalidFilter(f"filters may nest at most {MAX_FILTER_DEPTH} levels deep")
    items: list[FilterExpr] = []
    for item in dataclasses.fields(value):
        given = getattr(value, item.name)
        if given is None:
            continue
        if item.name in _COMBINATORS:
            items.append(_combined(item.name, given, depth))
        elif item.name == "custom_fields":
            if len(given) > MAX_CUSTOM_FIELD_FILTERS:
                raise InvalidFilter(f"at most {MAX_CUSTOM_FIELD_FILTERS} custom field conditions per filter")
            items.extend(condition for each in given for condition in each.conditions())
        else:
            items.extend(given.conditions(item.name))
    return AllOf(tuple(items))


def _combined(name: str, given: Any, depth: int) -> FilterExpr:
    if name == "not_":
        return NoneOf(compile_filter(given, depth + 1) or AllOf(()))
    parts = tuple(compile_filter(part, depth + 1) or AllOf(()) for part in given)
    return AllOf(parts) if name == "and_" else AnyOf(parts)
