"""Document mutations: upload (multipart), update the description (CRUD factory), remove (row and file)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import UUID

import strawberry
from strawberry.file_uploads import Upload

from gateway.backends.base import RecordWriter
from gateway.backends.records import DocumentRecord, Entity
from gateway.errors import GatewayError
from gateway.ids import uuid7
from gateway.outages import CommitOutcomeUnknown
from gateway.permissions import CRM_DOC_REMOVE, CRM_DOC_UPLOAD
from gateway.storage import BlobStorage, StorageError
from resolvers.common.crud import UPDATE, CrudMutations, Texts, argument, optional_argument
from resolvers.common.crud.fields import mutation_field, payload_type
from resolvers.common.errors import UserError, UserErrors
from resolvers.common.ids import InvalidId, decode_global_id, decode_id_of
from resolvers.common.links import load_node
from resolvers.common.mutations import ExpectedVersion, check_changed, current_record, in_transaction
from resolvers.common.permissions import READ_PERMISSIONS, require, requires
from resolvers.documents.errors import REMOVED, document_not_found, owner_not_found
from resolvers.documents.files import CheckedFile, checked_file
from resolvers.documents.inputs import DOCUMENT_COLUMNS, DocumentUpdateInput, DocumentUploadInput
from resolvers.documents.types import Document

log = logging.getLogger(__name__)
T = TypeVar("T")
OWNERS = {"Contact": Entity.CONTACT, "Account": Entity.ACCOUNT}


class StorageUnavailable(GatewayError):
    code = "STORAGE_UNAVAILABLE"


class DocumentCrud(CrudMutations):
    node, create_input, update_input = Document, DocumentUpdateInput, DocumentUpdateInput
    permissions = {UPDATE: CRM_DOC_UPLOAD}
    columns, operations = DOCUMENT_COLUMNS, (UPDATE,)
    texts = {
        UPDATE: Texts(
            "Change a document's description (its file stays as uploaded); CRM1118 when it cannot.",
            errors="Why nothing changed: NOT_FOUND (CRM1118) or CONFLICT.",
        )
    }

    def not_found(self, path: list[str] | None = None) -> UserError:
        return document_not_found(path)


UploadPayload = payload_type(
    "DocumentUploadPayload",
    "Result of `documentUpload`.",
    ("document", Document | None, "The stored document; null when `errors` says why not."),
    "Why nothing was stored: CRM1109 (no file), CRM1106 (type), TOO_LARGE, NOT_FOUND (owner).",
)
RemovePayload = payload_type(
    "DocumentRemovePayload",
    "Result of `documentRemove`.",
    ("deleted_id", strawberry.ID | None, "The removed document's ID (seed code CRM1114); null on errors."),
    "Why nothing was removed: NOT_FOUND (CRM1118) or CONFLICT.",
)


def file_storage(info: strawberry.Info) -> BlobStorage:
    storage = info.context.storage
    if storage is None:
        raise StorageUnavailable("This gateway keeps no documents (no storage is configured).")
    return storage  # type: ignore[no-any-return]


def _owner(owner_id: str) -> tuple[str, UUID]:
    type_name, record_id = decode_global_id(owner_id)
    if type_name not in OWNERS:
        raise InvalidId(f"ID '{owner_id[:80]}' is not the ID of a Contact or Account")
    return type_name, record_id


async def upload(info: strawberry.Info, input: DocumentUploadInput, file: Upload) -> Any:
    type_name, owner_id = _owner(input.owner_id)
    checked = checked_file(file, info.context.settings)
    if isinstance(checked, UserError):
        return UploadPayload(document=None, errors=[checked])
    require(info, READ_PERMISSIONS[OWNERS[type_name]])
    if await info.context.loaders.by_id(OWNERS[type_name]).load(owner_id) is None:
        return UploadPayload(document=None, errors=[owner_not_found(type_name)])
    key = f"{info.context.principal.tenant}/{uuid7()}"
    record_id = await _stored(info, key, checked, type_name, owner_id, input.description)
    return UploadPayload(document=await load_node(info, Entity.DOCUMENT, record_id), errors=[])


async def _stored(
    info: strawberry.Info,
    key: str,
    file: CheckedFile,
    owner_type: str,
    owner_id: UUID,
    description: str | None,
) -> UUID:
    values = {
        "owner_id": owner_id,
        "owner_type": owner_type,
        "name": file.name,
        "extension": file.extension,
        "content_type": file.content_type,
        "size": file.size,
        "description": description,
        "storage_key": key,
    }

    async def insert(writer: RecordWriter) -> UUID:
        return await writer.insert(Entity.DOCUMENT, values, info.context.actor)

    return await stored_then(info, key, file, insert)


async def stored_then(
    info: strawberry.Info, key: str, file: CheckedFile, write: Callable[[RecordWriter], Awaitable[T]]
) -> T:
    """The file saved under ``key``, then ``write`` in a transaction: the file is deleted again unless
    that commits (errors, a cancelled request, a lost database), so neither is left without the other."""
    storage = file_storage(info)
    try:
        await storage.save(key, file.source, file.size, file.content_type)
        result, errors = await in_transaction(info, write)
    except CommitOutcomeUnknown:
        # The row may have committed: its file stays (a file without a row is the lesser harm).
        log.warning("stored file %s kept: whether its row committed is unknown", key)
        raise
    except BaseException as failure:
        await forget_file(storage, key)
        if isinstance(failure, StorageError):
            raise StorageUnavailable("The file could not be saved.", seedCode="CRM1108") from None
        raise
    if errors:  # refused with errors: nothing committed
        await forget_file(storage, key)
        raise UserErrors(errors)
    return result  # type: ignore[return-value]


async def forget_file(storage: BlobStorage, key: str) -> None:
    """Delete a file even while the request is being cancelled; log (never raise) a failure."""
    try:
        await asyncio.shield(storage.delete(key))
    except BaseException:
        log.exception("an uploaded file (%s) could not be deleted after its upload failed", key)


async def upload_checked(info: strawberry.Info, input: DocumentUploadInput, file: Upload) -> Any:
    try:
        return await upload(info, input, file)
    except UserErrors as failure:
        return UploadPayload(document=None, errors=failure.errors)


async def remove(info: strawberry.Info, id: strawberry.ID, expected_version: int | None = None) -> Any:
    record_id = decode_id_of(id, "Document")

    async def purge(writer: RecordWriter) -> str:
        record = await current_record(writer, Entity.DOCUMENT, record_id, document_not_found())
        assert isinstance(record, DocumentRecord)
        changed = await writer.purge(Entity.DOCUMENT, record_id, expected_version)
        await check_changed(writer, Entity.DOCUMENT, record_id, changed, document_not_found())
        return record.storage_key

    key, errors = await in_transaction(info, purge)
    if key is None:
        return RemovePayload(deleted_id=None, errors=errors)
    try:
        await file_storage(info).delete(key)  # after the commit: a file is never gone while its row stays
    except StorageError:
        log.exception("document %s was removed but its file (%s) was not deleted", record_id, key)
    log.info("%s: document %s removed", REMOVED, record_id)
    return RemovePayload(deleted_id=id, errors=[])


_UPLOAD_ARGUMENTS = [
    argument("input", DocumentUploadInput, "What the document is attached to, and its description."),
    argument("file", Upload, "The file, as a part of a GraphQL multipart request."),
]
_REMOVE_ARGUMENTS = [
    argument("id", strawberry.ID, "The document's ID."),
    optional_argument("expected_version", ExpectedVersion),
]

DocumentMutation = strawberry.type(
    type(
        "DocumentMutation",
        (DocumentCrud().mutation_type(),),
        {
            "document_upload": mutation_field(
                upload_checked,
                _UPLOAD_ARGUMENTS,
                UploadPayload,
                "Attach a file to a contact or an account (GraphQL multipart request spec). Checked "
                "for size and type before anything is stored; on any failure nothing is kept.",
                requires(CRM_DOC_UPLOAD),
            ),
            "document_remove": mutation_field(
                remove,
                _REMOVE_ARGUMENTS,
                RemovePayload,
                "Remove a document for good: its row and its file (seed code CRM1114).",
                requires(CRM_DOC_REMOVE),
            ),
        },
    )
)
