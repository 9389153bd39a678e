"""``GET /documents/{id}``: a document's bytes, streamed from storage after the checks of any read.

The caller authenticates as on ``/graphql`` (Bearer token or API key), and every request checks its
tenant, ``CRM_DOC_VIEW`` and the row rules (the document row is read through the caller's backend,
which shows a document only where the caller may read its owner). ``id`` is the document's
global ID; there are no public or signed links to share.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from gateway.auth import AuthenticationError, JwksUnavailable, Principal
from gateway.backends.records import DocumentRecord, Entity
from gateway.cost import Cost
from gateway.http import GraphQLView, Refused
from gateway.permissions import CRM_DOC_VIEW
from gateway.storage import BlobStorage, StorageError
from resolvers.common.ids import InvalidId, decode_id_of

log = logging.getLogger("gateway.downloads")
UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


class DocumentDownloads:
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
            message = f"{request.method} is not allowed here; fetch a document with GET."
            raise Refused(405, "METHOD_NOT_ALLOWED", message, {"Allow": "GET, HEAD"})
        principal = await self._principal(request)
        await self.view._check_rate(request, principal)
        if not principal.has(CRM_DOC_VIEW):
            raise _forbidden(CRM_DOC_VIEW)
        try:
            document_id = decode_id_of(request.path_params["id"], "Document")
        except InvalidId:
            raise _not_found() from None
        backend, _ = self.view.strawberry.backend(principal, Cost(), request.headers.get("authorization"))
        document = (await backend.get_many(Entity.DOCUMENT, [document_id])).get(document_id)
        if not isinstance(document, DocumentRecord):  # also when the owner is hidden from the caller
            raise _not_found()
        headers = _headers(document, request_id)
        if request.method == "HEAD":
            return Response(headers=headers, media_type=document.content_type)
        chunks = await self._opened(document, request_id)
        return StreamingResponse(chunks, headers=headers, media_type=document.content_type)

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

    async def _opened(self, document: DocumentRecord, request_id: str) -> AsyncIterator[bytes]:
        """The stored bytes, their first chunk read already: a missing blob is an answer, not a cut body."""
        chunks = self.storage.read(document.storage_key)
        try:
            first = await anext(chunks, b"")
        except StorageError as error:
            log.error("request %s: document %s cannot be read: %s", request_id, document.id, error)
            raise Refused(503, "STORAGE_UNAVAILABLE", "The document's file cannot be read now.") from None

        async def rest() -> AsyncIterator[bytes]:
            yield first
            async for chunk in chunks:
                yield chunk

        return rest()


def _headers(document: DocumentRecord, request_id: str) -> dict[str, str]:
    return {
        "Content-Length": str(document.size),
        "Content-Disposition": content_disposition(document.name),
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


def _not_found() -> Refused:
    return Refused(404, "NOT_FOUND", "No such document.")
