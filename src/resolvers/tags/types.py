"""The ``Tag`` type and its connection."""

from __future__ import annotations

import asyncio

import strawberry

from gateway.backends.query import ListQuery
from gateway.backends.records import Entity, Relation
from gateway.permissions import CUST_ORGANIZATION_VIEW, CUST_READ
from resolvers.common.base import BaseRecord
from resolvers.common.columns import uses_columns
from resolvers.common.connection import Connection
from resolvers.common.lists import nested_list
from resolvers.common.node import register_node
from resolvers.lists import ACCOUNT_LIST, CONTACT_LIST

_ALL = ListQuery()  # every row, unpaged: what a usage count counts


@strawberry.type(
    description="A tag of the tenant's catalogue, carried by contacts and organizations (seed 000 Tag)."
)
class Tag(BaseRecord):
    value: str = strawberry.field(description="The tag's text (seed 000 `value`).")

    @strawberry.field(
        description="How many contacts and organizations you can see carry the tag (contacts count "
        "with CUST_READ, organizations with CUST_ORGANIZATION_VIEW)."
    )
    @uses_columns("id")
    async def usage_count(self, info: strawberry.Info) -> int:
        principal, loaders = info.context.principal, info.context.loaders
        wanted = [
            loaders.child_count(relation).load((self.record.id, _ALL))
            for relation, permission in (
                (Relation.TAG_CONTACTS, CUST_READ),
                (Relation.TAG_ACCOUNTS, CUST_ORGANIZATION_VIEW),
            )
            if principal.has(permission)
        ]
        return sum(await asyncio.gather(*wanted))

    contacts = nested_list(CONTACT_LIST, Relation.TAG_CONTACTS, "Contacts carrying this tag.")
    accounts = nested_list(ACCOUNT_LIST, Relation.TAG_ACCOUNTS, "Organizations carrying this tag.")


@strawberry.type(name="TagConnection", description="A page of tags.")
class TagConnection(Connection[Tag]):
    pass


register_node(Tag, Entity.TAG)
