"""Publish/subscribe for subscription events: in-process (one replica) or Redis (across replicas).

Messages are small JSON objects that carry ids only, never data: every subscriber loads what an event
names through its own tenant-scoped, row-ruled backend, so what it receives is exactly what it may read.
Each subscription has a bounded buffer. Whenever a subscriber may have missed messages (its buffer
overflowed, the Redis connection was lost, a publish failed), it receives ``RESYNC`` instead: every
event is in a durable log (the queue event log, the communication number), so the subscriber reads
what it missed from there rather than losing it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.asyncio.client import PubSub as RedisPubSub
from redis.exceptions import RedisError

from gateway.backends.base import QueueEvent
from gateway.backends.records import CommunicationRecord
from gateway.outages import pubsub_unavailable
from gateway.redis_urls import redis_client
from gateway.settings import Settings

log = logging.getLogger(__name__)
Message = dict[str, Any]
CHANNEL_PREFIX = "crm-gateway:events:"
SUBSCRIBE_TIMEOUT_SECONDS = 10
# While Redis is unreachable, subscribers are told to read the log this often: they keep receiving
# the events committed meanwhile (late by at most this much), instead of nothing until Redis returns.
OUTAGE_RESYNC_SECONDS = 1.0
# "You may have missed messages: read the log from your last event up to its newest."
RESYNC_TYPE = "resync"
RESYNC: Message = {"type": RESYNC_TYPE}


QUEUE_EVENT = "queue"  # the ``type`` of a published communication-queue event
COMMUNICATION_CREATED = "communicationCreated"  # the ``type`` of a published new communication


def queue_event_message(event: QueueEvent) -> dict[str, Any]:
    """What subscribers learn of a queue event: ids only; each loads the entry with its own rights.

    Published after the commit of a mutation that logged the event, or by an upstream queue's poller.
    """
    return {
        "type": QUEUE_EVENT,
        "sequence": event.sequence,
        "kind": event.kind,
        "entryId": str(event.entry_id),
        "occurredAt": event.occurred_at.isoformat(),
    }


def communication_created_message(communication: CommunicationRecord) -> dict[str, Any]:
    """What ``communicationCreated`` subscribers learn of a new communication, once it committed."""
    return {
        "type": COMMUNICATION_CREATED,
        "communicationId": str(communication.id),
        "contactId": str(communication.contact_id),
        "number": int(communication.number),
    }


def tenant_channel(tenant: str) -> str:
    """One channel per tenant: a subscriber never even receives the ids of another tenant's events."""
    return CHANNEL_PREFIX + tenant


class Subscription:
    """One subscriber's bounded queue of messages; iterate it to receive them.

    ``types``: the message types it receives (``RESYNC`` always), None for all. A subscriber of one
    kind of event is then neither queued nor woken for the tenant's other kinds.
    """

    def __init__(self, buffer: int, types: frozenset[str] | None = None) -> None:
        self._queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=max(buffer, 1))
        self.types = None if types is None else types | {RESYNC_TYPE}

    def offer(self, message: Message) -> None:
        """Queue a message; on a full buffer what is queued is dropped for one ``RESYNC``.

        The subscriber then reads the events it did not receive from the log, at its own pace, so a
        slow subscriber costs a bounded buffer and loses nothing.
        """
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(RESYNC)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Message:
        return await self._queue.get()


class PubSub(Protocol):
    @property
    def connected(self) -> bool:
        """False while an outage is on: the existing subscriptions read the log meanwhile."""
        ...

    async def publish(self, channel: str, message: Message) -> None: ...

    def subscribe(
        self, channel: str, buffer: int, types: frozenset[str] | None = None, resuming: bool = False
    ) -> contextlib.AbstractAsyncContextManager[Subscription]:
        """Subscribed once entered: a message published after that (of ``types``, or any when None) is
        delivered to it. ``resuming``: a subscriber that was subscribed before (a parked group member,
        gateway.multiplex) and is taken in during an outage as the existing subscriptions are."""
        ...

    async def close(self) -> None: ...


