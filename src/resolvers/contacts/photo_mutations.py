"""``contactProfilePhotoAdd`` / ``contactProfilePhotoRemove`` (seed 003 profile_photo/add, remove).

The file is checked as a document upload is (size, CRM1109 when missing) and must be an image
(``PHOTO_TYPES``, else CRM1106). Where the gateway keeps the contact (SQL), the bytes go to the document
storage first and the row follows in one transaction; the replaced photo's file is deleted once that has
committed, the new one if it does not. Where CRM.COM keeps it, the file is posted to profile_photo/add.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

import strawberry
from strawberry.file_uploads import Upload

from gateway.backends.base import RecordWriter
from gateway.backends.photos import NewProfilePhoto, ProfilePhotoRecord, photo_reads, photo_writes
from gateway.backends.records import Entity
from gateway.ids import uuid7
from gateway.permissions import CUST_WRITE
from gateway.storage import StorageError
from resolvers.common.crud import argument
from resolvers.common.crud.fields import mutation_field, payload_type
from resolvers.common.errors import UserError, UserErrors
from resolvers.common.ids import decode_id_of
from resolvers.common.links import load_node
from resolvers.common.mutations import in_transaction
from resolvers.common.permissions import requires
from resolvers.contacts.errors import contact_not_found
from resolvers.contacts.photo import PHOTO_TYPES
from resolvers.contacts.types import Contact
from resolvers.documents.files import checked_file
from resolvers.documents.mutations import file_storage, stored_then

log = logging.getLogger(__name__)
CONTACT_PATH = ["input", "contactId"]


@strawberry.input(description="Whose profile photo to set; the image travels as `file`.")
class ContactProfilePhotoAddInput:
    contact_id: strawberry.ID = strawberry.field(description="The contact's ID.")


@strawberry.input(description="Whose profile photo to remove.")
class ContactProfilePhotoRemoveInput:
    contact_id: strawberry.ID = strawberry.field(description="The contact's ID.")


AddPayload = payload_type(
    "ContactProfilePhotoAddPayload",
    "Result of `contactProfilePhotoAdd`.",
    ("contact", Contact | None, "The contact with its new `profilePhoto`; null when `errors` says why."),
    "Why nothing changed: REQUIRED (CRM1109, no file), INVALID (CRM1106, not an image), TOO_LARGE, "
    "NOT_FOUND (CUST1102, no such contact).",
)
RemovePayload = payload_type(
    "ContactProfilePhotoRemovePayload",
    "Result of `contactProfilePhotoRemove`.",
    ("contact", Contact | None, "The contact, now without a `profilePhoto`; null when `errors` says why."),
    "Why nothing changed: NOT_FOUND (CUST1102, no such contact).",
)


async def _visible_contact(info: strawberry.Info, contact_id: strawberry.ID) -> UUID | UserError:
    """The contact's id when the caller sees it (tenant, row rules), else CUST1102."""
    record_id = decode_id_of(contact_id, "Contact")
    if await info.context.loaders.by_id(Entity.CONTACT).load(record_id) is None:
        return contact_not_found(CONTACT_PATH)
    return record_id


async def add(info: strawberry.Info, input: ContactProfilePhotoAddInput, file: Upload) -> Any:
    checked = checked_file(file, info.context.settings, PHOTO_TYPES)
    if isinstance(checked, UserError):
        return AddPayload(contact=None, errors=[checked])
    contact_id = await _visible_contact(info, input.contact_id)
    if isinstance(contact_id, UserError):
        return AddPayload(contact=None, errors=[contact_id])
    photo = NewProfilePhoto(checked.source, checked.name, checked.content_type, checked.size)
    upstream = photo_reads(info.context.backend).upstream_photos
    key = None if upstream else f"{info.context.principal.tenant}/{uuid7()}"

    async def put(writer: RecordWriter) -> ProfilePhotoRecord | None:
        photos = await photo_writes(writer)
        return await photos.put_profile_photo(contact_id, photo, key, info.context.actor)

    try:
        if key is None:
            replaced, errors = await in_transaction(info, put)
            if errors:
                return AddPayload(contact=None, errors=errors)
        else:
            replaced = await stored_then(info, key, checked, put)
    except UserErrors as failure:
        return AddPayload(contact=None, errors=failure.errors)
    await _delete_file(info, replaced)
    return AddPayload(contact=await load_node(info, Entity.CONTACT, contact_id), errors=[])


async def remove(info: strawberry.Info, input: ContactProfilePhotoRemoveInput) -> Any:
    contact_id = await _visible_contact(info, input.contact_id)
    if isinstance(contact_id, UserError):
        return RemovePayload(contact=None, errors=[contact_id])

    async def take(writer: RecordWriter) -> ProfilePhotoRecord | None:
        return await (await photo_writes(writer)).remove_profile_photo(contact_id)

    removed, errors = await in_transaction(info, take)
    if errors:
        return RemovePayload(contact=None, errors=errors)
    await _delete_file(info, removed)
    return RemovePayload(contact=await load_node(info, Entity.CONTACT, contact_id), errors=[])


async def _delete_file(info: strawberry.Info, photo: ProfilePhotoRecord | None) -> None:
    """After the commit: a file is never gone while its row stays. A failure is logged, never raised."""
    if photo is None or photo.storage_key is None:
        return
    try:
        await file_storage(info).delete(photo.storage_key)
    except StorageError:
        log.exception("a replaced profile photo's file (%s) was not deleted", photo.storage_key)


ContactProfilePhotoMutation = strawberry.type(
    type(
        "ContactProfilePhotoMutation",
        (),
        {
            "contact_profile_photo_add": mutation_field(
                add,
                [
                    argument("input", ContactProfilePhotoAddInput, "Whose photo it is."),
                    argument("file", Upload, "The image, as a part of a GraphQL multipart request."),
                ],
                AddPayload,
                "Set a contact's profile photo, replacing any it had (seed 003 profile_photo/add). "
                "Checked for size and type (images only) before anything is stored; on any failure "
                "nothing is kept.",
                requires(CUST_WRITE),
            ),
            "contact_profile_photo_remove": mutation_field(
                remove,
                [argument("input", ContactProfilePhotoRemoveInput, "Whose photo to remove.")],
                RemovePayload,
                "Remove a contact's profile photo, its file too (seed 003 profile_photo/remove); a "
                "contact without one is left as it is.",
                requires(CUST_WRITE),
            ),
        },
    )
)
