"""``User``, ``Franchise``, ``Department`` and the caller's ``Viewer``."""

from __future__ import annotations

import strawberry

from gateway.backends.records import Entity, Relation
from gateway.planner.plan import Column, FirstOf, Joined, in_sql
from resolvers.common.base import BaseRecord
from resolvers.common.columns import uses_columns
from resolvers.common.connection import Connection
from resolvers.common.links import link
from resolvers.common.lists import nested_list
from resolvers.common.node import register_node
from resolvers.common.permissions import reads
from resolvers.lists import DEPARTMENT_LIST, ROLE_LIST, SECURITY_GROUP_LIST


@strawberry.type(description="A user of the CRM: what a client needs to show an assignee.")
class User(BaseRecord):
    username: str = strawberry.field(description="Unique user name.")
    email: str | None = strawberry.field(description="E-mail address.")
    firstname: str | None = strawberry.field(description="First name.")
    lastname: str | None = strawberry.field(description="Last name.")
    mobile_phone: str | None = strawberry.field(description="Mobile phone number.")
    user_type: str = strawberry.field(description="Type of user, e.g. USER or ADMIN.")
    is_active: bool = strawberry.field(description="False for a deactivated user.")
    signature: str | None = strawberry.field(description="The user's signature.")
    stop_escalation: bool = strawberry.field(description="Whether escalation stops for this user.")
    round_robin_status: str | None = strawberry.field(description="The user's round-robin status.")
    is_third_party_provider: bool = strawberry.field(
        description="Whether the user is a third-party provider."
    )
    version_number: str | None = strawberry.field(description="The release the user last saw.")
    version_dont_show_again: bool | None = strawberry.field(
        description="Whether release notes stay hidden for the user."
    )
    is_impersonated: bool = strawberry.field(description="Whether the user is being impersonated.")

    roles = nested_list(ROLE_LIST, Relation.USER_ROLES, "The user's roles.")
    security_groups = nested_list(
        SECURITY_GROUP_LIST, Relation.USER_SECURITY_GROUPS, "The security groups the user is a member of."
    )

    @strawberry.field(description="First and last name, else the user name.")
    @in_sql(FirstOf((Joined(" ", (Column("firstname"), Column("lastname"))), Column("username"))))
    def display_name(self) -> str:
        record = self.record  # ~250 assignees on a list page: no generator, no join
        first, last = record.firstname, record.lastname
        if first and last:
            return f"{first} {last}"
        return first or last or record.username


@strawberry.type(description="A franchise (seed 004 Franchise).")
class Franchise(BaseRecord):
    name: str = strawberry.field(description="Name.")
    code: str | None = strawberry.field(description="Franchise code.")
    is_active: bool = strawberry.field(description="False for an inactive franchise.")

    departments = nested_list(DEPARTMENT_LIST, Relation.FRANCHISE_DEPARTMENTS, "The franchise's departments.")


@strawberry.type(description="A department of a franchise (seed 004 Department).")
class Department(BaseRecord):
    name: str = strawberry.field(description="Name.")
    pipeline_name: str | None = strawberry.field(description="Name of the department's pipeline.")

    @strawberry.field(
        description="The franchise the department belongs to.", extensions=reads(Entity.FRANCHISE)
    )
    @uses_columns("franchise_id")
    def franchise(self, info: strawberry.Info) -> Franchise | None:
        return link(info, Entity.FRANCHISE, self.record.franchise_id)  # type: ignore[no-any-return]


@strawberry.type(name="UserConnection", description="A page of users.")
class UserConnection(Connection[User]):
    pass


@strawberry.type(name="FranchiseConnection", description="A page of franchises.")
class FranchiseConnection(Connection[Franchise]):
    pass


@strawberry.type(name="DepartmentConnection", description="A page of departments.")
class DepartmentConnection(Connection[Department]):
    pass


@strawberry.type(description="The tenant the caller works in (seed 004 Tenant).")
class Tenant:
    key: str = strawberry.field(description="The tenant's name as tokens carry it.")
    name: str = strawberry.field(description="Display name.")
    vertical: str | None = strawberry.field(description="The tenant's vertical market.")


@strawberry.type(description="The authenticated caller.")
class Viewer:
    subject: str = strawberry.field(description="The token's subject (`sub`).")
    permissions: list[str] = strawberry.field(description="Permissions the token grants.")
    tenant: Tenant = strawberry.field(description="The caller's tenant.")
    user: User | None = strawberry.field(
        description="The caller's user record, when one exists in this tenant."
    )


register_node(User, Entity.USER)
register_node(Franchise, Entity.FRANCHISE)
register_node(Department, Entity.DEPARTMENT)
