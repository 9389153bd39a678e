"""Contact profile photos in SQL: one row per contact (``contact_profile_photos``), bytes in storage.

Reads are mixed into ``SqlReader`` (one statement for the photos of every contact asked together);
writes into ``SqlWriter``, in the request's transaction. The contact's own row rules are applied by
the caller reading the contact first: a photo is asked for only of contacts the caller sees.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

import sqlalchemy as sa

from gateway.backends.errors import Rejected
from gateway.backends.photos import NewProfilePhoto, ProfilePhotoRecord
from gateway.backends.sql import tables as t
from gateway.ids import utcnow, uuid7

S = TypeVar("S")
PHOTOS = t.contact_profile_photos
COLUMNS = ("contact_id", "file_name", "content_type", "size", "storage_key", "date_created", "created_by")


class SqlPhotoReads:
    """Mixed into ``SqlReader``: it supplies ``tenant`` and its statement helpers."""

    tenant: str
    upstream_photos = False  # the bytes are in the gateway's storage

    if TYPE_CHECKING:

        def _cached(self, key: tuple[Any, ...], build: Callable[[], S]) -> S: ...

        def _one_of(self, column: Any, name: str = ...) -> Any: ...

        async def _run_with(self, statement: sa.Executable, parameters: dict[str, Any] | None) -> Any: ...

    async def profile_photos(self, contact_ids: Sequence[UUID]) -> Mapping[UUID, ProfilePhotoRecord]:
        if not contact_ids:
            return {}
        statement = self._cached(
            ("profile_photos",),
            lambda: sa.select(*(PHOTOS.c[name] for name in COLUMNS)).where(
                PHOTOS.c.tenant == self.tenant, self._one_of(PHOTOS.c.contact_id)
            ),
        )
        result = await self._run_with(statement, {"ids": list(dict.fromkeys(contact_ids))})
        names = tuple(result.keys())  # a result, or on asyncpg the reader's ``direct.Rows``
        photos = [ProfilePhotoRecord(**dict(zip(names, row, strict=True))) for row in result.all()]
        return {photo.contact_id: photo for photo in photos}

    def photo_content(self, photo: ProfilePhotoRecord) -> AsyncIterator[bytes]:
        raise NotImplementedError("SQL photos are read from the document storage by their storage_key")


class SqlPhotoWrites:
    """Mixed into ``SqlWriter``: it supplies ``tenant``, ``_run`` and an open transaction."""

    tenant: str

    if TYPE_CHECKING:

        async def _run(self, statement: sa.Executable) -> Any: ...

        async def profile_photos(self, contact_ids: Sequence[UUID]) -> Mapping[UUID, ProfilePhotoRecord]: ...

    async def put_profile_photo(
        self, contact_id: UUID, photo: NewProfilePhoto, storage_key: str | None, actor: str
    ) -> ProfilePhotoRecord | None:
        assert storage_key is not None, "SQL keeps a photo's bytes in the gateway's storage"
        replaced = await self.remove_profile_photo(contact_id)
        values = {
            "id": uuid7(), "tenant": self.tenant, "contact_id": contact_id, "file_name": photo.file_name,
            "content_type": photo.content_type, "size": photo.size, "storage_key": storage_key,
            "date_created": utcnow(), "created_by": actor,
        }  # fmt: skip
        try:
            await self._run(sa.insert(PHOTOS).values(values))
        except sa.exc.IntegrityError:  # another request's photo for this contact committed meanwhile
            message = "The contact's profile photo was changed at the same time; try again."
            raise Rejected("CONFLICT", message, field="input") from None
        return replaced

    async def remove_profile_photo(self, contact_id: UUID) -> ProfilePhotoRecord | None:
        statement = (
            sa.delete(PHOTOS)
            .where(PHOTOS.c.tenant == self.tenant, PHOTOS.c.contact_id == contact_id)
            .returning(*(PHOTOS.c[name] for name in COLUMNS))
        )
        row = (await self._run(statement)).first()
        return ProfilePhotoRecord(**dict(zip(COLUMNS, row, strict=True))) if row is not None else None
