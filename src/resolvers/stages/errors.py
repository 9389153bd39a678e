"""Errors of the stages area."""

from resolvers.common.errors import UserError, UserErrorCode, error

REQUIRED_CODE = "CRM1101"


def stage_in_use() -> UserError:
    """Seed 004: DELETE /api/connectionstage/{id} is refused for a stage that is in use."""
    message = "Cannot delete stage that is used in connections or pipelines."
    return error(["id"], message, UserErrorCode.IN_USE)
