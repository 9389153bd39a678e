"""Per-operation limits checked before anything runs: tokens, depth, aliases, introspection, cost.

The HTTP-level limits (body size, batch length, rate) live in ``gateway.http`` and ``gateway.ratelimit``;
the execution timeout wraps each operation in ``gateway.http``. docs/operations/limits.md lists them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    Source,
    ValidationRule,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_interface_type,
    is_list_type,
    is_object_type,
    value_from_ast_untyped,
)
from graphql.language import Lexer, TokenKind
from strawberry.extensions import SchemaExtension

from gateway import documents
from gateway.errors import (
    CostLimitExceeded,
    IntrospectionDisabled,
    MaxAliasesExceeded,
    MaxDepthExceeded,
    MaxTokensExceeded,
)
from gateway.internals import graphql_schema
from gateway.settings import Settings

# Detail lists (emails, phones, addresses, third-party ids, ...) have no paging argument; a contact has a
# handful of each, so the estimate assumes this many per parent.
DETAIL_LIST_SIZE = 5


class OperationLimits(SchemaExtension):
    """Enforces the per-operation limits of the caller's settings and reports ``extensions.cost``.

    The limits come from the request context, not from the schema, so one schema serves apps with
    different settings (and tests can build an app with tiny limits).
    """

    estimated_nodes: int | None = None
    estimated_upstream_calls: int | None = None

    def _settings(self) -> Settings | None:
        return getattr(self.execution_context.context, "settings", None)

    def on_operation(self) -> Iterator[None]:
        settings = self._settings()
        if settings is not None:
            context = self.execution_context
            context.validation_rules = (*context.validation_rules, *validation_rules(settings))
        yield

    def on_parse(self) -> Iterator[None]:
        settings = self._settings()
        context = self.execution_context
        query = context.query
        if settings is None or not query:
            yield
            return
        cached = documents.parsed.get(query)
        if cached is not None:
            tokens, document = cached
            if tokens > settings.max_tokens:
                raise _too_many_tokens(settings.max_tokens)
            context.graphql_document = document  # Strawberry skips parsing when a document is set
            yield
            return
        # Raised before parsing: a huge document is refused without building its AST.
        tokens = check_token_count(query, settings.max_tokens)
        yield
        if context.graphql_document is not None and documents.cacheable(query):
            documents.parsed.put(query, (tokens, context.graphql_document), documents.text_weight(query))

    def on_validate(self) -> Iterator[None]:
        """Skips validation of a text that already passed the same rules (see ``gateway.documents``)."""
        context = self.execution_context
        query = context.query
        if not documents.cacheable(query) or context.pre_execution_errors is not None:
            yield
            return
        assert query is not None
        key = (context.schema, query, tuple(context.validation_rules))
        if documents.validated.get(key):
            context.pre_execution_errors = []  # Strawberry validates only while this is None
            yield
            return
        yield
        if context.pre_execution_errors == []:
            documents.validated.put(key, True, len(query))  # it holds the text

    def on_execute(self) -> Iterator[None]:
        settings = self._settings()
        document = self.execution_context.graphql_document
        if settings is not None and document is not None:
            estimate = estimate_nodes(
                graphql_schema(self.execution_context.schema),
                document,
                self.execution_context.operation_name,
                self.execution_context.variables or {},
                settings,
            )
            self.estimated_nodes = estimate
            if estimate > settings.max_estimated_nodes:
                # A result set here makes Strawberry skip execution: no resolver, no SQL statement.
                self.execution_context.result = ExecutionResult(
                    data=None, errors=[cost_error(estimate, settings)]
                )
            else:
                self._check_upstream_budget(settings)
        yield

    def _check_upstream_budget(self, settings: Settings) -> None:
        """With entities routed to upstreams, refuse what may cost them more calls than the budget."""
        routes = getattr(self.execution_context.context, "upstream_routes", None)
        apis = getattr(self.execution_context.context, "upstream_apis", None)
        document = self.execution_context.graphql_document
        if not (routes or apis) or document is None:
            return
        from gateway.budget import budget_error, estimate_upstream_calls, upstream_areas  # builds on this

        context = self.execution_context
        calls = estimate_upstream_calls(
            graphql_schema(context.schema),
            document,
            context.operation_name,
            context.variables or {},
            settings,
            routes or {},
            upstream_areas((apis or {}).values()),
        )
        self.estimated_upstream_calls = calls
        if calls > settings.max_upstream_calls:
            context.result = ExecutionResult(data=None, errors=[budget_error(calls, settings)])

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        cost = getattr(context, "cost", None)
        if cost is None:
            return {}
        report: dict[str, Any] = cost.as_extension()
        settings = self._settings()
        if self.estimated_nodes is not None and settings is not None:
            report |= {
                "estimatedNodes": self.estimated_nodes,
                "maxEstimatedNodes": settings.max_estimated_nodes,
            }
        if self.estimated_upstream_calls is not None and settings is not None:
            report |= {
                "estimatedUpstreamCalls": self.estimated_upstream_calls,
                "maxUpstreamCalls": settings.max_upstream_calls,
            }
        return {"cost": report}


def cost_error(estimate: int, settings: Settings) -> GraphQLError:
    return CostLimitExceeded(
        f"The query may return about {estimate} objects; the limit is {settings.max_estimated_nodes}. "
        "Ask for smaller pages (first/last) or fewer nested lists.",
        estimatedNodes=estimate,
        maxEstimatedNodes=settings.max_estimated_nodes,
    )


# --- tokens -----------------------------------------------------------------------------------------


def count_tokens(query: str, stop_after: int) -> int:
    """Lexer tokens in ``query``, comments excluded, stopping early (graphql-core also counts the EOF).

    A syntax error ends the count: the parser reports it properly right after.
    """
    lexer = Lexer(Source(query))
    count = 0
    try:
        while lexer.advance().kind is not TokenKind.EOF:
            count += 1
            if count > stop_after:
                break
    except GraphQLError:
        pass
    return count


def check_token_count(query: str, limit: int) -> int:
    """The tokens in ``query``; MAX_TOKENS_EXCEEDED past ``limit``."""
    tokens = count_tokens(query, limit)
    if tokens > limit:
        raise _too_many_tokens(limit)
    return tokens


def _too_many_tokens(limit: int) -> MaxTokensExceeded:
    return MaxTokensExceeded(f"The query has more than {limit} tokens, the limit.", maxTokens=limit)


# --- validation rules: depth, aliases, introspection ------------------------------------------------


def validation_rules(settings: Settings) -> tuple[type[ValidationRule], ...]:
    rules = (_depth_rule(settings.max_depth), _alias_rule(settings.max_aliases))
    return (*rules, _NoIntrospection) if settings.production else rules


@lru_cache(maxsize=32)
def _depth_rule(limit: int) -> type[ValidationRule]:
    class MaxDepthRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            depth = selection_depth(node.selection_set, fragments_of(self.context.document))
            if depth > limit:
                name = f"Operation '{node.name.value}'" if node.name else "The operation"
                self.report_error(
                    MaxDepthExceeded(
                        f"{name} is {depth} levels deep; the limit is {limit}.", depth=depth, maxDepth=limit
                    )
                )

    return MaxDepthRule


@lru_cache(maxsize=32)
def _alias_rule(limit: int) -> type[ValidationRule]:
    class MaxAliasesRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> None:
            fragments = fragments_of(node)
            memo: dict[str, int] = {}
            aliases = sum(
                alias_count(definition.selection_set, fragments, memo)
                for definition in node.definitions
                if isinstance(definition, OperationDefinitionNode)
            )
            if aliases > limit:
                self.report_error(
                    MaxAliasesExceeded(
                        f"The document uses {aliases} aliases; the limit is {limit}.",
                        aliases=aliases,
                        maxAliases=limit,
                    )
                )

    return MaxAliasesRule


class _NoIntrospection(ValidationRule):
    """Production hides the schema: ``__schema`` and ``__type`` are refused (``__typename`` stays)."""

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        # The rest of the introspection types are reachable only through these two: one error each.
        if node.name.value in ("__schema", "__type"):
            self.report_error(IntrospectionDisabled("Introspection is disabled on this server."))


def selection_depth(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    memo: dict[str, int] | None = None,
    visiting: frozenset[str] = frozenset(),
) -> int:
    """Fields nested in ``selection_set``, following fragments."""
    if selection_set is None:
        return 0
    memo = {} if memo is None else memo

    def depth(selection: SelectionNode) -> int:
        if isinstance(selection, FieldNode):
            return 1 + selection_depth(selection.selection_set, fragments, memo, visiting)
        if isinstance(selection, InlineFragmentNode):
            return selection_depth(selection.selection_set, fragments, memo, visiting)
        return _through_fragment(
            selection,
            fragments,
            memo,
            visiting,
            lambda fragment, seen: selection_depth(fragment.selection_set, fragments, memo, seen),
        )

    return max((depth(selection) for selection in selection_set.selections), default=0)


def alias_count(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    memo: dict[str, int] | None = None,
    visiting: frozenset[str] = frozenset(),
) -> int:
    """Aliased fields in ``selection_set``, a fragment counted each time it is spread."""
    if selection_set is None:
        return 0
    memo = {} if memo is None else memo

    def aliases(selection: SelectionNode) -> int:
        if isinstance(selection, FieldNode):
            own = 1 if selection.alias else 0
            return own + alias_count(selection.selection_set, fragments, memo, visiting)
        if isinstance(selection, InlineFragmentNode):
            return alias_count(selection.selection_set, fragments, memo, visiting)
        return _through_fragment(
            selection,
            fragments,
            memo,
            visiting,
            lambda fragment, seen: alias_count(fragment.selection_set, fragments, memo, seen),
        )

    return sum(aliases(selection) for selection in selection_set.selections)


def _through_fragment(
    selection: SelectionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    memo: dict[str, int],
    visiting: frozenset[str],
    compute: Callable[[FragmentDefinitionNode, frozenset[str]], int],
) -> int:
    """``compute`` over a spread fragment, once per fragment: the memo keeps fragments that spread each
    other many times linear rather than exponential to walk. Unknown fragments and cycles (refused by
    validation anyway) count 0."""
    assert isinstance(selection, FragmentSpreadNode)
    name = selection.name.value
    if name not in memo:
        fragment = fragments.get(name)
        if fragment is None or name in visiting:
            return 0
        memo[name] = compute(fragment, visiting | {name})
    return memo[name]


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


# --- cost estimate ----------------------------------------------------------------------------------


def estimate_nodes(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any],
    settings: Settings,
) -> int:
    """How many objects the operation may return, at most, multiplying list sizes down the tree.

    A connection returns ``first``/``last`` (or the default page size) objects per parent, clamped to
    the maximum page size; a list field with a list argument (``nodes(ids)``) returns one per element;
    a bulk mutation (``contactCreateMany(inputs)``) sizes the lists of its payload by its input list;
    other lists of entities assume a full page, detail lists ``DETAIL_LIST_SIZE``. The connection's own
    plumbing (edges, pageInfo) is not counted; scalars are free.

    Kept per document, operation, settings and what the estimate sees of the variables
    (``_variables_shape``): documents are cached by text (``gateway.documents``), so a client repeating
    a query would otherwise walk its selection again each time. The entry holds the document, schema
    and settings its key names by id, so no id can be reused under it.
    """
    operation = _operation(document, operation_name)
    held, rest = (schema, document, settings), (operation_name, _variables_shape(operation, variables))
    found = _ESTIMATES.get(held, rest)
    if found is not None:
        return found
    root = schema.get_root_type(operation.operation) if operation is not None else None
    estimate = 0
    if operation is not None and root is not None:
        estimator = _Estimator(schema, fragments_of(document), _variables(operation, variables), settings)
        estimate = estimator.selections(operation.selection_set, root, 1, None, frozenset())
    _ESTIMATES.put(held, rest, estimate)
    return estimate


# At most this many entries: a key holds an int or two per variable, so the bound is a few hundred KiB.
_ESTIMATES: documents.HeldCache[int] = documents.HeldCache(2048)
_ABSENT = object()  # a variable the request left out (its default applies), unlike one sent as null


def _variables_shape(operation: OperationDefinitionNode | None, given: Mapping[str, Any]) -> tuple[Any, ...]:
    """The operation's variables as the estimate sees them (``_Estimator._value``): an int's value, a
    list's length, nothing of any other value.

    Keyed by the values themselves (as it was), every leadMoveToStage took an entry of its own, its
    ids being new each time: 2,048 entries of ~0.5 KiB, allocated between the requests' own objects
    and kept there, held ~1.3 MiB of the heap's arenas after 2,000 moves (in process). Keyed by what
    decides the estimate, the benchmark's mutations share one entry per document; only the variables
    the operation declares count, so extra names sent along do not make new keys."""
    if operation is None:
        return ()
    return tuple(
        _variable_shape(given.get(name, _ABSENT))
        for name in (d.variable.name.value for d in operation.variable_definitions or ())
    )


def _variable_shape(value: Any) -> Any:
    if value is _ABSENT:
        return "absent"
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return ("list", len(value)) if isinstance(value, list) else None


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


def _variables(operation: OperationDefinitionNode, given: Mapping[str, Any]) -> dict[str, Any]:
    defaults = {
        d.variable.name.value: value_from_ast_untyped(d.default_value)
        for d in operation.variable_definitions or ()
        if d.default_value is not None
    }
    return defaults | dict(given)


@dataclass(frozen=True)
class _Estimator:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    settings: Settings
    # Objects per fragment for a multiplier of 1, by bulk size: the estimate is linear in the multiplier.
    memo: dict[int | None, dict[str, int]] = field(default_factory=dict)

    def selections(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType,
        multiplier: int,
        bulk: int | None,
        visiting: frozenset[str],
    ) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, multiplier, bulk, visiting)
                continue
            if isinstance(selection, InlineFragmentNode):
                narrowed = self._narrowed(selection.type_condition, parent)
                total += self.selections(selection.selection_set, narrowed, multiplier, bulk, visiting)
                continue
            memo = self.memo.setdefault(bulk, {})
            per_object = _through_fragment(
                selection,
                self.fragments,
                memo,
                visiting,
                lambda fragment, seen: self.selections(
                    fragment.selection_set, self._narrowed(fragment.type_condition, parent), 1, bulk, seen
                ),
            )
            total += multiplier * per_object
        return total

    def _narrowed(self, condition: NamedTypeNode | None, parent: GraphQLNamedType) -> GraphQLNamedType:
        narrowed = self.schema.get_type(condition.name.value) if condition else None
        return narrowed or parent

    def field(
        self,
        node: FieldNode,
        parent: GraphQLNamedType,
        multiplier: int,
        bulk: int | None,
        visiting: frozenset[str],
    ) -> int:
        definition = _field_definition(parent, node.name.value)
        if node.selection_set is None or definition is None:
            return 0  # scalars are free; unknown and introspection fields are validation's business
        named = get_named_type(definition.type)
        is_list = is_list_type(get_nullable_type(definition.type))  # type: ignore[arg-type]
        plumbing = _is_connection_plumbing(parent)
        size, child_bulk = 1, bulk
        list_length = self._list_argument_length(node)
        if _is_connection(named):
            size = self._page_size(node)
        elif list_length is not None:
            size, child_bulk = (list_length, None) if is_list else (1, list_length)
        elif is_list and not plumbing:
            size, child_bulk = (bulk if bulk is not None else self._assumed_list_size(named)), None
        objects = multiplier * size
        counted = 0 if plumbing else objects
        return counted + self.selections(node.selection_set, named, objects, child_bulk, visiting)

    def _page_size(self, node: FieldNode) -> int:
        sizes = [self._int_argument(node, name) for name in ("first", "last")]
        given = [size for size in sizes if size is not None]
        size = max(given) if given else self.settings.default_page_size
        return max(0, min(size, self.settings.max_page_size))

    def _assumed_list_size(self, named: GraphQLNamedType) -> int:
        implements_node = is_object_type(named) and any(i.name == "Node" for i in named.interfaces)  # type: ignore[attr-defined]
        return self.settings.max_page_size if implements_node else DETAIL_LIST_SIZE

    def _int_argument(self, node: FieldNode, name: str) -> int | None:
        value = next((self._value(a.value) for a in node.arguments or () if a.name.value == name), None)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def _list_argument_length(self, node: FieldNode) -> int | None:
        lengths = [len(v) for a in node.arguments or () if isinstance(v := self._value(a.value), list)]
        return max(lengths) if lengths else None

    def _value(self, value: ValueNode) -> Any:
        if isinstance(value, VariableNode):
            return self.variables.get(value.name.value)
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, ListValueNode):
            return list(value.values)
        return None


def _field_definition(parent: GraphQLNamedType, name: str) -> GraphQLField | None:
    if is_object_type(parent) or is_interface_type(parent):
        return parent.fields.get(name)  # type: ignore[attr-defined, no-any-return]
    return None


def _is_connection(named: GraphQLNamedType) -> bool:
    return named.name.endswith("Connection") and is_object_type(named)


def _is_connection_plumbing(parent: GraphQLNamedType) -> bool:
    return parent.name.endswith(("Connection", "Edge"))
