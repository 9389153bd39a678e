"""Switchable faults and a request log, shared by every simulator.

Faults: latency before every answer; an error status (e.g. 503, or 429 with Retry-After) for the next N
requests; a connection reset (the TCP connection is aborted with SO_LINGER 0, so the client sees a
reset, not an HTTP answer); a hang (no answer at all until the client gives up). ``FaultMiddleware``
must be the outermost wrapper of the simulator's app, so it can reach the connection to reset it.

Tests flip faults on the ``Faults`` object of an in-process simulator (or POST them to
``/_simulator/faults`` when it runs in another process) and read ``Faults.log`` to assert what the
gateway sent, e.g. that a POST was not sent twice.
"""

from __future__ import annotations

import asyncio
import socket
import struct
from contextlib import suppress
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

CONTROL_PATH = "/_simulator/faults"
HANG_LIMIT_SECONDS = (
    60.0  # a hung request answers nothing for at most this long, then the connection is reset
)


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
    retry_after_seconds: int | str | None = None  # sent as Retry-After with fail_status (seconds or date)
    reset_count: int = 0  # reset the connection of this many requests, instead of answering
    hang_count: int = 0  # answer nothing to this many requests, until the client hangs up
    log: list[LoggedRequest] = field(default_factory=list)

    def fail(self, status: int, count: int = 1_000_000, retry_after: int | str | None = None) -> None:
        self.fail_status, self.fail_count, self.retry_after_seconds = status, count, retry_after

    def reset(self, count: int = 1_000_000) -> None:
        self.reset_count = count

    def hang(self, count: int = 1_000_000) -> None:
        self.hang_count = count

    def clear(self) -> None:
        self.latency_seconds, self.fail_status, self.fail_count, self.retry_after_seconds = 0.0, None, 0, None
        self.reset_count = self.hang_count = 0

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
        if self.faults.hang_count > 0:
            self.faults.hang_count -= 1
            await _hang(receive)
            await _reset(send)
            return
        if self.faults.reset_count > 0:
            self.faults.reset_count -= 1
            await _reset(send)
            return
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


async def _hang(receive: Receive) -> None:
    """Answer nothing until the client disconnects (it timed out), or for HANG_LIMIT_SECONDS."""
    with suppress(TimeoutError):
        async with asyncio.timeout(HANG_LIMIT_SECONDS):
            while (await receive())["type"] != "http.disconnect":
                pass


async def _reset(send: Send) -> None:
    """Abort the TCP connection with SO_LINGER 0: the kernel sends RST, the client sees a reset.

    uvicorn's ``send`` is a method of its request cycle, which holds the connection's transport. Behind
    another wrapper that is out of reach: then the answer stops after its headers and the app returns,
    which makes uvicorn close the connection mid-response (still a transport error for the client).
    """
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if isinstance(transport, asyncio.Transport) and not transport.is_closing():
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]})


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
            self.faults.reset_count = int(body.get("reset_count", 0))
            self.faults.hang_count = int(body.get("hang_count", 0))
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
            "reset_count": self.faults.reset_count,
            "hang_count": self.faults.hang_count,
            "requests": len(self.faults.log),
        }
        await JSONResponse(state)(scope, receive, send)
