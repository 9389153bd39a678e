"""Group fan-out (gateway.multiplex): members in step with their group's driver are parked, and the
driver writes their frames; members behind, replaying, slow or failing go their own way and receive
every position once, in order.

The first tests drive the real member loop (``_deliver_each``) and ``LiveDelivery`` over a fake log and
fake sockets, so the order of events is exact; the last ones run a real server and real clients:
the frames a parked member gets are byte for byte the ones Strawberry's path sends.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import orjson
import pytest

from gateway.auth import Principal
from gateway.multiplex import Build, Frames, Group, LiveDelivery, Multiplexer
from resolvers.communications.subscriptions import _deliver_each
from resolvers.schema import schema
from test_subscription_groups import _metric, _until_metric, acme, server  # noqa: F401  (fixtures)
from test_subscriptions import FROM_START, QUEUE_UPDATED, Tenant
from ws_client import authenticated

CALLER = Principal("tester", "acme", frozenset({"CRM_ALL"}))
OPERATION = ("subscription { communicationQueueUpdated { kind } }", None, None)
PARKED = "crm_gateway_subscription_parked"
FANOUT = "crm_gateway_subscription_fanout_frames_total"


class Log:
    """Positions 1, 2, ... as they are published; each member's stream reads it from where it starts."""

    def __init__(self) -> None:
        self.published = 0
        self.changed = asyncio.Event()
        self.streams_opened = 0

    def publish(self, count: int = 1) -> None:
        self.published += count
        self.changed.set()
        self.changed = asyncio.Event()

    def events(self, resume: int | None) -> AsyncGenerator[tuple[int, Build], None]:
        self.streams_opened += 1
        return self._events(resume or 0)

    async def _events(self, last: int) -> AsyncGenerator[tuple[int, Build], None]:
        while True:
            while last < self.published:
                last += 1
                yield last, _payload_of(last)
            await self.changed.wait()


def _payload_of(position: int) -> Build:
    async def build(_context: Any) -> Any:
        return None if position % 7 == 0 else json.dumps({"n": position})  # every 7th: not shown

    return build


class Socket:
    """What one operation's socket received, and by which path."""

    def __init__(self, id: str, slow_once: bool = False, fail: bool = False) -> None:
        self.id, self.slow_once, self.fail, self.open = id, slow_once, fail, True
        self.frames: list[tuple[str, str]] = []  # (path, text)

    @property
    def head(self) -> str:
        return '{"id":' + json.dumps(self.id) + ',"type":"next","payload":'

    async def own(self, payload: Any) -> None:  # the member's own path (Strawberry's, in the server)
        if self.slow_once:
            self.slow_once = False
            await asyncio.sleep(0.05)
        self.frames.append(("own", self.head + orjson.dumps(payload).decode() + "}"))  # a Fragment

    async def write(self, text: str) -> None:  # the group path
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
    async def run() -> None:
        try:
            await _deliver_each(live, log.events)
        finally:
            live.leave()

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
        if index == driver:
            assert set(socket.paths()) == {"own"}
        else:  # its first event on its own stream, every later one from the driver
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
