"""Errors of the tasks area."""

from resolvers.common.errors import UserError, UserErrorCode, error

REQUIRED_CODE = "CRM1101"


def end_before_start() -> UserError:
    return error(["input", "end"], "The end must not be before the start.", UserErrorCode.INVALID)
