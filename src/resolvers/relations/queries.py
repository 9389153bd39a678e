"""Contact relation queries: one by ID (lists hang off contacts and accounts)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.backends.records import Entity
from resolvers.common.lookups import node_by_id
from resolvers.common.permissions import reads
from resolvers.relations.types import ContactRelation


@strawberry.type
class ContactRelationQuery:
    @strawberry.field(
        description="A contact relation by ID; null if it does not exist in your tenant.",
        extensions=reads(Entity.CONTACT_RELATION),
    )
    async def contact_relation(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The relation's ID.")],
    ) -> ContactRelation | None:
        return await node_by_id(info, id, Entity.CONTACT_RELATION, "ContactRelation")  # type: ignore[no-any-return]
