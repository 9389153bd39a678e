"""The HTTP client every connector uses: one per upstream per process, so its pool and breaker are shared.

Connectors call ``request`` and read the response; they never build httpx clients themselves. The client
counts each call in the request's ``Cost``, applies the upstream's timeouts, and turns transport
failures into ``UpstreamUnavailable`` / ``UpstreamTimeout``. Non-2xx answers are returned, because each
upstream has its own error envelope that only its connector can read.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import httpx

from gateway.backends.rest.config import UpstreamConfig
from gateway.backends.rest.errors import UpstreamTimeout, UpstreamUnavailable
from gateway.cost import Cost

log = logging.getLogger(__name__)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class UpstreamClient:
    def __init__(self, config: UpstreamConfig, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        timeouts = config.timeouts
        self._http = httpx.AsyncClient(
            base_url=config.base_url,
            timeout=httpx.Timeout(timeouts.read, connect=timeouts.connect),
            transport=transport,
        )

    @property
    def name(self) -> str:
        return self.config.name

    async def request(
        self,
        method: str,
        path: str,
        *,
        cost: Cost,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> httpx.Response:
        """Send one logical call. GET/PUT/DELETE (and a POST/PATCH carrying ``idempotency_key``, sent as
        the ``Idempotency-Key`` header) may be retried; any other POST or PATCH is sent exactly once."""
        cost.count_upstream_call(self.name)
        request_headers = dict(headers or {})
        if idempotency_key is not None:
            request_headers["Idempotency-Key"] = idempotency_key
        try:
            return await self._http.request(method, path, params=params, json=json, headers=request_headers)
        except httpx.TimeoutException:
            raise UpstreamTimeout(self.name, f"{self.name} did not answer in time") from None
        except httpx.TransportError as error:
            log.warning("upstream %s: %s %s failed: %s", self.name, method, path, type(error).__name__)
            raise UpstreamUnavailable(self.name, f"{self.name} is unavailable") from None

    async def aclose(self) -> None:
        await self._http.aclose()
