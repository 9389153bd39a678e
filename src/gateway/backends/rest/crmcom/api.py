"""CRM.COM's Web API (seeds 001 and 003) at the wire: the token, the ``{status, data}`` envelope, errors.

Every method takes ``token`` ("The token retrieved from the login method"): in the query string of a
GET, in the JSON body of a POST. The token comes from ``POST authentication/token`` with the configured
``username``/``password``/``organisation`` (CRM.COM's login method; the seeds only name it), or is
configured as ``credentials.token``. A token the upstream calls expired or invalid is replaced by one new
login and the call is sent once more: the upstream refused the first one before doing anything, so
even a POST is not performed twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from gateway.backends.rest.client import UpstreamClient
from gateway.backends.rest.errors import (
    UpstreamBadResponse,
    UpstreamError,
    UpstreamRejected,
    UpstreamUnavailable,
)
from gateway.cost import Cost

log = logging.getLogger(__name__)
LOGIN_PATH = "authentication/token"
TOKEN_CODES = frozenset({"TOKEN_EXPIRED", "INVALID_TOKEN"})  # answered for a token to replace
OK = "OK"


class CrmcomError(UpstreamRejected):
    """CRM.COM answered with a status code other than OK; ``upstreamCode`` is that code."""

    def __init__(self, system: str, upstream_code: str, method: str) -> None:
        super().__init__(
            system, f"CRMCOM_{upstream_code}", f"CRM.COM refused {method}: {upstream_code}",
            upstreamCode=upstream_code,
        )  # fmt: skip
        self.upstream_code = upstream_code


class TokenSource:
    """One token per upstream for the process, shared by its requests; replaced when CRM.COM refuses it."""

    def __init__(self, client: UpstreamClient) -> None:
        self.client = client
        self._credentials = client.config.credentials
        self._token: str | None = self._credentials.get("token")
        self._lock = asyncio.Lock()

    @property
    def can_login(self) -> bool:
        return all(self._credentials.get(key) for key in ("username", "password", "organisation"))

    async def current(self, cost: Cost) -> str:
        if self._token is None:
            await self.renew(None, cost)
        assert self._token is not None
        return self._token

    async def renew(self, refused: str | None, cost: Cost) -> str:
        """A new token, unless another request replaced the refused one already."""
        async with self._lock:
            if self._token is not None and self._token != refused:
                return self._token
            if not self.can_login:
                raise CrmcomError(self.client.name, "TOKEN_EXPIRED", "the configured token")
            body = {key: self._credentials[key] for key in ("username", "password", "organisation")}
            response = await self.client.request("POST", LOGIN_PATH, cost=cost, json=body)
            data = read_envelope(self.client.name, LOGIN_PATH, response)
            token = data.get("token") if isinstance(data, dict) else None
            if not isinstance(token, str) or not token:
                raise UpstreamUnavailable(self.client.name, "CRM.COM's login answered no token")
            self._token = token
            return token


class CrmcomApi:
    """Calls for one request: each counts in the request's cost."""

    def __init__(self, client: UpstreamClient, tokens: TokenSource, cost: Cost) -> None:
        self.client, self.tokens, self.cost = client, tokens, cost

    async def get(self, method: str, params: Mapping[str, Any]) -> Any:
        return await self._call("GET", method, dict(params))

    async def post(self, method: str, body: Mapping[str, Any]) -> Any:
        """Sent once: CRM.COM has no idempotency key, so the client never retries a POST."""
        return await self._call("POST", method, dict(body))

    async def post_form(self, method: str, fields: Mapping[str, str], files: Mapping[str, Any]) -> Any:
        """A multipart/form-data POST (RFC 1867; seed 003 line 3828), the token a field of the form;
        sent once. ``files``: name -> (file name, binary file, media type)."""
        return await self._call("FORM", method, dict(fields), files)

    async def _call(
        self, verb: str, method: str, values: dict[str, Any], files: Mapping[str, Any] | None = None
    ) -> Any:
        token = await self.tokens.current(self.cost)
        try:
            return await self._send(verb, method, values, token, files)
        except CrmcomError as error:
            if error.upstream_code not in TOKEN_CODES:
                raise
        token = await self.tokens.renew(token, self.cost)
        return await self._send(verb, method, values, token, files)

    async def _send(
        self, verb: str, method: str, values: dict[str, Any], token: str, files: Mapping[str, Any] | None
    ) -> Any:
        values = {**values, "token": token}
        if verb == "GET":
            response = await self.client.request(verb, method, cost=self.cost, params=values)
        elif verb == "FORM":
            for _, source, _ in (files or {}).values():
                source.seek(0)  # sent again after a token refusal: from the start
            response = await self.client.request("POST", method, cost=self.cost, data=values, files=files)
        else:
            response = await self.client.request(verb, method, cost=self.cost, json=values)
        return read_envelope(self.client.name, method, response)

    async def token(self) -> str:
        """The current token, for a URL CRM.COM serves outside its Web API (the photo servlet)."""
        return await self.tokens.current(self.cost)


def read_envelope(system: str, method: str, response: httpx.Response) -> Any:
    """``data`` of an OK answer; an error of the right kind for anything else (never the raw body)."""
    # 429 and 5xx never get here: the shared client retries them and raises its own errors.
    if response.status_code >= 400:
        log.warning("upstream %s: %s answered HTTP %s", system, method, response.status_code)
        raise UpstreamUnavailable(system, f"CRM.COM answered HTTP {response.status_code} to {method}")
    try:
        body = response.json()
        code = body["status"]["code"]
    except (ValueError, KeyError, TypeError):
        raise UpstreamBadResponse(system, f"CRM.COM's answer to {method} is not its envelope") from None
    if code != OK:
        raise CrmcomError(system, str(code), method)
    return body.get("data")


def is_not_found(error: UpstreamError) -> bool:
    return isinstance(error, CrmcomError) and error.upstream_code == "NOT_FOUND"
