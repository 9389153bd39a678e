"""Filter, order and mutation inputs of tags."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry

from gateway.tags import MAX_TAG_LENGTH
from resolvers.common.fields import optional_field as _f
from resolvers.common.fields import unset_field as _u
from resolvers.common.filters import DateTimeFilter, IDFilter, StringFilter
from resolvers.common.ids import decode_id_of
from resolvers.common.ordering import OrderDirection

MAX_OWNERS_PER_CALL = 100


@strawberry.input(
    description="Conditions on the tags a contact or organization carries, by tag ID. `eq`: carries "
    "this tag; `ne`: does not; `in`: any of these; `notIn`: none of these; `isNull`: no tag at all "
    "(false: some tag). All of several tags: `and: [{tags: {eq: A}}, {tags: {eq: B}}]`."
)
class TagsFilter(IDFilter):
    def _scalar(self, value: Any) -> Any:
        return value if isinstance(value, bool) else decode_id_of(value, "Tag")


@strawberry.enum(description="Fields tags can be sorted by.")
class TagOrderField(Enum):
    VALUE = strawberry.enum_value("value", description="The tag's text.")
    DATE_CREATED = strawberry.enum_value("date_created", description="Creation time.")


@strawberry.input(description="Which tags to return; all given conditions must hold.")
class TagFilter:
    and_: list[TagFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[TagFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: TagFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The tag's ID.")
    value: StringFilter | None = _f("The tag's text.")
    date_created: DateTimeFilter | None = _f("Creation time.")


@strawberry.input(description="A sort key for tags.")
class TagOrder:
    field: TagOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="A new tag in the tenant's catalogue.")
class TagCreateInput:
    value: str = strawberry.field(
        description=f"The tag's text (1 to {MAX_TAG_LENGTH} characters, unique ignoring case)."
    )


@strawberry.input(description="A tag's new text: every contact and organization carrying it shows it.")
class TagUpdateInput:
    value: str | None = _u(f"The tag's text (1 to {MAX_TAG_LENGTH} characters, unique ignoring case).")


@strawberry.input(description="Tags to add to (or remove from) contacts and organizations, all at once.")
class TagAssignInput:
    owner_ids: list[strawberry.ID] = strawberry.field(
        description=f"Contacts and organizations (Account IDs), 1 to {MAX_OWNERS_PER_CALL}."
    )
    values: list[str] | None = _f(
        "Tags by text, ignoring case. Adding creates a tag the catalogue does not have yet."
    )
    tag_ids: list[strawberry.ID] | None = _f("Tags by ID.")
