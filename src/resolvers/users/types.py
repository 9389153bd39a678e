"""``User``, ``Franchise``, ``Department`` and the caller's ``Viewer``."""

from __future__ import annotations

import strawberry

from gateway.backends.records import Entity
from resolvers.common.base import BaseRecord
from resolvers.common.columns import uses_columns
from resolvers.common.connection import Connection
from resolvers.common.links import link
from resolvers.common.node import register_node
from resolvers.common.permissions import reads


@strawberry.type(description="A user of the CRM: what a client needs to show an assignee.")
class User(BaseRecord):
    username: str = strawberry.field(description="Unique user name.")
    email: str | None = strawberry.field(description="E-mail address.")
    firstname: str | None = strawberry.field(description="First name.")
    lastname: str | None = strawberry.field(description="Last name.")
    mobile_phone: str | None = strawberry.field(description="Mobile phone number.")
    user_type: str = strawberry.field(description="Type of user, e.g. USER or ADMIN.")
    is_active: bool = strawberry.field(description="False for a deactivated user.")

    @strawberry.field(description="First and last name, else the user name.")
    @uses_columns("firstname", "lastname", "username")
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
