"""The ``Occasion`` type, its connection, and an occurrence of it in ``upcomingOccasions``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.backends.records import Entity
from gateway.ids import utcnow
from resolvers.common.base import BaseRecord
from resolvers.common.columns import uses_columns
from resolvers.common.connection import Connection
from resolvers.common.links import link
from resolvers.common.node import register_node
from resolvers.common.permissions import reads
from resolvers.occasions.calendar import next_date

if TYPE_CHECKING:
    from resolvers.accounts.types import Account
    from resolvers.contacts.types import Contact

ContactRef = Annotated["Contact", strawberry.lazy("resolvers.contacts.types")]
AccountRef = Annotated["Account", strawberry.lazy("resolvers.accounts.types")]


@strawberry.type(description="An important date of a contact or an account (seed 000 Occasion).")
class Occasion(BaseRecord):
    date: dt.date = strawberry.field(description="The date as entered (for a yearly one: its first year).")
    label: str | None = strawberry.field(description='What the date is, e.g. "Birthday".')
    recurring: bool = strawberry.field(description="Comes round every year on the same day.")
    reminder: bool = strawberry.field(description="Highlight the date as it approaches.")

    @strawberry.field(
        description="The next date on or after today (UTC): this year's or next year's for a yearly one "
        "(28 February for 29 February in a common year); null for a one-off date that has passed."
    )
    @uses_columns("date", "recurring")
    def next_date(self) -> dt.date | None:
        return next_date(self.record.date, self.record.recurring, utcnow().date())

    @strawberry.field(description="The contact it belongs to.", extensions=reads(Entity.CONTACT))
    @uses_columns("contact_id")
    def contact(self, info: strawberry.Info) -> ContactRef | None:
        return link(info, Entity.CONTACT, self.record.contact_id)

    @strawberry.field(description="The account it belongs to.", extensions=reads(Entity.ACCOUNT))
    @uses_columns("account_id")
    def account(self, info: strawberry.Info) -> AccountRef | None:
        return link(info, Entity.ACCOUNT, self.record.account_id)


@strawberry.type(name="OccasionConnection", description="A page of occasions.")
class OccasionConnection(Connection[Occasion]):
    pass


@strawberry.type(description="An occasion falling within the window of `upcomingOccasions`.")
class UpcomingOccasion:
    node: strawberry.Private[Occasion]
    date: dt.date = strawberry.field(description="The day it falls on in the window.")
    days_away: int = strawberry.field(description="Days from today (UTC) to that day; 0 is today.")

    @strawberry.field(description="The occasion.", extensions=reads(Entity.OCCASION))
    def occasion(self) -> Occasion | None:
        return self.node


register_node(Occasion, Entity.OCCASION)
