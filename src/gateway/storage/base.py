"""The storage protocol of document contents: blobs written whole under a key, read as a stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, BinaryIO, Protocol, TypeVar

CHUNK_BYTES = 256 * 1024
T = TypeVar("T")


async def to_thread_to_the_end(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``asyncio.to_thread``, but a cancelled caller waits for the thread before it stops: a thread
    cannot be stopped, and a write that went on behind the caller's back would put a file in place
    after the caller had cleaned up after itself."""
    work = asyncio.ensure_future(asyncio.to_thread(function, *args, **kwargs))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        await asyncio.wait([work])
        raise


class StorageError(Exception):
    """The store failed; the message names what failed, never a credential or an endpoint's secret."""


class BlobStorage(Protocol):
    async def save(self, key: str, source: BinaryIO, size: int, content_type: str) -> None:
        """Store ``size`` bytes read from ``source`` under ``key``: all of them, or nothing at all."""
        ...

    def read(self, key: str) -> AsyncIterator[bytes]:
        """The stored bytes, in chunks of at most ``CHUNK_BYTES``; ``StorageError`` if there are none."""
        ...

    async def delete(self, key: str) -> None:
        """Forget the blob; a missing one is no error."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def close(self) -> None: ...
