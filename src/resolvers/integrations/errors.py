"""The request's integrations backend, and its refusals as user errors."""

from __future__ import annotations

import strawberry

from gateway.backends.errors import Rejected
from gateway.backends.integrations import Integrations
from resolvers.common.errors import UserError, UserErrorCode, error

# Where each part of a refused request is in the mutation's arguments.
FIELD_PATHS = {
    "scope": ["scope"],
    "id": ["id"],
    "settings": ["input", "settings"],
    "common": ["input", "common"],
    "crmType": ["input", "crmType"],
    "description": ["input", "description"],
}


def integrations(info: strawberry.Info) -> Integrations:
    """The backend that serves integrations for this request (Akixi when configured, else the gateway's)."""
    return info.context.integrations  # type: ignore[no-any-return]


def rejection_error(rejected: Rejected) -> UserError:
    """A refusal as a user error on the part of the request at fault, with the seed's code."""
    path = FIELD_PATHS.get(rejected.field or "", ["input"])
    return error(path, rejected.message, UserErrorCode[rejected.reason], rejected.seed_code)


def invalid(path: list[str], message: str, seed_code: str | None = None) -> UserError:
    return error(path, message, UserErrorCode.INVALID, seed_code)
