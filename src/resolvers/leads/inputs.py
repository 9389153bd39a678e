"""Enums, filter, order and mutation inputs of the leads area."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from gateway.backends.lead_workflow import VEHICLE_UTM_COLUMNS
from gateway.backends.records import Entity
from resolvers.common.custom_fields import CustomFieldValueInput
from resolvers.common.details import ThirdPartyIdInput
from resolvers.common.fields import optional_field as _f
from resolvers.common.fields import unset_field as _u
from resolvers.common.filters import (
    BooleanFilter,
    CustomFieldFilter,
    DateTimeFilter,
    EnumFilter,
    IDFilter,
    IntFilter,
    StringFilter,
)
from resolvers.common.ordering import OrderDirection
from resolvers.common.references import RefField


@strawberry.enum(description="Where a lead stands overall (seed 004 connection status).")
class LeadStatus(Enum):
    OPEN = strawberry.enum_value("OPEN", description="Being worked on.")
    WON = strawberry.enum_value("WON", description="Closed with a sale.")
    LOST = strawberry.enum_value("LOST", description="Closed without a sale.")
    CLOSED = strawberry.enum_value("CLOSED", description="Closed for another reason.")


@strawberry.enum(description="Who started the conversation (seed 004 connection direction).")
class LeadDirection(Enum):
    INBOUND = strawberry.enum_value("INBOUND", description="The customer reached out.")
    OUTBOUND = strawberry.enum_value("OUTBOUND", description="The business reached out.")


@strawberry.enum(description="Fields leads can be sorted by.")
class LeadOrderField(Enum):
    DATE_CREATED = strawberry.enum_value("date_created", description="Creation time.")
    DATE_MODIFIED = strawberry.enum_value("date_modified", description="Last change.")
    DUE_DATE = strawberry.enum_value("due_date", description="Due date.")
    PRIORITY = strawberry.enum_value("priority", description="Priority.")
    SUBJECT = strawberry.enum_value("subject", description="Subject.")
    CUSTOM_FIELD = strawberry.enum_value(
        "custom_field", description="The custom field named in `customField`."
    )


@strawberry.input(description="Which leads to return; all given conditions must hold.")
class LeadFilter:
    and_: list[LeadFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[LeadFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: LeadFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The lead's ID.")
    subject: StringFilter | None = _f("Subject.")
    status: EnumFilter[LeadStatus] | None = _f("Status.")
    direction: EnumFilter[LeadDirection] | None = _f("Direction.")
    source: StringFilter | None = _f("Source.")
    category: StringFilter | None = _f("Category.")
    contact_id: IDFilter | None = _f("The contact.")
    account_id: IDFilter | None = _f("The account.")
    stage_id: IDFilter | None = _f("The stage.")
    franchise_id: IDFilter | None = _f("The franchise handling the lead.")
    priority: IntFilter | None = _f("Priority.")
    is_qualified: BooleanFilter | None = _f("Qualified or not.")
    due_date: DateTimeFilter | None = _f("Due date.")
    date_created: DateTimeFilter | None = _f("Creation time.")
    custom_fields: list[CustomFieldFilter] | None = _f("Conditions on custom fields, all of which must hold.")
    # Lead workflow: vehicle and UTM members (seed 004 LeadCreateRequest l. 16282-16297)
    make_str: StringFilter | None = _f("Vehicle make.")
    model_str: StringFilter | None = _f("Vehicle model.")
    year_str: StringFilter | None = _f("Vehicle year.")
    trim_str: StringFilter | None = _f("Vehicle trim.")
    utm_campaign: StringFilter | None = _f("UTM campaign.")
    utm_source: StringFilter | None = _f("UTM source.")


@strawberry.input(description="A sort key for leads.")
class LeadOrder:
    field: LeadOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )
    custom_field: str | None = _f("With field CUSTOM_FIELD: the fieldName of the custom field.")


@strawberry.input(description="A new lead.")
class LeadCreateInput:
    subject: str = strawberry.field(description="Subject (required).")
    description: str | None = _f("Description.")
    status: LeadStatus = strawberry.field(default=LeadStatus.OPEN, description="Status.")
    source: str | None = _f("Source, e.g. Web form.")
    category: str | None = _f("Category.")
    direction: LeadDirection | None = _f("Direction.")
    contact_id: strawberry.ID | None = _f("The contact.")
    account_id: strawberry.ID | None = _f("The account.")
    stage_id: strawberry.ID | None = _f("The stage.")
    franchise_id: strawberry.ID | None = _f("The franchise.")
    department_id: strawberry.ID | None = _f("The department.")
    assignee_ids: list[strawberry.ID] | None = _f("Users assigned to the lead.")
    due_date: dt.datetime | None = _f("Due date.")
    is_qualified: bool = strawberry.field(default=False, description="Qualified.")
    priority: int | None = _f("Priority.")
    customer_initiated: bool = strawberry.field(default=False, description="Initiated by the customer.")
    handling_instructions: str | None = _f("Handling instructions.")
    form_name: str | None = _f("Name of the form that captured the lead.")
    third_party_ids: list[ThirdPartyIdInput] | None = _f("Identifiers in other systems.")
    custom_field_values: list[CustomFieldValueInput] | None = _f(
        "Custom field values (seed 004 customFieldValues)."
    )
    # Lead workflow: vehicle and UTM members (seed 004 LeadCreateRequest l. 16282-16297)
    make_str: str | None = _f("The make of the vehicle (makeStr).")
    model_str: str | None = _f("The model of the vehicle (modelStr).")
    year_str: str | None = _f("The year of the vehicle (yearStr).")
    trim_str: str | None = _f("The trim of the vehicle (trimStr).")
    utm_campaign: str | None = _f("UTM campaign parameter (utmCampaign).")
    utm_source: str | None = _f("UTM source parameter (utmSource).")


@strawberry.input(description="Changes to a lead: only the fields given change.")
class LeadUpdateInput:
    subject: str | None = _u("Subject.")
    description: str | None = _u("Description.")
    status: LeadStatus | None = _u("Status.")
    source: str | None = _u("Source.")
    category: str | None = _u("Category.")
    direction: LeadDirection | None = _u("Direction.")
    contact_id: strawberry.ID | None = _u("The contact.")
    account_id: strawberry.ID | None = _u("The account.")
    franchise_id: strawberry.ID | None = _u("The franchise.")
    department_id: strawberry.ID | None = _u("The department.")
    assignee_ids: list[strawberry.ID] | None = _u("Users assigned (replaces the list).")
    due_date: dt.datetime | None = _u("Due date.")
    is_qualified: bool | None = _u("Qualified.")
    priority: int | None = _u("Priority.")
    visit_count: int | None = _u("Number of visits.")
    presale_visit_count: int | None = _u("Number of pre-sale visits.")
    postsale_visit_count: int | None = _u("Number of post-sale visits.")
    customer_initiated: bool | None = _u("Initiated by the customer.")
    handling_instructions: str | None = _u("Handling instructions.")
    form_name: str | None = _u("Form name.")
    third_party_ids: list[ThirdPartyIdInput] | None = _u("Identifiers in other systems (replace the list).")
    custom_field_values: list[CustomFieldValueInput] | None = _u(
        "Custom field values to set or (value null) clear; the others stay."
    )
    # Lead workflow: vehicle and UTM members (seed 004 LeadCreateRequest l. 16282-16297)
    make_str: str | None = _u("The make of the vehicle.")
    model_str: str | None = _u("The model of the vehicle.")
    year_str: str | None = _u("The year of the vehicle.")
    trim_str: str | None = _u("The trim of the vehicle.")
    utm_campaign: str | None = _u("UTM campaign parameter.")
    utm_source: str | None = _u("UTM source parameter.")


LEAD_COLUMNS = [
    "subject",
    "description",
    "status",
    "source",
    "category",
    "direction",
    "due_date",
    "is_qualified",
    "priority",
    "customer_initiated",
    "handling_instructions",
    "form_name",
    "visit_count",
    "presale_visit_count",
    "postsale_visit_count",
    *VEHICLE_UTM_COLUMNS,  # lead workflow
]
LEAD_REFERENCES = ("contact_id", "account_id", "stage_id", "franchise_id", "department_id")
LEAD_REFS = (
    RefField("contact_id", "Contact", Entity.CONTACT),
    RefField("account_id", "Account", Entity.ACCOUNT),
    RefField("stage_id", "Stage", Entity.STAGE),
    RefField("franchise_id", "Franchise", Entity.FRANCHISE),
    RefField("department_id", "Department", Entity.DEPARTMENT),
)
LEAD_ASSIGNEES = RefField("assignee_ids", "User", Entity.USER)
