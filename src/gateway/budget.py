"""The upstream-call budget: how many calls to upstream systems an operation may make, estimated before it
runs, refused over ``CRM_GATEWAY_MAX_UPSTREAM_CALLS`` (UPSTREAM_BUDGET_EXCEEDED).

A field whose type is an entity routed to an upstream (a list, a connection, a relation or a lookup by
id) costs one call per level where the upstream loads in batches (the connector lists the entity in
``batches``), and otherwise one call per parent object (the parents estimated the way the node estimate
does: page sizes multiplied down the tree). A connection asking for ``totalCount`` costs one more, or
what the connector says a count of that entity may take at most (``count_calls``: ConeCRM counts
contacts in up to ten windows). The
nested list whose parents live in another upstream also counts the call that reads the parents'
third-party ids there (``gateway.backends.routing``). ``node``/``nodes`` cost what their ids name: one
call per routed entity among them where the upstream loads in batches, else one per id (an id that
cannot be read counts one call). The root fields of an area an upstream serves (customization:
ConeCRM's custom fields, labels, saved filters, automations; integrations: Akixi's CRM configurations)
cost one call each. The estimate does not see the writes of mutations; ``extensions.cost`` counts them
as they happen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)

from gateway.backends.areas import CustomizationSource, IntegrationsSource
from gateway.backends.base import Capability
from gateway.backends.records import Detail, Entity
from gateway.backends.rest.config import ROUTE_NAMES
from gateway.backends.rest.errors import UpstreamBudgetExceeded
from gateway.backends.routing import DETAIL_OWNERS
from gateway.globalids import decode_global_id
from gateway.limits import (
    _Estimator,
    _field_definition,
    _is_connection,
    _is_connection_plumbing,
    _operation,
    _variables,
    fragments_of,
)
from gateway.settings import Settings

LINK_OWNERS = DETAIL_OWNERS[Detail.THIRD_PARTY_IDS]  # parents that link to other systems' records
NODE_FIELDS = frozenset({"node", "nodes"})
# Root fields read from the upstream that serves their area (one call each), where one does.
AREA_FIELDS: dict[str, Capability] = {
    **dict.fromkeys(
        (
            "customFields",
            "customLabels",
            "savedFilters",
            "savedFilter",
            "automations",
            "automation",
            "automationBuilderData",
        ),
        Capability.CUSTOMIZATION,
    ),
    **dict.fromkeys(("akixiCrmConfigs", "akixiCrmConfig"), Capability.INTEGRATIONS),
}


@dataclass(frozen=True)
class Calls:
    """Calls for a selection under ``n`` parent objects: ``fixed + per_parent * n`` (it is affine in n:
    batched levels cost the same for any number of parents, the others grow with them)."""

    fixed: int = 0
    per_parent: int = 0

    def __add__(self, other: Calls) -> Calls:
        return Calls(self.fixed + other.fixed, self.per_parent + other.per_parent)

    def under(self, parents: int) -> Calls:
        return Calls(self.fixed, self.per_parent * parents)


def estimate_upstream_calls(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    settings: Settings,
    routes: Mapping[Entity, Any],
    areas: frozenset[Capability] = frozenset(),
) -> int:
    """Upstream calls the operation may make; ``routes`` maps routed entities to their ``UpstreamRoute``,
    ``areas`` are those an upstream serves (``AREA_FIELDS``)."""
    operation = _operation(document, operation_name)
    root = schema.get_root_type(operation.operation) if operation is not None else None
    if operation is None or root is None:
        return 0
    fragments = fragments_of(document)
    sizes = _Estimator(schema, fragments, _variables(operation, variables), settings)
    estimator = _CallEstimator(sizes, fragments, routes, areas, root)
    calls = estimator.selections(operation.selection_set, root, frozenset())
    return calls.fixed + calls.per_parent


def upstream_areas(apis: Iterable[object]) -> frozenset[Capability]:
    """The areas (``AREA_FIELDS``) that one of the configured upstreams' APIs serves."""
    sources = {Capability.CUSTOMIZATION: CustomizationSource, Capability.INTEGRATIONS: IntegrationsSource}
    return frozenset(area for area, source in sources.items() if any(isinstance(a, source) for a in apis))


def budget_error(estimate: int, settings: Settings) -> GraphQLError:
    return UpstreamBudgetExceeded(
        f"The query may make about {estimate} calls to upstream systems; the limit is "
        f"{settings.max_upstream_calls}. Ask for smaller pages or fewer nested lists of upstream data.",
        estimatedUpstreamCalls=estimate,
        maxUpstreamCalls=settings.max_upstream_calls,
    )


