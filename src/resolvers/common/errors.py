"""Expected errors of mutations, returned in the payload (``errors: [UserError!]!``)."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Why a mutation did not do (all of) what was asked.")
class UserErrorCode(Enum):
    REQUIRED = strawberry.enum_value("REQUIRED", description="A required value is missing or empty.")
    INVALID = strawberry.enum_value("INVALID", description="A value is not acceptable.")
    INVALID_EMAIL = strawberry.enum_value("INVALID_EMAIL", description="Not a valid e-mail address.")
    INVALID_PHONE = strawberry.enum_value("INVALID_PHONE", description="Not a valid phone number.")
    NOT_FOUND = strawberry.enum_value("NOT_FOUND", description="The referenced object does not exist.")
    CONFLICT = strawberry.enum_value(
        "CONFLICT", description="The object changed since the expected version; reload and retry."
    )
    IN_USE = strawberry.enum_value("IN_USE", description="The object is still used and cannot be deleted.")
    IDEMPOTENCY_KEY_REUSED = strawberry.enum_value(
        "IDEMPOTENCY_KEY_REUSED", description="The idempotency key was used before with a different input."
    )
    IDEMPOTENCY_KEY_REPLAYED_DELETED = strawberry.enum_value(
        "IDEMPOTENCY_KEY_REPLAYED_DELETED",
        description="The record this idempotency key created was deleted since; restore it, or create anew "
        "with a new key.",
    )
    INVALID_STATE = strawberry.enum_value(
        "INVALID_STATE", description="The object's life cycle state does not allow this change."
    )
    LEASE_HELD = strawberry.enum_value(
        "LEASE_HELD", description="Another worker holds the lease on this queue entry; pass its claim token."
    )
    PERMISSION_DENIED = strawberry.enum_value(
        "PERMISSION_DENIED",
        description="The caller may use the mutation but not on this object, e.g. another author's comment.",
    )
    TOO_LARGE = strawberry.enum_value("TOO_LARGE", description="A file is larger than the configured limit.")
    PARTIAL_FAILURE = strawberry.enum_value(
        "PARTIAL_FAILURE", description="Some rows of a bulk operation failed; see their results."
    )


@strawberry.type(description="An expected problem with a mutation's input or the state it met.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["input", "emails", "0", "email"].'
    )
    message: str = strawberry.field(description="A human-readable explanation.")
    code: UserErrorCode = strawberry.field(description="A stable, machine-readable code.")
    seed_code: str | None = strawberry.field(
        default=None, description="The source API's own code where it defines one (e.g. CUST1102)."
    )


class UserErrors(Exception):
    """Raised inside a mutation to abort its transaction and answer with these errors."""

    def __init__(self, errors: list[UserError]) -> None:
        super().__init__(errors)
        self.errors = errors


def error(
    path: list[str] | None, message: str, code: UserErrorCode, seed_code: str | None = None
) -> UserError:
    return UserError(field=path, message=message, code=code, seed_code=seed_code)
