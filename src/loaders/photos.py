"""Contact profile photos, batched: one backend call for the photos of every contact of a level."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast
from uuid import UUID

from aiodataloader import DataLoader

from gateway.backends.base import RecordReader
from gateway.backends.photos import PhotoOrFailure, ProfilePhotoRecord, photo_reads


class ProfilePhotoByContactLoader(DataLoader[UUID, ProfilePhotoRecord | None]):
    def __init__(self, backend: RecordReader) -> None:
        super().__init__()
        self.backend = backend

    async def batch_load_fn(self, keys: Sequence[UUID]) -> list[ProfilePhotoRecord | None]:
        """A failure for one contact is that key's error (its ``profilePhoto`` alone is null, with the
        error and its path), not the batch's: aiodataloader raises an Exception value from that key's
        ``load`` alone."""
        found: Mapping[UUID, PhotoOrFailure] = await photo_reads(self.backend).profile_photos(keys)
        return cast("list[ProfilePhotoRecord | None]", [found.get(key) for key in keys])


PHOTO_LOADERS = {None: ProfilePhotoByContactLoader}
