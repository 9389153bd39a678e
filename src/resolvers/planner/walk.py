"""Walks a query operation into one plan per root field, or raises ``Unplannable``.

Covered: root ``contacts``, ``accounts``, ``leads``, ``tasks`` and ``events`` with ``first``/``after``/
``filter``/``orderBy``, and the lookups ``contact(id:)``, ``account(id:)``, ``lead(id:)``, ``task(id:)``,
``event(id:)``; below them plain columns (strings, integers, booleans, date-times, enums stored by name),
``id``, ``__typename``, single links (``Lead.stage``), detail lists, computed fields with an SQL twin
(``in_sql``), and nested lists with the same arguments, ``edges { cursor node }``, ``nodes``,
``pageInfo`` and ``totalCount``; rows of several types sharing a table (events) by their kind. Selections are
collected as graphql-core's executor collects them (``graphql.execution.collect_fields``: fragments
whose type matches, ``@skip``/``@include``, merged response keys). Anything else (``@defer``, other
directives, custom fields, backward pages, search, a permission the caller lacks, arguments or ids the
resolvers would refuse) leaves the operation to the resolvers.

The arguments become a list query through the resolvers' own ``list_query``, so filter permissions,
page sizes and cursors are checked in one place; an error there means the resolvers answer instead.
A root list's cursor variable is the exception (``cursor_variables``): one plan serves every cursor,
whose keys ``bind`` decodes per request with the same ``decode_cursor``.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

import strawberry
from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLID,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    get_argument_values,
    get_named_type,
    get_nullable_type,
    is_list_type,
    value_from_ast,
    visit,
)
from graphql.execution.collect_fields import (
    CollectedFields,
    FieldDetailsList,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.values import VariableValues
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from gateway.backends.query import Condition, CursorKey, Op, PerRun
from gateway.backends.records import Entity
from gateway.cursors import decode_cursor
from gateway.errors import InvalidCursor
from gateway.planner import plan as planned
from resolvers.common.columns import declared_columns
from resolvers.common.ids import InvalidId, decode_id_of
from resolvers.common.listspec import NESTED, Link, ListSpec, list_query
from resolvers.common.node import NODE_TYPES, Node
from resolvers.common.permissions import RequirePermission
from resolvers.lists import ACCOUNT_LIST, CONTACT_LIST, EVENT_LIST, LEAD_LIST, TASK_LIST

DEFINITION = "strawberry-definition"  # where Strawberry keeps a GraphQLField's StrawberryField
ROOTS: dict[str, ListSpec] = {
    "contacts": CONTACT_LIST,
    "accounts": ACCOUNT_LIST,
    "leads": LEAD_LIST,
    "tasks": TASK_LIST,
    "events": EVENT_LIST,
}
# Root lookups by id (``lookups.node_by_id``): the entity and the types its ids may name.
ROOT_OBJECTS: dict[str, tuple[Entity, tuple[str, ...]]] = {
    "contact": (Entity.CONTACT, ("Contact",)),
    "account": (Entity.ACCOUNT, ("Account",)),
    "lead": (Entity.LEAD, ("Lead",)),
    "task": (Entity.EVENT, ("Task",)),
    "event": (Entity.EVENT, ("Task", "Appointment", "FollowUp")),
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
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: VariableValues,
    context: Any,
    cursors: frozenset[str] = frozenset(),
) -> list[tuple[str, planned.ConnectionPlan | planned.ObjectRootPlan]]:
    """(response key, plan) for each root field, in order. A root list's ``after`` given by one of
    ``cursors`` (``cursor_variables``) is bound per request (``bind``), not planned with its value."""
    if operation.operation.value != "query" or operation.directives:
        raise planned.Unplannable("not a plain query")
    visit(document, _Directives())
    fragments: dict[str, FragmentDetails] = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            if definition.variable_definitions:  # experimental fragment arguments
                raise planned.Unplannable("a fragment with variables")
            fragments[definition.name.value] = FragmentDetails(definition)
    walk = _Walk(schema, graphql_schema, operation, fragments, variables, context, cursors)
    query_type = graphql_schema.query_type
    assert query_type is not None
    collected = collect_fields(graphql_schema, fragments, variables, query_type, operation)
    plans: list[tuple[str, planned.ConnectionPlan | planned.ObjectRootPlan]] = []
    for key, details in walk.grouped(collected):
        name = details[0].node.name.value
        field = query_type.fields.get(name)
        if field is None:  # an introspection field (__schema, __type): not the planner's
            raise planned.Unplannable(f"root field {name}")
        spec = ROOTS.get(name)
        if spec is not None:
            plans.append((key, walk.connection(field, details, spec, None, f"after_{len(plans)}_")))
        elif name in ROOT_OBJECTS:
            parameter = f"lookup_{len(plans)}"
            plans.append((key, walk.root_object(field, details, *ROOT_OBJECTS[name], parameter)))
        else:
            raise planned.Unplannable(f"root field {name}")
    return plans


def bind(
    plans: list[tuple[str, planned.ConnectionPlan | planned.ObjectRootPlan]], variables: dict[str, Any]
) -> list[dict[str, Any] | None] | None:
    """Each plan's bound values for this request (a lookup's id, a list's cursor keys), or None when
    an id is not one the lookup takes (malformed, of another type, missing) or a cursor not one of
    the list's ordering: the resolvers answer it, with their error. A lookup's variable is coerced
    as graphql-core coerces it (``GraphQLID.parse_value``: an integer becomes its text); one not sent
    takes its default, coerced when the plan was made."""
    bound: list[dict[str, Any] | None] = []
    for _, plan in plans:
        if isinstance(plan, planned.ConnectionPlan):
            if plan.cursor is None:
                bound.append(None)
                continue
            keys = _cursor_keys(plan, plan.cursor[0], variables)
            if keys is None:
                return None
            bound.append({f"{plan.cursor[1]}{i}": CursorKey(key) for i, key in enumerate(keys)})
            continue
        value: Any = plan.literal
        if plan.variable is not None:
            try:
                value = GraphQLID.parse_value(variables[plan.variable])
            except KeyError:
                value = plan.literal  # the variable's default, if it has one
            except GraphQLError:
                return None
        if not isinstance(value, str):
            return None
        try:
            bound.append({plan.parameter: decode_id_of(value, *plan.type_names)})
        except InvalidId:
            return None
    return bound


def _cursor_keys(
    plan: planned.ConnectionPlan, variable: str, variables: dict[str, Any]
) -> tuple[Any, ...] | None:
    """The keys of the cursor ``variable`` holds, decoded as ``page_request`` decodes them (its
    ordering, its length, plain values), or None when it is not one: the resolvers answer, with
    their error. The backend coerces each key to its sort key's type when the statement runs."""
    value = variables.get(variable)
    if not isinstance(value, str):  # the plan's key holds a cursor's shape: a string was given
        return None
    try:
        return decode_cursor(value, plan.query.order)
    except InvalidCursor:
        return None


