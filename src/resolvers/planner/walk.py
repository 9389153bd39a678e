"""Walks a query operation into one ``ConnectionPlan`` per root field, or raises ``Unplannable``.

Covered: root ``contacts``, ``accounts``, ``leads`` and ``tasks`` with ``first``/``after``/``filter``/
``orderBy``; below them plain columns (strings, integers, booleans, date-times, enums stored by name),
``id``, ``__typename``, single links (``Lead.stage``) and nested lists with the same arguments,
``edges { cursor node }``, ``nodes``, ``pageInfo`` and ``totalCount``. Anything else (fragments,
directives, computed fields without an SQL twin, custom fields, backward pages, search, a permission the
caller lacks, arguments the resolvers would refuse) leaves the operation to the resolvers.

The arguments become a list query through the resolvers' own ``list_query``, so filter permissions,
page sizes and cursors are checked in one place; an error there means the resolvers answer instead.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import cache
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    get_argument_values,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from graphql.execution.values import VariableValues
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from gateway.backends.query import Condition, Op
from gateway.planner import plan as planned
from resolvers.common.columns import declared_columns
from resolvers.common.listspec import Link, ListSpec, list_query
from resolvers.common.node import NODE_TYPES, Node
from resolvers.common.permissions import RequirePermission
from resolvers.common.prefetch import NESTED
from resolvers.lists import ACCOUNT_LIST, CONTACT_LIST, EVENT_LIST, LEAD_LIST, TASK_LIST

DEFINITION = "strawberry-definition"  # where Strawberry keeps a GraphQLField's StrawberryField
ROOTS: dict[str, ListSpec] = {
    "contacts": CONTACT_LIST,
    "accounts": ACCOUNT_LIST,
    "leads": LEAD_LIST,
    "tasks": TASK_LIST,
}
_SCALARS = {"String": "str", "Int": "int", "Boolean": "bool", "DateTime": "datetime"}
_LIST_ARGUMENTS = {"first", "after", "filter", "orderBy"}
_NODE_ID = Node.__strawberry_definition__.get_field("id")  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Caller:
    """What ``list_query`` reads of a resolve info: the request context (settings, principal)."""

    context: Any


def plan_operation(
    schema: strawberry.Schema,
    graphql_schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    variables: VariableValues,
    context: Any,
) -> list[tuple[str, planned.ConnectionPlan]]:
    """(response key, plan) for each root field, in order."""
    if operation.operation.value != "query" or operation.directives:
        raise planned.Unplannable("not a plain query")
    walk = _Walk(schema, graphql_schema, variables, context)
    query_type = graphql_schema.query_type
    assert query_type is not None
    plans: list[tuple[str, planned.ConnectionPlan]] = []
    for node in _fields(operation):
        spec = ROOTS.get(node.name.value)
        if spec is None:
            raise planned.Unplannable(f"root field {node.name.value}")
        field = query_type.fields[node.name.value]
        plans.append((_key(node), walk.connection(field, node, spec, None)))
    _unique([key for key, _ in plans])
    return plans


def _fields(parent: Any) -> list[FieldNode]:
    selections = parent.selection_set.selections if parent.selection_set else ()
    found = []
    for selection in selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            raise planned.Unplannable("fragments and directives")
        found.append(selection)
    return found


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def _unique(keys: list[str]) -> None:
    if len(set(keys)) != len(keys):
        raise planned.Unplannable("a response key selected twice")  # graphql-core would merge the selections


class _Walk:
    def __init__(
        self,
        schema: strawberry.Schema,
        graphql_schema: GraphQLSchema,
        variables: VariableValues,
        context: Any,
    ) -> None:
        self.schema = schema
        self.graphql_schema = graphql_schema
        self.variables = variables
        self.context = context
        self.principal = context.principal

    def definition(self, field: GraphQLField) -> StrawberryField:
        definition = (field.extensions or {}).get(DEFINITION)
        if not isinstance(definition, StrawberryField):
            raise planned.Unplannable("not a Strawberry field")
        extensions = definition.extensions
        if extensions:
            gate = extensions[0]
            if len(extensions) != 1 or not isinstance(gate, RequirePermission):
                raise planned.Unplannable("a field extension other than one permission")
            if not self.principal.has(gate.permission):
                raise planned.Unplannable("a permission the caller lacks: the resolvers answer FORBIDDEN")
        return definition

    def connection(
        self, field: GraphQLField, node: FieldNode, spec: ListSpec, relation: Any
    ) -> planned.ConnectionPlan:
        definition = self.definition(field)
        arguments = get_argument_values(field, node, self.variables)
        if set(arguments) - _LIST_ARGUMENTS - {k for k, v in arguments.items() if v is None}:
            raise planned.Unplannable("arguments besides first, after, filter and orderBy")
        converted = self._convert(definition, arguments)
        paging = {"first": arguments.get("first"), "after": arguments.get("after")}
        paging |= {"last": None, "before": None}
        try:
            query = list_query(
                _Caller(self.context),  # type: ignore[arg-type]
                spec,
                paging,
                converted.get("filter"),
                converted.get("order_by"),
                None,
            )
        except Exception as error:  # the resolvers report it, with its code and path
            raise planned.Unplannable(f"arguments refused: {error}") from None
        if any(key.field.startswith("customFields.") for key in query.order):
            raise planned.Unplannable("custom field order")
        connection_type = get_named_type(field.type)
        assert isinstance(connection_type, GraphQLObjectType)
        plan = planned.ConnectionPlan(spec.entity, relation, query, connection_type.name)
        self._connection_fields(plan, connection_type, node, spec)
        return plan

    def _convert(self, definition: StrawberryField, arguments: dict[str, Any]) -> dict[str, Any]:
        wanted = {k: v for k, v in arguments.items() if k in ("filter", "orderBy") and v is not None}
        if not wanted:
            return {}
        names = self.schema.config.name_converter.from_argument
        used = [a for a in definition.arguments if names(a) in wanted]
        registry = self.schema.schema_converter.scalar_registry
        try:
            return convert_arguments(wanted, used, registry, self.schema.config)
        except Exception as error:
            raise planned.Unplannable(f"arguments refused: {error}") from None

    def _connection_fields(
        self,
        plan: planned.ConnectionPlan,
        connection_type: GraphQLObjectType,
        node: FieldNode,
        spec: ListSpec,
    ) -> None:
        keys = []
        for child in _fields(node):
            name, key = child.name.value, _key(child)
            keys.append(key)
            if name == "__typename":
                plan.fields.append((key, ("__typename", planned.Constant(connection_type.name))))
            elif name == "totalCount":
                plan.needs_count = True
                plan.fields.append((key, ("totalCount", None)))
            elif name == "nodes":
                self._node(plan, connection_type.fields[name], child, spec)
                plan.fields.append((key, ("nodes", None)))
            elif name == "edges":
                plan.fields.append((key, ("edges", self._edges(plan, connection_type, child, spec))))
            elif name == "pageInfo":
                plan.fields.append((key, ("pageInfo", self._page_info(plan, child))))
            else:
                raise planned.Unplannable(f"connection field {name}")
        _unique(keys)

    def _edges(
        self,
        plan: planned.ConnectionPlan,
        connection_type: GraphQLObjectType,
        node: FieldNode,
        spec: ListSpec,
    ) -> list[tuple[str, Any]]:
        edge_type = get_named_type(connection_type.fields["edges"].type)
        assert isinstance(edge_type, GraphQLObjectType)
        parts: list[tuple[str, Any]] = []
        for child in _fields(node):
            name = child.name.value
            if name == "__typename":
                parts.append((_key(child), planned.Constant(edge_type.name)))
            elif name == "cursor":
                plan.needs_keys = True
                parts.append((_key(child), "cursor"))
            elif name == "node":
                self._node(plan, edge_type.fields[name], child, spec)
                parts.append((_key(child), "node"))
            else:
                raise planned.Unplannable(f"edge field {name}")
        _unique([key for key, _ in parts])
        return parts

    def _page_info(self, plan: planned.ConnectionPlan, node: FieldNode) -> list[tuple[str, Any]]:
        parts: list[tuple[str, Any]] = []
        for child in _fields(node):
            name = child.name.value
            if name == "__typename":
                parts.append((_key(child), planned.Constant("PageInfo")))
            elif name in ("hasNextPage", "hasPreviousPage", "startCursor", "endCursor"):
                plan.needs_keys = plan.needs_keys or name.endswith("Cursor")
                parts.append((_key(child), name))
            else:
                raise planned.Unplannable(f"pageInfo field {name}")
        _unique([key for key, _ in parts])
        return parts

    def _node(
        self, plan: planned.ConnectionPlan, field: GraphQLField, node: FieldNode, spec: ListSpec
    ) -> None:
        if plan.node is not None:
            raise planned.Unplannable("a list's rows selected twice (edges and nodes)")
        plan.node = self.object(self._row_type(get_named_type(field.type), spec), node)

    def _row_type(self, named: Any, spec: ListSpec) -> GraphQLObjectType:
        """The object type of a list's rows: an interface only where the list is scoped to one kind."""
        if isinstance(named, GraphQLInterfaceType):
            scope = spec.scope
            if not (isinstance(scope, Condition) and scope.field == "kind" and scope.op is Op.EQ):
                raise planned.Unplannable("rows of several types")
            names = [n for n, t in NODE_TYPES.items() if t.entity is spec.entity and t.kind == scope.value]
            if len(names) != 1:
                raise planned.Unplannable("no single row type")
            named = self.graphql_schema.type_map[names[0]]
        if not isinstance(named, GraphQLObjectType) or NODE_TYPES.get(named.name) is None:
            raise planned.Unplannable("rows that are no node")
        if NODE_TYPES[named.name].entity is not spec.entity:
            raise planned.Unplannable("rows of another entity")
        return named

    def object(self, object_type: GraphQLObjectType, node: FieldNode) -> planned.ObjectPlan:
        found = NODE_TYPES.get(object_type.name)
        entity = found.entity if found is not None else None  # None: the row of a detail list
        plan = planned.ObjectPlan(entity, object_type.name)
        for child in _fields(node):
            plan.fields.append((_key(child), self._part(object_type, entity, child)))
        _unique([key for key, _ in plan.fields])
        return plan

    def _part(self, object_type: GraphQLObjectType, entity: Any, node: FieldNode) -> Any:
        name = node.name.value
        if name == "__typename":
            return planned.Constant(object_type.name)
        field = object_type.fields[name]
        definition = self.definition(field)
        resolver = definition.base_resolver
        if resolver is None:
            if node.arguments or node.selection_set:
                raise planned.Unplannable("a plain field with arguments")
            return planned.Leaf(definition.python_name, _leaf_kind(field))
        function = resolver.wrapped_func
        if _NODE_ID is not None and function is _NODE_ID.base_resolver.wrapped_func:
            return planned.Leaf("id", "id")
        nested = NESTED.get(function)  # type: ignore[arg-type]
        if nested is not None:
            spec, relation = nested
            return self.connection(field, node, spec, relation)
        detail = _details().get((entity, name))
        if detail is not None and not node.arguments:
            return self._detail(field, node, detail)
        link = _links().get((entity, name))
        if link is not None and not node.arguments:
            target = get_named_type(field.type)
            if not isinstance(target, GraphQLObjectType) or NODE_TYPES.get(target.name) is None:
                raise planned.Unplannable("a link to no single node type")
            if NODE_TYPES[target.name].entity is not link.target or NODE_TYPES[target.name].kind:
                raise planned.Unplannable("a link to another entity")
            return planned.LinkPlan(link.attribute, link.target, self.object(target, node))
        return _computed(field, node, function)

    def _detail(self, field: GraphQLField, node: FieldNode, detail: Any) -> planned.DetailPlan:
        nullable = get_nullable_type(field.type)
        rows = get_named_type(field.type)
        if not is_list_type(nullable) or not isinstance(rows, GraphQLObjectType) or rows.name in NODE_TYPES:
            raise planned.Unplannable("a detail list of another shape")
        return planned.DetailPlan(detail, self.object(rows, node))


