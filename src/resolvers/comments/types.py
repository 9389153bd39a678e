"""The ``Comment`` type and its connection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from gateway.backends.records import Entity
from resolvers.common.base import BaseRecord
from resolvers.common.columns import uses_columns
from resolvers.common.connection import Connection
from resolvers.common.links import link
from resolvers.common.node import register_node
from resolvers.common.permissions import reads
from resolvers.users.types import User

if TYPE_CHECKING:
    from resolvers.accounts.types import Account
    from resolvers.contacts.types import Contact


@strawberry.type(description="A comment on a contact or organization (seed 000 Comment).")
class Comment(BaseRecord):
    text: str = strawberry.field(description="The comment's content (seed 000 `comment`).")

    @strawberry.field(
        description="Who wrote it (seed 000 `author`): the caller who added it, when it is a user of "
        "the tenant; `createdBy` always holds the author's token subject.",
        extensions=reads(Entity.USER),
    )
    @uses_columns("author_id")
    def author(self, info: strawberry.Info) -> User | None:
        return link(info, Entity.USER, self.record.author_id)  # type: ignore[no-any-return]

    @strawberry.field(
        description="The contact the comment is about; null on an organization's.",
        extensions=reads(Entity.CONTACT),
    )
    @uses_columns("owner_id", "owner_type")
    def contact(
        self, info: strawberry.Info
    ) -> Annotated[Contact, strawberry.lazy("resolvers.contacts.types")] | None:
        return _owner(self, info, Entity.CONTACT)

    @strawberry.field(
        description="The organization the comment is about; null on a contact's.",
        extensions=reads(Entity.ACCOUNT),
    )
    @uses_columns("owner_id", "owner_type")
    def account(
        self, info: strawberry.Info
    ) -> Annotated[Account, strawberry.lazy("resolvers.accounts.types")] | None:
        return _owner(self, info, Entity.ACCOUNT)


def _owner(comment: Comment, info: strawberry.Info, entity: Entity) -> Any:
    """The comment's contact or organization, if it is of this entity (``owner_type`` says which)."""
    record = comment.record
    return link(info, entity, record.owner_id if record.owner_type == entity.name else None)


@strawberry.type(name="CommentConnection", description="A page of comments.")
class CommentConnection(Connection[Comment]):
    pass


register_node(Comment, Entity.COMMENT)
