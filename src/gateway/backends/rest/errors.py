"""Upstream failures as GraphQL errors: the field they affect is null, the rest of the response is served.

A connector raises these from a backend call; the loader that made the call rejects its keys with the
error, so graphql-core puts it on the path of each affected field. Messages name the upstream by its
routing name and never carry credentials, URLs with secrets, or the upstream's raw body.
"""

from __future__ import annotations

from typing import Any

from gateway.errors import GatewayError


class UpstreamError(GatewayError):
    """Base class: the upstream could not give what the gateway asked for."""

    code = "UPSTREAM_ERROR"

    def __init__(self, system: str, message: str, **extensions: Any) -> None:
        super().__init__(message, system=system, **extensions)
        self.system = system


class UpstreamUnavailable(UpstreamError):
    """Connection refused or reset, a 5xx after retries, or the circuit breaker is open."""

    code = "UPSTREAM_UNAVAILABLE"


class UpstreamTimeout(UpstreamError):
    """No answer within the connect, read or total timeout."""

    code = "UPSTREAM_TIMEOUT"


class UpstreamRateLimited(UpstreamError):
    """Still 429 after the retries the request was allowed; ``retryAfter`` says when to try again."""

    code = "UPSTREAM_RATE_LIMITED"


class UpstreamRejected(UpstreamError):
    """The upstream refused the request with its own error code (e.g. Akixi 31003, CRM.COM's status code).

    ``code`` is the upstream's code mapped by the connector; ``upstreamCode`` keeps the original.
    """

    def __init__(self, system: str, code: str, message: str, **extensions: Any) -> None:
        self.code = code
        super().__init__(system, message, **extensions)


class UpstreamBadResponse(UpstreamError):
    """The upstream answered, but not in a form the connector can read, even reading tolerantly where
    its seed is vague (a record without its id, a list that is neither a list nor one object...): the
    field it was for is null with this error, never a 500 and never silently nothing."""

    code = "UPSTREAM_BAD_RESPONSE"


class UpstreamUnsupported(UpstreamError):
    """The upstream's API has no operation for this (e.g. ConeCRM cannot create contacts)."""

    code = "UPSTREAM_UNSUPPORTED"


class UpstreamLimitExceeded(UpstreamError):
    """The list or count needs more of the upstream than it can serve within the configured cap (e.g. a
    ConeCRM query-builder answer, which has no limit, over ``options.max_matches``); ``limit`` says the
    cap. Refused rather than answered short."""

    code = "UPSTREAM_LIMIT_EXCEEDED"


class UpstreamNotConfigured(UpstreamError):
    """No upstream of this kind in the routing file, or not one open to the caller's tenant."""

    code = "UPSTREAM_NOT_CONFIGURED"


class UpstreamBudgetExceeded(GatewayError):
    """Estimated upstream calls over CRM_GATEWAY_MAX_UPSTREAM_CALLS: refused before it runs."""

    code = "UPSTREAM_BUDGET_EXCEEDED"
