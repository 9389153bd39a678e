"""A schema extension that tells the request's observation which operation runs and for whom."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import OperationType, get_operation_ast
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

    def on_execute(self) -> Iterator[None]:
        # Known before a subscription's events flow (``on_operation`` ends only when the stream does).
        observation = current.get()
        if observation is not None and observation.websocket and self._is_subscription():
            observation.subscription = True
        yield

    def _observation(self) -> Observation:
        context = self.execution_context.context
        observation = current.get()
        if observation is None:  # outside a request or a WebSocket operation (a test's direct run)
            observation = Observation(request_id=getattr(context, "request_id", "-"))
            current.set(observation)
        principal = getattr(context, "principal", None)
        if principal is not None:
            observation.tenant, observation.subject = principal.tenant, principal.subject
        return observation

    def _is_subscription(self) -> bool:
        document, name = self.execution_context.graphql_document, self.execution_context.operation_name
        definition = None if document is None else get_operation_ast(document, name)
        return definition is not None and definition.operation is OperationType.SUBSCRIPTION

    def _label(self) -> str:
        document = self.execution_context.graphql_document
        name = self.execution_context.operation_name
        if document is None or get_operation_ast(document, name) is None:
            return metrics.UNKNOWN
        return metrics.operation_names.label(name)
