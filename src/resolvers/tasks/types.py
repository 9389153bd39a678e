"""The ``Event`` interface (seed 004 EventBase) and ``Task``, ``Appointment``, ``FollowUp``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.backends.records import Entity
from resolvers.common.base import BaseRecord
from resolvers.common.columns import uses_columns
from resolvers.common.connection import Connection
from resolvers.common.links import link
from resolvers.common.node import register_node
from resolvers.common.permissions import reads
from resolvers.tasks.inputs import EventKind, TaskType
from resolvers.users.types import User

if TYPE_CHECKING:
    from resolvers.accounts.types import Account
    from resolvers.contacts.types import Contact
    from resolvers.leads.types import Lead

ContactRef = Annotated["Contact", strawberry.lazy("resolvers.contacts.types")]
AccountRef = Annotated["Account", strawberry.lazy("resolvers.accounts.types")]
LeadRef = Annotated["Lead", strawberry.lazy("resolvers.leads.types")]


@strawberry.interface(description="Something scheduled with a contact, account or lead (ConeCRM EventBase).")
class Event(BaseRecord):
    kind: EventKind = strawberry.field(description="Task, appointment or follow-up.")
    title: str = strawberry.field(description="Title.")
    note: str | None = strawberry.field(description="Note or description.")
    start: dt.datetime | None = strawberry.field(description="Start time.")
    end: dt.datetime | None = strawberry.field(description="End time.")
    task_done: bool = strawberry.field(description="Whether it is done.")
    notified: bool = strawberry.field(description="Whether notifications were sent.")

    @strawberry.field(description="The user it is assigned to.", extensions=reads(Entity.USER))
    def assignee(self, info: strawberry.Info) -> User | None:
        return link(info, Entity.USER, self.record.assignee_id)  # type: ignore[no-any-return]

    @strawberry.field(description="The contact it concerns.", extensions=reads(Entity.CONTACT))
    def contact(self, info: strawberry.Info) -> ContactRef | None:
        return link(info, Entity.CONTACT, self.record.contact_id)

    @strawberry.field(description="The account it concerns.", extensions=reads(Entity.ACCOUNT))
    def account(self, info: strawberry.Info) -> AccountRef | None:
        return link(info, Entity.ACCOUNT, self.record.account_id)

    @strawberry.field(description="The lead it belongs to.", extensions=reads(Entity.LEAD))
    def lead(self, info: strawberry.Info) -> LeadRef | None:
        return link(info, Entity.LEAD, self.record.lead_id)


@strawberry.type(description="A task (ConeCRM Task).")
class Task(Event):
    @strawberry.field(description="What the task is about.")
    @uses_columns("type")
    def type(self) -> TaskType | None:
        value = self.record.type
        return TaskType(value) if value in TaskType._value2member_map_ else None


@strawberry.type(description="An appointment with a customer (ConeCRM Appointment).")
class Appointment(Event):
    type: str | None = strawberry.field(description="Type of appointment.")
    no_show: bool | None = strawberry.field(description="True when the customer did not show up.")
    customer_confirmed: bool | None = strawberry.field(description="True when the customer confirmed.")
    canceled: bool | None = strawberry.field(description="True when the appointment was canceled.")
    url: str | None = strawberry.field(description="Meeting link.")


@strawberry.type(description="A follow-up (ConeCRM FollowUp).")
class FollowUp(Event):
    from_automation: bool | None = strawberry.field(description="True when an automation created it.")


@strawberry.type(name="EventConnection", description="A page of tasks, appointments and follow-ups.")
class EventConnection(Connection[Event]):
    pass


register_node(Task, Entity.EVENT, "TASK")
register_node(Appointment, Entity.EVENT, "APPOINTMENT")
register_node(FollowUp, Entity.EVENT, "FOLLOW_UP")
EVENT_TYPES = (Task, Appointment, FollowUp)
