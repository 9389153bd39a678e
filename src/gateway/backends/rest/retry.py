"""How one attempt at an upstream call ended, and the error a failed call becomes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from gateway.backends.rest.errors import (
    UpstreamError,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnavailable,
)


@dataclass(frozen=True)
class Outcome:
    """An answer, or the transport error instead; ``unsent`` when the request never reached the upstream."""

    response: httpx.Response | None = None
    error: httpx.TransportError | None = None
    unsent: bool = False


def retry_after_seconds(response: httpx.Response | None, now: datetime | None = None) -> float | None:
    """The wait a ``Retry-After`` header asks for, in seconds (a number, or an HTTP date); None if absent
    or unreadable."""
    value = response.headers.get("retry-after") if response is not None else None
    if value is None:
        return None
    value = value.strip()
    seconds: float | None
    try:
        seconds = float(value)
    except ValueError:
        seconds = _seconds_until(value, now or datetime.now(UTC))
    if seconds is None or not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _seconds_until(http_date: str, now: datetime) -> float | None:
    try:
        when = parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - now).total_seconds()


@dataclass(frozen=True)
class Attempt:
    """The last attempt of a call that failed, turned into the error the caller sees."""

    system: str
    outcome: Outcome

    def error(self) -> UpstreamError:
        response, error = self.outcome.response, self.outcome.error
        if isinstance(error, httpx.TimeoutException):
            return UpstreamTimeout(self.system, f"{self.system} did not answer in time")
        if response is None:
            return UpstreamUnavailable(self.system, f"{self.system} is unavailable (connection failed)")
        wait = retry_after_seconds(response)
        extensions = {} if wait is None else {"retryAfter": math.ceil(wait)}  # when to try again, in seconds
        if response.status_code == 429:
            return UpstreamRateLimited(
                self.system, f"{self.system} is rate limiting the gateway", **extensions
            )
        return UpstreamUnavailable(
            self.system,
            f"{self.system} is unavailable (HTTP {response.status_code})",
            status=response.status_code,
            **extensions,
        )

    def describe(self) -> str:
        """For the log: the status or the error's type, nothing the upstream or the caller sent."""
        if self.outcome.response is not None:
            return f"HTTP {self.outcome.response.status_code}"
        return type(self.outcome.error).__name__
