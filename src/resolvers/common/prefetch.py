"""Prefetching what a page's rows select, level by level, so their resolvers return plain values.

graphql-core completes a subtree of plain values far cheaper than one with awaitables: an awaitable
field costs a coroutine, and a list item with one costs a task. When a list resolver has its page, it
loads, for all rows at once, what the selection asks of them: single links (``Lead.stage``), detail
lists (``Contact.emails``) and nested lists (``Contact.leads(first: 5)``), then the same for the rows
of those nested pages. These are the loads the field resolvers would make, through the same loaders,
so the statements are the same ones; the resolvers then find the values loaded and return them
directly (``link``, ``details_now``, ``nested_list``), or load them as before when they are not.

A nested list is prefetched only when it is gated by one permission the caller holds, carries no
directive but a passing ``@include`` / ``@skip`` and its arguments convert without error: otherwise
its resolver runs as before and reports what it must at its own path.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSkipDirective,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_directive_values
from strawberry.types.field import StrawberryField

from gateway.backends.query import ListQuery
from gateway.backends.records import Detail, Entity, Relation
from gateway.documents import HeldCache, scalar_variables_key
from resolvers.common.columns import fields_of, response_key, row_fields, with_columns
from resolvers.common.fastpath import ARGUMENTS, DEFINITION
from resolvers.common.listspec import ListSpec, list_query
from resolvers.common.permissions import READ_PERMISSIONS

NESTED: dict[Callable[..., Any], tuple[ListSpec, Relation]] = {}  # nested list resolvers -> what they list


@dataclass(frozen=True)
class _Child:
    """A nested list selected on the rows, with the query every row's page is loaded with."""

    node: FieldNode
    spec: ListSpec
    relation: Relation
    query: ListQuery
    connection_type: GraphQLOutputType


@dataclass(frozen=True)
class _Plan:
    links: tuple[tuple[Entity, str], ...]  # (target, record attribute)
    details: tuple[Detail, ...]
    children: tuple[_Child, ...]


async def prefetch_rows(
    info: strawberry.Info,
    spec: ListSpec,
    records: Sequence[Any],
    field_nodes: Sequence[FieldNode] | None = None,
    connection_type: GraphQLOutputType | None = None,
) -> None:
    """Load what the selection of these rows (the connection's ``field_nodes``) asks for."""
    if not records:
        return
    raw = info._raw_info
    nodes = tuple(field_nodes if field_nodes is not None else raw.field_nodes)
    row_type = _row_type(connection_type or raw.return_type)

    def plan_rows() -> _Plan:
        return _plan(info, spec, list(row_fields(nodes, raw.fragments)), row_type)

    await _load(info, _plan_of(info, ("prefetch", spec, row_type, nodes), plan_rows), records)


async def prefetch_object(info: strawberry.Info, spec: ListSpec, record: Any) -> None:
    """Load what the selection of the field being resolved asks of the one object it returns
    (``contact(id:)``), as a list page does for its rows."""
    raw = info._raw_info
    object_type = get_named_type(raw.return_type)
    row_type = object_type if isinstance(object_type, GraphQLObjectType) else None

    def plan_object() -> _Plan:
        fields = [
            field for node in raw.field_nodes for field in fields_of(node.selection_set, raw.fragments, None)
        ]
        return _plan(info, spec, fields, row_type)

    key = ("prefetch-object", spec, row_type, tuple(raw.field_nodes))
    await _load(info, _plan_of(info, key, plan_object), [record])


def _plan_of(info: strawberry.Info, selection: tuple[Any, ...], make: Callable[[], _Plan]) -> _Plan:
    """The plan of a selection (what to prefetch for which spec and row type, field nodes last).

    A plan depends on the selection, the variables, the caller's permissions and the settings, and
    on nothing else: it is kept across requests for scalar variables (``scalar_variables_key``), so a
    client repeating a query does not plan it again (31 fields looked at for a contact in full).
    Within a request it is in the loaders' memo either way."""
    memo = info.context.loaders.memo
    local_key = (selection[0], *map(id, selection[1:-1]), *map(id, selection[-1]))
    plan: _Plan | None = memo.get(local_key)
    if plan is not None:
        return plan
    context = info.context
    values = scalar_variables_key(_coerced(info._raw_info.variable_values))
    held = (*selection[1:-1], *selection[-1], context.settings)
    rest = (selection[0], values, context.principal.permissions)
    if values is not None:
        plan = _PLANS.get(held, rest)
    if plan is None:
        plan = make()
        if values is not None:
            _PLANS.put(held, rest, plan)
    memo[local_key] = plan
    return plan


def _coerced(values: Any) -> Any:
    return values.coerced if isinstance(values, VariableValues) else values


