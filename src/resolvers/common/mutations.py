"""One transaction per mutation, idempotent creates and version-checked updates."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

import strawberry

from gateway.backends.automations import AutomationEventRecorder
from gateway.backends.base import RecordWriter
from gateway.backends.errors import IdempotencyRace, InvalidValue
from gateway.backends.records import Detail, Entity, Relation
from gateway.outages import CommitOutcomeUnknown
from gateway.pubsub import COMMUNICATION_CREATED as COMMUNICATION_CREATED
from gateway.pubsub import RESYNC, queue_event_message
from resolvers.common.details import detail_rows, store_details
from resolvers.common.errors import UserError, UserErrorCode, UserErrors, error
from resolvers.common.naming import to_camel
from resolvers.common.references import Ref, RefField, decode_refs, require_refs
from resolvers.common.validation import changed_values, storable_instant

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


def invalid_value_error(problem: InvalidValue, path: Sequence[str] = ("input",)) -> UserError:
    field = to_camel(problem.field)
    return error([*path, field], f"{field} {problem}", UserErrorCode.INVALID)


async def in_transaction(
    info: strawberry.Info, work: Callable[[RecordWriter], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    """Run ``work`` in one transaction; a ``UserErrors`` rolls everything back."""
    context = info.context
    context.outbox.clear()
    try:
        async with context.backend.transaction() as writer:
            result = await work(writer)
            context.outbox.extend(queue_event_message(event) for event in writer.recorded_queue_events)
            triggered = recorded_automation_events(writer)
    except UserErrors as failure:
        context.outbox.clear()
        return None, failure.errors
    except InvalidValue as problem:
        context.outbox.clear()
        return None, [invalid_value_error(problem)]
    except CommitOutcomeUnknown:
        # It may have committed: its events are then in the logs, unpublished; subscribers read them there.
        context.outbox[:] = [RESYNC]
        await context.publish_outbox()
        raise
    except BaseException:
        context.outbox.clear()  # rolled back: nothing happened, so nothing is published
        raise
    await context.publish_outbox()
    await context.run_automations(triggered)  # after the commit: what they do is in this response too
    context.loaders.clear()  # later fields of this response must see the committed state
    return result, []


def recorded_automation_events(writer: RecordWriter) -> list[UUID]:
    """The trigger events the transaction recorded (none where the backend runs no automations)."""
    return list(writer.recorded_automation_events) if isinstance(writer, AutomationEventRecorder) else []


async def create_once(
    info: strawberry.Info,
    entity: Entity,
    operation: str,
    key: str | None,
    input: Any,
    create: Callable[[RecordWriter], Awaitable[UUID]],
) -> tuple[UUID | None, list[UserError]]:
    """A create that a client may retry: the same key returns the first result, no duplicate."""
    if key is None:
        return await in_transaction(info, create)
    if not key.strip() or len(key) > MAX_IDEMPOTENCY_KEY or "\x00" in key:
        message = f"The idempotency key must have 1 to {MAX_IDEMPOTENCY_KEY} characters."
        return None, [error(["idempotencyKey"], message, UserErrorCode.INVALID)]
    request_hash = hashlib.sha256(repr(input).encode()).hexdigest()
    caller = info.context.principal.subject  # keys are per caller: B's key is not a replay of A's

    async def work(writer: RecordWriter) -> UUID:
        seen = await writer.remembered_create(caller, operation, key)
        if seen is not None:
            if seen[0] != request_hash:
                message = "This idempotency key was already used with a different input."
                raise UserErrors([error(["idempotencyKey"], message, UserErrorCode.IDEMPOTENCY_KEY_REUSED)])
            await _require_replayable(writer, entity, seen[1])
            return seen[1]
        record_id = await create(writer)
        await writer.remember_create(caller, operation, key, request_hash, record_id)
        return record_id

    try:
        return await in_transaction(info, work)
    except IdempotencyRace:
        # The concurrent request committed first: the retry finds its key and answers with its result.
        return await in_transaction(info, work)


async def _require_replayable(writer: RecordWriter, entity: Entity, record_id: UUID) -> None:
    """A replay answers the record its key created; when that record is gone, an error says so (rather
    than a payload with neither a record nor an error)."""
    record = (await writer.get_many(entity, [record_id], include_deleted=True)).get(record_id)
    if record is not None and not record.is_deleted:
        return
    if record is None:  # not visible to this caller (row rules), or gone from an upstream
        message = "The record created with this idempotency key cannot be found."
        raise UserErrors([error(["idempotencyKey"], message, UserErrorCode.NOT_FOUND)])
    message = (
        "The record created with this idempotency key was deleted; restore it, or create with a new key."
    )
    raise UserErrors([error(["idempotencyKey"], message, UserErrorCode.IDEMPOTENCY_KEY_REPLAYED_DELETED)])


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


# --- Shared steps of the areas' mutations ---------------------------------------------------------------


async def current_record(
    writer: RecordWriter, entity: Entity, record_id: UUID, not_found: UserError, kind: str | None = None
) -> Any:
    """The live record inside the transaction, or NOT_FOUND (also for an event of another kind)."""
    record = (await writer.get_many(entity, [record_id])).get(record_id)
    if record is None or (kind is not None and getattr(record, "kind", None) != kind):
        raise UserErrors([not_found])
    return record


async def update_checked(
    writer: RecordWriter,
    entity: Entity,
    record_id: UUID,
    values: dict[str, Any],
    actor: str,
    expected_version: int | None,
    not_found: UserError,
) -> UUID:
    """A versioned update that answers NOT_FOUND or CONFLICT instead of writing nothing silently."""
    changed = await writer.update(entity, record_id, values, actor, expected_version)
    await check_changed(writer, entity, record_id, changed, not_found)
    return record_id


async def set_deleted_in_transaction(
    info: strawberry.Info,
    entity: Entity,
    record_id: UUID,
    deleted: bool,
    expected_version: int | None,
    not_found: UserError,
    check: Callable[[RecordWriter], Awaitable[None]] | None = None,
) -> tuple[UUID | None, list[UserError]]:
    """Soft-delete or restore in a transaction of its own; ``check`` may still veto (and roll back) it."""

    async def work(writer: RecordWriter) -> UUID:
        await set_deleted_checked(
            writer, entity, record_id, deleted, info.context.actor, expected_version, not_found
        )
        if check is not None:
            await check(writer)
        return record_id

    return await in_transaction(info, work)


async def replace_links(
    writer: RecordWriter, relation: Relation, parent_id: UUID, child_ids: list[UUID]
) -> None:
    """Make exactly ``child_ids`` linked to the parent: unlink the others, link the new ones."""
    current = await writer.linked_ids(relation, parent_id)
    for child_id in current - set(child_ids):
        await writer.unlink(relation, parent_id, child_id)
    for child_id in child_ids:
        if child_id not in current:
            await writer.link(relation, parent_id, child_id)


async def store_links(writer: RecordWriter, parent_id: UUID, links: dict[Relation, list[UUID]]) -> None:
    for relation, child_ids in links.items():
        await replace_links(writer, relation, parent_id, child_ids)


@dataclass
class WritePlan:
    """What a create or update input asks for, checked as far as possible before the transaction."""

    values: dict[str, Any]  # column values, references decoded to UUIDs
    refs: list[Ref]  # references that must exist in the tenant
    details: dict[Detail, list[dict[str, Any]]]  # detail lists to replace
    problems: list[UserError]
    links: dict[Relation, list[UUID]] = dataclasses.field(default_factory=dict)  # link lists to replace
    custom_values: list[Any] | None = None  # the input's customFieldValues (custom_fields.py)
    item_changes: dict[Detail, list[Any]] = dataclasses.field(default_factory=dict)  # item_actions.py


def write_plan(
    input: Any, columns: Sequence[str], ref_fields: Sequence[RefField] = (), path: Sequence[str] = ("input",)
) -> WritePlan:
    """Plain values, decoded references and validated detail rows of an input (UNSET fields left out)."""
    values = changed_values(input, tuple(columns))
    ref_values, refs, problems = decode_refs(input, ref_fields, path)
    details, detail_problems = detail_rows(input, list(path))
    problems += _out_of_range_times(values, path) + detail_problems
    return WritePlan({**values, **ref_values}, refs, details, problems)


def _out_of_range_times(values: dict[str, Any], path: Sequence[str]) -> list[UserError]:
    """Times that exist in their own offset but not in UTC (e.g. 9999-12-31T23:00-05:00) cannot be stored."""
    problems = []
    for name, value in values.items():
        if isinstance(value, datetime) and not storable_instant(value):
            field = to_camel(name)
            message = f"{field} is out of range in UTC."
            problems.append(error([*path, field], message, UserErrorCode.INVALID))
    return problems


async def insert_planned(writer: RecordWriter, entity: Entity, plan: WritePlan, actor: str) -> UUID:
    await require_refs(writer, plan.refs)
    record_id = await writer.insert(entity, plan.values, actor)
    await store_details(writer, record_id, plan.details)
    await store_links(writer, record_id, plan.links)
    return record_id


async def update_planned(
    writer: RecordWriter,
    entity: Entity,
    record_id: UUID,
    plan: WritePlan,
    actor: str,
    expected_version: int | None,
    not_found: UserError,
) -> UUID:
    await require_refs(writer, plan.refs)
    await update_checked(writer, entity, record_id, plan.values, actor, expected_version, not_found)
    await store_details(writer, record_id, plan.details)
    await store_links(writer, record_id, plan.links)
    return record_id
