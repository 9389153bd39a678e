"""Close reasons that say why a WebSocket was refused.

graphql-transport-ws has no message for a refused ``connection_init``: the server closes the socket with
4403, and Strawberry's reason is always "Forbidden". A client (or a developer in the browser's network
tab) then cannot tell an expired token from a misspelt header. The reason below carries the same
sentence the HTTP 401 would, within the 123 bytes a close frame's reason may hold.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Mapping

from strawberry.http.async_base_view import AsyncWebSocketAdapter

FORBIDDEN = 4403
MAX_REASON_BYTES = 123  # RFC 6455 5.5: a control frame's payload is at most 125 bytes, 2 for the code


class ExplainedRefusals(AsyncWebSocketAdapter):
    """Wraps Strawberry's socket adapter; a 4403 close carries ``refusal()`` as its reason, when set."""

    def __init__(self, inner: AsyncWebSocketAdapter, refusal: Callable[[], str | None]) -> None:
        super().__init__(inner.view)
        self.inner = inner
        self.refusal = refusal

    def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object, None]:
        return self.inner.iter_json(ignore_parsing_errors=ignore_parsing_errors)

    async def send_json(self, message: Mapping[str, object]) -> None:
        await self.inner.send_json(message)

    async def close(self, code: int, reason: str) -> None:
        why = self.refusal() if code == FORBIDDEN else None
        await self.inner.close(code, close_reason(f"{reason}: {why}") if why else reason)


def close_reason(text: str) -> str:
    """``text`` cut to what a close frame can carry, never inside a UTF-8 sequence."""
    return text.encode()[:MAX_REASON_BYTES].decode(errors="ignore")
