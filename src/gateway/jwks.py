"""Public keys from the identity provider's JWKS URL, cached, fetched off the event loop.

A token whose ``kid`` is not in the cached set triggers one refresh (the IdP may have rotated its
keys), but refreshes are at least ``CRM_GATEWAY_JWKS_MIN_REFRESH_SECONDS`` apart, so tokens with
made-up ``kid`` values cannot make the gateway hammer the IdP. A failed fetch keeps the keys already
known: a short IdP outage does not lock out tokens signed with them.
"""

from __future__ import annotations

import asyncio
import logging
import time

from jwt import PyJWK, PyJWKClient, PyJWKClientError, PyJWTError

log = logging.getLogger("gateway.jwks")
FETCH_TIMEOUT_SECONDS = 5
# Only public-key types: a symmetric ("oct") key published in a JWKS must never verify a token.
PUBLIC_KEY_TYPES = frozenset({"RSA", "EC"})


class JwksUnavailable(Exception):
    """The key set could not be fetched and none is cached; the message is safe to show the caller."""


class JwksKeys:
    def __init__(self, url: str, cache_seconds: float, min_refresh_seconds: float) -> None:
        self._client = PyJWKClient(url, cache_jwk_set=False, timeout=FETCH_TIMEOUT_SECONDS)
        self._cache_seconds = cache_seconds
        self._min_refresh_seconds = min_refresh_seconds
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at: float | None = None  # last successful fetch
        self._tried_at: float | None = None  # last attempt, successful or not
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> PyJWK | None:
        """The key with this ``kid``, refreshing the set once if it is stale or lacks the key."""
        if self._is_stale() and self._may_refresh():
            await self._refresh()
        found = self._keys.get(kid)
        if found is None and self._may_refresh():
            await self._refresh()
            found = self._keys.get(kid)
        if found is None and self._fetched_at is None:
            raise JwksUnavailable("cannot verify the token: the identity provider's key set is unreachable")
        return found

    def _is_stale(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at >= self._cache_seconds

    def _may_refresh(self) -> bool:
        return self._tried_at is None or time.monotonic() - self._tried_at >= self._min_refresh_seconds

    async def _refresh(self) -> None:
        tried_before = self._tried_at
        async with self._lock:
            # Requests that queued behind a refresh use its result instead of fetching again.
            if self._tried_at != tried_before:
                return
            self._tried_at = time.monotonic()
            try:
                # PyJWKClient fetches with blocking urllib: run it in a worker thread.
                jwk_set = await asyncio.to_thread(self._client.get_jwk_set, True)
            except (PyJWKClientError, PyJWTError, ValueError) as error:  # ValueError: a body that is not JSON
                log.warning("JWKS fetch failed, keeping %d known keys: %s", len(self._keys), error)
                return
            self._keys = {key.key_id: key for key in jwk_set.keys if key.key_id and _verifies_signatures(key)}
            self._fetched_at = time.monotonic()


def _verifies_signatures(key: PyJWK) -> bool:
    return key.key_type in PUBLIC_KEY_TYPES and key.public_key_use in ("sig", None)
