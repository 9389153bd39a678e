"""Multiplexed subscriptions: subscribers that would receive the same bytes share one load per event.

Subscribers whose operation (document and operation name), variables and caller are the same form a
group. The caller (``Principal``: tenant, subject, permissions) is all that decides what a subscriber
may see: the row rules (``RowAccess.for_principal``, whose owner-only rules compare a contact's
creator with the subject), the media rules and the masked fields all derive from it. For each event a
group loads what it names, completes the selection once (Strawberry's ``Schema.execute`` with the
event as root value) and encodes the ``next`` payload once; every member sends those bytes.

Each member still runs its own event stream (``resolvers.communications.subscriptions``): its own
pub/sub buffer, ``after`` replay, gap filling and catching up from the log. Only the payload of a
position (a queue event's sequence, a communication's number) is shared, so a member that joins late,
resumes with ``after`` or falls behind receives every event once, in order, and does not hold up
the others. The ``after`` variable is left out of the group key: it says where a member's stream starts,
never what an event's payload holds.

Group fan-out: once a member has delivered the same position as its group's driver (the member whose
stream feeds the group), it is *in step*. It then parks: it leaves its own pub/sub subscription and
its task sleeps, and the driver writes each position's frame (the member's ``next`` message around the
shared payload, built once per member) to every parked member's socket in one loop, then to its own.
A parked member costs no wake-up, no protocol handling and no encoding per event.

No socket holds the others up: every write of the loop (the driver's own frame too) is one that the
socket takes at once. A write that would wait for the socket to drain is cancelled before it writes
anything (``internals.write_if_ready``); that member resumes its own stream (exactly as with
``after``: subscribe, read the log from its last position, then live) and only it waits for its
socket; a driver whose own socket would wait hands the group to a parked member first. A member
whose write fails resumes likewise (its own stream meets the lost socket and ends). Its last position
is always the last frame written to it, so nothing is lost or repeated. Every ``FANOUT_BATCH`` frames
the loop gives the event loop a turn, so a large group does not hold the worker for a whole event.

When the driver leaves, the first parked member drives on; if its stream has not started within
``HANDOVER_SECONDS`` (a slow subscribe or connect), the other parked members resume their own streams
rather than wait behind it. When the driver's stream ends in an outage (database or pub/sub), every
parked member ends with the same error at once, as each would have on a stream of its own. While the
pub/sub reports an outage, members do not park (their own subscriptions carry them through it).
Positions are the same for every member of a group (same operation, variables and caller), which is
what makes a frame meant for the driver right for a parked member.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    OperationType,
    VariableNode,
    Visitor,
    get_operation_ast,
    parse,
    visit,
)
from strawberry import Schema
from strawberry.types.graphql import OperationType as StrawberryOperationType

from gateway import documents, internals
from gateway.auth import Principal
from gateway.documents import BoundedCache
from gateway.observability import metrics

log = logging.getLogger(__name__)
RESUME_ARGUMENT = "after"  # a subscription field's cursor: where a stream starts, never what it holds
# Recent payloads kept for members a little behind the others, over all the groups of a process.
RECENT_PAYLOADS = 4096
RECENT_PAYLOAD_BYTES = 16 * 1024 * 1024
Build = Callable[[Any], Awaitable[Any]]  # the event's root value, loaded with a context (None: not shown)
Produce = Callable[[], Awaitable[str | None]]
Send = Callable[[orjson.Fragment], Awaitable[None]]  # a `next` message with this payload, to one socket
Outage = Callable[[], BaseException]  # a fresh error for each parked member, when the driver's stream failed
FANOUT_BATCH = 256  # frames the driver writes between turns it gives the event loop (~16 us each)
HANDOVER_SECONDS = 2.0  # how long parked members wait for a successor whose own stream has not started


@dataclass(frozen=True)
class Frames:
    """How the driver writes a parked member's ``next`` messages straight to its socket."""

    head: str  # the member's ``next`` message up to its payload: ``{"id":"<id>","type":"next","payload":``
    write: Callable[[str], Awaitable[None]]  # one text frame to the member's socket
    is_open: Callable[[], bool]  # false once the operation completed (the client's ``complete`` too)

    async def write_now(self, payload: str) -> bool:
        """The ``next`` message of ``payload``, if the socket takes it at once (``write_if_ready``)."""
        return await internals.write_if_ready(self.write, self.head + payload + "}")


