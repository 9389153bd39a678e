"""Live subscriptions: communication queue events and a contact's new communications.

A published message names what happened by id only. The entry or communication is loaded through the
subscriber's tenant-scoped, row-ruled backend, so every event is checked against the subscriber's
tenant and permissions at the moment it is delivered: an entry it may not read does not arrive.

Each subscriber's stream here decides which positions (queue sequences, communication numbers) it
delivers and in what order: after ``after``, live, gaps filled from the log. What a position holds is
loaded, completed and encoded once for all subscribers of its group (``gateway.multiplex``).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import datetime as dt
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine
from enum import Enum
from functools import partial
from typing import Annotated, Any, TypeVar
from uuid import UUID

import strawberry

from gateway.backends.query import AllOf, Condition, FilterExpr, ListQuery, Op, PageRequest
from gateway.backends.records import CommunicationQueueEntryRecord, Entity
from gateway.context import RequestContext
from gateway.errors import GatewayError, InvalidCursor
from gateway.multiplex import Build, LiveDelivery
from gateway.outages import (
    DatabaseUnavailable,
    PubSubUnavailable,
    database_unavailable,
    outage_error,
    pubsub_unavailable,
)
from gateway.permissions import CRM_COMMUNICATION_VIEW, CRM_QUEUE_VIEW, visible_media
from gateway.pubsub import QUEUE_EVENT, RESYNC_TYPE, Message, tenant_channel
from resolvers.common.filters import compile_filter
from resolvers.common.ids import decode_id_of
from resolvers.common.mutations import COMMUNICATION_CREATED
from resolvers.common.node import node_from_record
from resolvers.common.permissions import RequirePermission, reads
from resolvers.communications.inputs import CommunicationQueueEntryFilter
from resolvers.communications.types import Communication, CommunicationQueueEntry

ENTRY = Entity.COMMUNICATION_QUEUE_ENTRY
REPLAY_PAGE = 500
CURSOR_PREFIX = "queue-event:"
CREATED_CURSOR_PREFIX = "communication-number:"
T = TypeVar("T")


@strawberry.enum(description="What happened to a communication queue entry.")
class CommunicationQueueEventKind(Enum):
    ENQUEUED = strawberry.enum_value("ENQUEUED", description="A sent communication entered the queue.")
    CLAIMED = strawberry.enum_value("CLAIMED", description="A worker leased the entry.")
    COMPLETED = strawberry.enum_value("COMPLETED", description="The external system sent it.")
    REJECTED = strawberry.enum_value("REJECTED", description="The external system rejected it.")
    REMOVED = strawberry.enum_value("REMOVED", description="It was removed from the queue.")


@strawberry.type(description="Something that happened to a communication queue entry.")
class CommunicationQueueEvent:
    kind: CommunicationQueueEventKind = strawberry.field(description="What happened.")
    cursor: str = strawberry.field(
        description="Where this event is in your tenant's event log: subscribe again with "
        "`after: <cursor>` to receive every later event."
    )
    occurred_at: dt.datetime = strawberry.field(description="When it happened.")
    entry: CommunicationQueueEntry | None = strawberry.field(
        description="The entry as it is now.", extensions=reads(ENTRY)
    )


@strawberry.type(description="A communication that was just created.")
class CommunicationCreatedEvent:
    cursor: str = strawberry.field(
        description="Subscribe again with `after: <cursor>` to receive every later communication."
    )
    communication: Communication | None = strawberry.field(
        description="The new communication.", extensions=reads(Entity.COMMUNICATION)
    )


def encode_event_cursor(sequence: int, prefix: str = CURSOR_PREFIX) -> str:
    return base64.urlsafe_b64encode(f"{prefix}{sequence}".encode()).decode().rstrip("=")


def decode_event_cursor(cursor: str, prefix: str = CURSOR_PREFIX) -> int:
    what = "a queue event" if prefix == CURSOR_PREFIX else "a communicationCreated"
    try:
        text = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidCursor(f"the cursor is not {what} cursor") from None
    number = text.removeprefix(prefix)
    if not text.startswith(prefix) or not number.isdigit() or len(number) > 18:
        raise InvalidCursor(f"the cursor is not {what} cursor")
    return int(number)


class RequireForSubscription(RequirePermission):
    """``requires`` for a subscription: checks before the event stream starts, hands the stream on."""

    async def resolve_async(self, next_: Any, source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        self.resolve(lambda *_, **__: None, source, info, **kwargs)  # raises FORBIDDEN
        return next_(source, info, **kwargs)


async def _visible_entry(
    context: RequestContext, entry_id: UUID, condition: FilterExpr | None
) -> CommunicationQueueEntryRecord | None:
    """The entry when the subscriber may read it and it matches the filter, else None."""
    conditions: tuple[FilterExpr, ...] = (Condition("id", Op.EQ, entry_id),)
    if condition is not None:
        conditions += (condition,)
    query = ListQuery(filter=AllOf(conditions), page=PageRequest(first=1))
    rows = (await context.backend.page(ENTRY, query)).rows
    if not rows:
        return None
    entry = rows[0]
    assert isinstance(entry, CommunicationQueueEntryRecord)
    access = context.backend.access  # type: ignore[attr-defined]  # every backend serving a request has it
    if not access.admin and entry.media not in visible_media(access.permissions):
        return None  # CRM_VIEW_EMAIL / CRM_VIEW_SMS: what the media rule hides from queries
    if not await context.backend.get_many(Entity.CONTACT, [entry.contact_id]):
        return None  # the contact's row rules hide it from this subscriber
    return entry


async def _queue_event(
    sequence: int,
    kind: str,
    entry_id: UUID,
    occurred_at: dt.datetime,
    condition: FilterExpr | None,
    context: RequestContext,
) -> CommunicationQueueEvent | None:
    entry = await _visible_entry(context, entry_id, condition)
    if entry is None:
        return None
    return CommunicationQueueEvent(
        kind=CommunicationQueueEventKind(kind),
        cursor=encode_event_cursor(sequence),
        occurred_at=occurred_at,
        entry=node_from_record(ENTRY, entry),
    )


async def _delivered(
    info: strawberry.Info, events: Callable[[int | None], AsyncGenerator[tuple[int, Build], None]]
) -> AsyncIterator[Any]:
    """On a WebSocket, each position goes out as its group's payload (``gateway.multiplex``) and nothing
    is yielded; elsewhere (no group), the events are yielded for graphql-core to complete one by one.

    ``events(None)`` starts where the operation says (its ``after``), ``events(position)`` after that
    position: where a member resumes its own stream after being parked in its group."""
    live = info.context.live
    if live is None:
        async for _, build in events(None):
            info.context.loaders.clear()  # each event reads current data, not what an earlier one cached
            if (event := await build(info.context)) is not None:
                yield event
        return
    live.join()
    try:
        await _in_own_task(_deliver_each(live, events))
    except Exception as error:
        live.leave(_every_members(error))
        raise
    finally:
        live.leave()


def _every_members(error: Exception) -> Callable[[], GatewayError] | None:
    """For an outage (the database's, the pub/sub's), a fresh error of the same code for each parked
    member the leaving driver fed: each would have met it on a stream of its own, and at once. None for
    anything else (e.g. the driver's own socket): the group is handed on."""
    outage = outage_error(error) or error
    if isinstance(outage, DatabaseUnavailable):
        return database_unavailable
    if isinstance(outage, PubSubUnavailable):
        return pubsub_unavailable
    return None


async def _deliver_each(
    live: LiveDelivery, events: Callable[[int | None], AsyncGenerator[tuple[int, Build], None]]
) -> None:
    """The member's own stream until it is in step with its group's driver; then parked (no wake-up
    per event) until resumed, from the last position written to it."""
    resume: int | None = None
    while True:
        parked: asyncio.Future[int] | None = None
        # Closed here, in the member's task, when the loop ends or is cancelled: the events' generators
        # leave their pub/sub subscription before the operation ends, not when the collector finds them.
        async with contextlib.aclosing(events(resume)) as stream:
            async for position, build in stream:
                if live.in_step():  # the driver has not sent this position yet: it will
                    parked = live.park()
                    break
                await live.deliver(position, build)
                if live.in_step():
                    parked = live.park()
                    break
        if parked is None:
            return
        try:
            resume = await parked
        finally:
            live.unpark()


async def _in_own_task(delivering: Coroutine[Any, Any, None]) -> None:
    """Run a member's delivery loop in a task of its own, and wait for it.

    A member wakes twice per event (its message, then its group's payload). In the operation's task
    each wake-up resumes the whole chain above this loop (Strawberry's operation and result stream,
    graphql-core's mapping, the resolver's generators) before reaching it; in its own task, only the
    loop itself. Cancelling the operation cancels the task (awaiting a task passes the cancel on),
    and what the loop raises is raised here, so outages and errors end the stream as before.
    """
    task = asyncio.get_running_loop().create_task(delivering)  # the context (observation) is copied
    try:
        await task
    finally:
        if not task.done():  # only when something other than a cancel interrupted the wait
            task.cancel()


async def _told_outages(events: AsyncIterator[T]) -> AsyncIterator[T]:
    """The events; a lost database or Redis connection ends them with DATABASE_UNAVAILABLE or
    PUBSUB_UNAVAILABLE (subscribe again with `after`), not "Internal error"."""
    try:
        async for event in events:
            yield event
    except Exception as error:
        if (outage := outage_error(error)) is None:
            raise
        raise outage from error


def _subscribe(info: strawberry.Info, kind: str, resuming: bool) -> Any:
    """The tenant's messages of ``kind`` (and RESYNC): the other kinds do not even wake the stream.

    ``resuming``: a parked member going back to its own stream; during a pub/sub outage it joins the
    process's subscription as the members that never parked keep theirs (gateway.pubsub)."""
    context = info.context
    if context.pubsub is None:
        raise GatewayError("Subscriptions are not available here.")
    channel = tenant_channel(context.principal.tenant)
    kinds = frozenset({kind})
    return context.pubsub.subscribe(channel, context.settings.subscription_buffer, kinds, resuming=resuming)


def _replay_from(resume: int | None, after: str | None, prefix: str) -> int | None:
    """Where a stream's replay starts: after ``resume`` (a member resuming its own stream), else after
    the operation's ``after`` cursor, else nowhere (live events only)."""
    if resume is not None:
        return resume
    return decode_event_cursor(after, prefix) if after is not None else None


def _started(info: strawberry.Info) -> None:
    """The stream is live (subscribed, the log's end read): a successor tells its group so."""
    if info.context.live is not None:
        info.context.live.started()


@strawberry.type
class CommunicationSubscription:
    @strawberry.subscription(
        description="Events of your tenant's communication queue as they happen (ENQUEUED, CLAIMED, "
        "COMPLETED, REJECTED, REMOVED), for the entries that match `filter` (as in "
        "`communicationQueueEntries`) and that you may read. With `after`, the events you missed since "
        "that cursor come first, then live ones, without gaps or duplicates.",
        extensions=[RequireForSubscription(CRM_QUEUE_VIEW)],
    )
    async def communication_queue_updated(
        self,
        info: strawberry.Info,
        filter: Annotated[
            CommunicationQueueEntryFilter | None,
            strawberry.argument(description="Only events of entries matching this (as they are now)."),
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="Replay the events after this event cursor first.")
        ] = None,
    ) -> AsyncGenerator[CommunicationQueueEvent | None, None]:
        events = partial(_queue_updates, info, filter, after)
        async for event in _told_outages(_delivered(info, events)):
            yield event

    @strawberry.subscription(
        description="Communications created for a contact: its live timeline. With `after`, those created "
        "since that cursor come first, then live ones, without gaps or duplicates. Those whose media you "
        "may not view (CRM_VIEW_EMAIL, CRM_VIEW_SMS) or, incoming, receive (CRM_RECEIVE_EMAIL, "
        "CRM_RECEIVE_SMS) do not arrive.",
        extensions=[RequireForSubscription(CRM_COMMUNICATION_VIEW)],
    )
    async def communication_created(
        self,
        info: strawberry.Info,
        contact_id: Annotated[strawberry.ID, strawberry.argument(description="The contact's ID.")],
        after: Annotated[
            str | None,
            strawberry.argument(description="Replay the communications after this event cursor first."),
        ] = None,
    ) -> AsyncGenerator[CommunicationCreatedEvent | None, None]:
        events = partial(_created, info, contact_id, after)
        async for event in _told_outages(_delivered(info, events)):
            yield event


