"""Graceful shutdown on SIGTERM (and SIGINT), as ``crm-gateway serve`` runs it:

1. uvicorn stops accepting connections and closes idle keep-alive ones;
2. every open WebSocket is closed with code 1012 ("service restart"), which graphql-ws and most
   WebSocket clients retry on: subscribers reconnect to another replica and resume with ``after``;
3. requests in flight finish, for up to ``CRM_GATEWAY_SHUTDOWN_TIMEOUT_SECONDS`` (then they are
   cancelled, and a cancelled mutation rolls back);
4. background jobs (the CRM.COM queue poller) finish the round they are in, again for up to that long;
5. pools and clients close, and the process exits with status 0.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from gateway.settings import Settings

RESTART_CLOSE_CODE = 1012  # what uvicorn closes WebSockets with when it shuts down


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for a gateway process: log level and format, the shutdown deadline, and its
    HTTP and WebSocket protocols."""
    # Strawberry and SQLAlchemy: only serve needs them.
    from gateway.internals import WEBSOCKET_PROTOCOL, one_write_per_answer_protocol

    return {
        "log_level": settings.log_level.lower(),
        "timeout_graceful_shutdown": settings.shutdown_timeout_seconds,
        # One line per /graphql request comes from gateway.access, with more in it (operation, codes).
        "access_log": False,
        # uvicorn's own lines go through the gateway's handler: its format (text or JSON), redacted.
        "log_config": None,
        "ws_per_message_deflate": settings.ws_compression,
        # httptools, as uvicorn would pick, but a small answer's head and body in one write.
        "http": one_write_per_answer_protocol(),
        # The one whose send waits for the socket before writing (internals.write_if_ready).
        "ws": WEBSOCKET_PROTOCOL,
    }


def exit_zero_after_sigterm() -> None:
    """After a graceful shutdown uvicorn raises the signal again for the previous handler; with the
    default one, SIGTERM would kill the process (status -15) after everything closed properly. A
    SIGTERM that reached uvicorn is a requested stop, and ends the process with status 0."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


async def in_rounds(round_: Callable[[], Awaitable[None]], pause_seconds: float) -> None:
    """A background job: ``round_`` every ``pause_seconds`` until cancelled. Cancelled during a round,
    it finishes that round first and then stops (a second cancel, ``stop_background``'s deadline,
    stops the round too)."""
    while True:
        current = asyncio.ensure_future(round_())
        try:
            await asyncio.shield(current)
        except asyncio.CancelledError:
            await current
            raise
        await asyncio.sleep(pause_seconds)


async def stop_background(tasks: Sequence[asyncio.Task[Any]], timeout: float) -> None:
    """Ask background jobs to stop (cancel: a job finishes the round it is in, see ``QueuePoller``),
    wait up to ``timeout`` seconds, then cancel what is left for good."""
    for task in tasks:
        task.cancel()
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
