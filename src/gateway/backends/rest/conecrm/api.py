"""One request's calls to ConeCRM: authentication, the seed's error envelopes, the tenant check.

Errors (seed 004): 400 ``{"error"}`` or ValidationError ``{"errors", "message"}``, 401/403
AccessDeniedError, 404 NotFoundError, and 429/5xx from the transport. Messages carry the upstream's
own error text at most (shortened), never the token or the raw body.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from gateway.backends.rest.client import UpstreamClient
from gateway.backends.rest.conecrm.catalog import Catalogs
from gateway.backends.rest.connector import RequestScope
from gateway.backends.rest.errors import (
    UpstreamError,
    UpstreamRejected,
    UpstreamUnavailable,
)

log = logging.getLogger(__name__)
CODES = {
    400: "UPSTREAM_BAD_REQUEST",
    401: "UPSTREAM_ACCESS_DENIED",
    403: "UPSTREAM_ACCESS_DENIED",
    404: "UPSTREAM_NOT_FOUND",
}
VALIDATION_FAILED = "UPSTREAM_VALIDATION_FAILED"
MAX_MATCHES = 10_000


class ConeCrmApi:
    def __init__(self, client: UpstreamClient, scope: RequestScope, catalogs: Catalogs | None = None) -> None:
        self.client = client
        self.scope = scope
        self.system = client.name
        self.catalogs = catalogs if catalogs is not None else Catalogs({})
        # The most records one query-builder answer may hold (it has no limit): options.max_matches.
        self.max_matches = int(client.config.options.get("max_matches") or MAX_MATCHES)

    def _token(self) -> str:
        if self.client.config.options.get("forward_caller_token"):
            if not self.scope.bearer_token:
                raise UpstreamRejected(
                    self.system, "UPSTREAM_ACCESS_DENIED", f"{self.system} needs the caller's bearer token"
                )
            return self.scope.bearer_token
        token = self.client.config.credentials.get("token")
        if not token:
            raise UpstreamRejected(
                self.system, "UPSTREAM_ACCESS_DENIED", f"{self.system} has no token configured"
            )
        return token

    async def call(self, method: str, path: str, *, params: Any = None, json: Any = None) -> Any:
        """The decoded JSON answer of a 2xx response (None when it has no body); errors raised."""
        headers = {"Authorization": f"Bearer {self._token()}", "Accept": "application/json"}
        response = await self.client.request(
            method, path, cost=self.scope.cost, params=params, json=json, headers=headers
        )
        if response.is_success:
            return _json(response, self.system) if response.content else None
        raise self.error(response, method, path)

    def error(self, response: httpx.Response, method: str, path: str) -> UpstreamError:
        status = response.status_code
        log.info("upstream %s: %s %s answered %s", self.system, method, path.split("?")[0], status)
        # 429 and 5xx never get here: the shared client retries them and raises its own errors.
        body = _json_or_none(response)
        errors = body.get("errors") if isinstance(body, dict) else None
        # ValidationError's errors are [string] (seed 004 l. 16124-16128), the lead 400's an object
        # (l. 6818-6821): both are read.
        if status == 400 and isinstance(errors, list | dict) and errors:
            items = errors.items() if isinstance(errors, dict) else enumerate(errors)
            problems = "; ".join(
                str(problem) if isinstance(errors, list) else f"{name}: {problem}" for name, problem in items
            )
            return UpstreamRejected(
                self.system, VALIDATION_FAILED, _short(f"{self.system}: {problems}"), upstreamStatus=400
            )
        code = CODES.get(status, "UPSTREAM_REJECTED")
        text = body.get("error") if isinstance(body, dict) else body if isinstance(body, str) else None
        message = (
            f"{self.system}: {text}"
            if isinstance(text, str) and text
            else f"{self.system} refused ({status})"
        )
        return UpstreamRejected(self.system, code, _short(message), upstreamStatus=status)


def _json(response: httpx.Response, system: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise UpstreamUnavailable(system, f"{system} answered something that is not JSON") from None


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _short(text: str) -> str:
    return text if len(text) <= 300 else text[:297] + "..."
