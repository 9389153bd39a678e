"""A schema extension that tells the request's observation which operation runs and for whom."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import get_operation_ast
from strawberry.extensions import SchemaExtension

from gateway.observability import metrics, tracing
from gateway.observability.request import Observation, current


class ObserveOperation(SchemaExtension):
    """Names the operation for metrics and logs, and wraps it in a span when tracing is on.

    The name counts only when the document has that operation: a name that is not in it cannot take
    one of the bounded operation labels.
    """

    def on_operation(self) -> Iterator[None]:
        observation = self._observation()
        with tracing.operation_span() as span:
            yield
            label = self._label()
            observation.operations.append(label)
            if span is not None:
                span.set_attribute("graphql.operation.name", label)

    def _observation(self) -> Observation:
        context = self.execution_context.context
        observation = current.get()
        if observation is None:  # a WebSocket operation: one observation each
            observation = Observation(request_id=getattr(context, "request_id", "-"))
            current.set(observation)
        principal = getattr(context, "principal", None)
        if principal is not None:
            observation.tenant, observation.subject = principal.tenant, principal.subject
        return observation

    def _label(self) -> str:
        document = self.execution_context.graphql_document
        name = self.execution_context.operation_name
        if document is None or get_operation_ast(document, name) is None:
            return metrics.UNKNOWN
        return metrics.operation_names.label(name)
