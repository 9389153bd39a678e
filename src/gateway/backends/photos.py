"""Contact profile photos (seed 003 contact_information/profile_photo view, add, remove): the record and
the protocols of the systems that keep them.

The system that holds a contact holds its photo: the SQL backend keeps a row per photo and the bytes in
the gateway's document storage (``gateway.storage``); CRM.COM keeps photo and bytes itself
(``upstream_photos``), and the gateway streams them through its own checked route.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO, Protocol, runtime_checkable
from uuid import UUID

from gateway.backends.base import Capability, CapabilityNotServed
from gateway.backends.records import Entity


@dataclass(frozen=True, kw_only=True)
class ProfilePhotoRecord:
    contact_id: UUID
    file_name: str
    content_type: str
    size: int | None = None  # CRM.COM's view does not say (seed 003 L3793-3798)
    storage_key: str | None = None  # where the gateway's storage keeps the bytes (SQL)
    content_url: str | None = None  # where the upstream serves them (CRM.COM ``file_content_url``)
    date_created: datetime | None = None
    created_by: str | None = None


class PhotoGone(Exception):
    """The photo went away between the look that named it and the read of its bytes (removed meanwhile):
    a download answers 404, as when there was none, not a failure of the system that kept it."""


# A contact's photo, or why it could not be read (an upstream error, raised where it is used).
PhotoOrFailure = ProfilePhotoRecord | Exception


@dataclass(frozen=True)
class NewProfilePhoto:
    """A checked upload: ``size`` bytes of an image type, read from ``source``."""

    source: BinaryIO
    file_name: str
    content_type: str
    size: int


@runtime_checkable
class ProfilePhotos(Protocol):
    # True: the system keeps the bytes and serves them (``photo_content``); False: the gateway's storage.
    upstream_photos: bool

    async def profile_photos(self, contact_ids: Sequence[UUID]) -> Mapping[UUID, PhotoOrFailure]:
        """The photos of those contacts that have one, in one call where the system allows it. Where
        the system is asked per contact (CRM.COM), a contact whose photo could not be read maps to
        that failure, for that contact alone."""
        ...

    def photo_content(self, photo: ProfilePhotoRecord) -> AsyncIterator[bytes]:
        """The bytes of a photo the system keeps itself (``upstream_photos``)."""
        ...


@runtime_checkable
class ProfilePhotoWrites(Protocol):
    async def put_profile_photo(
        self, contact_id: UUID, photo: NewProfilePhoto, storage_key: str | None, actor: str
    ) -> ProfilePhotoRecord | None:
        """Make ``photo`` the contact's (stored under ``storage_key`` by the gateway, or sent upstream
        when that is None); returns the photo it replaced."""
        ...

    async def remove_profile_photo(self, contact_id: UUID) -> ProfilePhotoRecord | None:
        """Remove the contact's photo; returns it (None when there was none)."""
        ...


def photo_reads(backend: Any) -> ProfilePhotos:
    """The photos of the system holding contacts: the backend itself, or the routed backend's one."""
    holder = backend.backend_for(Entity.CONTACT) if hasattr(backend, "backend_for") else backend
    if not isinstance(holder, ProfilePhotos):
        raise CapabilityNotServed(Capability.PROFILE_PHOTOS, "The contacts' backend")
    return holder


async def photo_writes(writer: Any) -> ProfilePhotoWrites:
    """The writer of the system holding contacts, in the request's transaction."""
    holder = await writer.writer_for(Entity.CONTACT) if hasattr(writer, "writer_for") else writer
    if not isinstance(holder, ProfilePhotoWrites):
        raise CapabilityNotServed(Capability.PROFILE_PHOTOS, "The contacts' backend")
    return holder
