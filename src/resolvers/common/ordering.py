"""Ordering inputs: a list of ``{field, direction}``; the id always breaks ties."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from gateway.backends.query import OrderKey
from gateway.errors import BadUserInput

MAX_ORDER_KEYS = 4


@strawberry.enum(description="Sort direction.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Smallest, earliest or A first; empty values first.")
    DESC = strawberry.enum_value("DESC", description="Largest, latest or Z first; empty values last.")


def order_keys(order_by: list[Any] | None, default: tuple[OrderKey, ...]) -> tuple[OrderKey, ...]:
    if not order_by:
        return default
    if len(order_by) > MAX_ORDER_KEYS:
        raise BadUserInput(f"`orderBy` takes at most {MAX_ORDER_KEYS} entries")
    return tuple(OrderKey(item.field.value, item.direction is OrderDirection.DESC) for item in order_by)
