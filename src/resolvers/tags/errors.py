"""Errors of the tags area (seed 000 CUST31xx)."""

from __future__ import annotations

from resolvers.common.errors import UserError, UserErrorCode, error

REQUIRED_CODE = "CUST3101"


def tag_problem(path: list[str], message: str, code: UserErrorCode = UserErrorCode.INVALID) -> UserError:
    """CUST3100: something about the tags themselves (unknown, too long, a duplicate value)."""
    return error(path, message, code, "CUST3100")


def owner_not_found(path: list[str]) -> UserError:
    message = "Cannot find the object to assign or unassign tag(s)."
    return error(path, message, UserErrorCode.NOT_FOUND, "CUST3102")


def owner_denied(path: list[str], permission: str) -> UserError:
    message = f"Permission denied to object to assign or unassign tag(s): this needs {permission}."
    return error(path, message, UserErrorCode.PERMISSION_DENIED, "CUST3103")


def unknown_owner_type(path: list[str]) -> UserError:
    message = "Unknown Object Type: give the ID of a contact or an organization (Account)."
    return error(path, message, UserErrorCode.INVALID, "CUST3104")
