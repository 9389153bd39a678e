"""Administration of the organization (seed 004): franchises, departments and users, under CRM_ADMIN.

Franchises and departments are created, updated, soft deleted (refused with IN_USE while departments,
leads or customers name them) and restored; users are updated (the user name and secrets never change
through the graph).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import strawberry

from gateway.backends.base import RecordWriter
from gateway.backends.records import Entity, Relation
from gateway.permissions import CRM_ADMIN
from resolvers.common.crud import UPDATE, CrudMutations, crud_permissions
from resolvers.common.errors import UserErrors
from resolvers.common.mutations import WritePlan
from resolvers.common.references import RefField
from resolvers.organization.links import plan_link_list
from resolvers.users.errors import REQUIRED_CODE, in_use
from resolvers.users.inputs import (
    DEPARTMENT_COLUMNS,
    FRANCHISE_COLUMNS,
    USER_COLUMNS,
    DepartmentCreateInput,
    DepartmentUpdateInput,
    FranchiseCreateInput,
    FranchiseUpdateInput,
    UserUpdateInput,
)
from resolvers.users.types import Department, Franchise, User

ADMIN = crud_permissions(CRM_ADMIN, CRM_ADMIN, CRM_ADMIN)


class InUseVeto(CrudMutations):
    """Refuses to delete a record that others still reference (``REFERENCES`` of the backend)."""

    async def veto_delete(self, writer: RecordWriter, record_id: UUID) -> None:
        if await writer.is_referenced(self.entity, record_id):
            raise UserErrors([in_use(self.noun)])


class FranchiseCrud(InUseVeto):
    node, create_input, update_input = Franchise, FranchiseCreateInput, FranchiseUpdateInput
    permissions, columns, required = ADMIN, FRANCHISE_COLUMNS, ("name", REQUIRED_CODE)


class DepartmentCrud(InUseVeto):
    node, create_input, update_input = Department, DepartmentCreateInput, DepartmentUpdateInput
    permissions, columns, required = ADMIN, DEPARTMENT_COLUMNS, ("name", REQUIRED_CODE)
    refs = (RefField("franchise_id", "Franchise", Entity.FRANCHISE),)


class UserCrud(CrudMutations):
    node, create_input, update_input = User, UserUpdateInput, UserUpdateInput
    permissions, columns, operations = ADMIN, USER_COLUMNS, (UPDATE,)

    def clean_update(self, info: strawberry.Info, input: Any, plan: WritePlan) -> None:
        plan_link_list(input, plan, Relation.USER_ROLES, RefField("role_ids", "Role", Entity.ROLE))
        group_ids = RefField("security_group_ids", "SecurityGroup", Entity.SECURITY_GROUP)
        plan_link_list(input, plan, Relation.USER_SECURITY_GROUPS, group_ids)


FranchiseMutation = FranchiseCrud().mutation_type()
DepartmentMutation = DepartmentCrud().mutation_type()
UserMutation = UserCrud().mutation_type()
