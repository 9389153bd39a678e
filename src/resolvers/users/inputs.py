"""Filter and order inputs of users."""

from __future__ import annotations

from enum import Enum

import strawberry

from resolvers.common.fields import optional_field as _f
from resolvers.common.fields import unset_field as _u
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


@strawberry.enum(description="Fields franchises and departments can be sorted by.")
class OrganizationOrderField(Enum):
    NAME = strawberry.enum_value("name", description="Name.")
    DATE_CREATED = strawberry.enum_value("date_created", description="Creation time.")


@strawberry.input(description="Which franchises to return; all given conditions must hold.")
class FranchiseFilter:
    and_: list[FranchiseFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[FranchiseFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: FranchiseFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The franchise's ID.")
    name: StringFilter | None = _f("Name.")
    code: StringFilter | None = _f("Franchise code.")
    is_active: BooleanFilter | None = _f("Active or not.")


@strawberry.input(description="Which departments to return; all given conditions must hold.")
class DepartmentFilter:
    and_: list[DepartmentFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[DepartmentFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: DepartmentFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The department's ID.")
    name: StringFilter | None = _f("Name.")
    franchise_id: IDFilter | None = _f("The franchise it belongs to.")


@strawberry.input(description="A sort key for franchises and departments.")
class OrganizationOrder:
    field: OrganizationOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="A new franchise (seed 004 Franchise).")
class FranchiseCreateInput:
    name: str = strawberry.field(description="Name (required).")
    code: str | None = strawberry.field(default=None, description="Franchise code.")
    is_active: bool = strawberry.field(default=True, description="False for an inactive franchise.")


@strawberry.input(description="Changes to a franchise.")
class FranchiseUpdateInput:
    name: str | None = _u("Name.")
    code: str | None = _u("Franchise code.")
    is_active: bool | None = _u("False for an inactive franchise.")


@strawberry.input(description="A new department (seed 004 Department).")
class DepartmentCreateInput:
    name: str = strawberry.field(description="Name (required).")
    franchise_id: strawberry.ID | None = strawberry.field(default=None, description="Its franchise.")
    pipeline_name: str | None = strawberry.field(default=None, description="Name of its pipeline.")


@strawberry.input(description="Changes to a department.")
class DepartmentUpdateInput:
    name: str | None = _u("Name.")
    franchise_id: strawberry.ID | None = _u("Its franchise; null for none.")
    pipeline_name: str | None = _u("Name of its pipeline.")


@strawberry.enum(description="The kind of user (seed 004 User userType).")
class UserType(Enum):
    USER = strawberry.enum_value("USER", description="A user.")
    ADMIN = strawberry.enum_value("ADMIN", description="An administrator.")
    MANAGER = strawberry.enum_value("MANAGER", description="A manager.")


@strawberry.input(description="Changes to a user (seed 004 User); the user name does not change.")
class UserUpdateInput:
    email: str | None = _u("E-mail address.")
    firstname: str | None = _u("First name.")
    lastname: str | None = _u("Last name.")
    mobile_phone: str | None = _u("Mobile phone number.")
    signature: str | None = _u("Signature.")
    user_type: UserType | None = _u("Type of user.")
    is_active: bool | None = _u("False to deactivate the user.")
    stop_escalation: bool | None = _u("Whether escalation stops for this user.")
    round_robin_status: str | None = _u("Round-robin status.")
    is_third_party_provider: bool | None = _u("Whether the user is a third-party provider.")
    role_ids: list[strawberry.ID] | None = _u("The user's roles; replaces them.")
    security_group_ids: list[strawberry.ID] | None = _u("The security groups the user is in; replaces them.")


FRANCHISE_COLUMNS = ("name", "code", "is_active")
DEPARTMENT_COLUMNS = ("name", "pipeline_name")
USER_COLUMNS = (
    "email",
    "firstname",
    "lastname",
    "mobile_phone",
    "signature",
    "user_type",
    "is_active",
    "stop_escalation",
    "round_robin_status",
    "is_third_party_provider",
)
