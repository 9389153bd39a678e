"""The HTTP client every connector uses: one per upstream per process, so its pool and breaker are shared.

Connectors call ``request`` and read the response; they never build httpx clients themselves. The client

- counts every attempt in the request's ``Cost`` (per system);
- retries idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE, or a POST/PATCH carrying an idempotency
  key) on 429/502/503/504 and on connection errors, with jittered exponential backoff, honouring
  ``Retry-After`` up to ``retries.max_retry_after_seconds`` (a longer wait fails at once);
- sends any other POST or PATCH exactly once: a timeout after it was sent is UPSTREAM_TIMEOUT, not a retry,
  because the upstream may have acted on it;
- bounds the whole call, retries and waits included, by ``timeouts.total``;
- goes through the upstream's circuit breaker (``breaker.py``).

Answers 5xx (after retries) raise ``UpstreamUnavailable`` and a 429 that outlasts the retries raises
``UpstreamRateLimited``; any other non-2xx answer is returned, because each upstream has its own error
envelope that only its connector can read. Logs and messages name the method, the path and the status,
never headers, query strings or bodies: those carry tokens.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx

from gateway.backends.rest.breaker import CircuitBreaker, CircuitState
from gateway.backends.rest.config import UpstreamConfig
from gateway.backends.rest.errors import (
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from gateway.backends.rest.retry import Attempt, Outcome, retry_after_seconds
from gateway.cost import Cost
from gateway.observability.metrics import report_breaker, watch_breaker

log = logging.getLogger(__name__)
T = TypeVar("T")


class _WithoutQueryStrings(logging.Filter):
    """httpx logs every request's full URL at INFO; an upstream's query string may carry a token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                arg.copy_with(query=None) if isinstance(arg, httpx.URL) else arg for arg in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_WithoutQueryStrings())
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})


async def gather_bounded(limit: int, calls: Iterable[Awaitable[T]]) -> list[T]:
    """Await ``calls`` with at most ``limit`` in flight, results in order: for upstreams without a batch
    form, so a nested list of 100 rows does not open 100 connections at once."""
    semaphore = asyncio.Semaphore(limit)

    async def bounded(call: Awaitable[T]) -> T:
        async with semaphore:
            return await call

    return list(await asyncio.gather(*(bounded(call) for call in calls)))


