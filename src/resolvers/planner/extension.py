"""Serves covered query operations with one statement per root field (``CRM_GATEWAY_PLANNER``).

A Strawberry schema extension, on public surfaces: after parsing, validation and the operation limits
(which run earlier in ``on_execute``), it plans the operation; when every root field is covered it
sets ``execution_context.result``, which makes Strawberry skip graphql-core's execution, as the
cost limit does. Anything not covered, and any failure of the planned statement, leaves the operation
to the resolvers unchanged.

A root field's answer is the statement's JSON text, which an HTTP response splices in as it is
(``gateway.jsontext``); elsewhere it is decoded. The one internal read, the graphql-core schema
Strawberry built, goes through ``gateway.internals``. A plan whose statement fails is left to the
resolvers for ``RETRY_FAILED_AFTER`` seconds; one whose statement answers a row it cannot answer
(``plan.Unserved``) leaves that request alone to them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Hashable
from typing import Any

import orjson
from graphql import ExecutionResult, OperationType, get_operation_ast, get_variable_values
from graphql.execution.values import VariableValues
from strawberry.extensions import SchemaExtension

from gateway import documents
from gateway.documents import BoundedCache
from gateway.errors import GatewayError, InvalidCursor
from gateway.internals import graphql_schema as internal_graphql_schema
from gateway.jsontext import JsonText
from gateway.planner.plan import ConnectionPlan, ObjectRootPlan, Unplannable, Unserved
from resolvers.planner.walk import bind, cursor_variables, lookup_variables, plan_operation

log = logging.getLogger("gateway.planner")


class PlannedQueries(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.result is None:
            data = await self._serve()
            if data is not None:
                context.result = ExecutionResult(data=data)
        yield

    async def _serve(self) -> dict[str, Any] | None:
        execution = self.execution_context
        request = execution.context
        settings = getattr(request, "settings", None)
        backend: Any = getattr(request, "backend", None)
        if settings is None or not settings.planner or request.upstream_routes:
            return None
        if not hasattr(backend, "tree_statements"):  # the SQL backend alone serves planned statements
            return None
        if not _is_query(execution):  # never planned; each new input would take a cache entry of its own
            return None
        key = _cache_key(execution, backend, settings)
        planned = self._planned(backend, key)
        if planned is None:
            return None
        plans, statements = planned
        parameters = bind(plans, execution.variables or {})
        if parameters is None:  # an id the lookup does not take, a bad cursor: the resolvers report it
            return None
        # Spliced into the response as it is where the caller encodes it (HTTP), else decoded.
        as_value = JsonText if getattr(request, "json_text_results", False) else orjson.loads
        try:
            trees = await backend.run_trees(statements, parameters)  # each root field's response JSON text
            values = [as_value(tree) for tree in trees]
        except Unserved:  # this request's rows only (an event of an unknown kind): the plan stays
            # The planned statement did run: it stays in cost.sqlStatements, before the statements of
            # the resolvers answering instead (the cost is what the request ran on the database;
            # tests/test_planner.py test_an_unserved_requests_planned_statement_counts_in_its_cost).
            log.debug("planner: a row the statement cannot answer; the resolvers answer this request")
            return None
        except InvalidCursor:  # this request's cursor (a key not of its sort key's type): the plan stays
            return None
        except Exception:  # the resolvers meet the same fault and report it as they do
            log.warning("a planned statement failed; the resolvers answer instead", exc_info=True)
            if key is not None:  # not sent again with every request, but again once a while has passed
                _PLANNED.put(key, _Failed(time.monotonic() + RETRY_FAILED_AFTER), _weight(key))
            return None
        return {key: value for (key, _), value in zip(plans, values, strict=True)}

    def _planned(self, backend: Any, key: Hashable | None) -> _Planned | None:
        """The operation's plans and statements, kept across requests by ``key`` (None: not planned)."""
        found = _PLANNED.get(key) if key is not None else None
        if isinstance(found, _Failed):
            if found.until > time.monotonic():
                return None
            found = None
        if found is None:
            found = self._plan(backend)
            if found is _INVALID:  # this request's variables: not the operation's, so not kept
                return None
            if key is not None:
                _PLANNED.put(key, found, _weight(key))
        return found if found is not _UNPLANNABLE else None

    def _plan(self, backend: Any) -> Any:
        execution = self.execution_context
        document = execution.graphql_document
        operation = get_operation_ast(document, execution.operation_name) if document else None
        if document is None or operation is None:
            return _UNPLANNABLE
        graphql_schema = internal_graphql_schema(execution.schema)
        variables = get_variable_values(
            graphql_schema, operation.variable_definitions or (), execution.variables or {}
        )
        if not isinstance(variables, VariableValues):  # the resolvers report the bad values
            return _INVALID
        try:
            cursors = _per_request(execution)[1]
            plans = plan_operation(
                execution.schema, graphql_schema, document, operation, variables, execution.context, cursors
            )
            return plans, backend.tree_statements([plan for _, plan in plans])
        except (Unplannable, GatewayError) as reason:  # a bad value is the resolvers' to report, on its field
            log.debug("planner: %s", reason)
            return _UNPLANNABLE
        except Exception:  # a fault of the planner's own: the resolvers answer, as they did before it
            log.warning("the planner failed on an operation; the resolvers answer it", exc_info=True)
            return _UNPLANNABLE


