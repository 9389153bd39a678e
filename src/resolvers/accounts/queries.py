"""Account queries."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.backends.records import Entity
from resolvers.accounts.types import Account
from resolvers.common.lists import searchable_root_list
from resolvers.common.lookups import node_by_id
from resolvers.common.permissions import reads
from resolvers.lists import ACCOUNT_LIST


@strawberry.type
class AccountQuery:
    @strawberry.field(
        description="An account by ID; null if it does not exist in your tenant.",
        extensions=reads(Entity.ACCOUNT),
    )
    async def account(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The account's ID.")],
    ) -> Account | None:
        return await node_by_id(info, id, Entity.ACCOUNT, "Account")  # type: ignore[no-any-return]

    accounts = searchable_root_list(ACCOUNT_LIST, "Accounts, filtered, sorted and paged.")
