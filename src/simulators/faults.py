"""Switchable faults and a request log, shared by every simulator.

Tests flip faults on the ``Faults`` object of an in-process simulator (or POST them to
``/_simulator/faults`` when it runs in another process) and read ``Faults.log`` to assert what the
gateway sent, e.g. that a POST was not sent twice.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

CONTROL_PATH = "/_simulator/faults"


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: str


@dataclass
class Faults:
    latency_seconds: float = 0.0  # added before every answer
    fail_status: int | None = None  # answer this status (e.g. 503) instead of serving ...
    fail_count: int = 0  # ... for this many requests (then serve normally)
    retry_after_seconds: int | None = None  # sent as Retry-After with fail_status (e.g. with 429)
    log: list[LoggedRequest] = field(default_factory=list)

    def fail(self, status: int, count: int = 1_000_000, retry_after: int | None = None) -> None:
        self.fail_status, self.fail_count, self.retry_after_seconds = status, count, retry_after

    def clear(self) -> None:
        self.latency_seconds, self.fail_status, self.fail_count, self.retry_after_seconds = 0.0, None, 0, None

    def calls(self, method: str, path: str) -> int:
        return sum(1 for entry in self.log if entry.method == method and entry.path == path)

    def take_failure(self) -> int | None:
        if self.fail_status is None or self.fail_count <= 0:
            return None
        self.fail_count -= 1
        return self.fail_status


class FaultMiddleware:
    """Logs every request, then applies the current faults before the simulator sees it."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == CONTROL_PATH:
            await self._control(Request(scope, receive))(scope, receive, send)
            return
        self.faults.log.append(LoggedRequest(scope["method"], scope["path"], scope["query_string"].decode()))
        if self.faults.latency_seconds:
            await asyncio.sleep(self.faults.latency_seconds)
        status = self.faults.take_failure()
        if status is None:
            await self.app(scope, receive, send)
            return
        headers = {}
        if self.faults.retry_after_seconds is not None:
            headers["Retry-After"] = str(self.faults.retry_after_seconds)
        await JSONResponse({"error": "simulated fault"}, status_code=status, headers=headers)(
            scope, receive, send
        )

    def _control(self, request: Request) -> Response:
        # Set through the request body by ``_apply``; kept tiny on purpose: it is a test hook.
        return _ControlResponse(self.faults, request)


class _ControlResponse(Response):
    def __init__(self, faults: Faults, request: Request) -> None:
        super().__init__()
        self.faults = faults
        self.request = request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.request.method == "POST":
            body = await self.request.json()
            self.faults.clear()
            self.faults.latency_seconds = float(body.get("latency_seconds", 0))
            if body.get("fail_status"):
                self.faults.fail(
                    int(body["fail_status"]),
                    int(body.get("fail_count", 1_000_000)),
                    body.get("retry_after_seconds"),
                )
        state = {
            "latency_seconds": self.faults.latency_seconds,
            "fail_status": self.faults.fail_status,
            "fail_count": self.faults.fail_count,
            "requests": len(self.faults.log),
        }
        await JSONResponse(state)(scope, receive, send)
