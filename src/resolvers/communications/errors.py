"""Errors of the communications area. Seed 001 defines no codes of its own, so only ``code`` is set."""

from resolvers.common.errors import UserError, UserErrorCode, error

REQUIRED_MESSAGE = "Required parameters cannot be null."


def queue_entry_not_found(path: list[str] | None = None) -> UserError:
    return error(path or ["id"], "Cannot find the communication queue entry.", UserErrorCode.NOT_FOUND)


def required(path: list[str], message: str = REQUIRED_MESSAGE) -> UserError:
    return error(path, message, UserErrorCode.REQUIRED)


def invalid_state(path: list[str], message: str) -> UserError:
    return error(path, message, UserErrorCode.INVALID_STATE)


def invalid(path: list[str], message: str) -> UserError:
    return error(path, message, UserErrorCode.INVALID)


def lease_held() -> UserError:
    message = "Another worker holds the lease on this entry; only its claim token may acknowledge it."
    return error(["claimToken"], message, UserErrorCode.LEASE_HELD)