def cursor_variables(document: DocumentNode, operation: OperationDefinitionNode) -> frozenset[str]:
    """The variables used only as the ``after`` of root lists (``contacts(after: $after)``), without
    a default: a plan depends on whether a cursor is given, not on which (``bind`` binds its keys per
    request), so one plan serves every page of a list walked page by page."""
    defaults = {d.variable.name.value for d in operation.variable_definitions or () if d.default_value}
    return _only_as(document, operation, set(ROOTS), "after") - defaults


def lookup_variables(document: DocumentNode, operation: OperationDefinitionNode) -> frozenset[str]:
    """The variables used only as the id of a root lookup (``contact(id: $id)``): a plan does not
    depend on their values (``bind`` supplies them per request), so one plan serves every id."""
    return _only_as(document, operation, set(ROOT_OBJECTS), "id")


def _only_as(
    document: DocumentNode, operation: OperationDefinitionNode, fields: set[str], name: str
) -> frozenset[str]:
    """The variables used nowhere but as the argument ``name`` of the root ``fields``."""
    counter = _VariableUses()
    visit(document, counter)
    used: Counter[str] = Counter()
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode) and selection.name.value in fields:
            for argument in selection.arguments or ():
                if argument.name.value == name and isinstance(argument.value, VariableNode):
                    used[argument.value.name.value] += 1
    return frozenset(variable for variable, count in used.items() if counter.uses[variable] == count)


