"""Event queries: tasks, and all events (tasks, appointments, follow-ups)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.backends.records import Entity
from resolvers.common.lists import root_list
from resolvers.common.lookups import node_by_id
from resolvers.common.permissions import reads
from resolvers.lists import EVENT_LIST, TASK_LIST
from resolvers.tasks.types import Event, Task


@strawberry.type
class TaskQuery:
    @strawberry.field(
        description="A task by ID; null if it does not exist in your tenant.", extensions=reads(Entity.EVENT)
    )
    async def task(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The task's ID.")],
    ) -> Task | None:
        return await node_by_id(info, id, Entity.EVENT, "Task")  # type: ignore[no-any-return]

    @strawberry.field(description="A task, appointment or follow-up by ID.", extensions=reads(Entity.EVENT))
    async def event(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The event's ID.")],
    ) -> Event | None:
        return await node_by_id(info, id, Entity.EVENT, "Task", "Appointment", "FollowUp")  # type: ignore[no-any-return]

    tasks = root_list(TASK_LIST, "Tasks only (kind TASK), filtered, sorted and paged.")
    events = root_list(EVENT_LIST, "Tasks, appointments and follow-ups, filtered, sorted and paged.")