_Planned = tuple[list[tuple[str, ConnectionPlan | ObjectRootPlan]], tuple[Any, ...]]
# Seconds during which a plan whose statement failed is left to the resolvers: a statement the database
# refuses would otherwise be sent, and fail, before the resolvers answer each request; a passing fault
# (an outage) does not disable the plan for good.
RETRY_FAILED_AFTER = 60.0


class _Failed:
    __slots__ = ("until",)

    def __init__(self, until: float) -> None:
        self.until = until


_UNPLANNABLE: Any = ()  # kept too: an operation the planner does not cover is walked once
_INVALID: Any = object()  # variables the resolvers refuse: another request's may be fine (not kept)
# (schema, text, operation, variables, caller, settings) -> plans and statements, or _UNPLANNABLE.
_PLANNED: BoundedCache[Hashable, Any] = BoundedCache()


def _is_query(execution: Any) -> bool:
    """Whether the operation is a query: mutations and subscriptions are the resolvers' alone. Decided
    before the plan's key, which holds the variables' values: every mutation sends new ones, and each
    took an entry in ``_PLANNED`` (marked unplannable) until the cache's byte budget was full."""
    document = execution.graphql_document
    operation = get_operation_ast(document, execution.operation_name) if document is not None else None
    return operation is not None and operation.operation is OperationType.QUERY


def _cache_key(execution: Any, backend: Any, settings: Any) -> Hashable | None:
    """Everything a plan depends on: the document and its variable values, the caller (permissions,
    tenant, row rules), the dialect and the settings (page sizes). None: not kept (a long text, or
    variables that are not plain JSON, such as uploads)."""
    query = execution.query
    if not documents.cacheable(query):
        return None
    given = execution.variables or {}
    ids, cursors = _per_request(execution)
    if ids:  # one plan for every id a lookup is given (``walk.bind`` binds it per request)
        given = {name: _ANY_ID if name in ids else value for name, value in given.items()}
    if cursors:  # one plan for every cursor (bound per request), another for none (null, not sent)
        given = {n: _A_CURSOR if n in cursors and isinstance(v, str) else v for n, v in given.items()}
    try:
        variables = orjson.dumps(given, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    if len(variables) > 4_096:
        return None
    principal = execution.context.principal
    caller = (principal.tenant, frozenset(principal.permissions), backend.tree_scope())
    paging = (settings.max_page_size, settings.default_page_size)  # what the walk reads of them
    return (execution.schema, query, execution.operation_name, variables, caller, paging)


def _per_request(execution: Any) -> tuple[frozenset[str], frozenset[str]]:
    """The variables bound per request, not planned: ``walk.lookup_variables`` and
    ``walk.cursor_variables`` of the operation, kept by its text and name."""
    key = (execution.query, execution.operation_name)
    found = _PER_REQUEST.get(key)
    if found is None:
        document = execution.graphql_document
        operation = get_operation_ast(document, execution.operation_name) if document else None
        found = (frozenset(), frozenset())
        if operation is not None:
            found = (lookup_variables(document, operation), cursor_variables(document, operation))
        _PER_REQUEST.put(key, found, documents.text_weight(execution.query))
    return found


_ANY_ID = "<a lookup's id>"
_A_CURSOR = "<a cursor>"
_PER_REQUEST: BoundedCache[tuple[str, str | None], tuple[frozenset[str], frozenset[str]]] = BoundedCache()


def _weight(key: Any) -> int:
    # The text's estimate (what its parsed document weighs) twice over: the plans and the SQLAlchemy
    # statements built from it are of the same order as the parsed document.
    return 2 * documents.text_weight(key[1]) + len(key[3])