class _VariableUses(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.uses: Counter[str] = Counter()

    def enter_variable(self, node: VariableNode, _key: Any, parent: Any, *_: Any) -> None:
        if not isinstance(parent, VariableDefinitionNode):
            self.uses[node.name.value] += 1


class _Directives(Visitor):
    """Only ``@skip`` and ``@include`` are planned (``collect_fields`` applies them); ``@defer``,
    ``@stream`` and anything else leave the operation to the resolvers."""

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        if node.name.value not in ("skip", "include"):
            raise planned.Unplannable(f"directive @{node.name.value}")


Fields = list[tuple[str, FieldDetailsList]]  # (response key, the field nodes merged under it)


class _Walk:
    def __init__(
        self,
        schema: strawberry.Schema,
        graphql_schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDetails],
        variables: VariableValues,
        context: Any,
        cursors: frozenset[str] = frozenset(),
    ) -> None:
        self.cursors = cursors
        self.schema = schema
        self.graphql_schema = graphql_schema
        self.operation = operation
        self.fragments = fragments
        self.variables = variables
        self.context = context
        self.principal = context.principal

    def grouped(self, collected: CollectedFields) -> Fields:
        """The response keys in order, each with its merged field nodes, as graphql-core collects them
        (fragments whose type matches, ``@skip``/``@include`` applied, same keys merged)."""
        if collected.new_defer_usages:
            raise planned.Unplannable("@defer")
        return list(collected.grouped_field_set.items())

    def subfields(self, parent_type: GraphQLObjectType, details: FieldDetailsList) -> Fields:
        collected = collect_subfields(
            self.graphql_schema, self.fragments, self.variables, self.operation, parent_type, details
        )
        return self.grouped(collected)

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

    def root_object(
        self,
        field: GraphQLField,
        details: FieldDetailsList,
        entity: Any,
        type_names: tuple[str, ...],
        parameter: str,
    ) -> planned.ObjectRootPlan:
        """``contact(id:)`` and the like, as ``lookups.node_by_id`` answers them: an id of another type
        is its error (the resolvers report it: ``bind`` refuses it); a row of another kind of the same
        table is null. The plan holds where the id comes from, not its value."""
        self.definition(field)
        if set(field.args) != {"id"}:
            raise planned.Unplannable("a lookup by more than its id")
        [argument] = [a for a in details[0].node.arguments or () if a.name.value == "id"]
        variable, literal = self._id_source(argument.value)
        types = [(NODE_TYPES[name].kind, self._type(name)) for name in type_names]
        if any(NODE_TYPES[name].entity is not entity for name in type_names):
            raise planned.Unplannable("a lookup of several entities")
        if types[0][0] is None:
            if len(types) != 1:
                raise planned.Unplannable("several types without kinds")
            node: Any = self.object(types[0][1], details)
        else:
            others = {t.kind for t in NODE_TYPES.values() if t.entity is entity and t.kind}
            others -= {kind for kind, _ in types}
            node = dataclasses.replace(self._variants(types, details), nulls=frozenset(others))
        return planned.ObjectRootPlan(entity, parameter, type_names, variable, literal, node)

    def _id_source(self, value: Any) -> tuple[str | None, str | None]:
        """(variable, literal) a lookup's id comes from: the variable, with its default as the literal
        (used when the variable is not sent), or the literal; each coerced as graphql-core coerces an
        ``ID`` (``value_from_ast``: a string or an integer's text)."""
        variable = value.name.value if isinstance(value, VariableNode) else None
        if variable is not None:
            definitions = self.operation.variable_definitions or ()
            default = next((d.default_value for d in definitions if d.variable.name.value == variable), None)
            literal = value_from_ast(default, GraphQLID) if default is not None else None
        else:
            literal = value_from_ast(value, GraphQLID)
            if not isinstance(literal, str):
                raise planned.Unplannable("an id that is no string")
        return variable, literal if isinstance(literal, str) else None

    def connection(
        self,
        field: GraphQLField,
        details: FieldDetailsList,
        spec: ListSpec,
        relation: Any,
        cursor_parameter: str | None = None,
    ) -> planned.ConnectionPlan:
        definition = self.definition(field)
        arguments = get_argument_values(field, details[0].node, self.variables)
        if set(arguments) - _LIST_ARGUMENTS - {k for k, v in arguments.items() if v is None}:
            raise planned.Unplannable("arguments besides first, after, filter and orderBy")
        converted = self._convert(definition, arguments)
        cursor = self._per_request_cursor(details, arguments, cursor_parameter)
        # A cursor bound per request is checked then (``bind``): the plan is every cursor's.
        after = None if cursor is not None else arguments.get("after")
        paging = {"first": arguments.get("first"), "after": after}
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
        if cursor is not None:
            slots = tuple(PerRun(f"{cursor[1]}{i}") for i in range(len(query.order) + 1))
            query = dataclasses.replace(query, page=dataclasses.replace(query.page, after=slots))
        connection_type = get_named_type(field.type)
        assert isinstance(connection_type, GraphQLObjectType)
        plan = planned.ConnectionPlan(spec.entity, relation, query, connection_type.name, cursor=cursor)
        self._connection_fields(plan, connection_type, details, spec)
        return plan

    def _per_request_cursor(
        self, details: FieldDetailsList, arguments: dict[str, Any], parameter: str | None
    ) -> tuple[str, str] | None:
        """(variable, parameter prefix) when the list's ``after`` is a cursor variable given a string
        (``cursor_variables``; the plan's key holds only that shape), else None: planned as it is."""
        if parameter is None or not isinstance(arguments.get("after"), str):
            return None
        for argument in details[0].node.arguments or ():
            value = argument.value
            if (
                argument.name.value == "after"
                and isinstance(value, VariableNode)
                and value.name.value in self.cursors
            ):
                return value.name.value, parameter
        return None

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
        details: FieldDetailsList,
        spec: ListSpec,
    ) -> None:
        for key, children in self.subfields(connection_type, details):
            name = children[0].node.name.value
            if name == "__typename":
                plan.fields.append((key, ("__typename", planned.Constant(connection_type.name))))
            elif name == "totalCount":
                plan.needs_count = True
                plan.fields.append((key, ("totalCount", None)))
            elif name == "nodes":
                self._node(plan, connection_type.fields[name], children, spec)
                plan.fields.append((key, ("nodes", None)))
            elif name == "edges":
                plan.fields.append((key, ("edges", self._edges(plan, connection_type, children, spec))))
            elif name == "pageInfo":
                info_type = get_named_type(connection_type.fields[name].type)
                assert isinstance(info_type, GraphQLObjectType)
                plan.fields.append((key, ("pageInfo", self._page_info(plan, info_type, children))))
            else:
                raise planned.Unplannable(f"connection field {name}")

    def _edges(
        self,
        plan: planned.ConnectionPlan,
        connection_type: GraphQLObjectType,
        details: FieldDetailsList,
        spec: ListSpec,
    ) -> list[tuple[str, Any]]:
        edge_type = get_named_type(connection_type.fields["edges"].type)
        assert isinstance(edge_type, GraphQLObjectType)
        parts: list[tuple[str, Any]] = []
        for key, children in self.subfields(edge_type, details):
            name = children[0].node.name.value
            if name == "__typename":
                parts.append((key, planned.Constant(edge_type.name)))
            elif name == "cursor":
                plan.needs_keys = True
                parts.append((key, "cursor"))
            elif name == "node":
                self._node(plan, edge_type.fields[name], children, spec)
                parts.append((key, "node"))
            else:
                raise planned.Unplannable(f"edge field {name}")
        return parts

    def _page_info(
        self, plan: planned.ConnectionPlan, info_type: GraphQLObjectType, details: FieldDetailsList
    ) -> list[tuple[str, Any]]:
        parts: list[tuple[str, Any]] = []
        for key, children in self.subfields(info_type, details):
            name = children[0].node.name.value
            if name == "__typename":
                parts.append((key, planned.Constant(info_type.name)))
            elif name in ("hasNextPage", "hasPreviousPage", "startCursor", "endCursor"):
                plan.needs_keys = plan.needs_keys or name.endswith("Cursor")
                parts.append((key, name))
            else:
                raise planned.Unplannable(f"pageInfo field {name}")
        return parts

    def _node(
        self, plan: planned.ConnectionPlan, field: GraphQLField, details: FieldDetailsList, spec: ListSpec
    ) -> None:
        if plan.node is not None:
            raise planned.Unplannable("a list's rows selected twice (edges and nodes)")
        types = self._row_types(get_named_type(field.type), spec)
        if len(types) == 1:
            plan.node = self.object(types[0][1], details)
        else:
            plan.node = self._variants(types, details)

    def _row_types(self, named: Any, spec: ListSpec) -> list[tuple[str | None, GraphQLObjectType]]:
        """(kind, object type) of a list's rows: an interface's rows are told apart by their kind
        (``node_from_record``), within the list's scope."""
        if isinstance(named, GraphQLInterfaceType):
            scope = spec.scope
            kinds = None
            if isinstance(scope, Condition) and scope.field == "kind" and scope.op is Op.EQ:
                kinds = {scope.value}
            elif scope is not None:
                raise planned.Unplannable("rows of several types in another scope")
            names = [
                n
                for n, t in NODE_TYPES.items()
                if t.entity is spec.entity and t.kind is not None and (kinds is None or t.kind in kinds)
            ]
            if not names:
                raise planned.Unplannable("no row type")
            types = [(NODE_TYPES[n].kind, self._type(n)) for n in names]
            if not all(self.graphql_schema.is_sub_type(named, t) for _, t in types):
                raise planned.Unplannable("rows of a type outside the interface")
            return types
        if not isinstance(named, GraphQLObjectType) or NODE_TYPES.get(named.name) is None:
            raise planned.Unplannable("rows that are no node")
        if NODE_TYPES[named.name].entity is not spec.entity:
            raise planned.Unplannable("rows of another entity")
        return [(NODE_TYPES[named.name].kind, named)]

    def _type(self, name: str) -> GraphQLObjectType:
        found = self.graphql_schema.type_map[name]
        assert isinstance(found, GraphQLObjectType)
        return found

    def _variants(
        self, types: list[tuple[str | None, GraphQLObjectType]], details: FieldDetailsList
    ) -> planned.VariantPlan:
        """Each type's fields, collected for it (a fragment on one type applies to its rows only)."""
        entity = NODE_TYPES[types[0][1].name].entity
        variants = {kind: self.object(row_type, details) for kind, row_type in types if kind is not None}
        if len(variants) != len(types):
            raise planned.Unplannable("rows of several types without kinds")
        return planned.VariantPlan(entity, "kind", variants)

    def object(self, object_type: GraphQLObjectType, details: FieldDetailsList) -> planned.ObjectPlan:
        found = NODE_TYPES.get(object_type.name)
        entity = found.entity if found is not None else None  # None: the row of a detail list
        plan = planned.ObjectPlan(entity, object_type.name)
        for key, children in self.subfields(object_type, details):
            plan.fields.append((key, self._part(object_type, entity, children)))
        return plan

    def _part(self, object_type: GraphQLObjectType, entity: Any, details: FieldDetailsList) -> Any:
        node = details[0].node
        name = node.name.value
        if name == "__typename":
            return planned.Constant(object_type.name)
        field = object_type.fields[name]
        definition = self.definition(field)
        resolver = definition.base_resolver
        if resolver is None:
            if node.arguments or any(d.node.selection_set for d in details):
                raise planned.Unplannable("a plain field with arguments")
            return planned.Leaf(definition.python_name, _leaf_kind(field))
        function = resolver.wrapped_func
        if _NODE_ID is not None and function is _NODE_ID.base_resolver.wrapped_func:
            return planned.Leaf("id", "id")
        nested = NESTED.get(function)  # type: ignore[arg-type]
        if nested is not None:
            spec, relation = nested
            return self.connection(field, details, spec, relation)
        detail = _details().get((entity, name))
        if detail is not None and not node.arguments:
            return self._detail(field, details, detail)
        link = _links().get((entity, name))
        if link is not None and not node.arguments:
            target = get_named_type(field.type)
            if not isinstance(target, GraphQLObjectType) or NODE_TYPES.get(target.name) is None:
                raise planned.Unplannable("a link to no single node type")
            if NODE_TYPES[target.name].entity is not link.target or NODE_TYPES[target.name].kind:
                raise planned.Unplannable("a link to another entity")
            return planned.LinkPlan(link.attribute, link.target, self.object(target, details))
        return _computed(field, node, function)

    def _detail(self, field: GraphQLField, details: FieldDetailsList, detail: Any) -> planned.DetailPlan:
        nullable = get_nullable_type(field.type)
        rows = get_named_type(field.type)
        if not is_list_type(nullable) or not isinstance(rows, GraphQLObjectType) or rows.name in NODE_TYPES:
            raise planned.Unplannable("a detail list of another shape")
        return planned.DetailPlan(detail, self.object(rows, details))


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
    return planned.Computed(twin, result=kind)


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
    """Detail lists by (entity, GraphQL field name): the ones every list of that entity declares
    (``ListSpec.details``), whose resolvers all read the owner's rows of that detail."""
    return {(spec.entity, name): detail for spec in _specs() for name, detail in spec.details}


@cache  # after the schema is built: the nested lists register themselves then
def _links() -> dict[tuple[Any, str], Link]:
    """Single links by (entity, GraphQL field name): the ones every list of that entity declares
    (``ListSpec.links``), whose resolvers all read the linked row by the record's attribute."""
    return {(spec.entity, link.field): link for spec in _specs() for link in spec.links}


def _specs() -> list[ListSpec]:
    return [CONTACT_LIST, ACCOUNT_LIST, LEAD_LIST, EVENT_LIST, TASK_LIST, *(s for s, _ in NESTED.values())]
