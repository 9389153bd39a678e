"""Group fan-out (gateway.multiplex): members in step with their group's driver are parked, and the
driver writes their frames; members behind, replaying, slow or failing go their own way and receive
every position once, in order.

The first tests drive the real member loop (``_deliver_each``) and ``LiveDelivery`` over a fake log and
fake sockets, so the order of events is exact; the last ones run a real server and real clients:
the frames a parked member gets are byte for byte the ones Strawberry's path sends.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket as net
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
import uvicorn
from uvicorn.server import ServerState
from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

from gateway import internals, multiplex
from gateway.auth import Principal
from gateway.multiplex import Build, Frames, Group, LiveDelivery, Multiplexer
from gateway.outages import DatabaseUnavailable, database_unavailable
from gateway.settings import Settings
from gateway.shutdown import server_options
from resolvers.communications.subscriptions import _delivered
from resolvers.schema import schema
from test_subscription_groups import _metric, _until_metric, acme, server  # noqa: F401  (fixtures)
from test_subscriptions import CREATE, FROM_START, QUEUE_UPDATED, Tenant
from ws_client import authenticated

CALLER = Principal("tester", "acme", frozenset({"CRM_ALL"}))
OPERATION = ("subscription { communicationQueueUpdated { kind } }", None, None)
PARKED = "crm_gateway_subscription_parked"
FANOUT = "crm_gateway_subscription_fanout_frames_total"


class Log:
    """Positions 1, 2, ... as they are published; each member's stream reads it from where it starts.

    ``failing``: streams raise it (a live one at its next wake-up, a new one after ``start_seconds``,
    as a connect timing out would); ``hanging``: the next streams opened never start."""

    def __init__(self) -> None:
        self.published = 0
        self.changed = asyncio.Event()
        self.streams_opened = 0
        self.failing: BaseException | None = None
        self.start_seconds = 0.0
        self.hanging = 0

    def publish(self, count: int = 1) -> None:
        self.published += count
        self.changed.set()
        self.changed = asyncio.Event()

    def fail(self, error: BaseException) -> None:
        self.failing = error
        self.changed.set()

    def events_of(
        self, live: LiveDelivery
    ) -> Callable[[int | None], AsyncGenerator[tuple[int, Build], None]]:
        def events(resume: int | None) -> AsyncGenerator[tuple[int, Build], None]:
            self.streams_opened += 1
            return self._events(live, resume or 0)

        return events

    async def _events(self, live: LiveDelivery, last: int) -> AsyncGenerator[tuple[int, Build], None]:
        if self.hanging:  # subscribing never ends
            self.hanging -= 1
            await asyncio.Event().wait()
        if self.failing is not None:
            await asyncio.sleep(self.start_seconds)
            raise self.failing
        live.started()  # subscribed, the log's end read (as the resolvers' streams tell it)
        while True:
            while last < self.published:
                last += 1
                yield last, _payload_of(last)
            await self.changed.wait()
            if self.failing is not None:
                raise self.failing


def _payload_of(position: int) -> Build:
    async def build(_context: Any) -> Any:
        return None if position % 7 == 0 else json.dumps({"n": position})  # every 7th: not shown

    return build


class Socket:
    """What one operation's socket received, and by which path.

    ``stalled``: a socket whose buffer is full (its peer stopped reading) until ``drain``: a write
    waits for it before it writes anything (as uvicorn's does, see internals.write_if_ready)."""

    def __init__(self, id: str, slow_once: bool = False, fail: bool = False) -> None:
        self.id, self.slow_once, self.fail, self.open = id, slow_once, fail, True
        self.frames: list[tuple[str, str]] = []  # (path, text)
        self.writable = asyncio.Event()
        self.writable.set()
        self.on_write: Callable[[], None] = lambda: None
        self.own_fails = False

    def stall(self) -> None:
        self.writable.clear()

    def drain(self) -> None:
        self.writable.set()

    @property
    def head(self) -> str:
        return '{"id":' + json.dumps(self.id) + ',"type":"next","payload":'

    async def own(self, payload: Any) -> None:  # the member's own path (Strawberry's, in the server)
        await self.writable.wait()
        if self.own_fails:
            raise ConnectionError("gone")
        if self.slow_once:
            self.slow_once = False
            await asyncio.sleep(0.05)
        self.frames.append(("own", self.head + orjson.dumps(payload).decode() + "}"))  # a Fragment

    async def write(self, text: str) -> None:  # the group path
        await self.writable.wait()
        self.on_write()
        if self.fail:
            raise ConnectionError("gone")
        if self.slow_once:
            self.slow_once = False
            await asyncio.sleep(0.05)
        self.frames.append(("group", text))

    def numbers(self) -> list[int]:
        return [json.loads(text)["payload"]["n"] for _, text in self.frames]

    def paths(self) -> list[str]:
        return [path for path, _ in self.frames]


def _member(multiplexer: Multiplexer, socket: Socket) -> LiveDelivery:
    frames = Frames(socket.head, socket.write, lambda: socket.open)
    live = multiplexer.delivery(CALLER, OPERATION, socket.own, lambda: None, frames=frames)

    async def produce(build: Build) -> Any:
        return await build(None)

    live._produce = produce  # type: ignore[method-assign]  # the payload without a schema
    live.join()
    return live


RUNNING: list[asyncio.Task[None]] = []


@pytest.fixture(autouse=True)
async def _members_end() -> AsyncIterator[None]:
    yield
    for task in RUNNING:
        task.cancel()
    await asyncio.gather(*RUNNING, return_exceptions=True)
    RUNNING.clear()


def _start(live: LiveDelivery, log: Log) -> asyncio.Task[None]:
    """The member's operation, as the resolver runs it (``_delivered``: its loop in a task of its own,
    an outage handed to the parked members it drove)."""
    info = SimpleNamespace(context=SimpleNamespace(live=live))

    async def run() -> None:
        async for _ in _delivered(info, log.events_of(live)):  # type: ignore[arg-type]
            raise AssertionError("a member with a group yields nothing: its frames go to its socket")

    RUNNING.append(asyncio.get_running_loop().create_task(run()))
    return RUNNING[-1]


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def _shown(upto: int, start: int = 0) -> list[int]:
    return [n for n in range(start + 1, upto + 1) if n % 7]


async def _publish(log: Log, count: int) -> None:
    for _ in range(count):
        log.publish()
        await _settle()


async def test_members_in_step_are_parked_and_get_each_frame_from_the_drivers_one_loop() -> None:
    multiplexer, log = Multiplexer(schema, str), Log()
    sockets = [Socket(f"op{index}") for index in range(4)]
    members = [_member(multiplexer, socket) for socket in sockets]
    for member in members:
        _start(member, log)
    await _settle()
    await _publish(log, 10)
    group = members[0]._group
    assert group is not None and group.driver is not None
    driver = members.index(group.driver)
    assert len(group.parked) == 3 and group.driver not in group.parked
    assert log.streams_opened == 4  # parked members closed theirs and opened none since
    for index, socket in enumerate(sockets):
        assert socket.numbers() == _shown(10)
        if index == driver:  # its own frames are written as the parked members' are
            assert set(socket.paths()) == {"group"}
        else:  # its first event on its own stream, every later one from the driver's loop
            assert socket.paths()[0] == "own" and set(socket.paths()[1:]) == {"group"}
    for task in RUNNING:
        task.cancel()
    await asyncio.gather(*RUNNING, return_exceptions=True)
    assert multiplexer._groups == {} and not group.parked and group.driver is None


async def _running_group(
    log: Log, sockets: list[Socket], published: int
) -> tuple[list[LiveDelivery], list[asyncio.Task[None]], Group]:
    """Members on ``sockets`` that received ``published`` positions: one drives, the others are parked."""
    multiplexer = Multiplexer(schema, str)
    members = [_member(multiplexer, socket) for socket in sockets]
    tasks = [_start(member, log) for member in members]
    await _settle()
    await _publish(log, published)
    group = members[0]._group
    assert group is not None and group.driver is not None
    return members, tasks, group


async def test_the_driver_leaving_hands_the_group_on_without_loss_or_duplicates() -> None:
    log, sockets = Log(), [Socket(f"op{index}") for index in range(3)]
    members, tasks, group = await _running_group(log, sockets, 3)
    assert group.driver is not None
    first = members.index(group.driver)
    tasks[first].cancel()
    await _settle()
    log.publish(3)  # three at once: the successor reads them from the log
    await _settle()
    await _publish(log, 6)
    assert group.driver is not None and members.index(group.driver) != first
    for index, socket in enumerate(sockets):
        assert socket.numbers() == (_shown(3) if index == first else _shown(12))


async def test_a_late_member_replays_on_its_own_stream_then_parks_without_loss_or_duplicates() -> None:
    multiplexer, log = Multiplexer(schema, str), Log()
    early = Socket("early")
    tasks = [_start(_member(multiplexer, early), log)]
    await _settle()
    await _publish(log, 20)
    late = Socket("late")
    late_member = _member(multiplexer, late)
    tasks.append(_start(late_member, log))  # reads 1..20 from the log while the early one is live
    await _publish(log, 5)
    assert early.numbers() == late.numbers() == _shown(25)
    assert late.paths()[: len(_shown(20))] == ["own"] * len(_shown(20))  # the replay: its own
    assert late.paths()[-1] == "group"
    assert late_member._group is not None and late_member in late_member._group.parked


async def test_slow_or_failing_sockets_go_back_to_their_own_stream_in_order() -> None:
    multiplexer, log = Multiplexer(schema, str), Log()
    driver_socket, slow, failing = Socket("d"), Socket("slow"), Socket("failing")
    driver = _member(multiplexer, driver_socket)
    tasks = [_start(driver, log)]
    await _settle()
    await _publish(log, 1)  # the first member drives
    members = [_member(multiplexer, slow), _member(multiplexer, failing)]
    tasks += [_start(member, log) for member in members]
    await _publish(log, 2)
    group = driver._group
    assert group is not None and group.driver is driver and len(group.parked) == 2
    slow.slow_once, failing.fail, opened = True, True, log.streams_opened
    log.publish()
    for _ in range(10):
        await asyncio.sleep(0.02)
    assert log.streams_opened == opened + 2  # both went back to a stream of their own
    failing.fail = False  # its own stream writes again (in the server it would end with its socket)
    await _publish(log, 4)
    assert driver_socket.numbers() == _shown(8)
    assert slow.numbers() == failing.numbers() == _shown(8)  # they started from the log's beginning


async def test_a_driver_whose_own_socket_is_slow_hands_the_group_to_a_parked_member() -> None:
    log, sockets = Log(), [Socket(f"op{index}") for index in range(3)]
    members, _, group = await _running_group(log, sockets, 2)
    first = group.driver
    assert first is not None and len(group.parked) == 2
    sockets[members.index(first)].slow_once = True
    log.publish()
    for _ in range(10):
        await asyncio.sleep(0.02)
    assert group.driver is not None and group.driver is not first
    await _publish(log, 5)
    assert all(socket.numbers() == _shown(8) for socket in sockets)


async def test_a_parked_member_whose_operation_completed_gets_nothing_more() -> None:
    log, sockets = Log(), [Socket("a"), Socket("b")]
    members, tasks, group = await _running_group(log, sockets, 2)
    parked = next(iter(group.parked))
    index = members.index(parked)
    sockets[index].open = False  # the client's `complete`: Strawberry forgets the operation at once
    await _publish(log, 2)
    tasks[index].cancel()  # ... and cancels its task
    await _publish(log, 2)
    assert sockets[index].numbers() == _shown(2)
    assert sockets[1 - index].numbers() == _shown(6)
    assert parked not in group.parked


@pytest.mark.parametrize("whose", ["parked", "driver"])
async def test_a_socket_that_takes_nothing_holds_up_nobody(whose: str) -> None:
    """The first parked member (all the others come after it in the driver's loop), or the driver."""
    log, sockets = Log(), [Socket(f"op{index}") for index in range(4)]
    members, _, group = await _running_group(log, sockets, 2)
    stalled = next(iter(group.parked)) if whose == "parked" else group.driver
    assert stalled is not None
    index = members.index(stalled)
    sockets[index].stall()  # its peer stopped reading: a write would wait (for good, here)
    await _publish(log, 12)
    for other, socket in enumerate(sockets):
        if other != index:  # every event, at once, in order, while the stalled one waits
            assert socket.numbers() == _shown(14), other
    assert sockets[index].numbers() == _shown(2)  # on its own stream, waiting for its socket alone
    assert stalled not in group.parked and group.driver is not stalled
    sockets[index].drain()
    await _publish(log, 2)
    assert all(socket.numbers() == _shown(16) for socket in sockets)


async def test_an_outage_ends_the_driver_and_every_parked_member_at_once() -> None:
    log, sockets = Log(), [Socket(f"op{index}") for index in range(4)]
    _, tasks, group = await _running_group(log, sockets, 2)
    assert len(group.parked) == 3
    opened = log.streams_opened
    log.start_seconds = 30.0  # a member that subscribed again would meet it only after a connect timeout
    log.fail(database_unavailable())
    _, pending = await asyncio.wait(tasks, timeout=2)
    assert not pending  # all at once, not one after another
    assert all(isinstance(task.exception(), DatabaseUnavailable) for task in tasks)
    assert log.streams_opened == opened and not group.parked


async def test_an_error_of_the_driver_alone_hands_the_group_on() -> None:
    log, sockets = Log(), [Socket(f"op{index}") for index in range(3)]
    members, tasks, group = await _running_group(log, sockets, 2)
    first = group.driver
    assert first is not None
    index = members.index(first)
    sockets[index].fail = sockets[index].own_fails = True  # gone: Strawberry's path raises too
    await _publish(log, 3)
    assert isinstance(tasks[index].exception(), ConnectionError)
    for other, socket in enumerate(sockets):
        if other != index:
            assert socket.numbers() == _shown(5)
    assert group.driver is not None and group.driver is not first


async def _four_or_more(
    count: int,
) -> tuple[Log, list[Socket], list[LiveDelivery], list[asyncio.Task[None]], Group]:
    """A running group of ``count`` members that received two positions: a driver, the others parked."""
    log, sockets = Log(), [Socket(f"op{index}") for index in range(count)]
    members, tasks, group = await _running_group(log, sockets, 2)
    assert group.driver is not None and len(group.parked) == count - 1
    return log, sockets, members, tasks, group


async def test_parked_members_do_not_wait_for_a_successor_whose_stream_does_not_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(multiplex, "HANDOVER_SECONDS", 0.1)
    log, sockets, members, tasks, group = await _four_or_more(4)
    first, successor = group.driver, next(iter(group.parked))
    log.hanging = 1  # the successor's subscribe never ends (Redis or the database too slow to answer)
    tasks[members.index(first)].cancel()
    await asyncio.sleep(0.3)
    await _publish(log, 4)
    for member, socket in zip(members, sockets, strict=True):
        assert socket.numbers() == (_shown(2) if member in (first, successor) else _shown(6))


async def test_a_large_group_gives_the_event_loop_turns_while_its_frames_are_written() -> None:
    log, sockets = Log(), [Socket(f"op{index}") for index in range(multiplex.FANOUT_BATCH * 2 + 10)]
    turns, seen = [0], []

    async def tick() -> None:
        while True:
            turns[0] += 1
            await asyncio.sleep(0)

    ticker = asyncio.get_running_loop().create_task(tick())
    RUNNING.append(ticker)
    _, _, group = await _running_group(log, sockets, 2)
    assert len(group.parked) == len(sockets) - 1
    for socket in sockets:
        socket.on_write = lambda: seen.append(turns[0])
    slow = group.parked.copy()
    await _publish(log, 1)
    assert len(seen) == len(sockets) and len(set(seen)) >= 3  # the loop turned twice during one event
    assert group.parked.keys() == slow.keys()  # and nobody was taken for slow
    assert all(socket.numbers() == _shown(3) for socket in sockets)


async def test_a_driver_cancelled_in_the_middle_of_its_loop_loses_and_repeats_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(multiplex, "FANOUT_BATCH", 2)
    log, sockets, members, tasks, group = await _four_or_more(6)
    index = members.index(group.driver)  # type: ignore[arg-type]
    victim = sockets[members.index(next(iter(group.parked)))]

    def cancel_the_driver() -> None:  # its loop stops at its next turn, after the second frame
        tasks[index].cancel()
        victim.on_write = lambda: None

    victim.on_write = cancel_the_driver
    await _publish(log, 6)
    assert tasks[index].cancelled()
    for other, socket in enumerate(sockets):
        assert socket.numbers() == (_shown(2) if other == index else _shown(8)), other


async def test_parked_members_frames_are_byte_for_byte_strawberrys(acme: Tenant) -> None:  # noqa: F811
    base = acme.base
    ids = ["plain", 'quoted "ä" \\ id']
    async with authenticated(base, acme.token) as one, authenticated(base, acme.token) as two:
        sockets = [one, two]
        for ws, operation_id in zip(sockets, ids, strict=True):
            await ws.subscribe(operation_id, QUEUE_UPDATED, FROM_START)
        acme.send("First")  # the first one each member sends itself; then one of them parks
        raw = [[await ws.ws.recv()] for ws in sockets]
        await _until_metric(base, PARKED, 1)
        frames = _metric(base, FANOUT)
        acme.send("Second")
        acme.send("Third")
        for ws, received in zip(sockets, raw, strict=True):
            received += [await ws.ws.recv(), await ws.ws.recv()]
        assert _metric(base, FANOUT) - frames == 2  # one member's two frames came the group's way
        await two.complete(ids[1])
        await one.nothing_more(ids[0], 0.2)
        acme.send("Fourth")
        raw[0].append(await one.ws.recv())
        await two.nothing_more(ids[1], 0.5)
    encoded = [json.dumps(operation_id, ensure_ascii=False) for operation_id in ids]
    for mine, theirs in zip(raw[0][:3], raw[1], strict=True):
        assert isinstance(mine, str) and isinstance(theirs, str)
        assert mine.replace(encoded[0], encoded[1], 1) == theirs  # only the id differs, to the byte
    assert [json.loads(text)["type"] for text in raw[0]] == ["next"] * 4
    await _until_metric(base, PARKED, 0)


class _Transport:
    """What uvicorn's WebSocket protocol writes; flow control (pause/resume writing) is the test's."""

    def __init__(self) -> None:
        self.written = bytearray()
        self.closing = False

    def write(self, data: bytes) -> None:
        self.written += data

    def take(self) -> bytes:
        data, self.written = bytes(self.written), bytearray()
        return data

    def get_extra_info(self, _name: str, default: Any = None) -> Any:
        return default

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def test_uvicorns_websocket_send_waits_for_a_paused_socket_before_it_writes(settings: Settings) -> None:
    """What ``internals.write_if_ready`` relies on, with the installed uvicorn and the WebSocket protocol
    ``serve`` runs: a send that would wait writes nothing when cancelled, and the socket goes on."""
    options = server_options(settings)
    assert options["ws"] == internals.WEBSOCKET_PROTOCOL

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        await receive()  # until the test ends

    config = uvicorn.Config(app, ws=options["ws"], lifespan="off", log_config=None)
    config.load()
    assert config.ws_protocol_class is not None
    protocol: Any = config.ws_protocol_class(config, ServerState(), {})
    transport, client = _Transport(), ClientProtocol(parse_uri("ws://gateway/graphql"))
    protocol.connection_made(transport)
    client.send_request(client.connect())
    protocol.data_received(b"".join(client.data_to_send()))
    for _ in range(20):  # the app's task accepts
        await asyncio.sleep(0)
    client.receive_data(transport.take())
    assert client.handshake_exc is None and client.state is State.OPEN

    def send(text: str) -> Awaitable[None]:
        return protocol.send({"type": "websocket.send", "text": text})  # type: ignore[no-any-return]

    async with asyncio.timeout(5):  # a send that waits for good fails the test, not hangs it
        assert await internals.write_if_ready(send, "first")
        protocol.pause_writing()  # the transport's buffer is over its high-water mark
        assert not await internals.write_if_ready(send, "second")
        protocol.resume_writing()
        assert await internals.write_if_ready(send, "third")
    client.receive_data(transport.take())
    texts = [event.data.decode() for event in client.events_received() if isinstance(event, Frame)]
    assert texts == ["first", "third"]  # whole frames, and nothing of the one cancelled while waiting
    protocol.connection_lost(None)


def _raw_upgrade(base: str) -> tuple[str, int, ClientProtocol]:
    uri = parse_uri(base.replace("http://", "ws://") + "/graphql")
    client = ClientProtocol(uri, subprotocols=[Subprotocol("graphql-transport-ws")])  # no compression
    return uri.host, uri.port, client


class _StalledClient:
    """A graphql-transport-ws client on a plain socket with a small receive buffer, which reads only
    when told: while it does not, the server's buffers for it fill up."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.received: dict[str, list[dict[str, Any]]] = {}

    async def open(self, token: str) -> None:
        host, port, self.client = _raw_upgrade(self.base)
        sock = net.socket(net.AF_INET, net.SOCK_STREAM)
        sock.setsockopt(net.SOL_SOCKET, net.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, (host, port))
        self.reader, self.writer = await asyncio.open_connection(sock=sock)
        self.client.send_request(self.client.connect())
        await self._flush()
        while self.client.state is not State.OPEN:
            self.client.receive_data(await self.reader.read(65536))
        await self.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        while not self.received.get("ack"):
            await self.read()

    async def send(self, message: dict[str, Any]) -> None:
        self.client.send_text(json.dumps(message).encode())
        await self._flush()

    async def _flush(self) -> None:
        self.writer.write(b"".join(self.client.data_to_send()))  # pongs to uvicorn's pings too
        await self.writer.drain()

    async def read(self) -> None:
        self.client.receive_data(await self.reader.read(65536))
        for event in self.client.events_received():
            if isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                message = json.loads(event.data)
                key = "ack" if message["type"] == "connection_ack" else message.get("id", message["type"])
                self.received.setdefault(key, []).append(message)
        await self._flush()

    def close(self) -> None:
        self.writer.close()


async def test_a_socket_that_stops_reading_holds_up_no_other_member(acme: Tenant) -> None:  # noqa: F811
    """A real server: one client stops reading until its buffers are full; the other members of the
    group still get every event at once, in order; once it reads again, it gets all of them too."""
    base, events, operations = acme.base, 8, 10
    stalled = _StalledClient(base)
    await stalled.open(acme.token)
    try:
        for index in range(operations):  # ten members on one socket: its buffers fill ten times as fast
            await stalled.send({"id": f"s{index}", "type": "subscribe", "payload": _big(FROM_START)})
        async with authenticated(base, acme.token) as one, authenticated(base, acme.token) as two:
            for ws in (one, two):
                await ws.subscribe("q", BIG_QUEUE_UPDATED, FROM_START)
            await _until_metric(base, "crm_gateway_subscriptions_active", operations + 2)
            slow = _metric(base, SLOW)
            cursors: list[str] = []
            for index in range(events):
                _send_big(acme, index)
                for ws in (one, two):  # at once, while the stalled socket takes nothing
                    message = await ws.next_of("q", timeout=10)
                    assert message["type"] == "next", message
                    event = message["payload"]["data"]["communicationQueueUpdated"]
                    if ws is one:
                        cursors.append(event["cursor"])
                    else:
                        assert event["cursor"] == cursors[-1]
            assert _metric(base, SLOW) > slow  # the stalled socket's members left the driver's loop
            assert len(set(cursors)) == events
            async with asyncio.timeout(30):  # it reads again: every event, in order, once
                while any(len(stalled.received.get(f"s{index}", [])) < events for index in range(operations)):
                    await stalled.read()
            for index in range(operations):
                received = stalled.received[f"s{index}"]
                events_got = [message["payload"]["data"]["communicationQueueUpdated"] for message in received]
                assert [event["cursor"] for event in events_got] == cursors, index
            await one.nothing_more("q", 0.2)
    finally:
        stalled.close()


BIG_QUEUE_UPDATED = """subscription($after: String) {
  communicationQueueUpdated(after: $after) { kind cursor entry { id communication { subject content } } }
}"""
SLOW = "crm_gateway_subscription_unparked_slow_total"


def _big(variables: dict[str, Any]) -> dict[str, Any]:
    return {"query": BIG_QUEUE_UPDATED, "variables": variables}


def _send_big(tenant: Tenant, index: int) -> None:
    """A queued communication whose content (128 KiB, hardly compressible) fills a socket's buffers fast."""
    input = {
        "contactId": tenant.world["ada"],
        "externalSystemId": tenant.world["system"],
        "direction": "OUTGOING",
        "media": "SMS",
        "subject": f"Big {index}",
        "content": base64.b64encode(os.urandom(96 * 1024)).decode(),
        "to": "ada@example.com",
    }
    assert tenant.execute(CREATE, {"input": input})["communicationCreate"]["errors"] == []
