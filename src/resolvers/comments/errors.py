"""Errors of the comments area (seed 000 CUST41xx)."""

from __future__ import annotations

from resolvers.common.errors import UserError, UserErrorCode, error

REQUIRED_CODE = "CUST4101"


def comment_problem(path: list[str], message: str) -> UserError:
    """CUST4100: the comment's text cannot be kept (too long, a NUL character)."""
    return error(path, message, UserErrorCode.INVALID, "CUST4100")


def owner_not_found(path: list[str]) -> UserError:
    message = "Cannot find the object to add, update, or remove comment."
    return error(path, message, UserErrorCode.NOT_FOUND, "CUST4102")


def comment_denied(path: list[str], why: str) -> UserError:
    message = f"Permission denied to object to add, update, or remove comment: {why}"
    return error(path, message, UserErrorCode.PERMISSION_DENIED, "CUST4103")


def unknown_owner_type(path: list[str]) -> UserError:
    message = "Unknown Object Type: give the ID of a contact or an organization (Account)."
    return error(path, message, UserErrorCode.INVALID, "CUST4104")


def comment_not_found(path: list[str] | None = None) -> UserError:
    return error(path or ["id"], "Cannot find comment to update.", UserErrorCode.NOT_FOUND, "CUST4106")
