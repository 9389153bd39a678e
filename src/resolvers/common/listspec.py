"""What a list of the graph holds (``ListSpec``) and the backend query its arguments make."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import strawberry

from gateway.backends.query import AllOf, AnyOf, Condition, FilterExpr, ListQuery, NoneOf, OrderKey
from gateway.backends.records import Detail, Entity, Relation
from resolvers.common.connection import page_request
from resolvers.common.filters import compile_filter
from resolvers.common.ordering import order_keys
from resolvers.common.permissions import FILTER_PERMISSIONS, require

MAX_SEARCH_LENGTH = 200


@dataclass(frozen=True)
class Link:
    """A link field of a list's rows: its GraphQL name, the entity it points to, the record attribute."""

    field: str
    target: Entity
    attribute: str


@dataclass(frozen=True)
class ListSpec:
    """A list's entity, its connection type, its filter and order inputs; the rows' links and detail
    lists (by GraphQL field name), which the planner joins and whose columns a page reads."""

    entity: Entity
    connection: Any  # the concrete connection class, or a lazy annotation of it
    filter: Any
    order: Any
    default_order: tuple[OrderKey, ...] = (OrderKey("date_created"),)
    scope: FilterExpr | None = None  # a condition every row of this list meets, e.g. kind = TASK
    links: tuple[Link, ...] = ()
    details: tuple[tuple[str, Detail], ...] = ()

    @cached_property  # resolved once: every nested page of every request asks
    def resolved_connection(self) -> type[Any]:
        connection = self.connection
        if hasattr(connection, "__metadata__"):  # Annotated["X", strawberry.lazy(...)]
            reference = connection.__metadata__[0]
            module = importlib.import_module(reference.module, reference.package)
            return getattr(module, connection.__origin__.__forward_arg__)  # type: ignore[no-any-return]
        return connection  # type: ignore[no-any-return]


# Nested list resolvers -> what they list (``lists.nested_list`` registers them; the planner reads it).
NESTED: dict[Callable[..., Any], tuple[ListSpec, Relation]] = {}


def list_query(
    info: strawberry.Info,
    spec: ListSpec,
    paging: dict[str, Any],
    filter: Any,
    order_by: Any,
    search: str | None,
) -> ListQuery:
    order = order_keys(order_by, spec.default_order)
    page = page_request(order, info.context.settings, **paging)
    if search is not None:
        search = search.strip()[:MAX_SEARCH_LENGTH] or None
    compiled = compile_filter(filter)
    require_filter_permissions(info, compiled)
    conditions = tuple(part for part in (spec.scope, compiled) if part is not None)
    return ListQuery(filter=AllOf(conditions) if conditions else None, order=order, page=page, search=search)


def require_filter_permissions(info: strawberry.Info, expr: FilterExpr | None) -> None:
    """FORBIDDEN for a filter on a field the caller may not filter by (``FILTER_PERMISSIONS``)."""
    for field in _fields(expr):
        if field in FILTER_PERMISSIONS:
            require(info, FILTER_PERMISSIONS[field])


def _fields(expr: FilterExpr | None) -> set[str]:
    """The fields a filter expression compares."""
    if expr is None:
        return set()
    if isinstance(expr, Condition):
        return {expr.field}
    if isinstance(expr, NoneOf):
        return _fields(expr.item)
    assert isinstance(expr, AllOf | AnyOf)
    return {field for item in expr.items for field in _fields(item)}
