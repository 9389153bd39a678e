"""An automation's condition: a seed 004 QueryBuilderQuery evaluated against the triggering record.

The one place that knows how a query-builder query is judged in memory, so that it can give way to the
SQL compiler of the same queries (the record then tested with one ``WHERE id = ...``). Fields are the
filter catalogue's (``gateway.backends.filter_catalog``) for the trigger's entity, each with the
operators its kind accepts. Values are read as the field's kind: numbers, booleans (``true``/``false``),
ISO 8601 times, ids (a global ID or a UUID), text. ``in``/``notIn`` take a list or comma-separated
text, ``between``/``notBetween`` two values. As in SQL, a record whose field is null matches no
operator but ``null``. Text operators ignore case.

Custom fields of the entity join as ``customFields.<fieldName>`` (``filter_catalog.catalogued_fields``),
read from the record's ``custom_fields`` as their definition's type; a stored value of another type (a
definition deleted and made again with another type) is no value, as in the SQL compiler.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from gateway.automations.values import as_uuid
from gateway.backends.filter_catalog import OPERATORS_BY_KIND, catalogued_fields

Fields = Mapping[str, tuple[str, Any]]  # catalogue field -> (kind, the record's value)
Custom = Mapping[str, tuple[str, Any]]  # the entity's custom fields: fieldName -> (fieldType, options)
MAX_DEPTH = 8  # nested groups
CUSTOM = "customFields."


class ConditionProblem(ValueError):
    """Why a query cannot be evaluated: the definition is refused with it."""


def check(query: Any, entity: str, custom: Custom | None = None) -> None:
    """``ConditionProblem`` unless ``query`` (the QueryBuilderQuery's ``query``) is one we can judge."""
    kinds = {field: kind for field, (kind, _) in catalogued_fields(entity, custom or {}).items()}
    _check_group(query, entity, kinds, 0)


def uses_custom_fields(query: Any) -> bool:
    """Whether a (possibly unchecked) query names a custom field: only then are definitions read."""
    if not isinstance(query, dict):
        return False
    field = query.get("field")
    rules = query.get("rules")
    return (isinstance(field, str) and field.startswith(CUSTOM)) or (
        isinstance(rules, list) and any(uses_custom_fields(rule) for rule in rules)
    )


def matches(query: Mapping[str, Any], fields: Fields) -> bool:
    """Whether the record's fields satisfy the (checked) query."""
    results = [
        matches(rule, fields) if "rules" in rule else _rule(rule, fields) for rule in query.get("rules", [])
    ]
    outcome = True if not results else all(results) if query.get("combinator") == "and" else any(results)
    return not outcome if query.get("not") else outcome


def record_fields(entity: str, record: Any, custom: Custom | None = None) -> dict[str, tuple[str, Any]]:
    """The catalogue fields of ``entity`` read from a record (``stageId`` -> ``record.stage_id``,
    ``customFields.budget`` -> ``record.custom_fields["budget"]``)."""
    values = getattr(record, "custom_fields", None) or {}
    return {
        field: (
            kind,
            _stored(kind, values.get(field.removeprefix(CUSTOM)))
            if field.startswith(CUSTOM)
            else getattr(record, _snake(field), None),
        )
        for field, (kind, _) in catalogued_fields(entity, custom or {}).items()
    }


def _stored(kind: str, value: Any) -> Any:
    """A custom value as stored (JSON number, boolean or text), or None when stored as another type."""
    if kind == "number":
        typed = isinstance(value, int | float) and not isinstance(value, bool)
    else:
        typed = isinstance(value, bool if kind == "boolean" else str)
    return value if typed else None


def _check_group(group: Any, entity: str, kinds: Mapping[str, str], depth: int) -> None:
    if not isinstance(group, dict) or not isinstance(group.get("rules", []), list):
        raise ConditionProblem("A condition's query is a rule group: {combinator, not, rules: [...]}.")
    if depth > MAX_DEPTH:
        raise ConditionProblem(f"Rule groups nest at most {MAX_DEPTH} deep.")
    if group.get("combinator", "and") not in ("and", "or") or not isinstance(group.get("not", False), bool):
        raise ConditionProblem('A group\'s combinator is "and" or "or", and its "not" a boolean.')
    for rule in group.get("rules", []):
        if isinstance(rule, dict) and "rules" in rule:
            _check_group(rule, entity, kinds, depth + 1)
        else:
            _check_rule(rule, entity, kinds)


def _check_rule(rule: Any, entity: str, kinds: Mapping[str, str]) -> None:
    if not isinstance(rule, dict):
        raise ConditionProblem("A rule is an object: {field, operator, value}.")
    field, operator = rule.get("field"), rule.get("operator")
    if not isinstance(field, str) or field not in kinds:
        raise ConditionProblem(f"Unknown field {str(field)[:64]!r} of a {entity}.")
    kind = kinds[field]
    if not isinstance(operator, str) or operator not in OPERATORS_BY_KIND[kind]:
        raise ConditionProblem(f"{field} does not take the operator {str(operator)[:32]!r}.")
    if operator in ("null", "notNull"):
        return
    try:
        _operands(operator, kind, rule.get("value"))
    except (TypeError, ValueError) as error:
        raise ConditionProblem(f"{field} {operator}: {error}") from None


def _rule(rule: Mapping[str, Any], fields: Fields) -> bool:
    kind, actual = fields[rule["field"]]
    operator = rule["operator"]
    if operator in ("null", "notNull"):
        return (actual is None) == (operator == "null")
    if actual is None:
        return False
    try:
        actual = _value(kind, actual)
    except (TypeError, ValueError):
        return False  # e.g. a custom date stored as text that is no date
    return bool(OPERATIONS[operator](actual, _operands(operator, kind, rule.get("value"))))


def _operands(operator: str, kind: str, value: Any) -> Any:
    if operator in ("in", "notIn", "between", "notBetween"):
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise ValueError("takes a list of values or comma-separated text")
        if operator in ("between", "notBetween") and len(items) != 2:
            raise ValueError("takes two values")
        return [_value(kind, item.strip() if isinstance(item, str) else item) for item in items]
    return _value(kind, value)


def _value(kind: str, value: Any) -> Any:
    if value is None:
        raise ValueError("needs a value")
    if kind == "number":
        if isinstance(value, bool):
            raise ValueError("takes a number")
        return float(value)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if str(value).lower() not in ("true", "false"):
            raise ValueError("takes true or false")
        return str(value).lower() == "true"
    if kind in ("datetime", "date"):
        return _instant(value)
    if kind == "id":
        return as_uuid(value)
    return str(value).lower() if kind == "string" else str(value)


def _instant(value: Any) -> datetime:
    moment = (
        value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    )
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _snake(field: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in field)


def _text(test: Callable[[str, str], bool]) -> Callable[[Any, Any], bool]:
    return lambda actual, value: test(str(actual), str(value))


OPERATIONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda actual, value: actual == value,
    "!=": lambda actual, value: actual != value,
    ">": lambda actual, value: actual > value,
    ">=": lambda actual, value: actual >= value,
    "<": lambda actual, value: actual < value,
    "<=": lambda actual, value: actual <= value,
    "contains": _text(lambda actual, value: value in actual),
    "doesNotContain": _text(lambda actual, value: value not in actual),
    "beginsWith": _text(lambda actual, value: actual.startswith(value)),
    "doesNotBeginWith": _text(lambda actual, value: not actual.startswith(value)),
    "endsWith": _text(lambda actual, value: actual.endswith(value)),
    "doesNotEndWith": _text(lambda actual, value: not actual.endswith(value)),
    "in": lambda actual, value: actual in value,
    "notIn": lambda actual, value: actual not in value,
    "between": lambda actual, value: value[0] <= actual <= value[1],
    "notBetween": lambda actual, value: not value[0] <= actual <= value[1],
}
