"""Gateway filters (``gateway.backends.query``) as ConeCRM QueryBuilderQuery rules (seed 004).

``Op`` already uses the query builder's operator names except for the comparisons and null checks.
A filter on ``email`` or ``phone`` means "any of the customer's e-mail (phone) fields": seed 004 keeps
them in primaryEmail / secondaryEmail and homePhone / workPhone / mobilePhone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from gateway.backends.query import AllOf, AnyOf, Condition, FilterExpr, NoneOf, Op
from gateway.backends.records import Entity
from gateway.backends.rest.conecrm.mapping import DTYPES, FIELD_PATHS
from gateway.errors import InvalidFilter

Rule = dict[str, Any]
OPERATORS = {Op.EQ: "=", Op.NE: "!=", Op.GT: ">", Op.GTE: ">=", Op.LT: "<", Op.LTE: "<="}
NEGATIVE = {
    Op.NE,
    Op.NOT_IN,
    Op.NOT_BETWEEN,
    Op.DOES_NOT_CONTAIN,
    Op.DOES_NOT_BEGIN_WITH,
    Op.DOES_NOT_END_WITH,
}
DETAIL_FIELDS = {
    "email": ("primaryEmail", "secondaryEmail"),
    "phone": ("homePhone", "workPhone", "mobilePhone"),
}
# Free-text search: every word is in one of these fields (as the SQL backend's search, less the fields
# seed 004 has no member for: a contact's preferred name, an account's alias).
SEARCH_FIELDS = {
    Entity.CONTACT: ("first_name", "last_name", "company_name", "email", "phone"),
    Entity.ACCOUNT: ("name", "email", "phone"),
}


def group(combinator: str, rules: list[Rule], negated: bool = False) -> Rule:
    return {"combinator": combinator, "not": negated, "rules": rules}


def rule(path: str, operator: str, value: Any = None) -> Rule:
    """A QueryBuilderRule (seed 004 l. 11889-11904): ``value`` is a string, so a list (``in``,
    ``between``) is sent comma-separated and booleans and numbers as their JSON text."""
    built: Rule = {"field": path, "operator": operator, "valueSource": "value"}
    if value is not None:
        built["value"] = rule_text(value)
    return built


def rule_text(value: Any) -> str:
    plain = json_value(value)
    if isinstance(plain, list):
        items = [rule_text(item) for item in plain]
        if any("," in item for item in items):
            raise InvalidFilter("ConeCRM's query builder takes list values comma-separated: no commas inside")
        return ",".join(items)
    if isinstance(plain, bool):
        return "true" if plain else "false"
    return str(plain)


def compile_filter(entity: Entity, expr: FilterExpr) -> Rule:
    if isinstance(expr, AllOf):
        return group("and", [compile_filter(entity, item) for item in expr.items])
    if isinstance(expr, AnyOf):
        # An empty "or" holds for nothing; the query builder's empty group would hold for everything.
        items = [compile_filter(entity, item) for item in expr.items]
        return group("or", items) if items else NOTHING
    if isinstance(expr, NoneOf):
        return group("and", [compile_filter(entity, expr.item)], negated=True)
    return _condition(entity, expr)


NOTHING = group("and", [rule("id", "null")])  # ids are never null


def _condition(entity: Entity, condition: Condition) -> Rule:
    if condition.field in DETAIL_FIELDS:
        return _detail_condition(condition)
    path = FIELD_PATHS[entity].get(condition.field)
    if condition.field.startswith("customFields."):
        path = condition.field  # seed 004's query builder names custom fields so itself
    if path is None:
        raise InvalidFilter(f"cannot filter on {condition.field}")
    value = condition.value
    if path == "dtype":
        value = (
            tuple(DTYPES.get(v, v) for v in value) if isinstance(value, tuple) else DTYPES.get(value, value)
        )
    return _rule(path, condition.op, value)


def _rule(path: str, op: Op, value: Any) -> Rule:
    if op is Op.IS_NULL:
        return rule(path, "null" if value else "notNull")
    return rule(path, OPERATORS.get(op, op.value), json_value(value))


def _detail_condition(condition: Condition) -> Rule:
    paths = DETAIL_FIELDS[condition.field]
    if condition.op is Op.IS_NULL:
        rules = [rule(path, "null" if condition.value else "notNull") for path in paths]
        return group("and" if condition.value else "or", rules)
    # "email != x" holds when no address equals x, as in the SQL backend.
    combinator = "and" if condition.op in NEGATIVE else "or"
    return group(combinator, [_rule(path, condition.op, condition.value) for path in paths])


def json_value(value: Any) -> Any:
    if isinstance(value, tuple | list | frozenset | set):
        return [json_value(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, str) and "\x00" in value:
        raise InvalidFilter("text values may not contain NUL characters")
    return value


def search_rules(entity: Entity, text: str) -> Rule:
    fields = SEARCH_FIELDS.get(entity, ())
    words = text.split()[:8]
    return compile_filter(
        entity, AllOf(tuple(AnyOf(tuple(Condition(f, Op.CONTAINS, word) for f in fields)) for word in words))
    )


def rule_fields(rules: list[Rule]) -> list[str]:
    """Every field the rules (and nested groups) name."""
    found: list[str] = []
    for item in rules:
        if "rules" in item:
            found += rule_fields(item["rules"])
        elif isinstance(item.get("field"), str):
            found.append(item["field"])
    return list(dict.fromkeys(found))
