"""uvicorn's protocol with a response's head and body in one write
(``internals.one_write_per_answer_protocol``): bytes leave complete and in the order written, whatever
joins them."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from gateway.internals import HELD_WRITE_LIMIT, _OneWritePerAnswer


class _Writes(asyncio.Protocol):
    pass


async def _pair() -> tuple[Any, socket.socket]:
    """A real transport on one end of a socket pair, and the other end to read from."""
    ours, theirs = socket.socketpair()
    loop = asyncio.get_running_loop()
    transport, _ = await loop.connect_accepted_socket(_Writes, ours)
    theirs.setblocking(False)
    return transport, theirs


async def _read(sock: socket.socket, size: int) -> bytes:
    loop = asyncio.get_running_loop()
    received = b""
    while len(received) < size:
        chunk = await asyncio.wait_for(loop.sock_recv(sock, size - len(received)), 5)
        if not chunk:  # closed
            break
        received += chunk
    return received


async def test_a_head_and_its_body_leave_in_order_and_a_lone_write_at_the_end_of_the_step() -> None:
    transport, theirs = await _pair()
    wrapped = _OneWritePerAnswer(transport, asyncio.get_running_loop())
    wrapped.write(b"HTTP/1.1 200 OK\r\n\r\n")
    wrapped.write(memoryview(b"body"))  # joined with the head, sent at once
    wrapped.write(b"-last")  # alone in the step: sent when the step ends
    assert await _read(theirs, 28) == b"HTTP/1.1 200 OK\r\n\r\nbody-last"
    transport.close()
    theirs.close()


class _Recording:
    """A real transport that remembers each write it was handed (how many system calls' worth)."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.writes: list[bytes] = []

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))
        self.transport.write(data)

    def is_closing(self) -> bool:
        return bool(self.transport.is_closing())


async def test_a_head_and_its_body_reach_the_transport_as_one_write() -> None:
    transport, theirs = await _pair()
    recording = _Recording(transport)
    wrapped = _OneWritePerAnswer(recording, asyncio.get_running_loop())
    wrapped.write(b"HTTP/1.1 200 OK\r\n\r\n")
    assert recording.writes == []  # held for the body
    wrapped.write(b"body")
    assert recording.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody"]
    wrapped.write(b"-last")
    assert len(recording.writes) == 1  # held until the event loop's step ends
    await asyncio.sleep(0)
    assert recording.writes == [b"HTTP/1.1 200 OK\r\n\r\nbody", b"-last"]
    transport.close()
    theirs.close()


async def test_a_big_write_with_nothing_held_goes_straight_through() -> None:
    transport, theirs = await _pair()
    recording = _Recording(transport)
    wrapped = _OneWritePerAnswer(recording, asyncio.get_running_loop())
    chunk = b"x" * HELD_WRITE_LIMIT
    wrapped.write(chunk)
    assert recording.writes == [chunk]  # not held for a next write, not copied
    assert await _read(theirs, len(chunk)) == chunk
    transport.close()
    theirs.close()


async def test_what_waits_is_sent_before_the_connection_closes_or_writes_otherwise() -> None:
    transport, theirs = await _pair()
    wrapped = _OneWritePerAnswer(transport, asyncio.get_running_loop())
    wrapped.write(b"held ")
    wrapped.writelines([b"then ", b"lines "])
    wrapped.write(b"and closed")
    wrapped.close()
    assert await _read(theirs, 1024) == b"held then lines and closed"
    assert wrapped.is_closing()
    theirs.close()
