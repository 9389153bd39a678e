"""The caller's own user record: the tenant's user whose user name is the token's subject."""

from __future__ import annotations

import strawberry

from gateway.backends.query import Condition, ListQuery, Op, PageRequest
from gateway.backends.records import Entity, UserRecord


async def caller_user(info: strawberry.Info) -> UserRecord | None:
    query = ListQuery(
        filter=Condition("username", Op.EQ, info.context.principal.subject), page=PageRequest(first=1)
    )
    users = (await info.context.loaders.page(Entity.USER, query)).rows
    return users[0] if users else None  # type: ignore[return-value]
