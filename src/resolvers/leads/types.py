"""The ``Lead`` type (seed 004 Connection + Lead) and its connection."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.backends.records import Detail, Entity, Relation
from resolvers.common.base import BaseRecord
from resolvers.common.columns import uses_columns
from resolvers.common.connection import Connection
from resolvers.common.custom_fields import custom_fields_field
from resolvers.common.customer import detail_objects
from resolvers.common.details import ThirdPartyId
from resolvers.common.links import link
from resolvers.common.lists import nested_list
from resolvers.common.node import register_node
from resolvers.common.permissions import reads
from resolvers.leads.inputs import LeadDirection, LeadStatus
from resolvers.leads.milestones import MILESTONE_COLUMNS, LeadMilestoneDate, reached_milestones
from resolvers.lists import COMMUNICATION_LIST, EVENT_LIST, TASK_LIST, USER_LIST
from resolvers.stages.types import Stage
from resolvers.timeline.field import timeline_field
from resolvers.users.types import Department, Franchise

if TYPE_CHECKING:
    from resolvers.accounts.types import Account
    from resolvers.contacts.types import Contact

ContactRef = Annotated["Contact", strawberry.lazy("resolvers.contacts.types")]
AccountRef = Annotated["Account", strawberry.lazy("resolvers.accounts.types")]


@strawberry.type(description="A sales opportunity (ConeCRM Lead / Connection).")
class Lead(BaseRecord):
    subject: str = strawberry.field(description="Subject.")
    description: str | None = strawberry.field(description="Detailed description.")
    status: LeadStatus = strawberry.field(description="Open, won, lost or closed.")
    source: str | None = strawberry.field(description="Where the lead came from.")
    category: str | None = strawberry.field(description="Category.")
    direction: LeadDirection | None = strawberry.field(description="Inbound or outbound.")
    due_date: dt.datetime | None = strawberry.field(description="Due date.")
    is_qualified: bool = strawberry.field(description="Whether the lead is qualified.")
    priority: int | None = strawberry.field(description="Priority level.")
    closed_date: dt.datetime | None = strawberry.field(description="When the lead was closed.")
    lost_date: dt.datetime | None = strawberry.field(description="When the lead was marked lost.")
    first_open_date: dt.datetime | None = strawberry.field(description="When the lead was first opened.")
    expected_delivery_date: dt.datetime | None = strawberry.field(
        description="Expected delivery date (milestone)."
    )
    offer_made_date: dt.datetime | None = strawberry.field(description="When an offer was made (milestone).")
    sold_date: dt.datetime | None = strawberry.field(description="When the lead was sold (milestone).")
    visit_count: int = strawberry.field(description="Number of visits.")
    presale_visit_count: int = strawberry.field(description="Number of pre-sale visits.")
    postsale_visit_count: int = strawberry.field(description="Number of post-sale visits.")
    customer_initiated: bool = strawberry.field(description="Whether the customer initiated the lead.")
    handling_instructions: str | None = strawberry.field(description="Instructions for handling the lead.")
    form_name: str | None = strawberry.field(description="Name of the form that captured the lead.")

    @strawberry.field(description="The contact the lead is with.", extensions=reads(Entity.CONTACT))
    def contact(self, info: strawberry.Info) -> ContactRef | None:
        return link(info, Entity.CONTACT, self.record.contact_id)

    @strawberry.field(description="The account the lead is with.", extensions=reads(Entity.ACCOUNT))
    def account(self, info: strawberry.Info) -> AccountRef | None:
        return link(info, Entity.ACCOUNT, self.record.account_id)

    @strawberry.field(description="The pipeline stage the lead is in.", extensions=reads(Entity.STAGE))
    def stage(self, info: strawberry.Info) -> Stage | None:
        return link(info, Entity.STAGE, self.record.stage_id)  # type: ignore[no-any-return]

    @strawberry.field(description="The franchise handling the lead.", extensions=reads(Entity.FRANCHISE))
    def franchise(self, info: strawberry.Info) -> Franchise | None:
        return link(info, Entity.FRANCHISE, self.record.franchise_id)  # type: ignore[no-any-return]

    @strawberry.field(description="The department handling the lead.", extensions=reads(Entity.DEPARTMENT))
    def department(self, info: strawberry.Info) -> Department | None:
        return link(info, Entity.DEPARTMENT, self.record.department_id)  # type: ignore[no-any-return]

    @strawberry.field(description="Identifiers of this lead in other systems.")
    @uses_columns("id")
    async def third_party_ids(self, info: strawberry.Info) -> list[ThirdPartyId]:
        return await detail_objects(info, Detail.THIRD_PARTY_IDS, self.record.id, ThirdPartyId)

    custom_fields = custom_fields_field(Entity.LEAD)

    # Lead workflow: vehicle and UTM members (seed 004 LeadCreateRequest l. 16282-16297)
    make_str: str | None = strawberry.field(description="The make of the vehicle (makeStr).")
    model_str: str | None = strawberry.field(description="The model of the vehicle (modelStr).")
    year_str: str | None = strawberry.field(description="The year of the vehicle (yearStr).")
    trim_str: str | None = strawberry.field(description="The trim of the vehicle (trimStr).")
    utm_campaign: str | None = strawberry.field(description="UTM campaign parameter (utmCampaign).")
    utm_source: str | None = strawberry.field(description="UTM source parameter (utmSource).")

    @strawberry.field(
        description="The dealer milestones the lead reached, each with its date and the user who set it, "
        "in the order a sale usually takes (seed 004 Connection and Lead milestones)."
    )
    @uses_columns(*MILESTONE_COLUMNS)
    def milestones(self) -> list[LeadMilestoneDate]:
        return reached_milestones(self.record)

    assignees = nested_list(USER_LIST, Relation.LEAD_ASSIGNEES, "Users assigned to the lead.")
    events = nested_list(EVENT_LIST, Relation.LEAD_EVENTS, "Tasks, appointments and follow-ups of the lead.")
    tasks = nested_list(TASK_LIST, Relation.LEAD_EVENTS, "Tasks only (kind TASK) of the lead.")
    communications = nested_list(
        COMMUNICATION_LIST, Relation.LEAD_COMMUNICATIONS, "Communications that refer to the lead."
    )
    timeline = timeline_field(
        Entity.LEAD,
        "Its tasks, appointments and communications, newest first (seed 000 CRM_ACTIVITY_VIEW).",
    )


@strawberry.type(name="LeadConnection", description="A page of leads.")
class LeadConnection(Connection[Lead]):
    pass


register_node(Lead, Entity.LEAD)
