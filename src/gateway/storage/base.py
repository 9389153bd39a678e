"""The storage protocol of document contents: blobs written whole under a key, read as a stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import BinaryIO, Protocol

CHUNK_BYTES = 256 * 1024


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
