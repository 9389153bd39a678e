"""Filter, order and mutation inputs of comments."""

from __future__ import annotations

from enum import Enum

import strawberry

from resolvers.common.fields import optional_field as _f
from resolvers.common.fields import unset_field as _u
from resolvers.common.filters import DateTimeFilter, IDFilter, StringFilter
from resolvers.common.ordering import OrderDirection

MAX_COMMENT_LENGTH = 10_000


@strawberry.enum(description="Fields comments can be sorted by.")
class CommentOrderField(Enum):
    DATE_CREATED = strawberry.enum_value("date_created", description="Creation time.")
    DATE_MODIFIED = strawberry.enum_value("date_modified", description="Last change.")


@strawberry.input(description="Which comments to return; all given conditions must hold.")
class CommentFilter:
    and_: list[CommentFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[CommentFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: CommentFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The comment's ID.")
    text: StringFilter | None = _f("The comment's text.")
    created_by: StringFilter | None = _f("The author's token subject.")
    date_created: DateTimeFilter | None = _f("Creation time.")


@strawberry.input(description="A sort key for comments.")
class CommentOrder:
    field: CommentOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="A new comment; its author is the caller.")
class CommentCreateInput:
    owner_id: strawberry.ID = strawberry.field(
        description="The contact or organization (Account) the comment is about."
    )
    text: str = strawberry.field(description=f"The comment (1 to {MAX_COMMENT_LENGTH} characters).")


@strawberry.input(description="Changes to a comment.")
class CommentUpdateInput:
    text: str | None = _u(f"The comment (1 to {MAX_COMMENT_LENGTH} characters).")
