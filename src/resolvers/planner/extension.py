"""Serves covered query operations with one statement per root field (``CRM_GATEWAY_PLANNER``).

A Strawberry schema extension, on public surfaces: after parsing, validation and the operation limits
(which run earlier in ``on_execute``), it plans the operation; when every root field is covered it
sets ``execution_context.result``, which makes Strawberry skip graphql-core's execution, as the
cost limit does. Anything not covered, and any failure of the planned statement, leaves the operation
to the resolvers unchanged.

The one internal read is ``strawberry.Schema._schema`` (the graphql-core schema Strawberry built),
which ``gateway.limits`` reads as well: Strawberry documents no public accessor for it (I found no
upstream issue asking for one); ``pyproject.toml`` bounds strawberry-graphql and graphql-core for it.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from graphql import ExecutionResult, get_operation_ast, get_variable_values
from graphql.execution.values import VariableValues
from strawberry.extensions import SchemaExtension

from gateway.planner.plan import Unplannable
from resolvers.planner import shape
from resolvers.planner.walk import plan_operation

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
        read_trees = getattr(getattr(request, "backend", None), "read_trees", None)
        if settings is None or not settings.planner or read_trees is None or request.upstream_routes:
            return None
        document = execution.graphql_document
        operation = get_operation_ast(document, execution.operation_name) if document else None
        if operation is None:
            return None
        graphql_schema = execution.schema._schema
        variables = get_variable_values(
            graphql_schema, operation.variable_definitions or (), execution.variables or {}
        )
        if not isinstance(variables, VariableValues):  # the resolvers report the bad values
            return None
        try:
            plans = plan_operation(execution.schema, graphql_schema, operation, variables, request)
            trees = await read_trees([plan for _, plan in plans])
            return {key: shape.connection(plan, tree) for (key, plan), tree in zip(plans, trees, strict=True)}
        except Unplannable as reason:
            log.debug("planner: %s", reason)
            return None
        except Exception:  # the resolvers meet the same fault and report it as they do
            log.warning("a planned operation failed; the resolvers answer instead", exc_info=True)
            return None
