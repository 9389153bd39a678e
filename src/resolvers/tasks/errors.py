"""Errors of the tasks area."""

from resolvers.common.errors import UserError, UserErrorCode, error

REQUIRED_CODE = "CRM1101"


def task_not_found(path: list[str] | None = None) -> UserError:
    return error(path or ["id"], "Cannot find the task.", UserErrorCode.NOT_FOUND)


def end_before_start() -> UserError:
    return error(["input", "end"], "The end must not be before the start.", UserErrorCode.INVALID)
