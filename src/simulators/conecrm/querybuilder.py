"""Seed 004's query builder, evaluated over ConeCRM JSON records (the simulator's own implementation).

A rule is ``{field, operator, value}``; a group ``{combinator: and|or, not, rules}``. A field is a
dotted path (``contact.id``, ``customFields.gender``); through a list (``accounts.id``) a positive
operator holds when it holds for some element and a negative one when it holds for none. A missing
value (null) satisfies only ``null`` and the negative operators. Text matching is case-insensitive
except ``=``/``!=``; ISO date-time strings compare as instants.

Strict where seed 004 is precise: a rule's ``value`` is a string (QueryBuilderRule l. 11897-11904), so
``in``/``between`` take a comma-separated string (react-querybuilder's convention, which the seed's
"valueSource" member comes from) and numbers and booleans are compared by their text (``"true"``,
``"3"``); members other than the seed's (rule: id, field, operator, valueSource, value; group: id,
combinator, not, rules; query body: query) and fields the entity does not offer are refused (400).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

OPERATORS = (
    "=",
    "!=",
    ">",
    ">=",
    "<",
    "<=",
    "contains",
    "doesNotContain",
    "beginsWith",
    "doesNotBeginWith",
    "endsWith",
    "doesNotEndWith",
    "null",
    "notNull",
    "in",
    "notIn",
    "between",
    "notBetween",
)
NEGATIONS = {
    "!=": "=",
    "doesNotContain": "contains",
    "doesNotBeginWith": "beginsWith",
    "doesNotEndWith": "endsWith",
    "notIn": "in",
    "notBetween": "between",
}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


class BadQuery(ValueError):
    """The body is not a QueryBuilderQuery the simulator understands: answered with 400."""


RULE_MEMBERS = {"id", "field", "operator", "valueSource", "value"}
GROUP_MEMBERS = {"id", "combinator", "not", "rules"}


def check(group: Any, fields: dict[str, str]) -> None:
    """Refuse (BadQuery) what seed 004's QueryBuilderRuleGroup/Rule does not define, and unknown fields."""
    if not isinstance(group, dict) or not isinstance(group.get("rules", []), list):
        raise BadQuery("a rule group needs a list of rules")
    extra = set(group) - GROUP_MEMBERS
    if extra:
        raise BadQuery(f"unknown member(s) of a rule group: {', '.join(sorted(extra))}")
    if "not" in group and not isinstance(group["not"], bool):
        raise BadQuery("not must be a boolean")
    if group.get("combinator", "and") not in ("and", "or"):
        raise BadQuery(f"unknown combinator {group.get('combinator')!r}")
    for item in group.get("rules", []):
        if isinstance(item, dict) and "rules" in item:
            check(item, fields)
            continue
        if not isinstance(item, dict):
            raise BadQuery("a rule must be an object")
        extra = set(item) - RULE_MEMBERS
        if extra:
            raise BadQuery(f"unknown member(s) of a rule: {', '.join(sorted(extra))}")
        if item.get("field") not in fields:
            raise BadQuery(f"field {item.get('field')!r} cannot be filtered on")
        if item.get("operator") not in OPERATORS:
            raise BadQuery(f"unknown operator {item.get('operator')!r}")
        if "value" in item and item["value"] is not None and not isinstance(item["value"], str):
            raise BadQuery("a rule's value must be a string")
        if item["operator"] not in ("null", "notNull") and not isinstance(item.get("value"), str):
            raise BadQuery(f"operator {item['operator']} needs a value")


def matches(record: dict[str, Any], group: Any) -> bool:
    if not isinstance(group, dict) or not isinstance(group.get("rules", []), list):
        raise BadQuery("a rule group needs a list of rules")
    combinator = group.get("combinator", "and")
    if combinator not in ("and", "or"):
        raise BadQuery(f"unknown combinator {combinator!r}")
    results = (_item(record, item) for item in group.get("rules", []))
    held = all(results) if combinator == "and" else any(results)
    return not held if group.get("not") else held


def _item(record: dict[str, Any], item: Any) -> bool:
    if isinstance(item, dict) and "rules" in item:
        return matches(record, item)
    if not isinstance(item, dict) or not isinstance(item.get("field"), str):
        raise BadQuery("a rule needs a field")
    operator = item.get("operator")
    if operator not in OPERATORS:
        raise BadQuery(f"unknown operator {operator!r}")
    candidates = _values(record, item["field"].split("."))
    if operator == "null":
        return all(value is None for value in candidates)
    if operator == "notNull":
        return any(value is not None for value in candidates)
    if operator in NEGATIONS:
        test = _TESTS[NEGATIONS[operator]]
        return not any(value is not None and test(value, item.get("value")) for value in candidates)
    test = _TESTS[operator]
    return any(value is not None and test(value, item.get("value")) for value in candidates)


def _values(value: Any, path: list[str]) -> list[Any]:
    if not path:
        return value if isinstance(value, list) and value else [None] if isinstance(value, list) else [value]
    if isinstance(value, list):
        found = [item for element in value for item in _values(element, path)]
        return found or [None]
    if not isinstance(value, dict):
        return [None]
    return _values(value.get(path[0]), path[1:])


def comparable(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and _ISO.match(value):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return value


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def test(value: Any, wanted: Any) -> bool:
        left, right = comparable(value), comparable(wanted)
        if isinstance(left, int | float) and isinstance(right, str):
            try:
                right = float(right)
            except ValueError:
                raise BadQuery("value is not a number") from None
        try:
            return op(left, right)
        except TypeError:
            raise BadQuery("value does not compare with the field's type") from None

    return test


def _text(op: Callable[[str, str], bool]) -> Callable[[Any, Any], bool]:
    return lambda value, wanted: op(str(value).lower(), str(wanted).lower())


def _list(wanted: Any) -> list[Any]:
    if isinstance(wanted, str):
        return [part.strip() for part in wanted.split(",")]
    raise BadQuery("in / between need a list of values")


@lru_cache(maxsize=256)
def _members(wanted: str) -> frozenset[str]:
    return frozenset(part.strip() for part in wanted.split(","))


def _in(value: Any, wanted: Any) -> bool:
    if isinstance(value, str) and isinstance(wanted, str) and not _ISO.match(value):
        return value in _members(wanted)  # text (ids): a set lookup, not a scan per record
    return any(_compare(lambda a, b: a == b)(value, item) for item in _list(wanted))


def _between(value: Any, wanted: Any) -> bool:
    bounds = _list(wanted)
    if len(bounds) != 2:
        raise BadQuery("between needs two values")
    return _compare(lambda a, b: a >= b)(value, bounds[0]) and _compare(lambda a, b: a <= b)(value, bounds[1])


_TESTS: dict[str, Callable[[Any, Any], bool]] = {
    "=": _compare(lambda a, b: a == b),
    ">": _compare(lambda a, b: a > b),
    ">=": _compare(lambda a, b: a >= b),
    "<": _compare(lambda a, b: a < b),
    "<=": _compare(lambda a, b: a <= b),
    "contains": _text(lambda a, b: b in a),
    "beginsWith": _text(lambda a, b: a.startswith(b)),
    "endsWith": _text(lambda a, b: a.endswith(b)),
    "in": _in,
    "between": _between,
}


def sort_key(field: str) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """For the list endpoints' ``sortField``: records without a value first, then by value, then id."""

    def key(record: dict[str, Any]) -> tuple[Any, ...]:
        value = comparable(_values(record, field.split("."))[0])
        return (value is not None, value if value is not None else 0, record["id"])

    return key