async def _queue_updates(
    info: strawberry.Info,
    filter: CommunicationQueueEntryFilter | None,
    after: str | None,
    resume: int | None = None,
) -> AsyncGenerator[tuple[int, Build], None]:
    """The sequences after ``resume`` (a member resuming its own stream), else after ``after``."""
    condition = compile_filter(filter)
    replay_from = _replay_from(resume, after, CURSOR_PREFIX)
    backend = info.context.backend
    async with _subscribe(info, QUEUE_EVENT, resume is not None) as stream:  # before the replay reads
        # Sequences commit in order, so every event up to the newest one seen is in the log: the
        # stream stays gapless and in order even when publishes cross or one was lost.
        latest = await backend.latest_queue_event_sequence()
        _started(info)
        last = _resume_point(replay_from, latest, "event log")
        async for sequence, build in _loadable(_replay(info, last, upto=latest), condition):  # missed
            last = sequence
            yield sequence, build
        async for message in stream:
            if message.get("type") == RESYNC_TYPE:  # perhaps some were missed: read the log
                events = _replay(info, last, upto=await backend.latest_queue_event_sequence())
            elif message.get("type") == QUEUE_EVENT and message["sequence"] == last + 1:  # the next one
                last = message["sequence"]
                yield last, _live_queue_event(message, condition)
                continue
            elif message.get("type") == QUEUE_EVENT and message["sequence"] > last:
                events = _with_gap_filled(info, last, message)
            else:
                continue  # not a queue event, or delivered already
            async for sequence, build in _loadable(events, condition):
                last = sequence
                yield sequence, build