def _computed(field: GraphQLField, node: FieldNode, function: Any) -> planned.Computed:
    """A resolver of ``self`` alone that declares the columns it reads (``@uses_columns``), returns a
    string, integer or boolean (``Contact.displayName``) and has an SQL twin (``in_sql``) reading
    only those columns: the statement computes it."""
    columns = declared_columns(function)
    twin = planned.twin_of(function)
    if columns is None or twin is None or node.arguments or node.selection_set:
        raise planned.Unplannable(f"computed field {node.name.value}")
    if inspect.iscoroutinefunction(function) or list(inspect.signature(function).parameters) != ["self"]:
        raise planned.Unplannable("a computed field that reads the request")
    if not planned.twin_columns(twin) <= columns:
        raise planned.Unplannable("an SQL twin reading columns its resolver does not declare")
    kind = _leaf_kind(field)
    if kind not in ("str", "int", "bool"):
        raise planned.Unplannable("a computed field of another type")
    return planned.Computed(tuple(sorted(planned.twin_columns(twin))), twin, result=kind)


def _leaf_kind(field: GraphQLField) -> str:
    if is_list_type(get_nullable_type(field.type)):
        raise planned.Unplannable("a list of values")
    named = get_named_type(field.type)
    if isinstance(named, GraphQLEnumType):
        # Served as stored only where each value's name is what the column holds.
        if all(getattr(value.value, "value", value.value) == name for name, value in named.values.items()):
            return "enum"
        raise planned.Unplannable(f"enum {named.name} named unlike its values")
    kind = _SCALARS.get(named.name)
    if kind is None:
        raise planned.Unplannable(f"scalar {named.name}")
    return kind


@cache
def _details() -> dict[tuple[Any, str], Any]:
    """Detail lists by (entity, GraphQL field name): the ones every list of that entity prefetches
    (``ListSpec.details``), whose resolvers all read the owner's rows of that detail."""
    return {(spec.entity, name): detail for spec in _specs() for name, detail in spec.details}


@cache  # after the schema is built: the nested lists register themselves then
def _links() -> dict[tuple[Any, str], Link]:
    """Single links by (entity, GraphQL field name): the ones every list of that entity prefetches
    (``ListSpec.links``), whose resolvers all read the linked row by the record's attribute."""
    return {(spec.entity, link.field): link for spec in _specs() for link in spec.links}


def _specs() -> list[ListSpec]:
    return [CONTACT_LIST, ACCOUNT_LIST, LEAD_LIST, EVENT_LIST, TASK_LIST, *(s for s, _ in NESTED.values())]
