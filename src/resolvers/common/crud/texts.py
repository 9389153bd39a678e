"""The operations of the CRUD factory and the wording of their descriptions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Operation(Enum):
    CREATE = "Create"
    UPDATE = "Update"
    DELETE = "Delete"
    RESTORE = "Restore"


CREATE, UPDATE, DELETE, RESTORE = Operation
CRUD = (CREATE, UPDATE, DELETE, RESTORE)


def crud_permissions(create: str, update: str, delete: str) -> dict[Operation, str]:
    """The catalog has no restore permission: restoring undoes a delete, so it needs what deleting needs."""
    return {CREATE: create, UPDATE: update, DELETE: delete, RESTORE: delete}


@dataclass(frozen=True)
class Texts:
    """An operation's descriptions where they differ from the factory's wording (None: the default)."""

    mutation: str | None = None
    payload: str | None = None
    result: str | None = None  # the payload's record field (``deletedId`` of a delete)
    errors: str | None = None


def default_texts(operation: Operation, noun: str, name: str) -> Texts:
    """The usual wording, for a record called ``noun`` by mutations named ``name`` + Create etc."""
    article = "an" if noun[0] in "aeiou" else "a"
    return {
        CREATE: Texts(
            f"Create {article} {noun}. Retrying with the same idempotency key creates nothing new.",
            f"Result of `{name}Create`.",
            f"The new {noun}; null when errors occurred.",
            f"Why the {noun} was not created.",
        ),
        UPDATE: Texts(
            f"Change {article} {noun}. Pass `expectedVersion` to refuse lost updates.",
            f"Result of `{name}Update`.",
            f"The {noun} after the change.",
            "Why nothing changed.",
        ),
        DELETE: Texts(
            f"Soft-delete {article} {noun}; `{name}Restore` brings it back.",
            f"Result of `{name}Delete`.",
            f"ID of the soft-deleted {noun}.",
            "Why nothing was deleted.",
        ),
        RESTORE: Texts(
            f"Restore a soft-deleted {noun}.",
            f"Result of `{name}Restore`.",
            f"The restored {noun}.",
            "Why nothing was restored.",
        ),
    }[operation]


def merged(own: Texts, default: Texts) -> Texts:
    return Texts(
        own.mutation or default.mutation,
        own.payload or default.payload,
        own.result or default.result,
        own.errors or default.errors,
    )
