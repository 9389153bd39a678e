"""Which record attributes a selection reads, so a list's read can leave the other columns out.

A page of 50 contacts with their accounts, leads and tasks came back as ~300 rows of 44 columns, of
which the selection read three or four: decoding them was the largest single cost of the statement
on the gateway's side, and PostgreSQL sorted and sent them all. A list now asks its backend for the
columns its rows' selection reads (``ListQuery.columns``); the SQL backend selects only those and
builds partial records, whose other fields raise ``ColumnNotLoaded`` when read, so a missing
declaration fails loudly instead of answering a default.

What a field reads:

- a plain field (no resolver): the record attribute of its Python name;
- ``id``, a nested list, a detail list of the list's spec: the record's id;
- a link of the list's spec (``Lead.stage``): its record attribute (``stage_id``);
- a resolver declared with ``@uses_columns(...)``: the names it declares.

Any other resolver may read anything: a selection with one asks for every column, as before. So a
resolver without a declaration costs speed, never correctness, and a declaration that misses a
column shows as ``ColumnNotLoaded`` the first time a test selects the field from a list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields, replace
from typing import Any, TypeVar

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)
from strawberry.types.field import StrawberryField

from gateway.backends.query import ListQuery
from gateway.backends.records import ENTITY_RECORDS
from gateway.documents import HeldCache
from resolvers.common.fastpath import DEFINITION
from resolvers.common.listspec import ListSpec

F = TypeVar("F", bound=Callable[..., Any])

# Resolver functions -> the record attributes they read (``uses_columns``).
_DECLARED: dict[Callable[..., Any], frozenset[str]] = {}
# Nested list resolvers: they read the parent record's id (``lists.nested_list`` registers them).
PARENT_ID_READERS: set[Callable[..., Any]] = set()
_ALWAYS = frozenset({"id", "kind"})  # the global id, and the node type of an event (node_from_record)


def uses_columns(*names: str) -> Callable[[F], F]:
    """Declare the record attributes a field resolver reads (``self.record.<name>``)."""

    def register(resolver: F) -> F:
        _DECLARED[resolver] = frozenset(names)
        return resolver

    return register


def declared_columns(resolver: Callable[..., Any]) -> frozenset[str] | None:
    """The record attributes ``resolver`` declares it reads, if it declares them."""
    return _DECLARED.get(resolver)


def with_columns(
    info: Any,
    spec: ListSpec,
    query: ListQuery,
    nodes: Sequence[FieldNode],
    connection_type: GraphQLOutputType,
) -> ListQuery:
    """``query`` asking for the columns the rows of these connection field nodes read.

    Worked out once per list and document, not per request: the answer depends on nothing else (not
    on variables, see ``selection_columns``, nor on the caller). The entry holds the nodes, so their
    ids in its key cannot be reused by another document's nodes while it exists."""
    held = (spec, *nodes)
    entry = _BY_SELECTION.get(held)
    if entry is None:
        raw = info._raw_info
        entry = (selection_columns(spec, nodes, connection_type, raw.fragments, raw.schema),)
        _BY_SELECTION.put(held, (), entry)
    columns = entry[0]
    return replace(query, columns=columns) if columns != query.columns else query


_BY_SELECTION: HeldCache[tuple[frozenset[str] | None]] = HeldCache(4096)


def response_key(node: FieldNode) -> str:
    return node.alias.value if node.alias is not None else node.name.value


def selection_columns(
    spec: ListSpec,
    connection_nodes: Sequence[FieldNode],
    connection_type: GraphQLOutputType,
    fragments: dict[str, Any],
    schema: GraphQLSchema,
) -> frozenset[str] | None:
    """The record attributes the rows of a connection's selection read; None: any of them.

    Directives are not looked at: a field under ``@skip`` counts as read, so the answer is the same
    whatever the variables, and a superset of what is resolved."""
    row_types = _row_types(connection_type, schema)
    if not row_types:
        return None
    links = {link.field: link.attribute for link in spec.links}
    details = {name for name, _ in spec.details}
    record_fields = {f.name for f in fields(ENTITY_RECORDS[spec.entity])}
    wanted = set(_ALWAYS & record_fields)
    for node in row_fields(connection_nodes, fragments):
        name = node.name.value
        if name.startswith("__"):
            continue
        for row_type in row_types:
            field = row_type.fields.get(name)
            if field is None:
                continue  # a field of another type of the interface, under its own fragment
            read = _reads(field.extensions or {}, name, links, details)
            if read is None:
                return None
            wanted |= read
    return frozenset(wanted)


def _reads(
    extensions: dict[str, Any], name: str, links: dict[str, str], details: set[str]
) -> frozenset[str] | None:
    definition = extensions.get(DEFINITION)
    if not isinstance(definition, StrawberryField):
        return None
    resolver = definition.base_resolver
    if resolver is None:
        return frozenset({definition.python_name})
    function = resolver.wrapped_func
    if name in links:
        return frozenset({links[name]})
    if name == "id" or name in details or function in PARENT_ID_READERS:
        return frozenset({"id"})
    return _DECLARED.get(function)  # type: ignore[arg-type]


def _row_types(connection_type: GraphQLOutputType, schema: GraphQLSchema) -> list[GraphQLObjectType]:
    """The object types a connection's rows may be: its node type, or every type of its interface."""
    connection = get_named_type(connection_type)
    edges = getattr(connection, "fields", {}).get("edges")
    node = getattr(get_named_type(edges.type), "fields", {}).get("node") if edges is not None else None
    row = get_named_type(node.type) if node is not None else None
    if isinstance(row, GraphQLObjectType):
        return [row]
    if isinstance(row, GraphQLInterfaceType | GraphQLUnionType):
        return list(schema.get_possible_types(row))
    return []


def row_fields(nodes: Iterable[FieldNode], fragments: dict[str, Any]) -> Iterable[FieldNode]:
    """The fields selected on the rows of a connection (``edges.node`` and ``nodes``)."""
    for connection in nodes:
        for edges in fields_of(connection.selection_set, fragments, ("edges", "nodes")):
            if edges.name.value == "nodes":
                yield from fields_of(edges.selection_set, fragments, None)
                continue
            for node in fields_of(edges.selection_set, fragments, ("node",)):
                yield from fields_of(node.selection_set, fragments, None)


def fields_of(
    selection_set: SelectionSetNode | None, fragments: dict[str, Any], only: tuple[str, ...] | None
) -> Iterable[FieldNode]:
    """The fields of a selection set, through inline fragments and fragment spreads."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if only is None or selection.name.value in only:
                yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from fields_of(selection.selection_set, fragments, only)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            yield from fields_of(fragments[selection.name.value].selection_set, fragments, only)
