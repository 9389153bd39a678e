"""Errors of the leads area."""

from resolvers.common.errors import UserError, UserErrorCode, error

REQUIRED_CODE = "CRM1101"


def lead_not_found(path: list[str] | None = None) -> UserError:
    return error(path or ["id"], "Cannot find the lead.", UserErrorCode.NOT_FOUND)
