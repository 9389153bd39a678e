"""Errors of contact relations (seed 000 key relationship codes)."""

from resolvers.common.errors import UserError, UserErrorCode, error

REQUIRED_CODE = "CUST1101"


def relation_not_found(path: list[str] | None = None) -> UserError:
    return error(path or ["id"], "Cannot find the contact relation.", UserErrorCode.NOT_FOUND)


def target_problems(related_contact: object, related_account: object) -> list[UserError]:
    """A relation points at exactly one other contact or one account."""
    if related_contact is None and related_account is None:
        message = "Required parameters cannot be null: give relatedContactId or relatedAccountId."
        return [error(["input", "relatedContactId"], message, UserErrorCode.REQUIRED, REQUIRED_CODE)]
    if related_contact is not None and related_account is not None:
        message = "A relation points at one contact or one account, not both."
        return [error(["input", "relatedAccountId"], message, UserErrorCode.INVALID)]
    return []


def self_relation() -> UserError:
    message = "A contact cannot be related to itself."
    return error(["input", "relatedContactId"], message, UserErrorCode.INVALID)


def not_a_member() -> UserError:
    return error(
        ["input", "key"],
        "Cannot add, update, remove key customers in organization: the contact is not a member of it.",
        UserErrorCode.INVALID,
        "CUST1104",
    )


def key_organization_removal() -> UserError:
    return error(
        ["contactId"],
        "Must remove organization as key organization before removing from contact.",
        UserErrorCode.INVALID,
        "CUST1106",
    )
