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
- a resolver declared with ``@uses_columns(...)``: the names it declares; one with an SQL twin
  (``@in_sql``) and no such declaration: the columns its twin reads.

Any other resolver may read anything: a selection with one asks for every column, as before. So a
resolver without a declaration costs speed, never correctness, and a declaration that misses a
column shows as ``ColumnNotLoaded`` the first time a test selects the field from a list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields, replace
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema, GraphQLUnionType, get_named_type
from graphql.pyutils import Path
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField
from strawberry.types.nodes import SelectedField, Selection

from gateway.backends.query import ListQuery
from gateway.backends.records import ENTITY_RECORDS
from gateway.documents import HeldCache
from gateway.internals import graphql_schema
from gateway.planner.plan import twin_columns, twin_of
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
    """The record attributes ``resolver`` declares it reads, if it declares them: by ``uses_columns``,
    else by its SQL twin (``@in_sql``), which reads what the resolver reads (a test compares them),
    so a computed field with a twin names its columns once."""
    found = _DECLARED.get(resolver)
    if found is None and (twin := twin_of(resolver)) is not None:
        found = frozenset(twin_columns(twin))
    return found


def field_key(info: strawberry.Info) -> tuple[int, tuple[tuple[str, str | None], ...]]:
    """The field being resolved within its operation: the operation's id and the response path
    without list indices (each key with its parent type, since fragments on two types of an
    interface may use one response key for two fields). Every row of a page gives the same key."""
    keys = []
    path: Path | None = info.path
    while path is not None:
        if isinstance(path.key, str):
            keys.append((path.key, path.typename))
        path = path.prev
    return id(info.operation), tuple(keys)


def with_columns(info: strawberry.Info, spec: ListSpec, query: ListQuery) -> ListQuery:
    """``query`` asking for the columns the rows of the connection being resolved read.

    Worked out once per list, document and values of its Boolean variables, not per request: the
    selection Strawberry gives is built from the field nodes graphql-core collected for this field,
    which leave out what ``@skip``/``@include`` drop (one response key can stand for different fields
    under different directives), and those take Booleans only (so the variables' other values, and
    the caller, change nothing). The entry holds the operation, so its id in its key cannot be reused
    by another document's while it exists."""
    held = (spec, info.operation)
    variables = info.variable_values or {}
    switches = tuple(sorted((name, value) for name, value in variables.items() if isinstance(value, bool)))
    path = (field_key(info)[1], switches)
    entry = _BY_SELECTION.get(held, path)
    if entry is None:
        entry = (selection_columns(spec, info.selected_fields, info.schema),)
        _BY_SELECTION.put(held, path, entry)
    columns = entry[0]
    return replace(query, columns=columns) if columns != query.columns else query


_BY_SELECTION: HeldCache[tuple[frozenset[str] | None]] = HeldCache(4096)


def selection_columns(
    spec: ListSpec, connection_fields: Sequence[Selection], schema: strawberry.Schema
) -> frozenset[str] | None:
    """The record attributes the rows of a connection's selection read; None: any of them.

    ``connection_fields`` is the selection as Strawberry gives it, ``@skip``/``@include`` applied."""
    row_types = _row_types(spec, graphql_schema(schema))
    if not row_types:
        return None
    links = {link.field: link.attribute for link in spec.links}
    details = {name for name, _ in spec.details}
    record_fields = {f.name for f in fields(ENTITY_RECORDS[spec.entity])}
    wanted = set(_ALWAYS & record_fields)
    for selected in row_fields(connection_fields):
        name = selected.name
        if name.startswith("__"):
            continue
        for row_type in row_types:
            field = _fields_by_name(schema, row_type.name).get(name)
            if field is None:
                continue  # a field of another type of the interface, under its own fragment
            read = _reads(field, name, links, details)
            if read is None:
                return None
            wanted |= read
    return frozenset(wanted)


def _fields_by_name(schema: strawberry.Schema, type_name: str) -> dict[str, StrawberryField]:
    """The Strawberry fields of an object type by GraphQL name (the schema does not change)."""
    found = _FIELDS.get(type_name)
    if found is None:
        definition = schema.get_type_by_name(type_name)
        if not isinstance(definition, StrawberryObjectDefinition):
            return {}
        convert = schema.config.name_converter.get_graphql_name
        found = _FIELDS[type_name] = {convert(field): field for field in definition.fields}
    return found


_FIELDS: dict[str, dict[str, StrawberryField]] = {}


def _reads(
    field: StrawberryField, name: str, links: dict[str, str], details: set[str]
) -> frozenset[str] | None:
    resolver = field.base_resolver
    if resolver is None:
        return frozenset({field.python_name})
    function = resolver.wrapped_func
    if name in links:
        return frozenset({links[name]})
    if name == "id" or name in details or function in PARENT_ID_READERS:
        return frozenset({"id"})
    return declared_columns(function)  # type: ignore[arg-type]


def _row_types(spec: ListSpec, schema: GraphQLSchema) -> list[GraphQLObjectType]:
    """The object types a list's rows may be: its node type, or every type of its interface."""
    connection = schema.get_type(spec.resolved_connection.__strawberry_definition__.name)
    edges = getattr(connection, "fields", {}).get("edges")
    node = getattr(get_named_type(edges.type), "fields", {}).get("node") if edges is not None else None
    row = get_named_type(node.type) if node is not None else None
    if isinstance(row, GraphQLObjectType):
        return [row]
    if isinstance(row, GraphQLInterfaceType | GraphQLUnionType):
        return list(schema.get_possible_types(row))
    return []


def row_fields(connection_fields: Iterable[Selection]) -> Iterable[SelectedField]:
    """The fields selected on the rows of a connection (``edges.node`` and ``nodes``)."""
    for connection in fields_of(connection_fields, None):
        for edges in fields_of(connection.selections, ("edges", "nodes")):
            if edges.name == "nodes":
                yield from fields_of(edges.selections, None)
                continue
            for node in fields_of(edges.selections, ("node",)):
                yield from fields_of(node.selections, None)


def fields_of(selections: Iterable[Selection], only: tuple[str, ...] | None) -> Iterable[SelectedField]:
    """The fields of a selection, through inline fragments and fragment spreads."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            if only is None or selection.name in only:
                yield selection
        else:
            yield from fields_of(selection.selections, only)
