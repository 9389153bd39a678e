"""Filter, order and mutation inputs of contact relations."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway.backends.records import Entity
from resolvers.common.fields import optional_field as _f
from resolvers.common.fields import unset_field as _u
from resolvers.common.filters import BooleanFilter, DateTimeFilter, IDFilter, StringFilter
from resolvers.common.ordering import OrderDirection
from resolvers.common.references import RefField


@strawberry.enum(description="Fields contact relations can be sorted by.")
class ContactRelationOrderField(Enum):
    DATE_CREATED = strawberry.enum_value("date_created", description="Creation time.")
    TYPE = strawberry.enum_value("type", description="Relation type.")


@strawberry.input(description="Which contact relations to return; all given conditions must hold.")
class ContactRelationFilter:
    and_: list[ContactRelationFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[ContactRelationFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: ContactRelationFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The relation's ID.")
    type: StringFilter | None = _f("Relation type, e.g. FAMILY_MEMBER.")
    is_key: BooleanFilter | None = _f("Key relationship or not.", name="key")
    related_contact_id: IDFilter | None = _f("The related contact.")
    related_account_id: IDFilter | None = _f("The related account.")
    date_created: DateTimeFilter | None = _f("Creation time.")


@strawberry.input(description="A sort key for contact relations.")
class ContactRelationOrder:
    field: ContactRelationOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(
    description="A new relation of a contact to another contact or to an account: give exactly one of "
    "`relatedContactId` and `relatedAccountId`."
)
class ContactRelationCreateInput:
    contact_id: strawberry.ID = strawberry.field(description="The contact the relation belongs to.")
    type: str = strawberry.field(description="Relation type, e.g. FAMILY_MEMBER, EMPLOYEE, ASSISTANT.")
    related_contact_id: strawberry.ID | None = _f("The related contact (not the contact itself).")
    related_account_id: strawberry.ID | None = _f("The related account (organization).")
    notes: str | None = _f("Notes.")
    is_key: bool = strawberry.field(
        default=False,
        name="key",
        description="A key relationship (seed 000 keyCustomers / keyOrganizations); one to an account needs "
        "the contact to be a member of it (CUST1104).",
    )


@strawberry.input(description="Changes to a contact relation: only the fields given change.")
class ContactRelationUpdateInput:
    type: str | None = _u("Relation type.")
    notes: str | None = _u("Notes.")
    is_key: bool | None = strawberry.field(
        default=strawberry.UNSET, name="key", description="A key relationship or not."
    )


RELATION_COLUMNS = ["type", "notes", "is_key"]
RELATION_REFS = (
    RefField("contact_id", "Contact", Entity.CONTACT),
    RefField("related_contact_id", "Contact", Entity.CONTACT),
    RefField("related_account_id", "Account", Entity.ACCOUNT),
)
MAX_TYPE_LENGTH = 64
