"""Root lists of roles, security groups and user settings."""

from __future__ import annotations

import strawberry

from resolvers.common.lists import root_list
from resolvers.lists import ROLE_LIST, SECURITY_GROUP_LIST, USER_SETTINGS_LIST
from resolvers.organization.settings import MySettingsQuery


@strawberry.type
class OrganizationQuery(MySettingsQuery):
    roles = root_list(ROLE_LIST, "Roles of your tenant (seed 004 Role).")
    security_groups = root_list(
        SECURITY_GROUP_LIST, "Security groups of your tenant (seed 004 SecurityGroup)."
    )
    user_settings = root_list(USER_SETTINGS_LIST, "Every user's settings (administrators: CRM_ADMIN).")
