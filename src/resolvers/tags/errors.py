"""Errors of the tags area (seed 000 CUST31xx)."""

from __future__ import annotations

from resolvers.common.errors import UserError, UserErrorCode, error
from resolvers.common.owners import OwnerErrors

REQUIRED_CODE = "CUST3101"
OWNER_ERRORS = OwnerErrors("assign or unassign tag(s)", "CUST3102", "CUST3103", "CUST3104")


def tag_problem(path: list[str], message: str, code: UserErrorCode = UserErrorCode.INVALID) -> UserError:
    """CUST3100: something about the tags themselves (unknown, too long, a duplicate value)."""
    return error(path, message, code, "CUST3100")
