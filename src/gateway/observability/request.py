"""What is known of the request being served, for its log lines, metrics and spans.

A ``ContextVar`` holds it: the request's task and the tasks it starts (a batch's operations, loaders)
see the same object, whatever layer logs.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class Observation:
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    tenant: str | None = None
    subject: str | None = None
    # The label of each operation the request ran (``metrics.operation_names``), in order.
    operations: list[str] = field(default_factory=list)
    websocket: bool = False  # one operation of a WebSocket
    subscription: bool = False  # that operation is a subscription (not timed: it lasts as long as it listens)

    def fields(self) -> dict[str, object]:
        """The log fields of this request."""
        operation = self.operations[0] if len(self.operations) == 1 else None
        values = {
            "request_id": self.request_id,
            "tenant": self.tenant,
            "subject": self.subject,
            "operation": operation,
        }
        return {name: value for name, value in values.items() if value is not None}


current: ContextVar[Observation | None] = ContextVar("gateway_observation", default=None)
