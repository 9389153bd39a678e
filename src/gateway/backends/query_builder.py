"""Seed 004's query builder (``QueryBuilderQuery``) as a backend-neutral filter (``gateway.backends.query``).

A query is a rule group: ``{"combinator": "and" | "or", "not": bool, "rules": [rule | group, ...]}``,
optionally wrapped as ``{"query": group}`` (the seed's body). A rule is ``{"field", "operator",
"value"}`` with one of the 18 operators (``filter_catalog.OPERATORS``) that the field's type accepts
(``OPERATORS_BY_KIND``). Fields are those of the filter catalogue (the graph's filter inputs, under their
camelCase names) and ``customFields.<fieldName>`` for each custom field of the entity.

Values may be JSON values or, as the seed sends them, text: ``in`` / ``notIn`` take a list or a
comma-separated text, ``between`` / ``notBetween`` a list of two or ``"low,high"``; ``null`` and
``notNull`` take none. Each value is checked against the field's type.

The result goes wherever the list's ``filter`` goes: the SQL backend compiles it with ``sql/filters.py``
(custom fields with ``sql/custom_fields.py``), the ConeCRM connector into its own query-builder rules.
Refusals are GraphQL errors with a code: UNKNOWN_FILTER_FIELD, UNKNOWN_FILTER_OPERATOR,
INVALID_FILTER_VALUE, and INVALID_FILTER for a malformed query.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from gateway.backends.filter_catalog import OPERATORS_BY_KIND, catalogued_fields
from gateway.backends.query import AllOf, AnyOf, Condition, FilterExpr, NoneOf, Op
from gateway.errors import InvalidFilter

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
MAX_DEPTH = 8
MAX_RULES = 200
MAX_VALUES = 1000
# Seed 004's own names for fields the graph calls otherwise (its example query filters on primaryEmail).
ALIASES = {"primaryEmail": "email", "primaryPhone": "phone"}
_OPS = {
    "=": Op.EQ,
    "!=": Op.NE,
    ">": Op.GT,
    ">=": Op.GTE,
    "<": Op.LT,
    "<=": Op.LTE,
    "contains": Op.CONTAINS,
    "doesNotContain": Op.DOES_NOT_CONTAIN,
    "beginsWith": Op.BEGINS_WITH,
    "doesNotBeginWith": Op.DOES_NOT_BEGIN_WITH,
    "endsWith": Op.ENDS_WITH,
    "doesNotEndWith": Op.DOES_NOT_END_WITH,
    "in": Op.IN,
    "notIn": Op.NOT_IN,
    "between": Op.BETWEEN,
    "notBetween": Op.NOT_BETWEEN,
}


class UnknownFilterField(InvalidFilter):
    code = "UNKNOWN_FILTER_FIELD"


class UnknownFilterOperator(InvalidFilter):
    code = "UNKNOWN_FILTER_OPERATOR"


class InvalidFilterValue(InvalidFilter):
    code = "INVALID_FILTER_VALUE"


class _Field:
    """A field a rule may name: its record attribute, its kind and, for an enum, its values."""

    def __init__(self, attribute: str, kind: str, values: tuple[str, ...] | None) -> None:
        self.attribute, self.kind, self.values = attribute, kind, values


def entity_fields(entity: str, custom: Mapping[str, tuple[str, Any]]) -> dict[str, _Field]:
    """Field path -> field; ``custom`` is fieldName -> (fieldType, options) of the entity's custom fields."""
    found = {}
    for path, (kind, options) in catalogued_fields(entity, custom).items():
        attribute = path if path.startswith("customFields.") else _snake(path)
        found[path] = _Field(attribute, kind, None if options is None else tuple(options["values"]))
    return found


def compile_query(
    entity: str,
    query: Any,
    custom: Mapping[str, tuple[str, Any]],
    decode_id: Callable[[str], Any],
) -> FilterExpr:
    """The filter a query builder query means for ``entity``; ``decode_id`` turns an id value (a global
    id in the graph) into the stored one."""
    if isinstance(query, dict) and isinstance(query.get("query"), dict) and "rules" not in query:
        query = query["query"]
    compiler = _Compiler(entity_fields(entity, custom), decode_id)
    return compiler.group(query, 0)


