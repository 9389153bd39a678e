"""``me`` and the user list."""

from __future__ import annotations

import strawberry

from gateway.backends.query import Condition, ListQuery, Op, PageRequest
from gateway.backends.records import Entity
from resolvers.common.lists import root_list
from resolvers.common.records import from_record
from resolvers.lists import USER_LIST
from resolvers.users.types import Tenant, User, Viewer


@strawberry.type
class UserQuery:
    @strawberry.field(description="The caller: token subject, permissions, tenant and user record.")
    async def me(self, info: strawberry.Info) -> Viewer:
        principal = info.context.principal
        loaders = info.context.loaders
        tenant = await loaders.backend.tenant_record()
        query = ListQuery(filter=Condition("username", Op.EQ, principal.subject), page=PageRequest(first=1))
        users = (await loaders.page(Entity.USER, query)).rows
        return Viewer(
            subject=principal.subject,
            permissions=sorted(principal.permissions),
            tenant=Tenant(
                key=principal.tenant,
                name=tenant.name if tenant else principal.tenant,
                vertical=tenant.vertical if tenant else None,
            ),
            user=from_record(User, users[0]) if users else None,
        )

    users = root_list(USER_LIST, "Users of your tenant, e.g. to pick an assignee.")
