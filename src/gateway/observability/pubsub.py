"""Counts what goes through pub/sub: events published, publishing failures, subscriptions listening,
and how long an event takes from publishing to a subscriber (stamped into the message on publish)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any, cast

from gateway.observability import metrics
from gateway.pubsub import Message, PubSub, Subscription

PUBLISHED_AT = "publishedAt"  # wall clock: replicas on other machines compare clocks too


class ObservedPubSub:
    """A ``PubSub`` that measures the one it wraps; whatever else that one offers passes through."""

    def __init__(self, inner: PubSub) -> None:
        self.inner = inner

    async def publish(self, channel: str, message: Message) -> None:
        try:
            await self.inner.publish(channel, {**message, PUBLISHED_AT: time.time()})
        except Exception:
            metrics.pubsub_publish_failures.inc()
            raise
        metrics.pubsub_published.inc()

    @contextlib.asynccontextmanager
    async def subscribe(
        self, channel: str, buffer: int, types: frozenset[str] | None = None, resuming: bool = False
    ) -> AsyncIterator[Subscription]:
        async with self.inner.subscribe(channel, buffer, types, resuming) as subscription:
            metrics.subscriptions_active.inc()
            try:
                yield cast(Subscription, _Timed(subscription))  # all of a Subscription passes through
            finally:
                metrics.subscriptions_active.dec()

    @property
    def connected(self) -> bool:
        return self.inner.connected

    async def close(self) -> None:
        await self.inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _Timed:
    """A subscription whose messages are timed as they are taken."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __aiter__(self) -> _Timed:
        return self

    async def __anext__(self) -> Message:
        message: Message = await self.inner.__anext__()
        published = message.get(PUBLISHED_AT)
        if isinstance(published, int | float):
            metrics.pubsub_lag.observe(max(time.time() - published, 0.0))
        return message

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
