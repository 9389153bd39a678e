"""Errors of the contacts area."""

from gateway.errors import BadUserInput
from resolvers.common.errors import UserError, UserErrorCode, error


class InvalidPhoneArgument(BadUserInput):
    code = "INVALID_PHONE"


def contact_not_found(path: list[str] | None = None) -> UserError:
    return error(
        path or ["id"],
        "Cannot find the customer in order to perform the operation(s).",
        UserErrorCode.NOT_FOUND,
        "CUST1102",
    )
