"""A fault-injecting TCP proxy in front of PostgreSQL, for outage tests.

It runs its own event loop in a thread, so tests may block (sync httpx) while it forwards. It can:
- ``refuse()``: stop listening (new connections are refused) and cut every open one, as a database
  that went down; ``restore()`` listens again on the same port;
- ``drop_next_commit_reply()``: let the next COMMIT reach PostgreSQL, then cut that connection instead
  of forwarding its CommandComplete ``COMMIT``: the commit happened, its reply is lost.

The gateway must connect with ``ssl=disable``: then every backend message is typed (1 byte type,
4 bytes length including itself), which is how the proxy finds CommandComplete.
"""

from __future__ import annotations

import asyncio
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from servers import free_port

COMMIT_COMPLETE = b"C\x00\x00\x00\x0bCOMMIT\x00"  # CommandComplete "COMMIT": type, length 11, tag


class FaultProxy:
    def __init__(self, target_port: int = 5432) -> None:
        self.port = free_port()
        self.target_port = target_port
        self.dropped_commits = 0
        self._drop_commits = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def refuse(self) -> None:
        self._call(self._stop())

    def restore(self) -> None:
        self._call(self._listen())

    def drop_next_commit_reply(self) -> None:
        self._drop_commits += 1

    def _call(self, work: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=10)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_writer.transport.abort()
            return
        pair = (client_writer, server_writer)
        self._writers.update(pair)
        try:
            await asyncio.gather(
                self._pipe(client_reader, server_writer, pair),
                self._replies(server_reader, client_writer, pair),
            )
        finally:
            for writer in pair:
                writer.transport.abort()
            self._writers.difference_update(pair)

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, pair: tuple[Any, ...]
    ) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        _cut(pair)

    async def _replies(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, pair: tuple[Any, ...]
    ) -> None:
        """Backend messages, whole: a COMMIT's CommandComplete is where a drop cuts the connection."""
        while True:
            try:
                header = await reader.readexactly(5)
                body = await reader.readexactly(struct.unpack("!I", header[1:])[0] - 4)
            except (asyncio.IncompleteReadError, ConnectionError):
                _cut(pair)
                return
            if header + body == COMMIT_COMPLETE and self._drop_commits:
                self._drop_commits -= 1
                self.dropped_commits += 1
                _cut(pair)
                return
            writer.write(header + body)
            try:
                await writer.drain()
            except ConnectionError:
                return


def _cut(pair: tuple[Any, ...]) -> None:
    for writer in pair:
        writer.transport.abort()


@contextmanager
def fault_proxy(target_port: int = 5432) -> Iterator[FaultProxy]:
    proxy = FaultProxy(target_port)
    thread = threading.Thread(target=proxy._loop.run_forever, daemon=True)
    thread.start()
    proxy.restore()
    try:
        yield proxy
    finally:
        proxy.refuse()
        proxy._loop.call_soon_threadsafe(proxy._loop.stop)
        thread.join(timeout=10)
        proxy._loop.close()
