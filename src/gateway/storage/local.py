"""Documents in a local directory: ``<root>/<tenant>/<uuid>``, written to a hidden part file first and
renamed into place once complete, so a reader never sees half a file and a failure leaves none."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

from gateway.storage.base import CHUNK_BYTES, StorageError, to_thread_to_the_end


class LocalStorage:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        parts = key.split("/")
        if not all(part and part not in (".", "..") for part in parts):
            raise StorageError("a storage key must be a relative path without '.' or '..'")
        return self.root.joinpath(*parts)

    async def save(self, key: str, source: BinaryIO, size: int, content_type: str) -> None:
        try:
            await to_thread_to_the_end(self._save, self._path(key), source, size)
        except OSError as error:
            raise StorageError(f"the document could not be written ({error.strerror})") from None

    def _save(self, path: Path, source: BinaryIO, size: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f".{path.name}.part")
        try:
            with part.open("wb") as target:
                shutil.copyfileobj(source, target, CHUNK_BYTES)
                if target.tell() != size:
                    raise StorageError(f"wrote {target.tell()} bytes where {size} were expected")
            os.replace(part, path)
        except BaseException:
            part.unlink(missing_ok=True)
            raise

    async def read(self, key: str) -> AsyncIterator[bytes]:
        path = self._path(key)
        try:
            file = await asyncio.to_thread(path.open, "rb")
        except OSError as error:
            raise StorageError(f"the stored document cannot be read ({error.strerror})") from None
        try:
            while chunk := await asyncio.to_thread(file.read, CHUNK_BYTES):
                yield chunk
        finally:
            file.close()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, True)

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).is_file)

    def leftovers(self) -> list[Path]:
        """Every file under the root, part files included: what tests check after a failed upload."""
        return [path for path in self.root.rglob("*") if path.is_file()] if self.root.exists() else []

    async def close(self) -> None:
        return None