def _resume_point(replay_from: int | None, latest: int, log: str) -> int:
    """Where the replay starts: the cursor's position, or the newest one without a cursor."""
    if replay_from is not None and replay_from > latest:
        raise InvalidCursor(f"the cursor is ahead of your tenant's {log}")
    return latest if replay_from is None else replay_from


async def _loadable(
    events: AsyncIterator[tuple[int, str, UUID, dt.datetime]], condition: FilterExpr | None
) -> AsyncIterator[tuple[int, Build]]:
    """Each event's sequence, with how to load it as a subscriber sees it (None: not for its eyes)."""
    async for sequence, kind, entry_id, occurred_at in events:
        yield sequence, partial(_queue_event, sequence, kind, entry_id, occurred_at, condition)


def _live_queue_event(message: Message, condition: FilterExpr | None) -> Build:
    """How to load a live queue event (what ``_with_gap_filled`` and ``_loadable`` give for it when no
    event is missing before it, without their generators: the path every live event takes).

    The message is read when the event is loaded, not here: every member of a group takes the same
    message, but only the one that produces the group's payload loads it (py-spy put the ids and the
    time parsed per member at ~3% of a gateway's CPU per delivery)."""
    return partial(_message_queue_event, message, condition)


async def _message_queue_event(
    message: Message, condition: FilterExpr | None, context: RequestContext
) -> CommunicationQueueEvent | None:
    occurred_at = dt.datetime.fromisoformat(message["occurredAt"])
    sequence, entry_id = int(message["sequence"]), UUID(message["entryId"])
    return await _queue_event(sequence, message["kind"], entry_id, occurred_at, condition, context)


