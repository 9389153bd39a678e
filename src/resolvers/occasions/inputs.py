"""Filter, order and mutation inputs of occasions."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from gateway.backends.records import Entity
from resolvers.common.fields import optional_field as _f
from resolvers.common.fields import unset_field as _u
from resolvers.common.filters import BooleanFilter, DateTimeFilter, IDFilter, StringFilter
from resolvers.common.ordering import OrderDirection
from resolvers.common.references import RefField


@strawberry.enum(description="Fields occasions can be sorted by.")
class OccasionOrderField(Enum):
    DATE_CREATED = strawberry.enum_value("date_created", description="Creation time.")
    DATE = strawberry.enum_value("date", description="The occasion's own date.")
    LABEL = strawberry.enum_value("label", description="Label.")


@strawberry.input(description="Which occasions to return; all given conditions must hold.")
class OccasionFilter:
    and_: list[OccasionFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[OccasionFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: OccasionFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The occasion's ID.")
    label: StringFilter | None = _f("Label.")
    recurring: BooleanFilter | None = _f("Yearly or not.")
    reminder: BooleanFilter | None = _f("Highlighted as it approaches or not.")
    date_created: DateTimeFilter | None = _f("Creation time.")


@strawberry.input(description="A sort key for occasions.")
class OccasionOrder:
    field: OccasionOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="A new occasion of a contact or an account: give exactly one of the two.")
class OccasionCreateInput:
    date: dt.date = strawberry.field(description="The date, e.g. a birthday or a contract renewal deadline.")
    label: str | None = _f('What the date is, e.g. "Birthday".')
    recurring: bool = strawberry.field(default=False, description="Comes round every year on the same day.")
    reminder: bool = strawberry.field(default=False, description="Highlight the date as it approaches.")
    contact_id: strawberry.ID | None = _f("The contact it belongs to.")
    account_id: strawberry.ID | None = _f("The account (organization) it belongs to.")


@strawberry.input(description="Changes to an occasion: only the fields given change.")
class OccasionUpdateInput:
    date: dt.date | None = _u("The date.")
    label: str | None = _u("What the date is.")
    recurring: bool | None = _u("Comes round every year.")
    reminder: bool | None = _u("Highlight the date as it approaches.")


OCCASION_COLUMNS = ["date", "label", "recurring", "reminder"]
OCCASION_REFS = (
    RefField("contact_id", "Contact", Entity.CONTACT),
    RefField("account_id", "Account", Entity.ACCOUNT),
)
