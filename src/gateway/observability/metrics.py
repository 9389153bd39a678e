"""The gateway's Prometheus metrics, built with ``prometheus_client``.

Metrics are module-level, as ``prometheus_client`` has them: one set per process. Under
``serve --workers N`` every worker writes its values to files in ``PROMETHEUS_MULTIPROC_DIR``
(``multiprocess.py``) and a scrape of any worker reports the sum over all of them.

Label values come from a small, known set (HTTP statuses, error codes, loader classes, upstream
names), except operation names, which clients choose: ``OperationNames`` bounds those.
"""

from __future__ import annotations

import os
import re
import threading

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from gateway.backends.rest.breaker import CircuitBreaker, CircuitState

disable_created_metrics()  # a ``_created`` series per label set doubles the scrape for nothing here
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
COUNT_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 100, 250)
BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
# Operation labels that are not an operation's own name.
ANONYMOUS, OTHER, UNKNOWN, BATCH = "(anonymous)", "(other)", "(unknown)", "(batch)"
CIRCUIT_VALUES = {CircuitState.CLOSED: 0, CircuitState.HALF_OPEN: 1, CircuitState.OPEN: 2}

responses = Counter("crm_gateway_responses", "HTTP responses of /graphql by status.", ["status"])
graphql_errors = Counter(
    "crm_gateway_graphql_errors", "Top-level GraphQL errors answered, by errors[].extensions.code.", ["code"]
)
sql_statements = Counter("crm_gateway_sql_statements", "SQL statements run for /graphql requests.")
request_duration = Histogram(
    "crm_gateway_request_duration_seconds",
    "Time from receiving a /graphql request (or a WebSocket query or mutation) to its last byte, by "
    "operation name and transport.",
    ["operation", "transport"],
    buckets=LATENCY_BUCKETS,
)
request_sql_statements = Histogram(
    "crm_gateway_request_sql_statements", "SQL statements one /graphql request ran.", buckets=COUNT_BUCKETS
)
request_upstream_calls = Histogram(
    "crm_gateway_request_upstream_calls",
    "Upstream HTTP calls one /graphql request made.",
    buckets=COUNT_BUCKETS,
)
loader_batch_size = Histogram(
    "crm_gateway_loader_batch_size",
    "Keys per dataloader batch, by loader.",
    ["loader"],
    buckets=BATCH_BUCKETS,
)
websocket_connections = Gauge(
    "crm_gateway_websocket_connections", "Open WebSocket connections.", multiprocess_mode="livesum"
)
subscriptions_active = Gauge(
    "crm_gateway_subscriptions_active", "Subscriptions listening for events.", multiprocess_mode="livesum"
)
subscription_groups = Gauge(
    "crm_gateway_subscription_groups",
    "Groups of subscriptions that share each event's load and payload (gateway.multiplex).",
    multiprocess_mode="livesum",
)
subscription_parked = Gauge(
    "crm_gateway_subscription_parked",
    "Subscriptions in step with their group: its driver writes their frames (gateway.multiplex); "
    "counted in crm_gateway_subscriptions_active too.",
    multiprocess_mode="livesum",
)
subscription_fanout_frames = Counter(
    "crm_gateway_subscription_fanout_frames",
    "Subscription frames a group's driver wrote to parked members' sockets.",
)
subscription_unparked_slow = Counter(
    "crm_gateway_subscription_unparked_slow",
    "Parked subscriptions sent back to their own stream because their socket's buffer was full when the "
    "group's driver came to them (the driver does not wait for a socket).",
)
subscription_event_executions = Counter(
    "crm_gateway_subscription_event_executions",
    "Subscription events loaded, completed and encoded: once per group and event.",
)
subscription_sql_statements = Counter(
    "crm_gateway_subscription_sql_statements", "SQL statements run to load and complete subscription events."
)
pubsub_published = Counter("crm_gateway_pubsub_published", "Subscription events published.")
pubsub_publish_failures = Counter(
    "crm_gateway_pubsub_publish_failures", "Subscription events whose publishing failed."
)
pubsub_lag = Histogram(
    "crm_gateway_pubsub_lag_seconds",
    "Time from publishing an event to a subscriber receiving it.",
    buckets=LATENCY_BUCKETS,
)
circuit_state = Gauge(
    "crm_gateway_upstream_circuit_state",
    "Upstream circuit breaker: 0 closed, 1 half-open, 2 open (the worst over the workers).",
    ["upstream"],
    multiprocess_mode="livemax",
)


class OperationNames:
    """Operation names as label values: at most ``limit`` distinct ones, later ones count as (other).

    A client picks its operation names, so without a cap each new name would add a series to every
    scrape for as long as the process lives.
    """

    PATTERN = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._known: set[str] = set()
        self._lock = threading.Lock()

    def label(self, name: str | None) -> str:
        if not name:
            return ANONYMOUS
        if name in self._known:
            return name
        if not self.PATTERN.fullmatch(name):
            return UNKNOWN
        with self._lock:
            if len(self._known) >= self.limit:
                return OTHER
            self._known.add(name)
        return name


operation_names = OperationNames(limit=200)
_breakers: dict[str, CircuitBreaker] = {}


def watch_breaker(upstream: str, breaker: CircuitBreaker) -> None:
    """Report this upstream's breaker: now, and again at every scrape."""
    _breakers[upstream] = breaker
    report_breaker(upstream, breaker)


def report_breaker(upstream: str, breaker: CircuitBreaker) -> None:
    circuit_state.labels(upstream).set(CIRCUIT_VALUES[breaker.state])


def render() -> bytes:
    """The scrape: this process's metrics, or every worker's under ``serve --workers``."""
    for upstream, breaker in _breakers.items():  # open -> half-open happens by the clock, not by a call
        report_breaker(upstream, breaker)
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)
