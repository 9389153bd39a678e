"""Errors of the organization area."""

from resolvers.common.errors import UserError, UserErrorCode, error

REQUIRED_CODE = "CRM1101"


def in_use(noun: str) -> UserError:
    """A franchise or department that records still name is not deleted (as a stage in use, seed 004)."""
    return error(["id"], f"Cannot delete a {noun} that is still in use.", UserErrorCode.IN_USE)
