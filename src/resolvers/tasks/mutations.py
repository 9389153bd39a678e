"""Task mutations (seed 004 /api/task): create, update, soft delete, restore and complete."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry

from gateway.backends.base import RecordWriter
from gateway.backends.records import Entity
from gateway.permissions import CRM_TASK_CREATE, CRM_TASK_DELETE, CRM_TASK_EDIT
from resolvers.common.crud import Change, CrudMutations, crud_permissions
from resolvers.common.errors import UserError, UserErrors
from resolvers.common.ids import decode_id_of
from resolvers.common.links import load_node
from resolvers.common.mutations import (
    ExpectedVersion,
    WritePlan,
    current_record,
    in_transaction,
    update_checked,
)
from resolvers.common.permissions import requires
from resolvers.common.validation import as_utc
from resolvers.tasks.errors import REQUIRED_CODE, end_before_start
from resolvers.tasks.inputs import TASK_COLUMNS, TASK_REFS, TaskCreateInput, TaskUpdateInput
from resolvers.tasks.types import Task

KIND = "TASK"
TaskId = Annotated[strawberry.ID, strawberry.argument(description="The task's ID.")]


@strawberry.type(description="Result of `taskComplete`.")
class TaskCompletePayload:
    task: Task | None = strawberry.field(description="The task, now done.")
    errors: list[UserError] = strawberry.field(description="Why the task was not completed.")


class TaskCrud(CrudMutations):
    # Task is registered with kind TASK: creates write it, changes of other events answer NOT_FOUND.
    node, create_input, update_input = Task, TaskCreateInput, TaskUpdateInput
    permissions = crud_permissions(CRM_TASK_CREATE, CRM_TASK_EDIT, CRM_TASK_DELETE)
    columns, refs, required = TASK_COLUMNS, TASK_REFS, ("title", REQUIRED_CODE)

    def clean_create(self, info: strawberry.Info, input: TaskCreateInput, plan: WritePlan) -> None:
        plan.problems += _period_problems(input.start, input.end)

    async def update(self, change: Change) -> UUID:
        current = await self.stored(change)
        values = change.plan.values
        if problems := _period_problems(values.get("start", current.start), values.get("end", current.end)):
            raise UserErrors(problems)
        return await super().update(change)


TASKS = TaskCrud()


def _period_problems(start: datetime | None, end: datetime | None) -> list[UserError]:
    if start is not None and end is not None and as_utc(end) < as_utc(start):
        return [end_before_start()]
    return []


async def _complete(writer: RecordWriter, actor: str, record_id: UUID, expected_version: int | None) -> UUID:
    """Completing a task that is done already changes nothing (and so cannot conflict)."""
    current = await current_record(writer, Entity.EVENT, record_id, TASKS.not_found(), KIND)
    if current.task_done:
        return record_id
    values = {"task_done": True}
    return await update_checked(
        writer, Entity.EVENT, record_id, values, actor, expected_version, TASKS.not_found()
    )


@strawberry.type
class TaskMutation(TASKS.mutation_type()):  # type: ignore[misc]
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
