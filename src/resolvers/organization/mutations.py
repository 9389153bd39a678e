"""Roles and security groups under CRM_ADMIN (create, update, soft delete, restore); the caller's own
settings (``mySettingsUpdate``) need no permission beyond a user record in the tenant."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.backends.records import Entity, Relation
from gateway.permissions import BY_NAME
from resolvers.common.crud import CrudMutations
from resolvers.common.errors import UserErrorCode, error
from resolvers.common.mutations import WritePlan
from resolvers.common.references import RefField
from resolvers.organization.inputs import (
    ROLE_COLUMNS,
    SECURITY_GROUP_COLUMNS,
    RoleCreateInput,
    RoleUpdateInput,
    SecurityGroupCreateInput,
    SecurityGroupUpdateInput,
)
from resolvers.organization.links import plan_link_list
from resolvers.organization.types import Role, SecurityGroup
from resolvers.users.errors import REQUIRED_CODE
from resolvers.users.mutations import ADMIN

MEMBERS = RefField("member_ids", "User", Entity.USER)


class RoleCrud(CrudMutations):
    node, create_input, update_input = Role, RoleCreateInput, RoleUpdateInput
    permissions, columns, required = ADMIN, ROLE_COLUMNS, ("name", REQUIRED_CODE)

    def clean_create(self, info: strawberry.Info, input: Any, plan: WritePlan) -> None:
        self.clean_update(info, input, plan)

    def clean_update(self, info: strawberry.Info, input: Any, plan: WritePlan) -> None:
        """A role grants catalog permissions only, each once, in the order given."""
        if "permissions" not in plan.values:
            return
        names = plan.values["permissions"]
        if names is None:
            plan.problems.append(
                error(["input", "permissions"], "permissions cannot be null.", UserErrorCode.INVALID)
            )
            return
        for index, name in enumerate(names):
            if name not in BY_NAME:
                message = f"{name!r} is not a permission of the catalog."
                plan.problems.append(
                    error(["input", "permissions", str(index)], message, UserErrorCode.INVALID)
                )
        plan.values["permissions"] = list(dict.fromkeys(names))


class SecurityGroupCrud(CrudMutations):
    node, create_input, update_input = SecurityGroup, SecurityGroupCreateInput, SecurityGroupUpdateInput
    permissions, columns, required = ADMIN, SECURITY_GROUP_COLUMNS, ("name", REQUIRED_CODE)

    def clean_create(self, info: strawberry.Info, input: Any, plan: WritePlan) -> None:
        plan_link_list(input, plan, Relation.SECURITY_GROUP_MEMBERS, MEMBERS)

    def clean_update(self, info: strawberry.Info, input: Any, plan: WritePlan) -> None:
        plan_link_list(input, plan, Relation.SECURITY_GROUP_MEMBERS, MEMBERS)


RoleMutation = RoleCrud().mutation_type()
SecurityGroupMutation = SecurityGroupCrud().mutation_type()
