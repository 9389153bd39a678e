"""Errors of the occasions area."""

from resolvers.common.errors import UserError, UserErrorCode, error

REQUIRED_CODE = "CUST1101"
MAX_UPCOMING_DAYS = 366


def occasion_not_found(path: list[str] | None = None) -> UserError:
    return error(path or ["id"], "Cannot find the occasion.", UserErrorCode.NOT_FOUND)


def owner_problems(contact_id: object, account_id: object) -> list[UserError]:
    """An occasion belongs to exactly one contact or account."""
    if contact_id is None and account_id is None:
        message = "Required parameters cannot be null: give contactId or accountId."
        return [error(["input", "contactId"], message, UserErrorCode.REQUIRED, REQUIRED_CODE)]
    if contact_id is not None and account_id is not None:
        message = "An occasion belongs to one contact or one account, not both."
        return [error(["input", "accountId"], message, UserErrorCode.INVALID)]
    return []


def date_required() -> UserError:
    message = "Required parameters cannot be null."
    return error(["input", "date"], message, UserErrorCode.REQUIRED, REQUIRED_CODE)
