"""Compile backend-neutral filters (``gateway.backends.query``) into SQL expressions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from gateway.backends.query import AllOf, AnyOf, Condition, FilterExpr, NoneOf, Op
from gateway.backends.sql import custom_fields
from gateway.backends.sql import tables as t
from gateway.backends.sql.mapping import DETAIL_FILTER_FIELDS, DETAIL_TABLES, TAG_FILTER_FIELDS
from gateway.errors import InvalidFilter

Expr = ColumnElement[bool]


class UnknownFilterField(ValueError):
    """The filter names a field this entity cannot be filtered on."""


def compile_filter(table: sa.Table, expr: FilterExpr) -> Expr:
    if isinstance(expr, AllOf):
        return sa.and_(sa.true(), *(compile_filter(table, item) for item in expr.items))
    if isinstance(expr, AnyOf):
        return sa.or_(sa.false(), *(compile_filter(table, item) for item in expr.items))
    if isinstance(expr, NoneOf):
        # A filter's "not" is its complement. SQL's NOT keeps an unknown (NULL) comparison unknown,
        # which would drop rows without a value from both a filter and its negation.
        return sa.not_(sa.func.coalesce(compile_filter(table, expr.item), sa.false()))
    return _compile_condition(table, expr)


def _compile_condition(table: sa.Table, condition: Condition) -> Expr:
    if condition.field in DETAIL_FILTER_FIELDS:
        return _detail_condition(table, condition)
    if condition.field in TAG_FILTER_FIELDS:
        return _tag_condition(table, condition)
    name = custom_fields.custom_field_name(condition.field)
    if name is not None and "custom_fields" in table.c:
        return _custom_condition(table, name, condition.op, custom_fields.plain_value(condition.value))
    if condition.field not in table.c:
        raise UnknownFilterField(condition.field)
    return compare(table.c[condition.field], condition.op, condition.value)


def _custom_condition(table: sa.Table, name: str, op: Op, value: Any) -> Expr:
    if op is Op.IS_NULL:
        return _is_null(custom_fields.presence_expression(table, name), value)
    if op is Op.EQ:
        _refuse_nul(value)
        return custom_fields.equals(table, name, value)  # type: ignore[no-any-return]
    return compare(custom_fields.value_expression(table, name, value), op, value)


def _detail_condition(table: sa.Table, condition: Condition) -> Expr:
    # "email contains x" means "some e-mail address of the owner contains x"; the negative operators
    # mean "no address of the owner contains x" (true for an owner without any), and "email is null"
    # means "the owner has no e-mail address".
    detail, column_name = DETAIL_FILTER_FIELDS[condition.field]
    detail_table = DETAIL_TABLES[detail]
    owned = (detail_table.c.owner_id == table.c.id, detail_table.c.tenant == table.c.tenant)
    return _owned_condition(owned, detail_table.c[column_name], condition)


def _tag_condition(table: sa.Table, condition: Condition) -> Expr:
    # Like a detail list: "tags eq x" is "carries tag x", "tags in [...]" any of them, "notIn" none of
    # them, "isNull" no tag at all. Only live tags count: a deleted tag is carried by nobody.
    link, row_column, tag_column = TAG_FILTER_FIELDS[condition.field]
    tags = t.tags
    owned = (
        link.c[row_column] == table.c.id,
        link.c.tenant == table.c.tenant,
        tags.c.id == link.c[tag_column],
        tags.c.tenant == link.c.tenant,
        tags.c.is_deleted.is_(False),
    )
    return _owned_condition(owned, link.c[tag_column], condition)


def _owned_condition(owned: tuple[Any, ...], column: Any, condition: Condition) -> Expr:
    """``condition`` on a list the row owns: some item matches, or (negative operators) none does."""
    if condition.op is Op.IS_NULL:
        some = sa.exists().where(*owned)
        return sa.not_(some) if condition.value else some
    positive = _POSITIVE_OF.get(condition.op)
    if positive is not None:
        return sa.not_(sa.exists().where(*owned, compare(column, positive, condition.value)))
    return sa.exists().where(*owned, compare(column, condition.op, condition.value))


def _like(pattern: str) -> Callable[[Any, Any], Expr]:
    def build(column: Any, value: Any) -> Expr:
        escaped = str(value).lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return sa.func.lower(column).like(pattern.format(escaped), escape="\\")

    return build


def _negated(build: Callable[[Any, Any], Expr]) -> Callable[[Any, Any], Expr]:
    # Rows without a value are "not equal", "not in", "do not contain": SQL's NULL logic would drop them.
    return lambda column, value: sa.or_(column.is_(None), sa.not_(build(column, value)))


def _between(column: Any, value: Any) -> Expr:
    low, high = value
    return column.between(low, high)


def _is_null(column: Any, value: Any) -> Expr:
    return column.is_(None) if value else column.is_not(None)


_OPERATORS: dict[Op, Callable[[Any, Any], Expr]] = {
    Op.EQ: lambda c, v: c == v,
    Op.GT: lambda c, v: c > v,
    Op.GTE: lambda c, v: c >= v,
    Op.LT: lambda c, v: c < v,
    Op.LTE: lambda c, v: c <= v,
    Op.IN: lambda c, v: c.in_(list(v)),
    Op.BETWEEN: _between,
    Op.CONTAINS: _like("%{}%"),
    Op.BEGINS_WITH: _like("{}%"),
    Op.ENDS_WITH: _like("%{}"),
    Op.IS_NULL: _is_null,
}
_OPERATORS |= {
    Op.NE: _negated(_OPERATORS[Op.EQ]),
    Op.NOT_IN: _negated(_OPERATORS[Op.IN]),
    Op.NOT_BETWEEN: _negated(_between),
    Op.DOES_NOT_CONTAIN: _negated(_OPERATORS[Op.CONTAINS]),
    Op.DOES_NOT_BEGIN_WITH: _negated(_OPERATORS[Op.BEGINS_WITH]),
    Op.DOES_NOT_END_WITH: _negated(_OPERATORS[Op.ENDS_WITH]),
}

_POSITIVE_OF = {
    Op.NE: Op.EQ,
    Op.NOT_IN: Op.IN,
    Op.NOT_BETWEEN: Op.BETWEEN,
    Op.DOES_NOT_CONTAIN: Op.CONTAINS,
    Op.DOES_NOT_BEGIN_WITH: Op.BEGINS_WITH,
    Op.DOES_NOT_END_WITH: Op.ENDS_WITH,
}


def compare(column: Any, op: Op, value: Any) -> Expr:
    _refuse_nul(value)
    return _OPERATORS[op](column, value)


def _refuse_nul(value: Any) -> None:
    if any(
        isinstance(item, str) and "\x00" in item for item in (value if isinstance(value, tuple) else (value,))
    ):
        # No stored text holds a NUL (writes refuse it), and PostgreSQL cannot even compare with one.
        raise InvalidFilter("text values may not contain NUL characters")
