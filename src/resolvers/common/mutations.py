"""One transaction per mutation, idempotent creates and version-checked updates."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar
from uuid import UUID

import strawberry

from gateway.backends.base import RecordWriter
from gateway.backends.errors import IdempotencyRace, InvalidValue
from gateway.backends.records import Entity
from resolvers.common.errors import UserError, UserErrorCode, UserErrors, error
from resolvers.common.naming import to_camel

T = TypeVar("T")
MAX_IDEMPOTENCY_KEY = 255

IdempotencyKey = Annotated[
    str | None,
    strawberry.argument(
        description="Any unique string; retrying with the same key and input returns the first result."
    ),
]
ExpectedVersion = Annotated[
    int | None,
    strawberry.argument(
        description="The `version` you last read; the change is refused with CONFLICT if it moved on."
    ),
]


async def in_transaction(
    info: strawberry.Info, work: Callable[[RecordWriter], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    """Run ``work`` in one transaction; a ``UserErrors`` rolls everything back."""
    try:
        async with info.context.backend.transaction() as writer:
            result = await work(writer)
    except UserErrors as failure:
        return None, failure.errors
    except InvalidValue as problem:
        field = to_camel(problem.field)
        return None, [error(["input", field], f"{field} {problem}", UserErrorCode.INVALID)]
    info.context.loaders.clear()  # later fields of this response must see the committed state
    return result, []


async def create_once(
    info: strawberry.Info,
    operation: str,
    key: str | None,
    input: Any,
    create: Callable[[RecordWriter], Awaitable[UUID]],
) -> tuple[UUID | None, list[UserError]]:
    """A create that a client may retry: the same key returns the first result, no duplicate."""
    if key is None:
        return await in_transaction(info, create)
    if not key.strip() or len(key) > MAX_IDEMPOTENCY_KEY:
        message = f"The idempotency key must have 1 to {MAX_IDEMPOTENCY_KEY} characters."
        return None, [error(["idempotencyKey"], message, UserErrorCode.INVALID)]
    request_hash = hashlib.sha256(repr(input).encode()).hexdigest()

    async def work(writer: RecordWriter) -> UUID:
        seen = await writer.remembered_create(operation, key)
        if seen is not None:
            if seen[0] != request_hash:
                message = "This idempotency key was already used with a different input."
                raise UserErrors([error(["idempotencyKey"], message, UserErrorCode.IDEMPOTENCY_KEY_REUSED)])
            return seen[1]
        record_id = await create(writer)
        await writer.remember_create(operation, key, request_hash, record_id)
        return record_id

    try:
        return await in_transaction(info, work)
    except IdempotencyRace:
        return await in_transaction(
            info, work
        )  # the concurrent request committed first: answer with its result


CONFLICT_MESSAGE = "The record was changed by someone else since the expected version; reload it and retry."


async def set_deleted_checked(
    writer: RecordWriter,
    entity: Entity,
    record_id: UUID,
    deleted: bool,
    actor: str,
    expected_version: int | None,
    not_found: UserError,
) -> UUID:
    """Soft-delete or restore; NOT_FOUND when there is nothing to delete or restore, else CONFLICT."""
    if await writer.set_deleted(entity, record_id, deleted, actor, expected_version):
        return record_id
    rows = await writer.get_many(entity, [record_id], include_deleted=True)
    if record_id not in rows or rows[record_id].is_deleted == deleted:
        raise UserErrors([not_found])
    raise UserErrors([error(["expectedVersion"], CONFLICT_MESSAGE, UserErrorCode.CONFLICT)])


async def check_changed(
    writer: RecordWriter, entity: Entity, record_id: UUID, changed: bool, not_found: UserError
) -> None:
    """After a versioned write: NOT_FOUND if the row is gone, CONFLICT if its version moved on."""
    if changed:
        return
    if not await writer.existing_ids(entity, [record_id]):
        raise UserErrors([not_found])
    raise UserErrors([error(["expectedVersion"], CONFLICT_MESSAGE, UserErrorCode.CONFLICT)])


async def require_existing(
    writer: RecordWriter, entity: Entity, ids: dict[str, UUID | None], code: str | None
) -> None:
    """Every referenced id (by input field name) exists in this tenant; else NOT_FOUND errors."""
    wanted = {name: value for name, value in ids.items() if value is not None}
    found = await writer.existing_ids(entity, list(set(wanted.values())))
    problems = [
        error(["input", name], f"No {entity.value} with this ID.", UserErrorCode.NOT_FOUND, code)
        for name, value in wanted.items()
        if value not in found
    ]
    if problems:
        raise UserErrors(problems)