async def _created(
    info: strawberry.Info, contact_id: strawberry.ID, after: str | None, resume: int | None = None
) -> AsyncGenerator[tuple[int, Build], None]:
    """The numbers after ``resume`` (a member resuming its own stream), else after ``after``."""
    contact = decode_id_of(contact_id, "Contact")
    replay_from = _replay_from(resume, after, CREATED_CURSOR_PREFIX)
    backend = info.context.backend
    async with _subscribe(info, COMMUNICATION_CREATED, resume is not None) as stream:  # before the replay
        latest = await backend.latest_communication_number()
        _started(info)
        start = _resume_point(replay_from, latest, "communications")
        async for event in _numbered(info, contact, start, latest):  # missed ones
            yield event
        last = latest
        async for message in stream:
            live: Message | None = None
            if message.get("type") == RESYNC_TYPE:  # perhaps some were missed: read the log
                upto = await backend.latest_communication_number()
            elif message.get("type") == COMMUNICATION_CREATED and int(message.get("number", 0)) > last:
                # Numbers commit in order: those between the last one and this one were missed.
                upto, live = int(message["number"]) - 1, message
            else:
                continue  # not a new communication, or delivered already
            async for event in _numbered(info, contact, last, upto):
                yield event
            last = max(last, upto)
            if live is not None:
                last = int(live["number"])
                if live.get("contactId") == str(contact):  # another contact's costs no load, no context
                    yield last, partial(_live_communication, live)