class LocalPubSub:
    """In-process fan-out: what one process publishes reaches the subscribers of that process."""

    connected = True  # in process: never out

    def __init__(self) -> None:
        self._subscribers: defaultdict[str, set[Subscription]] = defaultdict(set)

    async def publish(self, channel: str, message: Message) -> None:
        self.deliver(channel, message)

    def deliver(self, channel: str, message: Message) -> None:
        kind = message.get("type")
        for subscription in list(self._subscribers.get(channel, ())):
            if subscription.types is None or kind in subscription.types:
                subscription.offer(message)

    def deliver_everywhere(self, message: Message) -> None:
        for channel in list(self._subscribers):
            self.deliver(channel, message)

    def has_subscribers(self, channel: str) -> bool:
        return bool(self._subscribers.get(channel))

    @contextlib.asynccontextmanager
    async def subscribe(
        self, channel: str, buffer: int, types: frozenset[str] | None = None, resuming: bool = False
    ) -> AsyncIterator[Subscription]:
        subscription = Subscription(buffer, types)
        self._subscribers[channel].add(subscription)
        try:
            yield subscription
        finally:
            self._forget(channel, subscription)

    def _forget(self, channel: str, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(channel)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[channel]

    async def close(self) -> None:
        self._subscribers.clear()


class RedisFanOut:
    """Fan-out through Redis: a message published on any replica reaches the subscribers on all of them.

    Each process holds one Redis subscription per channel that has local subscribers, and one reader
    task that hands what arrives to the local subscribers. Messages published while a connection is
    down are lost by Redis, so a lost connection, its return, and a failed publish each end in a
    ``RESYNC`` for the subscribers concerned (see ``OUTAGE_RESYNC_SECONDS``).
    """

    def __init__(self, url: str) -> None:
        self._redis: Redis = redis_client(url)
        self._pubsub: RedisPubSub = self._redis.pubsub(ignore_subscribe_messages=False)
        self._local = LocalPubSub()
        self._confirmed: dict[str, asyncio.Event] = {}
        self._lock = asyncio.Lock()
        self._reader: asyncio.Task[None] | None = None
        self.connected = True  # false from a lost connection until Redis confirms the subscriptions again
        self._owed: set[str] = set()  # channels whose publish failed: a RESYNC goes out once Redis is back
        self._repayer: asyncio.Task[None] | None = None
        self._leaving: set[asyncio.Task[None]] = set()  # channels left once an outage is over

    async def publish(self, channel: str, message: Message) -> None:
        try:
            await self._redis.publish(channel, json.dumps(message, separators=(",", ":")))
        except RedisError:
            self._owed.add(channel)
            if self._repayer is None or self._repayer.done():
                self._repayer = asyncio.create_task(self._repay())
            raise

    async def _repay(self) -> None:
        """Publish ``RESYNC`` on the channels whose publish failed, once Redis takes it: subscribers
        whose own connection never dropped then still read the events they did not receive."""
        while self._owed:
            await asyncio.sleep(OUTAGE_RESYNC_SECONDS)
            for channel in list(self._owed):
                with contextlib.suppress(RedisError):
                    await self._redis.publish(channel, json.dumps(RESYNC))
                    self._owed.discard(channel)

    @contextlib.asynccontextmanager
    async def subscribe(
        self, channel: str, buffer: int, types: frozenset[str] | None = None, resuming: bool = False
    ) -> AsyncIterator[Subscription]:
        async with self._local.subscribe(channel, buffer, types) as subscription:
            await self._ensure_subscribed(channel, resuming)
            try:
                yield subscription
            finally:
                await self._maybe_unsubscribe(channel)

    async def _ensure_subscribed(self, channel: str, resuming: bool = False) -> None:
        """Subscribe the process to ``channel`` and wait for Redis to confirm it (so nothing slips by).

        Refused with PUBSUB_UNAVAILABLE while Redis is unreachable: the client retries, rather than
        receiving an acknowledgement and then nothing. A ``resuming`` subscriber (acknowledged long
        ago, back from being parked in its group) joins a channel subscribed before the outage
        instead: like the subscriptions that were open when it began, it reads the log every
        ``OUTAGE_RESYNC_SECONDS`` and once more when Redis confirms the channel again.
        """
        async with self._lock:
            confirmed = self._confirmed.get(channel)
            if confirmed is not None and confirmed.is_set() and not self.connected:
                if resuming:
                    return
                raise pubsub_unavailable()  # the channel's Redis subscription is down
            if confirmed is None:
                confirmed = self._confirmed[channel] = asyncio.Event()
                try:
                    await self._pubsub.subscribe(channel)
                except RedisError as error:
                    del self._confirmed[channel]
                    raise pubsub_unavailable() from error
            if self._reader is None:
                self._reader = asyncio.create_task(self._read())
        try:
            await asyncio.wait_for(confirmed.wait(), SUBSCRIBE_TIMEOUT_SECONDS)
        except TimeoutError:
            raise pubsub_unavailable() from None

    async def _maybe_unsubscribe(self, channel: str) -> None:
        async with self._lock:
            if self._local.has_subscribers(channel) or channel not in self._confirmed:
                return
            if not self.connected:  # kept for members resuming during the outage; left once it is over
                return
            del self._confirmed[channel]
            with contextlib.suppress(Exception):  # the connection may be gone; nothing to undo then
                await self._pubsub.unsubscribe(channel)

    async def _read(self) -> None:
        while True:
            try:
                if not self._pubsub.subscribed:
                    await asyncio.sleep(0.05)
                    continue
                raw = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:  # a dropped connection: redis-py reconnects and resubscribes on a later read
                log.warning("reading from Redis pub/sub failed; retrying", exc_info=True)
                self.connected = False
                self._local.deliver_everywhere(RESYNC)  # meanwhile, subscribers read the log
                await asyncio.sleep(OUTAGE_RESYNC_SECONDS)
                continue
            if raw is not None:
                self._dispatch(raw)

    def _dispatch(self, raw: dict[str, Any]) -> None:
        channel = _text(raw["channel"])
        if raw["type"] == "subscribe":
            self._confirm(channel)
        elif raw["type"] == "message":
            try:
                message = json.loads(raw["data"])
            except ValueError:
                log.warning("ignored a malformed message on %s", channel)
                return
            self._local.deliver(channel, message)

    def _confirm(self, channel: str) -> None:
        """A subscription confirmed; again after a lost connection: what was published meanwhile is
        lost, so the channel's subscribers read it from the log."""
        self.connected = True
        confirmed = self._confirmed.get(channel)
        if confirmed is None:
            return
        if confirmed.is_set():
            self._local.deliver(channel, RESYNC)
            if not self._local.has_subscribers(channel):  # its last subscriber left during the outage
                leaving = asyncio.get_running_loop().create_task(self._maybe_unsubscribe(channel))
                self._leaving.add(leaving)
                leaving.add_done_callback(self._leaving.discard)
        confirmed.set()

    async def close(self) -> None:
        for task in (self._reader, self._repayer):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._pubsub.aclose()
        await self._redis.aclose()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def create_pubsub(settings: Settings) -> PubSub:
    """Redis when ``CRM_GATEWAY_REDIS_URL`` is set (events reach every replica), else in-process."""
    if settings.redis_url:
        return RedisFanOut(settings.redis_url)
    return LocalPubSub()
