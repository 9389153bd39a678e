"""Contact profile photos, batched: one backend call for the photos of every contact of a level."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from aiodataloader import DataLoader

from gateway.backends.base import RecordReader
from gateway.backends.photos import ProfilePhotoRecord, photo_reads


class ProfilePhotoByContactLoader(DataLoader[UUID, ProfilePhotoRecord | None]):
    def __init__(self, backend: RecordReader) -> None:
        super().__init__()
        self.backend = backend

    async def batch_load_fn(self, keys: Sequence[UUID]) -> list[ProfilePhotoRecord | None]:
        found = await photo_reads(self.backend).profile_photos(keys)
        return [found.get(key) for key in keys]


PHOTO_LOADERS = {None: ProfilePhotoByContactLoader}
