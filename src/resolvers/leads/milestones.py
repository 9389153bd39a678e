"""Dealer milestones of a lead (seed 004 Connection l. 13001-13050, Lead l. 12883-12893): each a date
with the user who set it, read as one list so a client asks for what happened without naming twelve
fields."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry

from gateway.backends.lead_workflow import MILESTONES
from gateway.backends.records import Entity
from resolvers.common.links import link
from resolvers.common.permissions import reads
from resolvers.users.types import User


@strawberry.enum(description="A dealer milestone of a lead (seed 004 Connection and Lead).")
class LeadMilestone(Enum):
    FIRST_OPEN = strawberry.enum_value("FIRST_OPEN", description="First opened (firstOpenDate, firstOpenBy).")
    WALK_AROUND = strawberry.enum_value(
        "WALK_AROUND", description="Walk around done (isWalkAroundDone, walkAroundDate)."
    )
    TAKE_OVER = strawberry.enum_value("TAKE_OVER", description="Taken over (isTakeOver, takeOverDate).")
    TEST_DRIVE = strawberry.enum_value(
        "TEST_DRIVE", description="Test drive done (testDriveDone, testDriveDate)."
    )
    TRADE_IN_APPRAISAL = strawberry.enum_value(
        "TRADE_IN_APPRAISAL",
        description="Trade-in appraisal done (tradeInAppraisalDone, tradeInAppraisalDate).",
    )
    CREDIT_APPLICATION = strawberry.enum_value(
        "CREDIT_APPLICATION",
        description="Credit application submitted (creditApplicationSubmitted, ...SubmittedDate).",
    )
    OFFER_MADE = strawberry.enum_value("OFFER_MADE", description="Offer made (offerMade, offerMadeDate).")
    ORDER_PLACED = strawberry.enum_value("ORDER_PLACED", description="Order placed (orderPlaced, orderDate).")
    SOLD = strawberry.enum_value("SOLD", description="Sold (soldDate, soldBy).")
    EXPECTED_DELIVERY = strawberry.enum_value(
        "EXPECTED_DELIVERY", description="Expected delivery (expectedDeliveryDate)."
    )
    LOST = strawberry.enum_value("LOST", description="Marked lost (lostDate, lostBy).")
    CLOSED = strawberry.enum_value("CLOSED", description="Closed (connectionClosedDate, connectionClosedBy).")


@strawberry.type(description="A milestone a lead reached: when, and the user who set it.")
class LeadMilestoneDate:
    milestone: LeadMilestone = strawberry.field(description="Which milestone.")
    date: dt.datetime = strawberry.field(description="When the milestone was reached (or is expected).")
    set_by_id: strawberry.Private[UUID | None]

    @strawberry.field(
        description="The user who set the milestone; null when none was recorded.",
        extensions=reads(Entity.USER),
    )
    def set_by(self, info: strawberry.Info) -> User | None:
        return link(info, Entity.USER, self.set_by_id)  # type: ignore[no-any-return]


def reached_milestones(record: Any) -> list[LeadMilestoneDate]:
    """The milestones with a date, in the order a sale usually takes."""
    reached = []
    for milestone in MILESTONES:
        date = getattr(record, milestone.date_column)
        if date is not None:
            member = LeadMilestone[milestone.name]
            setter = getattr(record, milestone.by_column)
            reached.append(LeadMilestoneDate(milestone=member, date=date, set_by_id=setter))
    return reached


MILESTONE_COLUMNS = tuple(c for m in MILESTONES for c in (m.date_column, m.by_column))
