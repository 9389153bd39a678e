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
resumes with ``after`` or falls behind receives every event once, in order, and never holds up the
others. The ``after`` variable is left out of the group key: it says where a member's stream starts,
never what an event's payload holds.

Group fan-out: once a member has delivered the same position as its group's driver (the member whose
stream feeds the group), it is *in step*. It then parks: it leaves its own pub/sub subscription and
its task sleeps, and the driver, after sending each position to its own socket, writes the same frame
(the member's ``next`` message around the shared payload, built once per member) to every parked
member's socket in one loop. A parked member costs no wake-up, no protocol handling and no encoding
per event. It resumes its own stream (exactly as with ``after``: subscribe, read the log from its last
position, then live) when its socket is slow or fails, or is promoted to driver when the driver
leaves; its last position is always the last frame written to it, so nothing is lost or repeated.
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

from gateway import documents
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


@dataclass(frozen=True)
class Frames:
    """How the driver writes a parked member's ``next`` messages straight to its socket."""

    head: str  # the member's ``next`` message up to its payload: ``{"id":"<id>","type":"next","payload":``
    write: Callable[[str], Awaitable[None]]  # one text frame to the member's socket
    is_open: Callable[[], bool]  # false once the operation completed (the client's ``complete`` too)


@dataclass(frozen=True)
class GroupKey:
    principal: Principal
    query: str
    operation_name: str | None
    variables: str  # canonical JSON, without the variable that only sets ``after``
    # A digest of the credentials an upstream-routed load forwards (the caller's token), "" when the
    # loads forward none: members whose upstream calls would carry other credentials do not share.
    credentials: str = ""


class _Yields:
    """Whether the task gave the event loop a turn since ``armed``: a socket write that did waited for
    the socket to drain (uvicorn's send waits only then). Wall time would also count the process being
    descheduled, which a loaded machine does often; a loop turn is what the other members wait for."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._handle: asyncio.Handle | None = None
        self._ran = False

    def arm(self) -> None:
        self._ran = False
        if self._handle is None:
            self._handle = self._loop.call_soon(self._mark)

    def _mark(self) -> None:
        self._handle, self._ran = None, True

    def ran(self) -> bool:
        """Whether the loop turned since armed (then armed again)."""
        ran, self._ran = self._ran, False
        if ran:
            self.arm()
        return ran

    def disarm(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


class Group:
    """Subscriptions that share each event's payload; it lives as long as one of them does."""

    def __init__(self, key: GroupKey) -> None:
        self.key = key
        self.members = 0
        self.driver: LiveDelivery | None = None  # the member whose deliveries also reach the parked ones
        self.last: int | None = None  # the last position the driver sent (then wrote to the parked)
        self.parked: dict[LiveDelivery, None] = {}  # in step with the driver, in the order they parked

    async def fan_out(self, position: int, payload: str | None) -> None:
        """Write the driver's position ``position`` to every parked member (None: nothing to send)."""
        members = list(self.parked)
        # From here, a member in step with the driver has ``position`` already: it may park after it.
        self.last = position
        failed_from, frames, yields = 0, 0, _Yields()
        yields.arm()
        try:
            for index, member in enumerate(members):
                failed_from = index
                frames += await self._write(member, position, payload, yields)
        except BaseException:
            # The driver was cancelled mid-way: the members that did not get ``position`` resume
            # their own streams from their last one.
            for member in members[failed_from:]:
                member.unpark()
            raise
        finally:
            yields.disarm()
            if frames:
                metrics.subscription_fanout_frames.inc(frames)

    async def _write(self, member: LiveDelivery, position: int, payload: str | None, yields: _Yields) -> int:
        """Write ``position`` to a parked member (nothing when its payload is None): the frames written."""
        if member not in self.parked:
            return 0  # left or resumed meanwhile
        frames = member.frames
        assert frames is not None
        if payload is None or not frames.is_open():
            member.last = position
            return 0
        try:
            await frames.write(frames.head + payload + "}")
        except Exception:  # its socket is gone: its own stream meets that itself, and ends
            member.unpark()
            return 0
        member.last = position
        if yields.ran():
            member.unpark()  # it waited for its socket: on its own stream, only it waits
            metrics.subscription_unparked_slow.inc()
        return 1

    def driver_left(self, driver: LiveDelivery) -> None:
        if self.driver is not driver:
            return
        self.driver = None
        if self.parked:  # the first parked member drives on from the group's last position
            successor = next(iter(self.parked))
            self.driver = successor
            successor.unpark()


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

    def __init__(self, schema: Schema, encode: Callable[[object], str]) -> None:
        self.schema = schema
        self.encode = encode
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

    def join(self) -> None:
        if self._group is None:
            self._group = self.multiplexer.join(self._key())

    def leave(self) -> None:
        if self._group is not None:
            group = self._group
            self.unpark()
            group.driver_left(self)
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
        drives = self.frames is not None and (group.driver is None or group.driver is self)
        waited = False
        if payload is not None:
            if drives:  # whether its own socket holds the group up
                yields = _Yields()
                yields.arm()
                try:
                    await self._send(orjson.Fragment(payload))
                    waited = yields.ran()
                finally:
                    yields.disarm()
            else:
                await self._send(orjson.Fragment(payload))
        self.last = position
        if self.frames is None:
            return
        if group.driver is None:
            group.driver = self
        if group.driver is self:
            slow = waited and bool(group.parked)
            await group.fan_out(position, payload)
            if slow:  # its socket held the group up: a parked member drives on, this one goes its own way
                group.driver_left(self)

    def in_step(self) -> bool:
        """Whether the driver's next position is this member's next one: then it may park."""
        group = self._group
        return (
            self.frames is not None
            and group is not None
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

    def unpark(self) -> None:
        """Back to the member's own stream, from the last position written to it."""
        resume, self._resume = self._resume, None
        if resume is None:
            return
        metrics.subscription_parked.dec()
        metrics.subscriptions_active.dec()
        if self._group is not None:
            self._group.parked.pop(self, None)
        if not resume.done():
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
