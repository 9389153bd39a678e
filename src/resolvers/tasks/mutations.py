"""Task mutations (seed 004 /api/task): create, update, soft delete, restore and complete."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import strawberry

from gateway.backends.base import RecordWriter
from gateway.backends.records import Entity
from gateway.permissions import CRM_TASK_CREATE, CRM_TASK_DELETE, CRM_TASK_EDIT
from resolvers.common.errors import UserError, UserErrors
from resolvers.common.ids import decode_id_of
from resolvers.common.links import load_node
from resolvers.common.mutations import (
    ExpectedVersion,
    IdempotencyKey,
    WritePlan,
    create_once,
    current_record,
    in_transaction,
    insert_planned,
    set_deleted_in_transaction,
    update_checked,
    update_planned,
    write_plan,
)
from resolvers.common.permissions import requires
from resolvers.common.validation import as_utc, required_if_given
from resolvers.tasks.errors import REQUIRED_CODE, end_before_start, task_not_found
from resolvers.tasks.inputs import TASK_COLUMNS, TASK_REFS, TaskCreateInput, TaskUpdateInput
from resolvers.tasks.types import Task

KIND = "TASK"
TaskId = Annotated[strawberry.ID, strawberry.argument(description="The task's ID.")]


@strawberry.type(description="Result of `taskCreate`.")
class TaskCreatePayload:
    task: Task | None = strawberry.field(description="The new task; null when errors occurred.")
    errors: list[UserError] = strawberry.field(description="Why the task was not created.")


@strawberry.type(description="Result of `taskUpdate`.")
class TaskUpdatePayload:
    task: Task | None = strawberry.field(description="The task after the change.")
    errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="Result of `taskDelete`.")
class TaskDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="ID of the soft-deleted task.")
    errors: list[UserError] = strawberry.field(description="Why nothing was deleted.")


@strawberry.type(description="Result of `taskRestore`.")
class TaskRestorePayload:
    task: Task | None = strawberry.field(description="The restored task.")
    errors: list[UserError] = strawberry.field(description="Why nothing was restored.")


@strawberry.type(description="Result of `taskComplete`.")
class TaskCompletePayload:
    task: Task | None = strawberry.field(description="The task, now done.")
    errors: list[UserError] = strawberry.field(description="Why the task was not completed.")


def _plan(input: Any) -> WritePlan:
    plan = write_plan(input, TASK_COLUMNS, TASK_REFS)
    plan.problems = required_if_given(plan.values, "title", ["input", "title"], REQUIRED_CODE) + plan.problems
    return plan


def _period_problems(start: datetime | None, end: datetime | None) -> list[UserError]:
    if start is not None and end is not None and as_utc(end) < as_utc(start):
        return [end_before_start()]
    return []


async def _update(
    writer: RecordWriter, actor: str, record_id: UUID, plan: WritePlan, expected_version: int | None
) -> UUID:
    current = await current_record(writer, Entity.EVENT, record_id, task_not_found(), KIND)
    start, end = plan.values.get("start", current.start), plan.values.get("end", current.end)
    problems = _period_problems(start, end)
    if problems:
        raise UserErrors(problems)
    return await update_planned(
        writer, Entity.EVENT, record_id, plan, actor, expected_version, task_not_found()
    )


async def _complete(writer: RecordWriter, actor: str, record_id: UUID, expected_version: int | None) -> UUID:
    """Completing a task that is done already changes nothing (and so cannot conflict)."""
    current = await current_record(writer, Entity.EVENT, record_id, task_not_found(), KIND)
    if current.task_done:
        return record_id
    values = {"task_done": True}
    return await update_checked(
        writer, Entity.EVENT, record_id, values, actor, expected_version, task_not_found()
    )


async def _require_task(writer: RecordWriter, record_id: UUID) -> None:
    """Deleted or not, the event must be a task (not an appointment or follow-up)."""
    record = (await writer.get_many(Entity.EVENT, [record_id], include_deleted=True)).get(record_id)
    if record is None or getattr(record, "kind", None) != KIND:
        raise UserErrors([task_not_found()])


async def _set_deleted(
    info: strawberry.Info, record_id: UUID, deleted: bool, expected_version: int | None
) -> tuple[UUID | None, list[UserError]]:
    return await set_deleted_in_transaction(
        info,
        Entity.EVENT,
        record_id,
        deleted,
        expected_version,
        task_not_found(),
        check=lambda writer: _require_task(writer, record_id),
    )


@strawberry.type
class TaskMutation:
    @strawberry.mutation(
        description="Create a task. Retrying with the same idempotency key creates nothing new.",
        extensions=requires(CRM_TASK_CREATE),
    )
    async def task_create(
        self,
        info: strawberry.Info,
        input: Annotated[TaskCreateInput, strawberry.argument(description="The new task.")],
        idempotency_key: IdempotencyKey = None,
    ) -> TaskCreatePayload | None:
        plan = _plan(input)
        plan.problems += _period_problems(input.start, input.end)
        if plan.problems:
            return TaskCreatePayload(task=None, errors=plan.problems)
        plan.values["kind"] = KIND

        async def create(writer: RecordWriter) -> UUID:
            return await insert_planned(writer, Entity.EVENT, plan, info.context.actor)

        record_id, errors = await create_once(info, "taskCreate", idempotency_key, input, create)
        return TaskCreatePayload(task=await load_node(info, Entity.EVENT, record_id), errors=errors)

    @strawberry.mutation(
        description="Change a task. Pass `expectedVersion` to refuse lost updates.",
        extensions=requires(CRM_TASK_EDIT),
    )
    async def task_update(
        self,
        info: strawberry.Info,
        id: TaskId,
        input: Annotated[TaskUpdateInput, strawberry.argument(description="The fields to change.")],
        expected_version: ExpectedVersion = None,
    ) -> TaskUpdatePayload | None:
        record_id = decode_id_of(id, "Task")
        plan = _plan(input)
        if plan.problems:
            return TaskUpdatePayload(task=None, errors=plan.problems)
        done, errors = await in_transaction(
            info, lambda writer: _update(writer, info.context.actor, record_id, plan, expected_version)
        )
        return TaskUpdatePayload(task=await load_node(info, Entity.EVENT, done), errors=errors)

    @strawberry.mutation(
        description="Soft-delete a task; `taskRestore` brings it back.",
        extensions=requires(CRM_TASK_DELETE),
    )
    async def task_delete(
        self, info: strawberry.Info, id: TaskId, expected_version: ExpectedVersion = None
    ) -> TaskDeletePayload | None:
        _, errors = await _set_deleted(info, decode_id_of(id, "Task"), True, expected_version)
        return TaskDeletePayload(deleted_id=None if errors else strawberry.ID(id), errors=errors)

    @strawberry.mutation(
        description="Restore a soft-deleted task.",
        extensions=requires(CRM_TASK_DELETE),
    )
    async def task_restore(
        self, info: strawberry.Info, id: TaskId, expected_version: ExpectedVersion = None
    ) -> TaskRestorePayload | None:
        done, errors = await _set_deleted(info, decode_id_of(id, "Task"), False, expected_version)
        return TaskRestorePayload(task=await load_node(info, Entity.EVENT, done), errors=errors)

    @strawberry.mutation(
        description="Mark a task done; completing a done task again changes nothing.",
        extensions=requires(CRM_TASK_EDIT),
    )
    async def task_complete(
        self, info: strawberry.Info, id: TaskId, expected_version: ExpectedVersion = None
    ) -> TaskCompletePayload | None:
        record_id = decode_id_of(id, "Task")
        done, errors = await in_transaction(
            info, lambda writer: _complete(writer, info.context.actor, record_id, expected_version)
        )
        return TaskCompletePayload(task=await load_node(info, Entity.EVENT, done), errors=errors)
