"""A circuit breaker per upstream: after repeated failures, stop calling it for a while.

One breaker lives in each ``UpstreamClient``, so every request of the process shares it: when an
upstream is down, requests fail at once (UPSTREAM_UNAVAILABLE, ``circuit: "open"``) instead of each
waiting for its own timeout, and the upstream is not hammered while it recovers.

    closed --(``failures`` consecutive failures)--> open --(``reset_seconds``)--> half-open
    half-open --(the one trial call succeeds)--> closed;  --(it fails)--> open again

Failures are timeouts, connection errors and 5xx answers; a 4xx is the caller's problem, not the
upstream's health, so it counts as a success.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum


class CircuitState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    def __init__(
        self, failures: int, reset_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = failures
        self.reset_seconds = reset_seconds
        self._clock = clock
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    @property
    def state(self) -> CircuitState:
        if self._state is CircuitState.OPEN and self._clock() - self._opened_at >= self.reset_seconds:
            return CircuitState.HALF_OPEN
        return self._state

    def allow(self) -> bool:
        """Whether a call may go out now; in half-open state only one trial call at a time does."""
        state = self.state
        if state is CircuitState.CLOSED:
            return True
        if state is CircuitState.OPEN or self._trial_in_flight:
            return False
        self._state, self._trial_in_flight = CircuitState.HALF_OPEN, True
        return True

    def succeeded(self) -> None:
        self._state, self._failures, self._trial_in_flight = CircuitState.CLOSED, 0, False

    def failed(self) -> None:
        self._failures += 1
        if self._state is CircuitState.HALF_OPEN or self._failures >= self.threshold:
            self._state, self._opened_at = CircuitState.OPEN, self._clock()
        self._trial_in_flight = False

    def abandoned(self) -> None:
        """A call ended with neither answer nor failure (cancelled): let another trial go out."""
        self._trial_in_flight = False
