"""``Contact.profilePhoto`` (seed 003 contact_information/profile_photo/view): what the photo is and
where the gateway streams it; loaded for every contact of a level with one backend call."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import strawberry

from gateway.backends.photos import ProfilePhotoRecord
from resolvers.common.ids import encode_global_id

PHOTO_PATH = "/contacts/{id}/profile-photo"
# Images a browser shows as they are; others (SVG may carry scripts, TIFF is seldom shown) are refused.
PHOTO_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


def photo_path(contact_id: UUID) -> str:
    return PHOTO_PATH.format(id=encode_global_id("Contact", contact_id))


@strawberry.type(description="A contact's profile photo (seed 003 contact_information/profile_photo).")
class ProfilePhoto:
    record: strawberry.Private[ProfilePhotoRecord]

    @strawberry.field(description="The file name, as uploaded (seed 003 `file_name`).")
    def file_name(self) -> str:
        return self.record.file_name

    @strawberry.field(description="The image's media type, e.g. image/jpeg (seed 003 `file_mime_type`).")
    def content_type(self) -> str:
        return self.record.content_type

    @strawberry.field(description="Size in bytes; null where the contact's system does not say (CRM.COM).")
    def size(self) -> int | None:
        return self.record.size

    @strawberry.field(
        description="Where `GET` streams the image (seed 003 `file_content_url`): relative to the gateway, "
        "with the same credentials as /graphql, checked on every request; never a public link."
    )
    def download_path(self) -> str:
        return photo_path(self.record.contact_id)


async def profile_photo_of(info: strawberry.Info, contact_id: UUID) -> Any:
    record = await info.context.loaders.profile_photos().load(contact_id)
    return ProfilePhoto(record=record) if record is not None else None
