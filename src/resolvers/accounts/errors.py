"""Errors of the accounts area (seed 000 organization codes)."""

from resolvers.common.errors import UserError, UserErrorCode, error

REQUIRED_CODE = "CUST2101"


def account_not_found(path: list[str] | None = None) -> UserError:
    return error(
        path or ["id"],
        "Cannot find the organization in order to perform the operation(s).",
        UserErrorCode.NOT_FOUND,
        "CUST2102",
    )


def key_contact_removal() -> UserError:
    return error(
        ["contactId"],
        "Must remove contact as key contact before removing from organization.",
        UserErrorCode.INVALID,
        "CUST2106",
    )
