"""The request's customization backend, and its refusals as mutation user errors."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import strawberry

from gateway.backends.customization import Customization
from gateway.backends.errors import Rejected
from resolvers.common.errors import UserError, UserErrorCode, error

T = TypeVar("T")


def customization(info: strawberry.Info) -> Customization:
    """The backend that serves customization for this request (CAPABILITY_NOT_SERVED when none does)."""
    return info.context.customization  # type: ignore[no-any-return]


async def upstream(call: Awaitable[T], id_path: list[str] | None = None) -> tuple[T | None, list[UserError]]:
    """An invalid input (INVALID, on ``input``) and an unknown id (NOT_FOUND, on ``id``) become user
    errors; every other failure (unavailable, timeout, access denied ...) stays an error on the field."""
    try:
        return await call, []
    except Rejected as rejected:
        if rejected.reason == "NOT_FOUND":
            return None, [error(id_path or ["id"], rejected.message, UserErrorCode.NOT_FOUND)]
        path = ["input"] if rejected.field in (None, "input") else ["input", rejected.field]
        return None, [error(path, rejected.message, UserErrorCode[rejected.reason])]


async def found_or_none(call: Awaitable[T]) -> T | None:
    """A lookup by id: null when the backend does not know the id, as the graph's own lookups."""
    try:
        return await call
    except Rejected as rejected:
        if rejected.reason == "NOT_FOUND":
            return None
        raise
