"""Task mutations (seed 004 /api/task): create, update, soft delete, restore and complete."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from gateway.permissions import CRM_TASK_CREATE, CRM_TASK_DELETE, CRM_TASK_EDIT
from resolvers.common.crud import Change, CrudMutations, Target, Texts, action, crud_permissions
from resolvers.common.errors import UserError, UserErrors
from resolvers.common.mutations import WritePlan
from resolvers.common.validation import as_utc
from resolvers.tasks.errors import REQUIRED_CODE, end_before_start
from resolvers.tasks.inputs import TASK_COLUMNS, TASK_REFS, TaskCreateInput, TaskUpdateInput
from resolvers.tasks.types import Task


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

    @action(
        "Complete",
        CRM_TASK_EDIT,
        Texts(
            "Mark a task done; completing a done task again changes nothing.",
            result="The task, now done.",
            errors="Why the task was not completed.",
        ),
    )
    async def complete(self, task: Target) -> UUID:
        """Completing a task that is done already changes nothing (and so cannot conflict)."""
        if (await self.stored(task)).task_done:
            return task.record_id
        return await self.write(task, {"task_done": True})


TASKS = TaskCrud()


def _period_problems(start: datetime | None, end: datetime | None) -> list[UserError]:
    if start is not None and end is not None and as_utc(end) < as_utc(start):
        return [end_before_start()]
    return []


TaskMutation = TASKS.mutation_type()
