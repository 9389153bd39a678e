"""Occasion queries: one by ID, and the occasions coming up in the next days."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

import strawberry

from gateway.backends.query import AllOf, AnyOf, Condition, ListQuery, Op, OrderKey, PageRequest
from gateway.backends.records import Entity
from gateway.errors import BadUserInput
from gateway.ids import utcnow
from resolvers.common.lookups import node_by_id
from resolvers.common.node import node_from_record
from resolvers.common.permissions import reads
from resolvers.occasions.calendar import next_date, window_month_days
from resolvers.occasions.errors import MAX_UPCOMING_DAYS
from resolvers.occasions.types import Occasion, UpcomingOccasion

MAX_UPCOMING = 500  # occasions one call answers; a window holding more is cut after the earliest


def _window(today: date, days: int) -> ListQuery:
    """One-off occasions dated in the window, and yearly ones whose day of the year falls in it."""
    yearly = AllOf(
        (
            Condition("recurring", Op.EQ, True),
            Condition("month_day", Op.IN, tuple(window_month_days(today, days))),
        )
    )
    once = AllOf(
        (
            Condition("recurring", Op.EQ, False),
            Condition("date", Op.BETWEEN, (today, today + timedelta(days=days))),
        )
    )
    order = (OrderKey("date_created"),)
    return ListQuery(filter=AnyOf((yearly, once)), order=order, page=PageRequest(first=MAX_UPCOMING * 4))


@strawberry.type
class OccasionQuery:
    @strawberry.field(
        description="An occasion by ID; null if it does not exist in your tenant.",
        extensions=reads(Entity.OCCASION),
    )
    async def occasion(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The occasion's ID.")],
    ) -> Occasion | None:
        return await node_by_id(info, id, Entity.OCCASION, "Occasion")  # type: ignore[no-any-return]

    @strawberry.field(
        description="Occasions of the contacts and accounts you may see that fall within the next `days` "
        "days (today included, UTC), soonest first. Yearly ones roll to the next year; one on 29 February "
        "falls on 28 February in common years. An account's need CUST_ORGANIZATION_VIEW.",
        extensions=reads(Entity.OCCASION),
    )
    async def upcoming_occasions(
        self,
        info: strawberry.Info,
        days: Annotated[
            int,
            strawberry.argument(description=f"The window in days, 0 (today only) to {MAX_UPCOMING_DAYS}."),
        ],
        first: Annotated[
            int, strawberry.argument(description=f"At most this many, 1 to {MAX_UPCOMING}.")
        ] = 100,
    ) -> list[UpcomingOccasion] | None:
        if not 0 <= days <= MAX_UPCOMING_DAYS:
            raise BadUserInput(f"days must be between 0 and {MAX_UPCOMING_DAYS}.", argument="days")
        if not 1 <= first <= MAX_UPCOMING:
            raise BadUserInput(f"first must be between 1 and {MAX_UPCOMING}.", argument="first")
        today = utcnow().date()
        page = await info.context.loaders.page(Entity.OCCASION, _window(today, days))
        found = []
        for record in page.rows:
            day = next_date(record.date, record.recurring, today)  # type: ignore[attr-defined]
            if day is not None and (day - today).days <= days:
                found.append((day, record))
        found.sort(key=lambda item: (item[0], str(item[1].id)))
        return [
            UpcomingOccasion(
                node=node_from_record(Entity.OCCASION, record), date=day, days_away=(day - today).days
            )
            for day, record in found[:first]
        ]
