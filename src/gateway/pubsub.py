"""Publish/subscribe for subscription events: in-process (one replica) or Redis (across replicas).

Messages are small JSON objects that carry ids only, never data: every subscriber loads what an event
names through its own tenant-scoped, row-ruled backend, so what it receives is exactly what it may read.
Each subscription has a bounded buffer; a subscriber that falls behind is ended with
``SubscriptionOverflow`` instead of letting the buffer grow.
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

from gateway.backends.base import QueueEvent
from gateway.redis_urls import redis_client
from gateway.settings import Settings

log = logging.getLogger(__name__)
Message = dict[str, Any]
CHANNEL_PREFIX = "crm-gateway:events:"
SUBSCRIBE_TIMEOUT_SECONDS = 10


QUEUE_EVENT = "queue"  # the ``type`` of a published communication-queue event


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


def tenant_channel(tenant: str) -> str:
    """One channel per tenant: a subscriber never even receives the ids of another tenant's events."""
    return CHANNEL_PREFIX + tenant


class SubscriptionOverflow(Exception):
    """The subscriber did not keep up: its buffer filled and later events were not kept."""


class Subscription:
    """One subscriber's bounded queue of messages; iterate it to receive them."""

    def __init__(self, buffer: int) -> None:
        self._queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=buffer)
        self.overflowed = False

    def offer(self, message: Message) -> None:
        """Queue a message; on a full buffer the subscription is marked overflowed and stops taking more."""
        if self.overflowed:
            return
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed = True
            self._queue = asyncio.Queue(maxsize=1)  # drop what is queued: the subscriber must resubscribe
            self._queue.put_nowait({})  # wakes a waiting reader so that it sees the overflow

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Message:
        message = await self._queue.get()
        if self.overflowed:
            raise SubscriptionOverflow
        return message


class PubSub(Protocol):
    async def publish(self, channel: str, message: Message) -> None: ...

    def subscribe(self, channel: str, buffer: int) -> contextlib.AbstractAsyncContextManager[Subscription]:
        """Subscribed once entered: a message published after that is delivered to it."""
        ...

    async def close(self) -> None: ...


class LocalPubSub:
    """In-process fan-out: what one process publishes reaches the subscribers of that process."""

    def __init__(self) -> None:
        self._subscribers: defaultdict[str, set[Subscription]] = defaultdict(set)

    async def publish(self, channel: str, message: Message) -> None:
        self.deliver(channel, message)

    def deliver(self, channel: str, message: Message) -> None:
        for subscription in list(self._subscribers.get(channel, ())):
            subscription.offer(message)

    def has_subscribers(self, channel: str) -> bool:
        return bool(self._subscribers.get(channel))

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str, buffer: int) -> AsyncIterator[Subscription]:
        subscription = Subscription(buffer)
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
    task that hands what arrives to the local subscribers.
    """

    def __init__(self, url: str) -> None:
        self._redis: Redis = redis_client(url)
        self._pubsub: RedisPubSub = self._redis.pubsub(ignore_subscribe_messages=False)
        self._local = LocalPubSub()
        self._confirmed: dict[str, asyncio.Event] = {}
        self._lock = asyncio.Lock()
        self._reader: asyncio.Task[None] | None = None

    async def publish(self, channel: str, message: Message) -> None:
        await self._redis.publish(channel, json.dumps(message, separators=(",", ":")))

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str, buffer: int) -> AsyncIterator[Subscription]:
        async with self._local.subscribe(channel, buffer) as subscription:
            await self._ensure_subscribed(channel)
            try:
                yield subscription
            finally:
                await self._maybe_unsubscribe(channel)

    async def _ensure_subscribed(self, channel: str) -> None:
        """Subscribe the process to ``channel`` and wait for Redis to confirm it (so nothing slips by)."""
        async with self._lock:
            confirmed = self._confirmed.get(channel)
            if confirmed is None:
                confirmed = self._confirmed[channel] = asyncio.Event()
                await self._pubsub.subscribe(channel)
            if self._reader is None:
                self._reader = asyncio.create_task(self._read())
        await asyncio.wait_for(confirmed.wait(), SUBSCRIBE_TIMEOUT_SECONDS)

    async def _maybe_unsubscribe(self, channel: str) -> None:
        async with self._lock:
            if self._local.has_subscribers(channel) or channel not in self._confirmed:
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
            except Exception:  # a dropped connection: redis-py reconnects and resubscribes on the next read
                log.warning("reading from Redis pub/sub failed; retrying", exc_info=True)
                await asyncio.sleep(1)
                continue
            if raw is not None:
                self._dispatch(raw)

    def _dispatch(self, raw: dict[str, Any]) -> None:
        channel = _text(raw["channel"])
        if raw["type"] == "subscribe":
            if (confirmed := self._confirmed.get(channel)) is not None:
                confirmed.set()
        elif raw["type"] == "message":
            try:
                message = json.loads(raw["data"])
            except ValueError:
                log.warning("ignored a malformed message on %s", channel)
                return
            self._local.deliver(channel, message)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        await self._pubsub.aclose()
        await self._redis.aclose()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def create_pubsub(settings: Settings) -> PubSub:
    """Redis when ``CRM_GATEWAY_REDIS_URL`` is set (events reach every replica), else in-process."""
    if settings.redis_url:
        return RedisFanOut(settings.redis_url)
    return LocalPubSub()
