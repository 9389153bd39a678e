"""Field factories for root and nested lists, so every list in the graph takes the same arguments.

A ``ListSpec`` (``listspec.py``) names what a list holds: its entity, its connection type, its filter
and order inputs.
"""

import dataclasses
from typing import Annotated, Any

import strawberry

from gateway.backends.query import AllOf, FilterExpr, ListQuery
from gateway.backends.records import Relation
from gateway.permissions import CRM_SEARCH_ALL
from resolvers.common.arguments import AFTER, BEFORE, FIRST, LAST
from resolvers.common.columns import PARENT_ID_READERS, field_key, with_columns
from resolvers.common.connection import build_connection
from resolvers.common.custom_fields import ENTITY_NAMES, definitions_read
from resolvers.common.listspec import MAX_SEARCH_LENGTH, NESTED, Link, ListSpec, list_query
from resolvers.common.node import node_from_record
from resolvers.common.permissions import reads, require
from resolvers.common.query_builder import QueryArgument, QueryBuilderQuery, as_document, builder_filter

__all__ = ["MAX_SEARCH_LENGTH", "Link", "ListSpec", "list_query", "nested_list", "root_list"]


def _connection(spec: ListSpec, page: Any, query: ListQuery, count: Any) -> Any:
    to_node = lambda record: node_from_record(spec.entity, record)  # noqa: E731
    return build_connection(spec.resolved_connection, page, query, to_node, count)


SEARCH = Annotated[
    str | None,
    strawberry.argument(
        description="Free text matched against names, e-mail addresses and phones. Requires `CRM_SEARCH_ALL`."
    ),
]


def _arguments(spec: ListSpec) -> tuple[Any, Any]:
    """The ``filter`` and ``orderBy`` argument types of a list of this spec."""
    filter_arg = Annotated[spec.filter | None, strawberry.argument(description="Only rows matching this.")]  # type: ignore[name-defined]
    order_arg = Annotated[
        list[spec.order] | None, strawberry.argument(description="Sort keys, most significant first.")  # type: ignore[name-defined]
    ]
    return filter_arg, order_arg


async def _root_connection(
    info: strawberry.Info,
    spec: ListSpec,
    paging: dict[str, Any],
    filter: Any,
    order_by: Any,
    search: str | None,
    builder: QueryBuilderQuery | None = None,
) -> Any:
    query = list_query(info, spec, paging, filter, order_by, search)
    if builder is not None:
        query = with_filter(query, await builder_filter(info, spec.entity, as_document(builder)))
    return await root_page(info, spec, with_columns(info, spec, query))


def with_filter(query: ListQuery, expr: FilterExpr) -> ListQuery:
    """``query`` whose rows also match ``expr``."""
    parts = tuple(part for part in (query.filter, expr) if part is not None)
    return dataclasses.replace(query, filter=AllOf(parts))


async def root_page(info: strawberry.Info, spec: ListSpec, query: ListQuery) -> Any:
    """The connection of a root list's page for this query."""
    loaders = info.context.loaders
    if spec.entity in ENTITY_NAMES and query.columns is not None and "custom_fields" in query.columns:
        definitions_read(info, spec.entity)  # the rows' customFields read them: along with the page
    page = await loaders.page(spec.entity, query)
    return _connection(spec, page, query, lambda: loaders.count(spec.entity, query))


def root_list(spec: ListSpec, description: str) -> Any:
    """A root list such as ``leads(first, after, last, before, filter, orderBy)``."""
    filter_arg, order_arg = _arguments(spec)

    async def resolve(
        info: strawberry.Info,
        first: FIRST = None,
        after: AFTER = None,
        last: LAST = None,
        before: BEFORE = None,
        filter: filter_arg = None,  # type: ignore[valid-type]
        order_by: order_arg = None,  # type: ignore[valid-type]
        query: QueryArgument = None,
    ) -> spec.connection | None:  # type: ignore[name-defined]
        paging = {"first": first, "after": after, "last": last, "before": before}
        return await _root_connection(info, spec, paging, filter, order_by, None, query)

    return strawberry.field(resolver=resolve, description=description, extensions=reads(spec.entity))


