"""Persisted queries: Apollo's automatic persisted queries (APQ) and a trusted-documents allow-list.

The HTTP view calls :meth:`PersistedQueries.prepare` after authentication and before Strawberry reads
the request, so this module only rewrites the GraphQL payload (it fills in ``query`` from a hash) or
refuses it; Strawberry then parses, validates and executes as it does for any request.

- APQ (https://github.com/apollographql/apollo-link-persisted-queries): a request carrying
  ``extensions.persistedQuery = {"version": 1, "sha256Hash": H}`` and no ``query`` runs the query
  stored under H, or gets ``PersistedQueryNotFound`` (HTTP 200) so the client resends it with the
  full text, which is checked against H, stored and run. The store is an in-process LRU, or Redis
  when ``CRM_GATEWAY_REDIS_URL`` is set so that every replica shares it.
- Trusted documents (``CRM_GATEWAY_TRUSTED_DOCUMENTS``): only the documents listed in a manifest
  run, asked for by hash or by full text; anything else is refused and nothing is ever registered.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

from graphql import GraphQLError, parse
from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway import safejson
from gateway.cost import Cost
from gateway.redis_urls import redis_client
from gateway.settings import Settings, SettingsError

log = logging.getLogger("gateway.persisted")

REDIS_KEY_PREFIX = "crm-gateway:apq:"
REDIS_TIMEOUT_SECONDS = 2.0
SUPPORTED_VERSION = 1
MANIFEST_FORMAT = "apollo-persisted-query-manifest"
SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


def sha256_hex(document: str) -> str:
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


class PersistedQueryError(Exception):
    """A refused persisted-query request: the message and code the client sees, and the HTTP status."""

    def __init__(self, message: str, code: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.status = status

    def as_error(self) -> dict[str, Any]:
        return {"message": str(self), "extensions": {"code": self.code}}


# Apollo clients recognise these two by message and code, and react (resend the full query, or stop
# using APQ); Apollo Server answers them with HTTP 200, so do we.
def _not_found() -> PersistedQueryError:
    return PersistedQueryError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND", 200)


def _not_supported() -> PersistedQueryError:
    return PersistedQueryError("PersistedQueryNotSupported", "PERSISTED_QUERY_NOT_SUPPORTED", 200)


def _not_allowed() -> PersistedQueryError:
    return PersistedQueryError(
        "This gateway runs only trusted documents, and this operation is not one of them",
        "PERSISTED_QUERY_NOT_ALLOWED",
    )


class QueryStore(Protocol):
    async def get(self, sha256: str) -> str | None: ...

    async def put(self, sha256: str, query: str) -> None: ...

    async def close(self) -> None: ...


class MemoryStore:
    """An in-process LRU of query texts by hash; never holds more than ``size`` entries, nor texts
    longer than ``max_bytes`` characters in all."""

    def __init__(self, size: int, max_bytes: int) -> None:
        self.size = size
        self.max_bytes = max_bytes
        self.length = 0  # of the texts held
        self._queries: OrderedDict[str, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._queries)

    async def get(self, sha256: str) -> str | None:
        query = self._queries.get(sha256)
        if query is not None:
            self._queries.move_to_end(sha256)
        return query

    async def put(self, sha256: str, query: str) -> None:
        if len(query) > self.max_bytes:
            return
        old = self._queries.pop(sha256, "")
        self._queries[sha256] = query
        self.length += len(query) - len(old)
        while len(self._queries) > self.size or self.length > self.max_bytes:
            self.length -= len(self._queries.popitem(last=False)[1])

    async def close(self) -> None:
        self._queries.clear()


class RedisStore:
    """Query texts in Redis with a TTL, shared by all replicas.

    Redis being unreachable is not the client's problem: a lookup then misses (the client resends
    the full query) and a registration is skipped. One warning per outage, not one per request.
    """

    def __init__(self, url: str, ttl_seconds: int) -> None:
        self.ttl_seconds = ttl_seconds
        self.client = redis_client(
            url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
        )
        self._available = True

    async def get(self, sha256: str) -> str | None:
        try:
            value = await self.client.get(REDIS_KEY_PREFIX + sha256)
        except (RedisError, OSError) as error:
            self._unavailable(error)
            return None
        self._recovered()
        return value.decode("utf-8") if isinstance(value, bytes) else value

    async def put(self, sha256: str, query: str) -> None:
        try:
            await self.client.set(REDIS_KEY_PREFIX + sha256, query.encode("utf-8"), ex=self.ttl_seconds)
        except (RedisError, OSError) as error:
            self._unavailable(error)
            return
        self._recovered()

    async def close(self) -> None:
        await self.client.aclose()

    def _unavailable(self, error: Exception) -> None:
        if self._available:
            # The error's class only: redis messages can quote the URL, and so its password.
            log.warning("persisted-query store (Redis) unavailable: %s", type(error).__name__)
        self._available = False

    def _recovered(self) -> None:
        if not self._available:
            log.info("persisted-query store (Redis) available again")
        self._available = True


@dataclass
class Prepared:
    """The request as Strawberry should see it."""

    query_string: bytes
    body: bytes


@dataclass
class Refusal:
    """Errors to answer instead of running anything; one list per operation of a JSON batch."""

    status: int
    errors: list[list[dict[str, Any]]] = field(default_factory=list)
    batch: bool = False

    def response(self, request_id: str) -> Response:
        bodies = [
            {
                "data": None,
                "errors": errors,
                "extensions": {"cost": Cost().as_extension(), "requestId": request_id},
            }
            for errors in self.errors
        ]
        content: Any = bodies if self.batch else bodies[0]
        return JSONResponse(content, status_code=self.status, headers={"x-request-id": request_id})


class PersistedQueries:
    """Turns APQ hashes into queries, registers new ones, and enforces the trusted-documents list."""

    def __init__(self, settings: Settings) -> None:
        self.trusted: dict[str, str] | None = None
        self.store: QueryStore | None = None
        self.max_query_bytes = settings.apq_max_query_bytes
        if settings.trusted_documents:
            self.trusted = load_manifest(Path(settings.trusted_documents))
        elif settings.apq and settings.redis_url:
            self.store = RedisStore(settings.redis_url, settings.apq_ttl_seconds)
        elif settings.apq:
            self.store = MemoryStore(settings.apq_cache_size, settings.document_cache_bytes)

    async def close(self) -> None:
        if self.store is not None:
            await self.store.close()

    async def prepare(self, request: Request, body: bytes, may_register: bool) -> Prepared | Refusal:
        """Fill in queries from hashes (GET parameters or a JSON body), or say why the request is refused.

        Bodies that are not JSON are left to Strawberry, which refuses them (it only accepts JSON
        POST bodies: multipart uploads are off).
        """
        query_string: bytes = request.scope.get("query_string", b"")
        if request.method == "GET":
            return await self._prepare_get(request, query_string, body, may_register)
        payload = safejson.loads_or_none(body)
        if isinstance(payload, list):
            # A JSON batch: every operation in it passes, or none runs; each gets its own answer.
            return await self._prepare_batch(payload, query_string, body, may_register)
        if not isinstance(payload, dict):
            return Prepared(query_string, body)
        operation = await self._resolve_or_refusal(payload, may_register)
        if isinstance(operation, Refusal):
            return operation
        return Prepared(query_string, body if operation is payload else json.dumps(operation).encode())

    async def _prepare_get(
        self, request: Request, query_string: bytes, body: bytes, may_register: bool
    ) -> Prepared | Refusal:
        # The same reading of the parameters as Strawberry's (the last of repeated names wins).
        params = dict(request.query_params)
        if "extensions" in params:
            params["extensions"] = safejson.loads_or_none(params["extensions"])
        operation = await self._resolve_or_refusal(params, may_register)
        if isinstance(operation, Refusal):
            return operation
        if operation is not params:
            query_string = _encode_query_params(operation).encode()
        return Prepared(query_string, body)

    async def _prepare_batch(
        self, payload: list[Any], query_string: bytes, body: bytes, may_register: bool
    ) -> Prepared | Refusal:
        resolved: list[Any] = []
        failures: list[PersistedQueryError | None] = []
        for item in payload:
            try:
                resolved.append(await self.resolve(item, may_register) if isinstance(item, dict) else item)
                failures.append(None)
            except PersistedQueryError as error:
                failures.append(error)
        refused = [error for error in failures if error is not None]
        if not refused:
            changed = any(new is not old for new, old in zip(resolved, payload, strict=True))
            return Prepared(query_string, json.dumps(resolved).encode() if changed else body)
        skipped = PersistedQueryError(
            "Not executed: another operation in this batch was refused", "PERSISTED_QUERY_BATCH_REFUSED"
        )
        errors = [[(error or skipped).as_error()] for error in failures]
        return Refusal(max(error.status for error in refused), errors, batch=True)

    async def _resolve_or_refusal(
        self, operation: dict[str, Any], may_register: bool
    ) -> dict[str, Any] | Refusal:
        try:
            return await self.resolve(operation, may_register)
        except PersistedQueryError as error:
            return Refusal(error.status, [[error.as_error()]])

    async def resolve(self, operation: dict[str, Any], may_register: bool) -> dict[str, Any]:
        """The operation to run (the same object when nothing changes), or PersistedQueryError."""
        extensions = operation.get("extensions")
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        query = operation.get("query")
        if persisted is None:
            if self.trusted is not None and isinstance(query, str) and sha256_hex(query) not in self.trusted:
                raise _not_allowed()
            return operation
        if self.trusted is None and self.store is None:
            if query is None:
                raise _not_supported()
            return operation  # APQ is off: the full query runs, the hash is ignored
        sha256 = _requested_hash(persisted)
        if query is None:
            return {**operation, "query": await self._lookup(sha256)}
        if not isinstance(query, str):
            return operation  # Strawberry refuses a non-string query with a clear message
        if sha256_hex(query) != sha256:
            raise PersistedQueryError(
                "The query's SHA-256 hash does not match extensions.persistedQuery.sha256Hash",
                "PERSISTED_QUERY_HASH_MISMATCH",
            )
        if self.trusted is not None:
            if sha256 not in self.trusted:
                raise _not_allowed()
        elif may_register:
            await self._register(sha256, query)
        return operation

    async def _lookup(self, sha256: str) -> str:
        if self.trusted is not None:
            if sha256 not in self.trusted:
                raise _not_allowed()
            return self.trusted[sha256]
        assert self.store is not None
        query = await self.store.get(sha256)
        if query is None:
            raise _not_found()
        return query

    async def _register(self, sha256: str, query: str) -> None:
        # Too large to keep: it still runs; the client simply has to send it in full each time.
        if len(query.encode("utf-8")) <= self.max_query_bytes:
            assert self.store is not None
            await self.store.put(sha256, query)


def _requested_hash(persisted: Any) -> str:
    if not isinstance(persisted, dict):
        raise _invalid("extensions.persistedQuery must be an object with version and sha256Hash")
    if persisted.get("version") != SUPPORTED_VERSION:
        raise PersistedQueryError(
            f"Unsupported persisted query version (this gateway supports version {SUPPORTED_VERSION})",
            "PERSISTED_QUERY_UNSUPPORTED_VERSION",
        )
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not SHA256_HEX.fullmatch(sha256):
        raise _invalid("extensions.persistedQuery.sha256Hash must be 64 hexadecimal characters")
    return sha256.lower()


def _invalid(message: str) -> PersistedQueryError:
    return PersistedQueryError(message, "PERSISTED_QUERY_INVALID")


def _encode_query_params(params: dict[str, Any]) -> str:
    encoded = {
        name: value if isinstance(value, str) else json.dumps(value)
        for name, value in params.items()
        if value is not None
    }
    return urlencode(encoded)


def load_manifest(path: Path) -> dict[str, str]:
    """The trusted documents by hash; SettingsError naming the file and every problem found in it."""
    where = f"CRM_GATEWAY_TRUSTED_DOCUMENTS: {path}"
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SettingsError(
            f"{where}: cannot read the file ({error.strerror or type(error).__name__})"
        ) from None
    except ValueError as error:
        raise SettingsError(f"{where}: not a JSON file ({error})") from None
    documents = _manifest_documents(content, where)
    problems = [
        problem for name, sha256, body in documents if (problem := _document_problem(name, sha256, body))
    ]
    if problems:
        raise SettingsError(f"{where}: " + "; ".join(problems[:5]) + _more(len(problems) - 5))
    if not documents:
        raise SettingsError(f"{where}: lists no operations, so every request would be refused")
    return {sha256.lower(): body for _, sha256, body in documents}


def _manifest_documents(content: Any, where: str) -> list[tuple[str, Any, Any]]:
    """(name for messages, id, body) for each operation of either accepted format."""
    if isinstance(content, dict) and "format" in content:
        if content.get("format") != MANIFEST_FORMAT or content.get("version") != 1:
            raise SettingsError(
                f"{where}: unsupported manifest (expected format {MANIFEST_FORMAT!r}, version 1)"
            )
        operations = content.get("operations")
        if not isinstance(operations, list) or not all(isinstance(op, dict) for op in operations):
            raise SettingsError(f"{where}: 'operations' must be a list of objects")
        return [(str(op.get("name") or op.get("id")), op.get("id"), op.get("body")) for op in operations]
    if isinstance(content, dict):
        return [(str(key), key, body) for key, body in content.items()]
    raise SettingsError(
        f"{where}: expected an Apollo persisted query manifest or an object of SHA-256 hashes to documents"
    )


def _document_problem(name: str, sha256: Any, body: Any) -> str | None:
    if not isinstance(body, str) or not isinstance(sha256, str):
        return f"operation {name!r} needs a string id and a string body"
    if sha256.lower() != sha256_hex(body):
        return f"operation {name!r}: id {sha256[:16]}... is not the SHA-256 of its body"
    try:
        parse(body)
    except GraphQLError as error:
        return f"operation {name!r}: body is not valid GraphQL ({error.message})"
    return None


def _more(count: int) -> str:
    return f" (and {count} more)" if count > 0 else ""
