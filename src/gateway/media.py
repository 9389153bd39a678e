"""The response media type of ``/graphql``, negotiated per the GraphQL-over-HTTP specification.

``application/json`` (the legacy type) answers every well-formed request with 200, errors in the body.
``application/graphql-response+json`` lets the status code speak: a request that fails before execution
(parse, validation, variable coercion) is a 400 without a ``data`` entry, and an executed one is a 200.
Apollo Client 4 and graphql-http ask for it; curl, browsers and older clients (``*/*``, or no Accept)
keep ``application/json``, exactly as before.

An Accept header naming neither type is disregarded (the spec's alternative to 406), so Strawberry's
streaming transports (``text/event-stream``, ``multipart/mixed``) and odd clients still get answers.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Message, Scope, Send
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
SCOPE_KEY = "gateway.media_type"
REQUEST_ERROR_KEY = "gateway.request_error"
# On equal quality a type the client named outranks one a wildcard covers; between two named types
# the newer one wins, between two covered by a wildcard the legacy one (what */* always meant here).
_NAMED_PREFERENCE = (GRAPHQL_RESPONSE_JSON, JSON)
_WILDCARD_PREFERENCE = (JSON, GRAPHQL_RESPONSE_JSON)


def negotiate(accept: str | None) -> str:
    """The media type to answer with, for an ``Accept`` header (q-values and wildcards honoured)."""
    ranges = _media_ranges(accept or "")
    best: tuple[float, int, int, str] | None = None
    for candidate in (GRAPHQL_RESPONSE_JSON, JSON):
        match = _best_range(ranges, candidate)
        if match is None or match[0] <= 0:
            continue
        quality, specificity = match
        preference = _NAMED_PREFERENCE if specificity == 2 else _WILDCARD_PREFERENCE
        rank = (quality, specificity, -preference.index(candidate), candidate)
        best = rank if best is None or rank > best else best
    return best[3] if best is not None else JSON


def negotiate_into(scope: Scope, headers: Headers) -> None:
    """Records the negotiated type in the ASGI scope, where the view's hooks read it."""
    scope[SCOPE_KEY] = negotiate(headers.get("accept"))


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    """``(type/subtype, q)`` for each range of an Accept header; malformed ranges and q-values are skipped."""
    ranges = []
    for item in accept.split(","):
        name, *parameters = (part.strip() for part in item.split(";"))
        if name.count("/") != 1:
            continue
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = -1.0  # an unreadable q: ignore the range
        if quality >= 0:
            ranges.append((name.lower(), quality))
    return ranges


def _best_range(ranges: list[tuple[str, float]], media_type: str) -> tuple[float, int] | None:
    """The quality the most specific matching range gives ``media_type``, and that specificity (0-2)."""
    main = media_type.split("/")[0]
    found: tuple[float, int] | None = None
    for name, quality in ranges:
        specificity = {media_type: 2, f"{main}/*": 1, "*/*": 0}.get(name)
        if specificity is None:
            continue
        if found is None or specificity > found[1] or (specificity == found[1] and quality > found[0]):
            found = (quality, specificity)
    return found


def wants_status_codes(scope: Scope) -> bool:
    return scope.get(SCOPE_KEY) == GRAPHQL_RESPONSE_JSON


def is_request_error(result: ExecutionResult) -> bool:
    """Failed before execution: no data, and no error belongs to a field (none has a path)."""
    return result.data is None and bool(result.errors) and all(e.path is None for e in result.errors or [])


def mark_request_error(scope: Scope, result: ExecutionResult, response: Response) -> None:
    """A request error is a 400 when the client asked for status codes; a batch keeps one status, 200.

    The scope remembers the verdict for ``shape_result``: only a request answered 400 loses ``data``
    (not, say, a timeout, whose error has no path either but is answered 504).
    """
    if scope.get("gateway.batch", False) or not wants_status_codes(scope) or not is_request_error(result):
        return
    scope[REQUEST_ERROR_KEY] = True
    response.status_code = 400


def shape_result(scope: Scope, body: GraphQLHTTPResponse) -> GraphQLHTTPResponse:
    """The spec's graphql-response+json has no ``data`` entry when the request failed before execution."""
    if scope.get(REQUEST_ERROR_KEY):
        body.pop("data", None)
    return body


def typed_send(scope: Scope, send: Send) -> Send:
    """``send`` that labels JSON responses with the negotiated type (set in ``scope`` by the caller)."""
    if not wants_status_codes(scope):
        return send
    content_type = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8".encode()

    async def send_typed(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [_relabel(name, value, content_type) for name, value in message.get("headers", [])]
            message = {**message, "headers": headers}
        await send(message)

    return send_typed


def _relabel(name: bytes, value: bytes, content_type: bytes) -> tuple[bytes, bytes]:
    if name.lower() == b"content-type" and value.split(b";")[0].strip().lower() == JSON.encode():
        return name, content_type
    return name, value