def searchable_root_list(spec: ListSpec, description: str) -> Any:
    """A root list that also takes a free-text ``search``, e.g. ``contacts(search: "ada")``."""
    filter_arg, order_arg = _arguments(spec)

    async def resolve(
        info: strawberry.Info,
        first: FIRST = None,
        after: AFTER = None,
        last: LAST = None,
        before: BEFORE = None,
        filter: filter_arg = None,  # type: ignore[valid-type]
        order_by: order_arg = None,  # type: ignore[valid-type]
        search: SEARCH = None,
        query: QueryArgument = None,
    ) -> spec.connection | None:  # type: ignore[name-defined]
        paging = {"first": first, "after": after, "last": last, "before": before}
        if search is not None:
            require(info, CRM_SEARCH_ALL)
        return await _root_connection(info, spec, paging, filter, order_by, search, query)

    return strawberry.field(resolver=resolve, description=description, extensions=reads(spec.entity))


def nested_list(spec: ListSpec, relation: Relation, description: str) -> Any:
    """A list under a parent, batched for all parents, e.g. ``Contact.leads(first: 5)``.

    Returns the connection itself when this request loaded the page already, else an awaitable of it."""
    filter_arg, order_arg = _arguments(spec)

    def resolve(
        root: Any,
        info: strawberry.Info,
        first: FIRST = None,
        after: AFTER = None,
        last: LAST = None,
        before: BEFORE = None,
        filter: filter_arg = None,  # type: ignore[valid-type]
        order_by: order_arg = None,  # type: ignore[valid-type]
    ) -> spec.connection | None:  # type: ignore[name-defined]
        queries = _nested_queries(info)
        if queries is None:
            paging = {"first": first, "after": after, "last": last, "before": before}
            query = list_query(info, spec, paging, filter, order_by, None)
            queries = _remember_queries(info, with_columns(info, spec, query))
        parent = root.record.id
        found, page = info.context.loaders.children(relation).loaded((parent, queries[0]))
        if found:
            return _nested_connection(info, spec, relation, parent, queries, page)
        return _load_nested(info, spec, relation, parent, queries)

    NESTED[resolve] = (spec, relation)
    PARENT_ID_READERS.add(resolve)
    return strawberry.field(resolver=resolve, description=description, extensions=reads(spec.entity))


# (the list's query, the same without paging for its totalCount)
_Queries = tuple[ListQuery, ListQuery]


def _nested_queries(info: strawberry.Info) -> _Queries | None:
    """The queries an earlier row worked out for this field, if any.

    Every row of a page resolves a nested list with the same field (its response path without list
    indices) and variables, so with the same arguments: the query is worked out once per field and
    operation, not once per row. The entry holds the operation and variables it was made for;
    checking them by identity keeps two operations of one batch (one context, maybe one document) apart.
    """
    operation, variables = info.operation, info.variable_values
    entry = info.context.loaders.memo.get(("nested-query", *field_key(info), id(variables)))
    if entry is None or entry[0] is not operation or entry[1] is not variables:
        return None
    return entry[2]  # type: ignore[no-any-return]


def _remember_queries(info: strawberry.Info, query: ListQuery) -> _Queries:
    operation, variables = info.operation, info.variable_values
    queries = (query, dataclasses.replace(query, page=type(query.page)(), columns=None))
    memo = info.context.loaders.memo
    memo[("nested-query", *field_key(info), id(variables))] = (operation, variables, queries)
    return queries


async def _load_nested(
    info: strawberry.Info, spec: ListSpec, relation: Relation, parent: Any, queries: _Queries
) -> Any:
    page = await info.context.loaders.children(relation).load((parent, queries[0]))
    return _nested_connection(info, spec, relation, parent, queries, page)


def _nested_connection(
    info: strawberry.Info, spec: ListSpec, relation: Relation, parent: Any, queries: _Queries, page: Any
) -> Any:
    loaders = info.context.loaders
    query, unpaged = queries
    return _connection(spec, page, query, lambda: loaders.child_count(relation).load((parent, unpaged)))
