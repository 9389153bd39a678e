"""Enums, filter, order and mutation inputs of events (tasks, appointments, follow-ups)."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from gateway.backends.records import Entity
from resolvers.common.fields import optional_field as _f
from resolvers.common.fields import unset_field as _u
from resolvers.common.filters import BooleanFilter, DateTimeFilter, EnumFilter, IDFilter, StringFilter
from resolvers.common.ordering import OrderDirection
from resolvers.common.references import RefField


@strawberry.enum(description="Which kind of event a record is.")
class EventKind(Enum):
    TASK = strawberry.enum_value("TASK", description="A task (seed 004 Task).")
    APPOINTMENT = strawberry.enum_value("APPOINTMENT", description="An appointment (seed 004 Appointment).")
    FOLLOW_UP = strawberry.enum_value("FOLLOW_UP", description="A follow-up (seed 004 FollowUp).")


@strawberry.enum(description="What a task is about (seed 004 task types).")
class TaskType(Enum):
    CALL = strawberry.enum_value("CALL", description="A phone call.")
    MEETING = strawberry.enum_value("MEETING", description="A meeting.")
    OTHER = strawberry.enum_value("OTHER", description="Anything else.")
    SMS = strawberry.enum_value("SMS", description="A text message.")
    FOLLOW_UP = strawberry.enum_value("FOLLOW_UP", description="A follow-up.")
    REMINDER = strawberry.enum_value("REMINDER", description="A reminder.")
    LINKEDIN_MESSAGE = strawberry.enum_value("LINKEDIN_MESSAGE", description="A LinkedIn message.")
    DM = strawberry.enum_value("DM", description="A direct message.")


@strawberry.enum(description="Fields events can be sorted by.")
class EventOrderField(Enum):
    DATE_CREATED = strawberry.enum_value("date_created", description="Creation time.")
    START = strawberry.enum_value("start", description="Start time.")
    END = strawberry.enum_value("end", description="End time.")
    TITLE = strawberry.enum_value("title", description="Title.")


@strawberry.input(description="Which events to return; all given conditions must hold.")
class EventFilter:
    and_: list[EventFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[EventFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: EventFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The event's ID.")
    kind: EnumFilter[EventKind] | None = _f("Task, appointment or follow-up.")
    type: StringFilter | None = _f("Task type or appointment type.")
    title: StringFilter | None = _f("Title.")
    task_done: BooleanFilter | None = _f("Done or not.")
    assignee_id: IDFilter | None = _f("The assigned user.")
    contact_id: IDFilter | None = _f("The contact.")
    account_id: IDFilter | None = _f("The account.")
    lead_id: IDFilter | None = _f("The lead.")
    start: DateTimeFilter | None = _f("Start time.")
    end: DateTimeFilter | None = _f("End time.")
    date_created: DateTimeFilter | None = _f("Creation time.")


@strawberry.input(description="A sort key for events.")
class EventOrder:
    field: EventOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="A new task (seed 004 POST /api/task).")
class TaskCreateInput:
    title: str = strawberry.field(description="Title (required).")
    type: TaskType | None = _f("Task type.")
    note: str | None = _f("Note.")
    start: dt.datetime | None = _f("Start time.")
    end: dt.datetime | None = _f("End time; not before the start.")
    assignee_id: strawberry.ID | None = _f("The assigned user.")
    contact_id: strawberry.ID | None = _f("The contact.")
    account_id: strawberry.ID | None = _f("The account.")
    lead_id: strawberry.ID | None = _f("The lead.")


@strawberry.input(description="Changes to a task: only the fields given change.")
class TaskUpdateInput:
    title: str | None = _u("Title.")
    type: TaskType | None = _u("Task type.")
    note: str | None = _u("Note.")
    start: dt.datetime | None = _u("Start time.")
    end: dt.datetime | None = _u("End time.")
    task_done: bool | None = _u("Done.")
    assignee_id: strawberry.ID | None = _u("The assigned user.")
    contact_id: strawberry.ID | None = _u("The contact.")
    account_id: strawberry.ID | None = _u("The account.")
    lead_id: strawberry.ID | None = _u("The lead.")


TASK_COLUMNS = ("title", "type", "note", "start", "end", "task_done")
TASK_REFS = (
    RefField("assignee_id", "User", Entity.USER),
    RefField("contact_id", "Contact", Entity.CONTACT),
    RefField("account_id", "Account", Entity.ACCOUNT),
    RefField("lead_id", "Lead", Entity.LEAD),
)
