"""The ``ContactRelation`` type and its connection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.backends.records import Entity
from resolvers.common.base import BaseRecord
from resolvers.common.columns import uses_columns
from resolvers.common.connection import Connection
from resolvers.common.links import link
from resolvers.common.node import register_node
from resolvers.common.permissions import reads

if TYPE_CHECKING:
    from resolvers.accounts.types import Account
    from resolvers.contacts.types import Contact

ContactRef = Annotated["Contact", strawberry.lazy("resolvers.contacts.types")]
AccountRef = Annotated["Account", strawberry.lazy("resolvers.accounts.types")]


@strawberry.type(
    description="A contact's relation to another contact or to an account, with a type and notes (seed 000 "
    "key relationships and connections, seed 003 relation_set)."
)
class ContactRelation(BaseRecord):
    type: str = strawberry.field(description="Relation type, e.g. FAMILY_MEMBER.")
    notes: str | None = strawberry.field(description="Notes.")
    is_key: bool = strawberry.field(name="key", description="A key relationship.")

    @strawberry.field(description="The contact the relation belongs to.", extensions=reads(Entity.CONTACT))
    @uses_columns("contact_id")
    def contact(self, info: strawberry.Info) -> ContactRef | None:
        return link(info, Entity.CONTACT, self.record.contact_id)

    @strawberry.field(description="The related contact, if any.", extensions=reads(Entity.CONTACT))
    @uses_columns("related_contact_id")
    def related_contact(self, info: strawberry.Info) -> ContactRef | None:
        return link(info, Entity.CONTACT, self.record.related_contact_id)

    @strawberry.field(description="The related account, if any.", extensions=reads(Entity.ACCOUNT))
    @uses_columns("related_account_id")
    def related_account(self, info: strawberry.Info) -> AccountRef | None:
        return link(info, Entity.ACCOUNT, self.record.related_account_id)


@strawberry.type(name="ContactRelationConnection", description="A page of contact relations.")
class ContactRelationConnection(Connection[ContactRelation]):
    pass


register_node(ContactRelation, Entity.CONTACT_RELATION)
