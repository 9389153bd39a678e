"""``Role``, ``SecurityGroup`` and ``UserSettings`` (seed 004) and their connections."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from gateway.backends.records import Entity, Relation
from resolvers.common.base import BaseRecord
from resolvers.common.columns import uses_columns
from resolvers.common.connection import Connection
from resolvers.common.links import link
from resolvers.common.lists import nested_list
from resolvers.common.node import register_node
from resolvers.common.permissions import reads
from resolvers.lists import USER_LIST
from resolvers.users.types import User


@strawberry.type(description="A role: a named set of catalog permissions (seed 004 Role).")
class Role(BaseRecord):
    name: str = strawberry.field(description="Name.")
    permissions: list[str] = strawberry.field(description="Catalog permissions the role grants.")

    users = nested_list(USER_LIST, Relation.ROLE_USERS, "The users who have the role.")


@strawberry.type(description="A security group of users (seed 004 SecurityGroup).")
class SecurityGroup(BaseRecord):
    name: str = strawberry.field(description="Name.")
    round_robin: bool | None = strawberry.field(description="Whether round robin is on for the group.")
    is_active: bool = strawberry.field(description="False for an inactive group.")

    members = nested_list(USER_LIST, Relation.SECURITY_GROUP_MEMBERS, "The users who are members.")


@strawberry.type(description="A user's own settings (seed 004 UserSettings).")
class UserSettings(BaseRecord):
    audio_input: str | None = strawberry.field(description="Audio input device.")
    audio_output: str | None = strawberry.field(description="Audio output device.")
    due_date_display_type: int = strawberry.field(description="How due dates are displayed.")
    connection_view_type: int = strawberry.field(description="How leads (connections) are displayed.")
    language: str | None = strawberry.field(description="Preferred language.")
    is_email_notifications_enabled: bool = strawberry.field(
        description="Whether e-mail notifications are on."
    )
    is_push_notifications_enabled: bool = strawberry.field(description="Whether push notifications are on.")
    is_anytime_calling_enabled: bool = strawberry.field(description="Whether anytime calling is on.")
    management_view_settings: JSON | None = strawberry.field(description="Management view settings.")
    frontend_state: str | None = strawberry.field(description="The front end's saved state.")

    @strawberry.field(description="The user the settings belong to.", extensions=reads(Entity.USER))
    @uses_columns("user_id")
    def user(self, info: strawberry.Info) -> User | None:
        return link(info, Entity.USER, self.record.user_id)  # type: ignore[no-any-return]


@strawberry.type(name="RoleConnection", description="A page of roles.")
class RoleConnection(Connection[Role]):
    pass


@strawberry.type(name="SecurityGroupConnection", description="A page of security groups.")
class SecurityGroupConnection(Connection[SecurityGroup]):
    pass


@strawberry.type(name="UserSettingsConnection", description="A page of user settings.")
class UserSettingsConnection(Connection[UserSettings]):
    pass


register_node(Role, Entity.ROLE)
register_node(SecurityGroup, Entity.SECURITY_GROUP)
register_node(UserSettings, Entity.USER_SETTINGS)