@dataclass(frozen=True)
class GroupKey:
    principal: Principal
    query: str
    operation_name: str | None
    variables: str  # canonical JSON, without the variable that only sets ``after``
    # A digest of the credentials an upstream-routed load forwards (the caller's token), "" when the
    # loads forward none: members whose upstream calls would carry other credentials do not share.
    credentials: str = ""


class Group:
    """Subscriptions that share each event's payload; it lives as long as one of them does."""

    def __init__(self, key: GroupKey) -> None:
        self.key = key
        self.members = 0
        self.driver: LiveDelivery | None = None  # the member whose deliveries also reach the parked ones
        self.last: int | None = None  # the last position the driver sent (then wrote to the parked)
        self.parked: dict[LiveDelivery, None] = {}  # in step with the driver, in the order they parked
        self._waiting: asyncio.TimerHandle | None = None  # a successor's deadline to start its stream

    async def fan_out(self, position: int, payload: str | None) -> None:
        """Write the driver's position ``position`` to every parked member (None: nothing to send)."""
        members = list(self.parked)
        # From here, a member in step with the driver has ``position`` already: it may park after it.
        self.last = position
        frames = 0
        try:
            for index, member in enumerate(members):
                if index and not index % FANOUT_BATCH:
                    await asyncio.sleep(0)  # a turn for the others: not a slow socket
                frames += await self._write(member, position, payload)
        except BaseException:
            # The driver was cancelled mid-way: the members that did not get ``position`` resume
            # their own streams from their last one (a write cancelled while waiting wrote nothing).
            for member in members:
                if member.last is None or member.last < position:
                    member.unpark()
            raise
        finally:
            if frames:
                metrics.subscription_fanout_frames.inc(frames)

    async def _write(self, member: LiveDelivery, position: int, payload: str | None) -> int:
        """Write ``position`` to a parked member (nothing when its payload is None): the frames written."""
        if member not in self.parked or (member.last is not None and member.last >= position):
            return 0  # left or resumed meanwhile, or has it already
        frames = member.frames
        assert frames is not None
        if payload is None or not frames.is_open():
            member.last = position
            return 0
        try:
            written = await frames.write_now(payload)
        except Exception:  # its socket is gone: its own stream meets that itself, and ends
            member.unpark()
            return 0
        if not written:  # its socket would have made the loop wait: nothing went out, only it waits
            member.unpark()
            metrics.subscription_unparked_slow.inc()
            return 0
        member.last = position
        return 1

    def driver_left(self, driver: LiveDelivery, outage: Outage | None = None) -> None:
        """``outage``: the driver's stream failed in an outage, which every parked member gets at once."""
        if self.driver is not driver:
            return
        self.driver = None
        self._stop_waiting()
        if outage is not None:
            for member in list(self.parked):
                member.unpark(outage())
            return
        if self.parked:  # the first parked member drives on from the group's last position
            successor = next(iter(self.parked))
            self.driver = successor
            successor.unpark()
            loop = asyncio.get_running_loop()
            self._waiting = loop.call_later(HANDOVER_SECONDS, self._release, successor)

    def started(self, member: LiveDelivery) -> None:
        """``member``'s own stream is live (subscribed, the log's end read)."""
        if self.driver is member:
            self._stop_waiting()

    def _release(self, successor: LiveDelivery) -> None:
        """The successor's stream did not start in time: the parked members go their own way."""
        self._waiting = None
        if self.driver is successor:
            self.driver = None  # nobody parks behind it until a member delivers again
            for member in list(self.parked):
                member.unpark()

    def _stop_waiting(self) -> None:
        if self._waiting is not None:
            self._waiting.cancel()
            self._waiting = None


class RecentPayloads:
    """Each group's payloads of recent positions, produced once; the oldest go past a count or size.

    A member that asks for a position no longer kept produces it again: correct, only costlier. A
    payload weighs nothing until it is produced, then its length.
    """

    def __init__(self, entries: int = RECENT_PAYLOADS, max_bytes: int = RECENT_PAYLOAD_BYTES) -> None:
        self._tasks: BoundedCache[tuple[Group, int], asyncio.Task[str | None]] = BoundedCache(
            entries, max_bytes
        )

    def task(self, group: Group, position: int, produce: Produce) -> asyncio.Task[str | None]:
        key = (group, position)
        task = self._tasks.get(key)
        if task is not None:
            return task
        # A context of its own: the event's execution is nobody's request (observation, tracing).
        task = asyncio.get_running_loop().create_task(_run(produce), context=contextvars.Context())
        self._tasks.put(key, task)
        task.add_done_callback(lambda done: self._done(key, done))
        return task

    def forget(self, group: Group) -> None:
        for key in [key for key in self._tasks if key[0] is group]:
            self._tasks.pop(key)

    def _done(self, key: tuple[Group, int], task: asyncio.Task[str | None]) -> None:
        if self._tasks.peek(key) is not task:
            return  # dropped already
        if task.cancelled() or task.exception() is not None:
            self._tasks.pop(key)  # e.g. the database went away: the next member tries again
            return
        self._tasks.put(key, task, len(task.result() or ""))


async def _run(produce: Produce) -> str | None:
    return await produce()


class Multiplexer:
    """The groups of one process; a member's ``LiveDelivery`` joins one when its stream starts."""

    def __init__(
        self, schema: Schema, encode: Callable[[object], str], may_park: Callable[[], bool] = lambda: True
    ) -> None:
        """``may_park``: false while members should keep their own streams (a pub/sub outage)."""
        self.schema = schema
        self.encode = encode
        self.may_park = may_park
        self._groups: dict[GroupKey, Group] = {}
        self.recent = RecentPayloads()

    def join(self, key: GroupKey) -> Group:
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = Group(key)
            metrics.subscription_groups.inc()
        group.members += 1
        return group

    def leave(self, group: Group) -> None:
        group.members -= 1
        if group.members == 0 and self._groups.get(group.key) is group:
            del self._groups[group.key]
            self.recent.forget(group)
            metrics.subscription_groups.dec()

    def delivery(
        self,
        principal: Principal,
        operation: tuple[str, str | None, dict[str, Any] | None],
        send: Send,
        new_context: Callable[[], Any],
        read_session: Callable[[Any], AbstractAsyncContextManager[Any]] = lambda _backend: nullcontext(),
        credentials: str | None = None,
        frames: Frames | None = None,
    ) -> LiveDelivery:
        """``credentials``: what the member's loads forward to upstreams (None: nothing is forwarded).
        ``frames``: how to write to the member's socket directly (None: it never parks)."""
        digest = "" if credentials is None else hashlib.sha256(credentials.encode()).hexdigest()
        return LiveDelivery(self, principal, operation, send, new_context, read_session, digest, frames)


