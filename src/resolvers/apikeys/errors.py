"""Errors of the API key area."""

from __future__ import annotations

from gateway.apikeys import ApiKeyError
from resolvers.common.errors import UserError, UserErrorCode, error


def api_key_not_found() -> UserError:
    return error(["id"], "Cannot find the API key.", UserErrorCode.NOT_FOUND)


def not_an_api_key_id() -> UserError:
    return error(["id"], "Not an API key ID.", UserErrorCode.INVALID)


def permissions_not_held(names: list[str]) -> UserError:
    message = f"You cannot grant permissions you do not hold: {', '.join(names)}."
    return error(["input", "permissions"], message, UserErrorCode.INVALID)


def from_store(problem: ApiKeyError) -> UserError:
    return error(["input", problem.field], str(problem), UserErrorCode[problem.code])