_PLANS: HeldCache[_Plan] = HeldCache(2048)


async def _load(info: strawberry.Info, plan: _Plan, records: Sequence[Any]) -> None:
    loaders = info.context.loaders
    pending: list[Any] = []
    for target, attribute in plan.links:
        ids = list({getattr(record, attribute) for record in records} - {None})
        if ids:
            pending.append(loaders.by_id(target).fill(ids))
    owners = list(dict.fromkeys(record.id for record in records))
    if plan.details:
        pending.append(loaders.fill_details(plan.details, owners))
    pending.extend(_prefetch_child(info, child, owners) for child in plan.children)
    if pending:
        # A failed load stays in its loader: the field's resolver reports it at its own path.
        await asyncio.gather(*pending, return_exceptions=True)


async def _prefetch_child(info: strawberry.Info, child: _Child, parents: list[Any]) -> None:
    loader = info.context.loaders.children(child.relation)
    keys = [(parent, child.query) for parent in parents]
    await loader.fill(keys)
    pages = [page for found, page in map(loader.loaded, keys) if found]  # a failed fill loaded none
    rows = [row for page in pages for row in page.rows]  # type: ignore[union-attr]
    await prefetch_rows(info, child.spec, rows, (child.node,), child.connection_type)


def _plan(
    info: strawberry.Info, spec: ListSpec, fields: list[FieldNode], row_type: GraphQLObjectType | None
) -> _Plan:
    """What to load for rows of ``spec`` whose selection is ``fields`` (on ``row_type``)."""
    names = {field.name.value for field in fields}
    principal = info.context.principal
    links = tuple(
        (link.target, link.attribute)
        for link in spec.links
        if link.field in names and principal.has(READ_PERMISSIONS[link.target])
    )
    details = tuple(dict.fromkeys(detail for name, detail in spec.details if name in names))
    children = tuple(
        child
        for field in fields
        if row_type is not None and (child := _child(info, row_type, field, fields)) is not None
    )
    return _Plan(links, details, children)


def _child(
    info: strawberry.Info, row_type: GraphQLObjectType, node: FieldNode, fields: list[FieldNode]
) -> _Child | None:
    """The nested list ``node`` selects on the rows, if it can be prefetched. Its query asks for the
    columns of every field node with its response key, as the list's resolver does (graphql-core
    merges them into one field)."""
    field = row_type.fields.get(node.name.value)
    raw = info._raw_info
    if field is None or not _included(node, raw.variable_values):
        return None
    definition = (field.extensions or {}).get(DEFINITION)
    if not isinstance(definition, StrawberryField) or definition.base_resolver is None:
        return None
    nested = NESTED.get(definition.base_resolver.wrapped_func)  # type: ignore[arg-type]
    gate = (field.extensions or {}).get(ARGUMENTS)
    if nested is None or gate is None or not info.context.principal.has(gate[0]):
        return None
    spec, relation = nested
    try:
        given = get_argument_values(field, node, _variables(raw.variable_values))
        arguments = gate[1](given, strawberry.Info(_raw_info=raw, _field=definition))
        paging = {name: arguments.get(name) for name in ("first", "after", "last", "before")}
        query = list_query(info, spec, paging, arguments.get("filter"), arguments.get("order_by"), None)
        merged = [field for field in fields if response_key(field) == response_key(node)]
        query = with_columns(info, spec, query, merged, field.type)
    except Exception:
        return None
    return _Child(node, spec, relation, query, field.type)


def _included(node: FieldNode, variables: Any) -> bool:
    """True when the field is selected whatever its directives say: only ``@include`` / ``@skip`` are
    understood here, and their conditions must let it through. Any other directive: False."""
    if not node.directives:
        return True
    if any(d.name.value not in ("include", "skip") for d in node.directives):
        return False
    try:
        skip = get_directive_values(GraphQLSkipDirective, node, _variables(variables))
        include = get_directive_values(GraphQLIncludeDirective, node, _variables(variables))
    except Exception:
        return False  # graphql-core reports a bad condition
    return not (skip and skip["if"]) and not (include and not include["if"])


def _variables(values: Any) -> VariableValues:
    """Strawberry's info carries the coerced variables only; argument coercion reads nothing else."""
    return values if isinstance(values, VariableValues) else VariableValues(sources={}, coerced=values)


def _row_type(connection_type: GraphQLOutputType) -> GraphQLObjectType | None:
    connection = get_named_type(connection_type)
    edges = getattr(connection, "fields", {}).get("edges")
    node = getattr(get_named_type(edges.type), "fields", {}).get("node") if edges is not None else None
    row = get_named_type(node.type) if node is not None else None
    return row if isinstance(row, GraphQLObjectType) else None
