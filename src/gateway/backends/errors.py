"""Failures a backend reports in neutral terms, so resolvers need not know SQL or HTTP errors."""

from __future__ import annotations

from typing import Any

from gateway.errors import GatewayError


class IdempotencyRace(Exception):
    """Another request stored the same idempotency key first; its result is the answer."""


class InvalidValue(ValueError):
    """A value the store cannot keep for that field: too long, or null where one is required."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class Rejected(GatewayError):
    """A backend refused a request for a reason the caller can act on, in neutral terms.

    ``reason`` is the user error code a mutation reports (INVALID, REQUIRED, NOT_FOUND, CONFLICT),
    ``field`` the part of the request at fault as the area names it ("input", "id", "scope", ...), and
    ``seed_code`` the seed's own code where it has one (Akixi's 31000-31007). ``code``, the
    ``extensions.code`` it has when it surfaces as an error on a field, is the backend's own when it has
    one (e.g. an upstream's UPSTREAM_NOT_FOUND), else the reason.
    """

    def __init__(
        self,
        reason: str,
        message: str,
        *,
        field: str | None = None,
        seed_code: str | None = None,
        code: str | None = None,
        **extensions: Any,
    ) -> None:
        self.code = code or reason
        self.reason, self.field, self.seed_code = reason, field, seed_code
        super().__init__(message, **extensions)
