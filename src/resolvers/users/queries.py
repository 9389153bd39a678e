"""``me`` and the user list."""

from __future__ import annotations

import strawberry

from resolvers.common.lists import root_list
from resolvers.common.records import from_record
from resolvers.lists import DEPARTMENT_LIST, FRANCHISE_LIST, USER_LIST
from resolvers.users.caller import caller_user
from resolvers.users.types import Tenant, User, Viewer


@strawberry.type
class UserQuery:
    @strawberry.field(description="The caller: token subject, permissions, tenant and user record.")
    async def me(self, info: strawberry.Info) -> Viewer:
        principal = info.context.principal
        tenant = await info.context.loaders.backend.tenant_record()
        user = await caller_user(info)
        return Viewer(
            subject=principal.subject,
            permissions=sorted(principal.permissions),
            tenant=Tenant(
                key=principal.tenant,
                name=tenant.name if tenant else principal.tenant,
                vertical=tenant.vertical if tenant else None,
            ),
            user=from_record(User, user) if user else None,
        )

    users = root_list(USER_LIST, "Users of your tenant, e.g. to pick an assignee.")
    franchises = root_list(FRANCHISE_LIST, "Franchises of your tenant (seed 004 Franchise).")
    departments = root_list(DEPARTMENT_LIST, "Departments of your tenant's franchises (seed 004 Department).")