async def _live_communication(message: Message, context: RequestContext) -> CommunicationCreatedEvent | None:
    backend = context.backend
    communication_id = UUID(message["communicationId"])
    record = (await backend.get_many(Entity.COMMUNICATION, [communication_id])).get(communication_id)
    if record is None or not await backend.get_many(Entity.CONTACT, [record.contact_id]):  # type: ignore[attr-defined]
        return None
    return _created_event(int(message["number"]), node_from_record(Entity.COMMUNICATION, record))


async def _numbered(
    info: strawberry.Info, contact: UUID, after: int, upto: int
) -> AsyncIterator[tuple[int, Build]]:
    """The contact's communications numbered after ``after`` up to ``upto``, in number (= commit) order."""
    backend = info.context.backend
    while after < upto:
        missed = await backend.communications_numbered_after(contact, after, upto, REPLAY_PAGE)
        # Only the counter's decimal numbers have a place in the order; imported ones do not.
        numbered = [record for record in missed if record.number.isdigit()]
        for record in numbered:
            event = _created_event(int(record.number), node_from_record(Entity.COMMUNICATION, record))
            yield int(record.number), partial(_loaded, event)
        numbers = [int(record.number) for record in numbered]
        after = max(numbers) if len(missed) == REPLAY_PAGE and numbers else upto


async def _loaded(event: CommunicationCreatedEvent, _context: RequestContext) -> CommunicationCreatedEvent:
    """A replayed communication: read from the log already, with the subscriber's rules."""
    return event


def _created_event(number: int, communication: Any) -> CommunicationCreatedEvent:
    return CommunicationCreatedEvent(
        cursor=encode_event_cursor(number, CREATED_CURSOR_PREFIX), communication=communication
    )


async def _with_gap_filled(
    info: strawberry.Info, last: int, message: Message
) -> AsyncIterator[tuple[int, str, UUID, dt.datetime]]:
    """The events before a live one that did not arrive (yet), read from the log, then the live one."""
    sequence = int(message["sequence"])
    if sequence > last + 1:
        async for event in _replay(info, last, upto=sequence - 1):
            yield event
    occurred_at = dt.datetime.fromisoformat(message["occurredAt"])
    yield sequence, message["kind"], UUID(message["entryId"]), occurred_at


async def _replay(
    info: strawberry.Info, after: int, upto: int
) -> AsyncIterator[tuple[int, str, UUID, dt.datetime]]:
    """The tenant's logged events after ``after`` up to ``upto``, page by page, oldest first."""
    while after < upto:
        events = await info.context.backend.queue_events_after(after, min(REPLAY_PAGE, upto - after))
        for event in events:
            yield event.sequence, event.kind, event.entry_id, event.occurred_at
        if not events:
            return
        after = events[-1].sequence
