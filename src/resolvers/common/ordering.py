"""Ordering inputs: a list of ``{field, direction}``; the id always breaks ties."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from gateway.backends.query import OrderKey
from gateway.errors import BadUserInput

MAX_ORDER_KEYS = 4
CUSTOM_FIELD = "custom_field"  # the order field value that sorts by the custom field `customField` names


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Smallest, earliest or A first; empty values first.")
    DESC = strawberry.enum_value("DESC", description="Largest, latest or Z first; empty values last.")


def order_keys(order_by: list[Any] | None, default: tuple[OrderKey, ...]) -> tuple[OrderKey, ...]:
    if not order_by:
        return default
    if len(order_by) > MAX_ORDER_KEYS:
        raise BadUserInput(f"`orderBy` takes at most {MAX_ORDER_KEYS} entries")
    return tuple(OrderKey(_field(item), item.direction is OrderDirection.DESC) for item in order_by)


def _field(item: Any) -> str:
    """The order key's field: a column, or ``customFields.<name>`` for CUSTOM_FIELD."""
    if item.field.value != CUSTOM_FIELD:
        return item.field.value  # type: ignore[no-any-return]
    name = getattr(item, "custom_field", None)
    if not name or len(name) > 64 or "\x00" in name:
        raise BadUserInput("`orderBy` CUSTOM_FIELD names its field in `customField` (1 to 64 characters)")
    return f"customFields.{name}"
