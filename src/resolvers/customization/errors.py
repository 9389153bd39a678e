"""The request's ConeCRM customization API, and ConeCRM refusals as mutation user errors."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import strawberry

from gateway.backends.rest.conecrm.customization import ConeCrmCustomization
from gateway.backends.rest.errors import UpstreamNotConfigured, UpstreamRejected
from resolvers.common.errors import UserError, UserErrorCode, error

CONECRM = "conecrm"
T = TypeVar("T")
# ConeCRM's refusals (codes of gateway.backends.rest.conecrm.api) the caller can act on.
INVALID_INPUT = ("UPSTREAM_BAD_REQUEST", "UPSTREAM_VALIDATION_FAILED")
NOT_FOUND = "UPSTREAM_NOT_FOUND"


def conecrm(info: strawberry.Info) -> ConeCrmCustomization:
    """UPSTREAM_NOT_CONFIGURED when the routing file has no ConeCRM upstream."""
    backend = info.context.upstream_apis.get(CONECRM)
    customization = getattr(backend, "customization", None)
    if not isinstance(customization, ConeCrmCustomization):
        raise UpstreamNotConfigured(CONECRM, "No ConeCRM upstream is configured (CRM_GATEWAY_BACKENDS).")
    return customization


async def upstream(call: Awaitable[T], id_path: list[str] | None = None) -> tuple[T | None, list[UserError]]:
    """ConeCRM's 400 (INVALID, on ``input``) and 404 (NOT_FOUND, on ``id``) become user errors; every
    other upstream error (unavailable, timeout, access denied ...) stays an error on the field."""
    try:
        return await call, []
    except UpstreamRejected as rejected:
        if rejected.code in INVALID_INPUT:
            return None, [error(["input"], rejected.message, UserErrorCode.INVALID)]
        if rejected.code == NOT_FOUND:
            return None, [error(id_path or ["id"], rejected.message, UserErrorCode.NOT_FOUND)]
        raise


async def found_or_none(call: Awaitable[T]) -> T | None:
    """A lookup by id: null when ConeCRM does not know the id (404), as the graph's own lookups."""
    try:
        return await call
    except UpstreamRejected as rejected:
        if rejected.code == NOT_FOUND:
            return None
        raise
