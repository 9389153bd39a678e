"""Filter and order inputs of users."""

from __future__ import annotations

from enum import Enum

import strawberry

from resolvers.common.fields import optional_field as _f
from resolvers.common.filters import BooleanFilter, IDFilter, StringFilter
from resolvers.common.ordering import OrderDirection


@strawberry.enum(description="Fields users can be sorted by.")
class UserOrderField(Enum):
    USERNAME = strawberry.enum_value("username", description="User name.")
    LASTNAME = strawberry.enum_value("lastname", description="Last name.")
    DATE_CREATED = strawberry.enum_value("date_created", description="Creation time.")


@strawberry.input(description="Which users to return; all given conditions must hold.")
class UserFilter:
    and_: list[UserFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[UserFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: UserFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The user's ID.")
    username: StringFilter | None = _f("User name.")
    lastname: StringFilter | None = _f("Last name.")
    is_active: BooleanFilter | None = _f("Active or not.")


@strawberry.input(description="A sort key for users.")
class UserOrder:
    field: UserOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )
