"""The lead workflow's columns (seed 004): the vehicle and UTM members of LeadCreateRequest and the
dealer milestones of Connection and Lead, each a date with the user who set it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

# LeadCreateRequest makeStr, modelStr, yearStr, trimStr, utmCampaign, utmSource (l. 16282-16297)
VEHICLE_UTM_COLUMNS = ("make_str", "model_str", "year_str", "trim_str", "utm_campaign", "utm_source")


@dataclass(frozen=True)
class Milestone:
    name: str  # the GraphQL enum value
    date_column: str
    by_column: str  # the user who set it: seed 004's *By member where it has one, else the gateway's


def _milestone(name: str, date_column: str, by_column: str | None = None) -> Milestone:
    stem = date_column.removesuffix("_date")
    return Milestone(name, date_column, by_column or f"{stem}_by_id")


# Connection (l. 13001-13050) and Lead (l. 12883-12893), in the order a sale usually takes.
MILESTONES = (
    _milestone("FIRST_OPEN", "first_open_date"),  # firstOpenDate, firstOpenBy
    _milestone("WALK_AROUND", "walk_around_date"),  # isWalkAroundDone, walkAroundDate
    _milestone("TAKE_OVER", "take_over_date"),  # isTakeOver, takeOverDate
    _milestone("TEST_DRIVE", "test_drive_date"),  # testDriveDone, testDriveDate
    _milestone("TRADE_IN_APPRAISAL", "trade_in_appraisal_date"),  # tradeInAppraisalDone/Date
    _milestone("CREDIT_APPLICATION", "credit_application_date"),  # creditApplicationSubmitted/Date
    _milestone("OFFER_MADE", "offer_made_date"),  # offerMade, offerMadeDate
    _milestone("ORDER_PLACED", "order_date"),  # orderPlaced, orderDate
    _milestone("SOLD", "sold_date"),  # soldDate, soldBy
    _milestone("EXPECTED_DELIVERY", "expected_delivery_date"),  # expectedDeliveryDate
    _milestone("LOST", "lost_date"),  # lostDate, lostBy
    _milestone("CLOSED", "closed_date"),  # connectionClosedDate, connectionClosedBy
)
MILESTONES_BY_NAME = {milestone.name: milestone for milestone in MILESTONES}
# Date columns the first schema (0001) already had; the others came with migration 0016.
ORIGINAL_DATE_COLUMNS = frozenset(
    {"first_open_date", "offer_made_date", "sold_date", "expected_delivery_date", "lost_date", "closed_date"}
)
NEW_DATE_COLUMNS = tuple(m.date_column for m in MILESTONES if m.date_column not in ORIGINAL_DATE_COLUMNS)
SETTER_COLUMNS = tuple(m.by_column for m in MILESTONES)


@runtime_checkable
class LeadCopier(Protocol):
    """A writer whose system copies a lead itself (seed 004 POST /api/lead/{lead}/copy, CopyLeadData):
    ``values`` holds what the copy changes (contact_id, account_id, subject, department_id,
    franchise_id); the answer is the copy's id."""

    async def copy_lead(self, original_id: UUID, values: Mapping[str, Any]) -> UUID: ...
