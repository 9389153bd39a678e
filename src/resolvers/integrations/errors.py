"""Errors of the integrations area: Akixi's refusals as user errors, and a missing upstream."""

from __future__ import annotations

import strawberry

from gateway.backends.rest.akixi import AkixiApi, AkixiRejected
from gateway.backends.rest.errors import UpstreamNotConfigured, UpstreamRejected
from resolvers.common.errors import UserError, UserErrorCode, error

AKIXI = "akixi"
# Where each part of a refused request is in the mutation's arguments.
FIELD_PATHS = {
    "scope": ["scope"],
    "id": ["id"],
    "settings": ["input", "settings"],
    "common": ["input", "common"],
    "crmType": ["input", "crmType"],
}


def akixi_api(info: strawberry.Info) -> AkixiApi:
    """The request's Akixi API; UPSTREAM_NOT_CONFIGURED when the routing file has no Akixi upstream."""
    api = info.context.upstream_apis.get(AKIXI)
    if not isinstance(api, AkixiApi):
        raise UpstreamNotConfigured(AKIXI, "No Akixi upstream is configured (CRM_GATEWAY_BACKENDS).")
    return api


def rejection_error(rejected: UpstreamRejected) -> UserError | None:
    """A user error for an Akixi refusal the caller can act on; None for the others (auth, ...)."""
    if isinstance(rejected, AkixiRejected):
        code = UserErrorCode[rejected.code]
        return error(FIELD_PATHS[rejected.field], rejected.message, code, rejected.seed_code)
    if rejected.code == "NOT_FOUND":  # an unknown telephone system, partition or device
        return error(["scope"], rejected.message, UserErrorCode.NOT_FOUND)
    return None


def invalid(path: list[str], message: str, seed_code: str | None = None) -> UserError:
    return error(path, message, UserErrorCode.INVALID, seed_code)