@dataclass
class _CallEstimator:
    sizes: _Estimator
    fragments: Mapping[str, FragmentDefinitionNode]
    routes: Mapping[Entity, Any]
    areas: frozenset[Capability]
    root: GraphQLNamedType
    memo: dict[str, Calls] = field(default_factory=dict)  # per fragment: linear in the document's size

    def selections(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, seen: frozenset[str]
    ) -> Calls:
        total = Calls()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, seen)
            elif isinstance(selection, InlineFragmentNode):
                narrowed = self.sizes._narrowed(selection.type_condition, parent)
                total += self.selections(selection.selection_set, narrowed, seen)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection, parent, seen)
        return total

    def fragment(self, spread: FragmentSpreadNode, parent: GraphQLNamedType, seen: frozenset[str]) -> Calls:
        name = spread.name.value
        fragment = self.fragments.get(name)
        if fragment is None or name in seen:
            return Calls()  # unknown fragments and cycles are validation's business
        if name not in self.memo:
            narrowed = self.sizes._narrowed(fragment.type_condition, parent)
            self.memo[name] = self.selections(fragment.selection_set, narrowed, seen | {name})
        return self.memo[name]

    def field(self, node: FieldNode, parent: GraphQLNamedType, seen: frozenset[str]) -> Calls:
        definition = _field_definition(parent, node.name.value)
        if node.selection_set is None or definition is None:
            return Calls()
        named = get_named_type(definition.type)
        children = self.selections(node.selection_set, named, seen)
        return self._own(node, named, parent) + children.under(
            self._objects(node, definition.type, named, parent)
        )

    def _own(self, node: FieldNode, named: GraphQLNamedType, parent: GraphQLNamedType) -> Calls:
        if parent is self.root and node.name.value in NODE_FIELDS:
            return self._by_ids(node)
        if parent is self.root and AREA_FIELDS.get(node.name.value) in self.areas:
            return Calls(fixed=1)
        entity = _entity_of(named)
        route = self.routes.get(entity) if entity is not None else None
        if route is None or _is_connection_plumbing(parent):
            return Calls()  # not upstream data, or a connection's edges/nodes (counted on the connection)
        counted = _is_connection(named) and _selects(node, "totalCount")
        calls = 1 + (route.count_calls if counted else 0)
        own = _per_level(calls, route.batches)
        return own + self._links(named, parent, route, calls)

    def _by_ids(self, node: FieldNode) -> Calls:
        """``node``/``nodes``: the ids' entities, loaded in batches per entity (or one by one)."""
        from resolvers.common.node import NODE_TYPES

        ids: list[Any] = []
        for argument in node.arguments or ():
            value = self.sizes._value(argument.value)
            ids += value if isinstance(value, list) else [argument.value]
        per_entity: dict[Entity | None, int] = {}
        for raw in ids:
            if isinstance(raw, VariableNode):
                value = self.sizes.variables.get(raw.name.value)
            else:
                value = raw if isinstance(raw, str) else getattr(raw, "value", None)
            try:
                node_type = NODE_TYPES.get(decode_global_id(value)[0]) if isinstance(value, str) else None
            except GraphQLError:
                node_type = None
            entity = node_type.entity if node_type is not None else None
            if entity is None or entity in self.routes:
                per_entity[entity] = per_entity.get(entity, 0) + 1
        return Calls(
            fixed=sum(
                1 if entity is not None and self.routes[entity].batches else count
                for entity, count in per_entity.items()
            )
        )

    def _links(self, named: GraphQLNamedType, parent: GraphQLNamedType, route: Any, calls: int) -> Calls:
        """A nested list whose parents live in another upstream first reads their third-party ids there."""
        owner = _entity_of(parent)
        parent_route = self.routes.get(owner) if owner in LINK_OWNERS else None
        crosses = _is_connection(named) and parent_route is not None and parent_route.system != route.system
        return _per_level(calls, parent_route.batches) if crosses and parent_route is not None else Calls()

    def _objects(self, node: FieldNode, type_: Any, named: GraphQLNamedType, parent: GraphQLNamedType) -> int:
        """Objects this field gives each parent: the parents of the calls nested in it."""
        if _is_connection(named):
            return self.sizes._page_size(node)
        if _is_connection_plumbing(parent) or not is_list_type(get_nullable_type(type_)):
            return 1
        length = self.sizes._list_argument_length(node)
        return length if length is not None else self.sizes._assumed_list_size(named)


def _per_level(calls: int, batches: bool) -> Calls:
    return Calls(fixed=calls) if batches else Calls(per_parent=calls)


def _entity_of(named: GraphQLNamedType) -> Entity | None:
    name = named.name.removesuffix("Connection")
    return ROUTE_NAMES.get(name)


def _selects(node: FieldNode, name: str) -> bool:
    selections = node.selection_set.selections if node.selection_set else ()
    return any(isinstance(s, FieldNode) and s.name.value == name for s in selections)