class LiveDelivery:
    """One subscription operation on a socket: delivers positions through its group's payloads."""

    def __init__(
        self,
        multiplexer: Multiplexer,
        principal: Principal,
        operation: tuple[str, str | None, dict[str, Any] | None],
        send: Send,
        new_context: Callable[[], Any],
        read_session: Callable[[Any], AbstractAsyncContextManager[Any]],
        credentials: str = "",
        frames: Frames | None = None,
    ) -> None:
        self.multiplexer = multiplexer
        self.frames = frames
        self.last: int | None = None  # the last position sent to this member (by itself or the driver)
        self._resume: asyncio.Future[int] | None = None  # set while parked: where to resume from
        self.credentials = credentials
        self.principal = principal
        self.query, self.operation_name, variables = operation
        self.variables = dict(variables or {})
        self._send = send
        self._new_context = new_context
        self._read_session = read_session
        self._group: Group | None = None
        self._socket_failed = False

    def join(self) -> None:
        if self._group is None:
            self._group = self.multiplexer.join(self._key())

    def leave(self, outage: Outage | None = None) -> None:
        """``outage``: the member's stream ended in an outage (parked members it drove end with it,
        unless what failed was its own socket)."""
        if self._group is not None:
            group = self._group
            self.unpark()
            group.driver_left(self, None if self._socket_failed else outage)
            self.multiplexer.leave(group)
            self._group = None

    async def deliver(self, position: int, build: Build) -> None:
        """Send the event at ``position``: its group's payload, produced by the first member to ask."""
        self.join()
        group = self._group
        assert group is not None
        task = self.multiplexer.recent.task(group, position, lambda: self._produce(build))
        # Shielded: a member that leaves must not cancel the payload the others wait for (a payload
        # produced already is taken as it is: no wait, no shield).
        payload = task.result() if task.done() else await asyncio.shield(task)
        if self.frames is None or group.driver not in (None, self):
            if payload is not None:
                await self._send_own(payload)
            self.last = position
            return
        group.driver = self
        await group.fan_out(position, payload)  # the parked members first: they never wait for this socket
        if payload is not None and not await self._written_at_once(payload):
            # Its socket would wait: a parked member drives on, and only this one waits for its socket.
            group.driver_left(self)
            await self._send_own(payload)
        self.last = position

    async def _send_own(self, payload: str) -> None:
        try:
            await self._send(orjson.Fragment(payload))
        except Exception:
            self._socket_failed = True  # its error is its own, whatever it looks like (an OSError)
            raise

    async def _written_at_once(self, payload: str) -> bool:
        """The driver's own frame, written as the parked members' are: False when nothing was written
        (its socket would wait, or failed: Strawberry's path then sends it or meets the failure)."""
        frames = self.frames
        assert frames is not None
        if not frames.is_open():
            return False
        try:
            return await frames.write_now(payload)
        except Exception:
            return False

    def started(self) -> None:
        """The member's own stream is live: subscribed, and where the log ends read."""
        if self._group is not None:
            self._group.started(self)

    def in_step(self) -> bool:
        """Whether the driver's next position is this member's next one: then it may park."""
        group = self._group
        return (
            self.frames is not None
            and group is not None
            and self.multiplexer.may_park()
            and group.driver is not None
            and group.driver is not self
            and self.last is not None
            and group.last == self.last
        )

    def park(self) -> asyncio.Future[int]:
        """Park in the group now (the driver's next frame is written to this member); await the
        result for the position to resume the member's own stream from."""
        group = self._group
        assert group is not None and self.last is not None and self._resume is None
        resume = self._resume = asyncio.get_running_loop().create_future()
        group.parked[self] = None
        metrics.subscription_parked.inc()
        metrics.subscriptions_active.inc()  # its pub/sub subscription ends, the subscription does not
        return resume

    def unpark(self, error: BaseException | None = None) -> None:
        """Back to the member's own stream, from the last position written to it (``error``: the
        member's stream ends with it instead)."""
        resume, self._resume = self._resume, None
        if resume is None:
            return
        metrics.subscription_parked.dec()
        metrics.subscriptions_active.dec()
        if self._group is not None:
            self._group.parked.pop(self, None)
        if resume.done():
            return
        if error is not None:
            resume.set_exception(error)
            return
        assert self.last is not None
        resume.set_result(self.last)

    async def _produce(self, build: Build) -> str | None:
        """Load the event with a fresh context of this member's caller, complete it, encode it."""
        context = self._new_context()
        metrics.subscription_event_executions.inc()
        async with self._read_session(context.backend):
            root = await build(context)
            if root is None:
                return None  # not for this group's eyes, or filtered out
            result = await self.multiplexer.schema.execute(
                self.query,
                variable_values=self.variables,
                context_value=context,
                root_value=root,
                operation_name=self.operation_name,
                allowed_operation_types=(StrawberryOperationType.SUBSCRIPTION,),
            )
        metrics.subscription_sql_statements.inc(context.cost.sql_statements)
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            payload["extensions"] = result.extensions
        return self.multiplexer.encode(payload)

    def _key(self) -> GroupKey:
        resume = resume_variable(_document(self.query), self.operation_name)
        shared = {name: value for name, value in self.variables.items() if name != resume}
        variables = _canonical(shared)
        return GroupKey(self.principal, self.query, self.operation_name, variables, self.credentials)


def _document(query: str) -> DocumentNode:
    """The parsed document: Strawberry parsed it into ``gateway.documents`` before the stream began."""
    cached = documents.parsed.get(query)
    return cached[1] if cached is not None else parse(query)


def _canonical(variables: Mapping[str, Any]) -> str:
    return json.dumps(variables, sort_keys=True, separators=(",", ":"), default=str)


def resume_variable(document: DocumentNode, operation_name: str | None) -> str | None:
    """The variable that sets the subscription field's ``after`` and nothing else, if there is one."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.SUBSCRIPTION:
        return None
    fields = [node for node in operation.selection_set.selections if isinstance(node, FieldNode)]
    if len(fields) != 1:
        return None
    argument = next((a for a in fields[0].arguments or () if a.name.value == RESUME_ARGUMENT), None)
    if argument is None or not isinstance(argument.value, VariableNode):
        return None
    name = argument.value.name.value
    return name if _uses(document, name) == 1 else None


def _uses(document: DocumentNode, name: str) -> int:
    """How often ``$name`` is used in ``document`` (its definitions left out)."""
    counter = _VariableUses(name)
    visit(document, counter)
    return counter.count


class _VariableUses(Visitor):
    def __init__(self, name: str) -> None:
        super().__init__()
        self.name, self.count = name, 0

    def enter_variable_definition(self, *_: Any) -> Any:
        return self.SKIP

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        if node.name.value == self.name:
            self.count += 1