class UpstreamClient:
    def __init__(self, config: UpstreamConfig, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.config = config
        timeouts = config.timeouts
        self._http = httpx.AsyncClient(
            base_url=config.base_url,
            timeout=httpx.Timeout(timeouts.read, connect=timeouts.connect),
            transport=transport,
        )
        self.breaker = CircuitBreaker(config.breaker.failures, config.breaker.reset_seconds)
        watch_breaker(config.name, self.breaker)

    @property
    def name(self) -> str:
        return self.config.name

    async def gather(self, calls: Iterable[Awaitable[T]]) -> list[T]:
        """``gather_bounded`` with this upstream's ``max_concurrency``."""
        return await gather_bounded(self.config.max_concurrency, calls)

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
        data: Mapping[str, str] | None = None,
        files: Mapping[str, Any] | None = None,
    ) -> httpx.Response:
        """Send one logical call. GET/PUT/DELETE (and a POST/PATCH carrying ``idempotency_key``, sent as
        the ``Idempotency-Key`` header) may be retried; any other POST or PATCH is sent exactly once."""
        method = method.upper()
        request_headers = dict(headers or {})
        if idempotency_key is not None:
            request_headers["Idempotency-Key"] = idempotency_key
        request = self._http.build_request(
            method, path, params=params, json=json, headers=request_headers, data=data, files=files
        )
        idempotent = method in IDEMPOTENT_METHODS or idempotency_key is not None
        try:
            async with asyncio.timeout(self.config.timeouts.total):
                return await self._attempts(request, idempotent, cost)
        except TimeoutError:
            self._log_failure(request, "total timeout")
            raise UpstreamTimeout(self.name, f"{self.name} did not answer in time") from None

    @asynccontextmanager
    async def stream(
        self, url: str, *, cost: Cost, params: Mapping[str, Any]
    ) -> AsyncIterator[httpx.Response]:
        """One GET whose body is read as it arrives (a file: never held whole), through the breaker and
        counted; not retried, since its body may be half sent. A 4xx answer is the caller's to read."""
        if not self.breaker.allow():
            raise UpstreamUnavailable(self.name, f"{self.name} is unavailable (circuit open)", circuit="open")
        cost.count_upstream_call(self.name)
        request = self._http.build_request("GET", url, params=params)
        try:
            response = await self._http.send(request, stream=True)
        except httpx.TimeoutException:
            self._failed()
            raise UpstreamTimeout(self.name, f"{self.name} did not answer in time") from None
        except httpx.TransportError:
            self._failed()
            self._log_failure(request, "connection failed")
            raise UpstreamUnavailable(self.name, f"{self.name} cannot be reached") from None
        try:
            if response.status_code >= 500:
                self._failed()
                self._log_failure(request, f"HTTP {response.status_code}")
                raise UpstreamUnavailable(self.name, f"{self.name} answered HTTP {response.status_code}")
            self._succeeded()
            yield response
        finally:
            await response.aclose()

    async def _attempts(self, request: httpx.Request, idempotent: bool, cost: Cost) -> httpx.Response:
        attempts = self.config.retries.attempts
        deadline = asyncio.get_running_loop().time() + self.config.timeouts.total
        for number in range(1, attempts + 1):
            outcome = await self._attempt(request, cost)
            if outcome.response is not None and outcome.response.status_code not in RETRY_STATUSES:
                return self._accepted(request, outcome.response)
            delay = self._delay(outcome, number)
            left = deadline - asyncio.get_running_loop().time()
            # A POST without idempotency key may be retried only when it never left: the upstream
            # cannot have acted on it. A read timeout is not retried: the time is spent already. A wait
            # longer than allowed, or than the time left, fails now.
            timed_out = isinstance(outcome.error, httpx.TimeoutException) and not outcome.unsent
            retryable = outcome.unsent or (idempotent and not timed_out)
            if not retryable or number == attempts or delay is None or delay >= left:
                break
            await asyncio.sleep(delay)
        raise self._final_error(request, outcome)

    async def _attempt(self, request: httpx.Request, cost: Cost) -> Outcome:
        """One try through the breaker: an answer, or the transport error it ended with."""
        if not self.breaker.allow():
            raise UpstreamUnavailable(self.name, f"{self.name} is unavailable (circuit open)", circuit="open")
        cost.count_upstream_call(self.name)
        try:
            response = await self._http.send(request)
        except httpx.TimeoutException as error:
            self._failed()
            unsent = isinstance(error, httpx.ConnectTimeout | httpx.PoolTimeout)
            return Outcome(error=error, unsent=unsent)
        except httpx.TransportError as error:
            self._failed()
            return Outcome(error=error, unsent=isinstance(error, httpx.ConnectError))
        except BaseException:
            self.breaker.abandoned()
            raise
        if response.status_code >= 500:
            self._failed()
        else:
            self._succeeded()
        return Outcome(response=response)

    def _failed(self) -> None:
        was_open = self.breaker.state is not CircuitState.CLOSED
        self.breaker.failed()
        report_breaker(self.name, self.breaker)
        if not was_open and self.breaker.state is CircuitState.OPEN:
            log.warning(
                "upstream %s: circuit opened after %d failures in a row", self.name, self.breaker.threshold
            )

    def _succeeded(self) -> None:
        if self.breaker.state is not CircuitState.CLOSED:
            log.info("upstream %s: circuit closed, the trial call succeeded", self.name)
        self.breaker.succeeded()
        report_breaker(self.name, self.breaker)

    def _accepted(self, request: httpx.Request, response: httpx.Response) -> httpx.Response:
        if response.status_code >= 500:
            raise self._final_error(request, Outcome(response=response))
        return response

    def _delay(self, outcome: Outcome, number: int) -> float | None:
        """Retry-After when the upstream says it (None when over the limit), else jittered backoff."""
        asked = retry_after_seconds(outcome.response)
        if asked is not None:
            return asked if asked <= self.config.retries.max_retry_after_seconds else None
        base = self.config.retries.backoff_seconds * 2 ** (number - 1)
        return random.uniform(0, base)  # full jitter: retries of many requests do not arrive together

    def _final_error(self, request: httpx.Request, outcome: Outcome) -> UpstreamError:
        attempt = Attempt(self.name, outcome)
        error = attempt.error()
        self._log_failure(request, attempt.describe())
        return error

    def _log_failure(self, request: httpx.Request, what: str) -> None:
        # The path only: query strings and headers may carry tokens.
        log.warning("upstream %s: %s %s failed: %s", self.name, request.method, request.url.path, what)

    async def aclose(self) -> None:
        await self._http.aclose()