class _Compiler:
    def __init__(self, fields: dict[str, _Field], decode_id: Callable[[str], Any]) -> None:
        self.fields = fields
        self.decode_id = decode_id
        self.rules = 0

    def group(self, group: Any, depth: int) -> FilterExpr:
        if not isinstance(group, dict) or not isinstance(group.get("rules", []), list):
            raise InvalidFilter("a rule group is an object with a list of rules")
        if depth > MAX_DEPTH:
            raise InvalidFilter(f"rule groups may nest at most {MAX_DEPTH} levels deep")
        combinator = group.get("combinator") or "and"
        if combinator not in ("and", "or"):
            raise InvalidFilter('a rule group\'s combinator is "and" or "or"')
        negated = group.get("not") or False
        if not isinstance(negated, bool):
            raise InvalidFilter("a rule group's not is true or false")
        items = tuple(self.item(item, depth) for item in group.get("rules") or [])
        combined: FilterExpr = AllOf(items) if combinator == "and" else AnyOf(items)
        if combinator == "or" and not items:
            combined = AllOf(())  # an empty group constrains nothing, whatever its combinator
        return NoneOf(combined) if negated else combined

    def item(self, item: Any, depth: int) -> FilterExpr:
        self.rules += 1
        if self.rules > MAX_RULES:
            raise InvalidFilter(f"a query holds at most {MAX_RULES} rules")
        if isinstance(item, dict) and "rules" in item:
            return self.group(item, depth + 1)
        if not isinstance(item, dict):
            raise InvalidFilter("a rule is an object with field, operator and value")
        return self.rule(item)

    def rule(self, rule: dict[str, Any]) -> FilterExpr:
        path = rule.get("field")
        field = self.fields.get(ALIASES.get(path, path)) if isinstance(path, str) else None
        if field is None:
            raise UnknownFilterField(f"unknown field {str(path)[:80]!r}; see queryBuilderConfig")
        operator = rule.get("operator")
        if not isinstance(operator, str) or operator not in OPERATORS_BY_KIND[field.kind]:
            message = f"{str(operator)[:20]!r} is not an operator of the {field.kind} field {path}"
            raise UnknownFilterOperator(message)
        if operator in ("null", "notNull"):
            return Condition(field.attribute, Op.IS_NULL, operator == "null")
        return Condition(field.attribute, _OPS[operator], self.value(field, operator, rule.get("value")))

    def value(self, field: _Field, operator: str, value: Any) -> Any:
        try:
            if operator in ("in", "notIn"):
                items = _listed(value)
                if len(items) > MAX_VALUES:
                    raise ValueError(f"at most {MAX_VALUES} values")
                return tuple(self.scalar(field, item) for item in items)
            if operator in ("between", "notBetween"):
                items = _listed(value)
                if len(items) != 2:
                    raise ValueError("two values: low and high")
                return (self.scalar(field, items[0]), self.scalar(field, items[1]))
            return self.scalar(field, value)
        except (ValueError, TypeError, OverflowError) as problem:
            raise InvalidFilterValue(f"bad value for {field.attribute}: {str(problem)[:120]}") from None

    def scalar(self, field: _Field, value: Any) -> Any:
        if isinstance(value, list | dict) or value is None:
            raise ValueError("a value is text, a number or true/false")
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("text may not contain NUL")
        return _CONVERT[field.kind](self, field, value)

    def _id(self, field: _Field, value: Any) -> Any:
        return self.decode_id(_text(value))

    def _enum(self, field: _Field, value: Any) -> Any:
        text = _text(value)
        if field.values is not None and text not in field.values:
            raise ValueError(f"one of {', '.join(field.values)}")
        return text


def _snake(path: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", path).lower()


def _listed(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [part.strip() for part in value.split(",")] if value.strip() else []
    raise ValueError("a list, or text with commas")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError("text expected")
    return str(value)


def _number(field: _Field, value: Any) -> Any:
    """A finite number; for a column of the record's own (an integer column) a 32-bit integer."""
    if isinstance(value, bool):
        raise ValueError("a number expected")
    number = float(value) if isinstance(value, str) else value
    if not isinstance(number, int | float) or not math.isfinite(number):
        raise ValueError("a finite number expected")
    if field.attribute.startswith("customFields."):
        return number
    if number != int(number) or not INT32_MIN <= number <= INT32_MAX:
        raise ValueError("a 32-bit integer expected")
    return int(number)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError("true or false expected")


def _instant(value: Any) -> datetime:
    moment = datetime.fromisoformat(_text(value).replace("Z", "+00:00"))
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    moment.astimezone(UTC)  # OverflowError for a time outside the range of UTC
    return moment


def _day(value: Any) -> str:
    return date.fromisoformat(_text(value)).isoformat()


_CONVERT: dict[str, Callable[[_Compiler, _Field, Any], Any]] = {
    "string": lambda _, __, value: _text(value),
    "number": lambda _, field, value: _number(field, value),
    "boolean": lambda _, __, value: _boolean(value),
    "datetime": lambda _, __, value: _instant(value),
    "date": lambda _, __, value: _day(value),
    "id": _Compiler._id,
    "enum": _Compiler._enum,
}
