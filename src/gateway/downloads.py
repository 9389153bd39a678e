"""``GET /documents/{id}`` and ``GET /contacts/{id}/profile-photo``: stored bytes, streamed after the
checks of any read.

The caller authenticates as on ``/graphql`` (Bearer token or API key), and every request checks its
tenant, the permission (``CRM_DOC_VIEW``; ``CUST_READ`` for a photo) and the row rules (the document
row, or the contact, is read through the caller's backend, which shows a document only where the
caller may read its owner). ``id`` is the document's or contact's global ID; there are no public or
signed links to share. A photo that CRM.COM keeps is streamed from CRM.COM by the connector.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from gateway.auth import AuthenticationError, JwksUnavailable, Principal
from gateway.backends.base import CapabilityNotServed
from gateway.backends.photos import PhotoGone, photo_reads
from gateway.backends.records import DocumentRecord, Entity
from gateway.backends.rest.errors import UpstreamError
from gateway.cost import Cost
from gateway.globalids import InvalidId, decode_id_of
from gateway.http import GraphQLView, Refused
from gateway.permissions import CRM_DOC_VIEW, CUST_READ
from gateway.storage import BlobStorage, StorageError

log = logging.getLogger("gateway.downloads")
UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass(frozen=True)
class Found:
    """What a download answers: its headers' values and where its bytes come from."""

    name: str
    content_type: str
    size: int | None
    chunks: Callable[[], AsyncIterator[bytes]]
    what: str  # for the log: "document <id>"


class CheckedDownloads:
    """``GET`` (and ``HEAD``) of stored bytes: the caller authenticated as on /graphql, rate limited,
    holding ``permission``; ``find`` applies the tenant and row rules through the caller's backend."""

    permission: str
    not_found = "No such document."

    def __init__(self, view: GraphQLView, storage: BlobStorage) -> None:
        self.view = view
        self.storage = storage

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        request_id = uuid.uuid4().hex[:16]
        try:
            response = await self._answer(request, request_id)
        except Refused as refusal:
            response = refusal.response(request_id)
        await response(scope, receive, send)

    async def _answer(self, request: Request, request_id: str) -> Response:
        if request.method not in ("GET", "HEAD"):
            message = f"{request.method} is not allowed here; fetch it with GET."
            raise Refused(405, "METHOD_NOT_ALLOWED", message, {"Allow": "GET, HEAD"})
        principal = await self._principal(request)
        await self.view._check_rate(request, principal)
        if not principal.has(self.permission):
            raise _forbidden(self.permission)
        backend, _ = self.view.strawberry.backend(principal, Cost(), request.headers.get("authorization"))
        try:
            found = await self.find(request.path_params["id"], backend)
        except UpstreamError as error:  # the upstream keeping the contact or photo cannot answer now
            log.error("request %s: %s cannot be looked up: %s", request_id, request.url.path, error)
            message = "The system that keeps it cannot answer now; try again later."
            raise Refused(503, error.code, message, {"Retry-After": "10"}) from None
        if found is None:
            raise Refused(404, "NOT_FOUND", self.not_found)
        headers = _headers(found, request_id)
        if request.method == "HEAD":
            return Response(headers=headers, media_type=found.content_type)
        chunks = await self._opened(found, request_id)
        return StreamingResponse(chunks, headers=headers, media_type=found.content_type)

    async def find(self, global_id: str, backend: Any) -> Found | None:
        raise NotImplementedError

    def stored(self, key: str) -> Callable[[], AsyncIterator[bytes]]:
        return lambda: self.storage.read(key)

    async def _principal(self, request: Request) -> Principal:
        headers = request.headers
        try:
            return await self.view.credentials.principal(
                headers.get("authorization"), headers.get("x-api-key")
            )
        except AuthenticationError as error:
            raise Refused(401, "UNAUTHENTICATED", str(error), {"WWW-Authenticate": "Bearer"}) from None
        except JwksUnavailable as error:
            raise Refused(503, "SERVICE_UNAVAILABLE", str(error), {"Retry-After": "10"}) from None

    async def _opened(self, found: Found, request_id: str) -> AsyncIterator[bytes]:
        """The bytes, their first chunk read already: a missing blob is an answer, not a cut body."""
        chunks = found.chunks()
        try:
            first = await anext(chunks, b"")
        except PhotoGone as gone:
            log.info("request %s: %s is gone: %s", request_id, found.what, gone)
            raise Refused(404, "NOT_FOUND", self.not_found) from None
        except (StorageError, UpstreamError) as error:
            log.error("request %s: %s cannot be read: %s", request_id, found.what, error)
            raise Refused(503, "STORAGE_UNAVAILABLE", "The file cannot be read now.") from None

        async def rest() -> AsyncIterator[bytes]:
            yield first
            async for chunk in chunks:
                yield chunk

        return rest()


class DocumentDownloads(CheckedDownloads):
    """``GET /documents/{id}``: ``CRM_DOC_VIEW``; the backend shows a document only where the caller
    may read its owner."""

    permission = CRM_DOC_VIEW

    async def find(self, global_id: str, backend: Any) -> Found | None:
        try:
            document_id = decode_id_of(global_id, "Document")
        except InvalidId:
            return None
        document = (await backend.get_many(Entity.DOCUMENT, [document_id])).get(document_id)
        if not isinstance(document, DocumentRecord):  # also when the owner is hidden from the caller
            return None
        chunks = self.stored(document.storage_key)
        return Found(document.name, document.content_type, document.size, chunks, f"document {document.id}")


class ProfilePhotoDownloads(CheckedDownloads):
    """``GET /contacts/{id}/profile-photo``: ``CUST_READ`` and a contact the caller may read."""

    permission = CUST_READ
    not_found = "No such profile photo."

    async def find(self, global_id: str, backend: Any) -> Found | None:
        try:
            contact_id = decode_id_of(global_id, "Contact")
            holder = photo_reads(backend)
        except (InvalidId, CapabilityNotServed):
            return None
        if contact_id not in await backend.get_many(Entity.CONTACT, [contact_id]):  # tenant, row rules
            return None
        photo = (await holder.profile_photos([contact_id])).get(contact_id)
        if isinstance(photo, Exception):
            raise photo
        if photo is None:
            return None
        if photo.storage_key is not None:
            chunks = self.stored(photo.storage_key)
        else:
            chunks = partial(holder.photo_content, photo)
        what = f"the profile photo of contact {contact_id}"
        return Found(photo.file_name, photo.content_type, photo.size, chunks, what)


def _headers(found: Found, request_id: str) -> dict[str, str]:
    length = {} if found.size is None else {"Content-Length": str(found.size)}
    return {
        **length,
        "Content-Disposition": content_disposition(found.name),
        "X-Content-Type-Options": "nosniff",  # never rendered as something else than its type
        "Cache-Control": "private, no-store",
        "x-request-id": request_id,
    }


def content_disposition(name: str) -> str:
    """``attachment`` (never rendered in the gateway's origin), with an ASCII name and the UTF-8 one."""
    fallback = UNSAFE.sub("_", name).strip(" .") or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _forbidden(permission: str) -> Refused:
    return Refused(403, "FORBIDDEN", f"Permission denied: this needs {permission}.")
