"""A tiny graphql-transport-ws client for tests: init/ack, subscribe, next/error/complete, ping/pong."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

PROTOCOL = "graphql-transport-ws"
TIMEOUT = 60  # generous: only a failing run waits this long (CI runs two workers on two cores)


class WsClient:
    """One socket. Messages of any operation are read in order; server pings are answered and counted."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.pings = 0
        self._held: list[dict[str, Any]] = []

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def init(self, payload: dict[str, Any]) -> dict[str, Any]:
        await self.send({"type": "connection_init", "payload": payload})
        return await self.receive()

    async def subscribe(self, operation_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": operation_id, "type": "subscribe", "payload": payload})

    async def complete(self, operation_id: str) -> None:
        await self.send({"id": operation_id, "type": "complete"})

    async def receive(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The next message other than a server ping (answered with a pong), within ``timeout`` seconds."""
        async with asyncio.timeout(timeout):
            return await self._receive()

    async def _receive(self) -> dict[str, Any]:
        while True:
            message = json.loads(await self.ws.recv())
            if message.get("type") == "ping":
                self.pings += 1
                await self.send({"type": "pong"})
                continue
            return message  # type: ignore[no-any-return]

    async def next_of(self, operation_id: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The next message of one operation (others are kept for later)."""
        for index, message in enumerate(self._held):
            if message.get("id") == operation_id:
                return self._held.pop(index)
        async with asyncio.timeout(timeout):
            while True:
                message = await self._receive()
                if message.get("id") == operation_id:
                    return message
                self._held.append(message)

    async def events(self, operation_id: str, count: int) -> list[dict[str, Any]]:
        """The data of the next ``count`` ``next`` messages of an operation; fails on anything else."""
        found = []
        for _ in range(count):
            message = await self.next_of(operation_id)
            assert message["type"] == "next" and "errors" not in message["payload"], message
            found.append(message["payload"]["data"])
        return found

    async def nothing_more(self, operation_id: str, seconds: float = 1.0) -> None:
        """No message of this operation arrives within ``seconds``: a quiet period, which under load can
        only miss a late duplicate (never fail a correct run); a fence (a later event comes next) is the
        stronger check where the test can send one."""
        try:
            message = await self.next_of(operation_id, timeout=seconds)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected message: {message}")


@asynccontextmanager
async def ws_client(base: str) -> AsyncIterator[WsClient]:
    url = base.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=[PROTOCOL]) as ws:  # type: ignore[list-item]
        yield WsClient(ws)


@asynccontextmanager
async def authenticated(base: str, token: str) -> AsyncIterator[WsClient]:
    async with ws_client(base) as client:
        ack = await client.init({"Authorization": f"Bearer {token}"})
        assert ack["type"] == "connection_ack", ack
        yield client
