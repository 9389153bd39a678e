"""Wraps ``/graphql`` (HTTP and WebSocket) to count, time and log each request.

It sees every answer the view gives, refusals before any GraphQL runs included, so responses are
counted by status and by the codes of their top-level errors (``errors[].extensions.code``): an outage
answered 200 or 503 shows up under its code either way.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.observability import metrics
from gateway.observability.request import Observation, current

log = logging.getLogger("gateway.access")
MAX_INSPECTED_BYTES = 1_048_576  # error codes of longer answers are not counted (their bodies not kept)
ERRORS_MARK = b'"errors":[{'  # a non-empty list of errors somewhere in the body: worth parsing it


class ObservedEndpoint:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self._http(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        metrics.websocket_connections.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            metrics.websocket_connections.dec()

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        observation = Observation()
        scope["gateway.request_id"] = observation.request_id  # the view answers with this id
        watch = ResponseWatch(send)
        token = current.set(observation)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, watch.send)
        finally:
            _finished(observation, watch, scope, time.perf_counter() - started)
            current.reset(token)


def _finished(observation: Observation, watch: ResponseWatch, scope: Scope, seconds: float) -> None:
    operation = _operation_label(observation.operations)
    metrics.responses.labels(str(watch.status)).inc()
    codes = watch.error_codes()
    for code in codes:
        metrics.graphql_errors.labels(code).inc()
    metrics.request_duration.labels(operation, "http").observe(seconds)
    cost = scope.get("gateway.cost")
    sql = upstream = 0
    if cost is not None:  # requests refused before execution have no cost
        sql, upstream = cost.sql_statements, cost.upstream_calls
        metrics.sql_statements.inc(sql)
        metrics.request_sql_statements.observe(sql)
        metrics.request_upstream_calls.observe(upstream)
    if log.isEnabledFor(logging.INFO):
        extra: dict[str, object] = {"status": watch.status, "duration_ms": round(seconds * 1000, 2)}
        extra |= {"sql_statements": sql, "upstream_calls": upstream, "error_codes": codes}
        method, milliseconds = scope.get("method", "-"), extra["duration_ms"]
        line = "%s %s %d %.1f ms (request %s)"
        log.info(line, method, operation, watch.status, milliseconds, observation.request_id, extra=extra)


def websocket_operation_finished(observation: Observation, seconds: float) -> None:
    """A query or mutation sent over a WebSocket, from its ``subscribe`` message to its ``complete``.
    A subscription is not timed: how long it runs is how long its client listens, not a latency."""
    if not observation.subscription:
        operation = _operation_label(observation.operations)
        metrics.request_duration.labels(operation, "websocket").observe(seconds)


def _operation_label(operations: list[str]) -> str:
    if not operations:
        return metrics.UNKNOWN  # refused, or not valid GraphQL
    return operations[0] if len(operations) == 1 else metrics.BATCH


class ResponseWatch:
    """Passes the response on, noting its status and, for JSON, the codes of its errors."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status = 500  # if the app fails before it answers, the server answers 500
        self._json = False
        self._body = bytearray()
        self._codes: list[str] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self._json = _is_json(message.get("headers", ()))
        elif message["type"] == "http.response.body" and self._json:
            self._collect(message)
        await self._send(message)

    def _collect(self, message: Message) -> None:
        self._body += message.get("body", b"")
        if len(self._body) > MAX_INSPECTED_BYTES:
            self._json, self._body = False, bytearray()
        elif not message.get("more_body", False):
            self._codes = _error_codes(bytes(self._body)) if ERRORS_MARK in self._body else []
            self._body = bytearray()

    def error_codes(self) -> list[str]:
        return self._codes


def _is_json(headers: Any) -> bool:
    for name, value in headers:
        if name.lower() == b"content-type":
            return b"json" in value
    return False


def _error_codes(body: bytes) -> list[str]:
    """The codes of the top-level errors of a result, or of each result of a batch."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return []
    results = payload if isinstance(payload, list) else [payload]
    codes = []
    for result in results:
        errors = result.get("errors") if isinstance(result, dict) else None
        for error in errors if isinstance(errors, list) else ():
            extensions = error.get("extensions") if isinstance(error, dict) else None
            code = extensions.get("code") if isinstance(extensions, dict) else None
            codes.append(code if isinstance(code, str) and len(code) <= 64 else "(none)")
    return codes
