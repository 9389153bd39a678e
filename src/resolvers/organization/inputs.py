"""Filter, order and mutation inputs of roles, security groups and user settings."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.scalars import JSON

from resolvers.common.fields import optional_field as _f
from resolvers.common.fields import unset_field as _u
from resolvers.common.filters import BooleanFilter, IDFilter, StringFilter
from resolvers.common.ordering import OrderDirection


@strawberry.input(description="Which roles to return; all given conditions must hold.")
class RoleFilter:
    and_: list[RoleFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[RoleFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: RoleFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The role's ID.")
    name: StringFilter | None = _f("Name.")


@strawberry.input(description="Which security groups to return; all given conditions must hold.")
class SecurityGroupFilter:
    and_: list[SecurityGroupFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[SecurityGroupFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: SecurityGroupFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The security group's ID.")
    name: StringFilter | None = _f("Name.")
    is_active: BooleanFilter | None = _f("Active or not.")


@strawberry.input(description="Which user settings to return; all given conditions must hold.")
class UserSettingsFilter:
    and_: list[UserSettingsFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[UserSettingsFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: UserSettingsFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The settings' ID.")
    user_id: IDFilter | None = _f("The user they belong to.")
    language: StringFilter | None = _f("Preferred language.")


@strawberry.enum(description="Fields user settings can be sorted by.")
class UserSettingsOrderField(Enum):
    DATE_CREATED = strawberry.enum_value("date_created", description="Creation time.")
    DATE_MODIFIED = strawberry.enum_value("date_modified", description="Last change.")


@strawberry.input(description="A sort key for user settings.")
class UserSettingsOrder:
    field: UserSettingsOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="A new role (seed 004 RoleType).")
class RoleCreateInput:
    name: str = strawberry.field(description="Name (required).")
    permissions: list[str] = strawberry.field(
        default_factory=list, description="Catalog permissions the role grants, e.g. CRM_LEAD_VIEW."
    )


@strawberry.input(description="Changes to a role.")
class RoleUpdateInput:
    name: str | None = _u("Name.")
    permissions: list[str] | None = _u("Catalog permissions the role grants; replaces the list.")


@strawberry.input(description="A new security group (seed 004 SecurityGroup).")
class SecurityGroupCreateInput:
    name: str = strawberry.field(description="Name (required).")
    round_robin: bool | None = strawberry.field(default=None, description="Whether round robin is on.")
    is_active: bool = strawberry.field(default=True, description="False for an inactive group.")
    member_ids: list[strawberry.ID] | None = _f("The users who are members.")


@strawberry.input(description="Changes to a security group.")
class SecurityGroupUpdateInput:
    name: str | None = _u("Name.")
    round_robin: bool | None = _u("Whether round robin is on.")
    is_active: bool | None = _u("False for an inactive group.")
    member_ids: list[strawberry.ID] | None = _u("The users who are members; replaces the list.")


@strawberry.input(description="Changes to the caller's own settings (seed 004 UserSettings).")
class UserSettingsInput:
    audio_input: str | None = _u("Audio input device.")
    audio_output: str | None = _u("Audio output device.")
    due_date_display_type: int | None = _u("How due dates are displayed.")
    connection_view_type: int | None = _u("How leads (connections) are displayed.")
    language: str | None = _u("Preferred language, e.g. fr-CA.")
    is_email_notifications_enabled: bool | None = _u("Whether e-mail notifications are on.")
    is_push_notifications_enabled: bool | None = _u("Whether push notifications are on.")
    is_anytime_calling_enabled: bool | None = _u("Whether anytime calling is on.")
    management_view_settings: JSON | None = _u("Management view settings (a JSON object).")
    frontend_state: str | None = _u("The front end's saved state.")


ROLE_COLUMNS = ("name", "permissions")
SECURITY_GROUP_COLUMNS = ("name", "round_robin", "is_active")
USER_SETTINGS_COLUMNS = (
    "audio_input",
    "audio_output",
    "due_date_display_type",
    "connection_view_type",
    "language",
    "is_email_notifications_enabled",
    "is_push_notifications_enabled",
    "is_anytime_calling_enabled",
    "management_view_settings",
    "frontend_state",
)
