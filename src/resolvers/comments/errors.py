"""Errors of the comments area (seed 000 CUST41xx)."""

from __future__ import annotations

from resolvers.common.errors import UserError, UserErrorCode, error
from resolvers.common.owners import OwnerErrors

REQUIRED_CODE = "CUST4101"
OWNER_ERRORS = OwnerErrors("add, update, or remove comment", "CUST4102", "CUST4103", "CUST4104")


def comment_problem(path: list[str], message: str) -> UserError:
    """CUST4100: the comment's text cannot be kept (too long, a NUL character)."""
    return error(path, message, UserErrorCode.INVALID, "CUST4100")


def comment_not_found(path: list[str] | None = None) -> UserError:
    return error(path or ["id"], "Cannot find comment to update.", UserErrorCode.NOT_FOUND, "CUST4106")
