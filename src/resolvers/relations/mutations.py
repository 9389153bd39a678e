"""Contact relation mutations on the CRUD factory: create, update, soft delete and restore.

They need CUST_WRITE; a relation to an account also CUST_ORGANIZATION_EDIT (it changes the account's key
customers). A key relation to an account needs the contact to be a member of it (CUST1104); while it
stands, the contact cannot be removed from the account (CUST1106, ``accountRemoveContact``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import strawberry

from gateway.backends.base import RecordWriter
from gateway.backends.query import AllOf, Condition, ListQuery, Op, OrderKey, PageRequest
from gateway.backends.records import Entity, Relation
from gateway.permissions import CUST_WRITE
from resolvers.common.crud import Change, CrudMutations, crud_permissions
from resolvers.common.errors import UserError, UserErrorCode, UserErrors, error
from resolvers.common.mutations import WritePlan
from resolvers.common.owned import require_account_edit, require_account_edit_in
from resolvers.relations.errors import (
    REQUIRED_CODE,
    not_a_member,
    relation_not_found,
    self_relation,
    target_problems,
)
from resolvers.relations.inputs import (
    MAX_TYPE_LENGTH,
    RELATION_COLUMNS,
    RELATION_REFS,
    ContactRelationCreateInput,
    ContactRelationUpdateInput,
)
from resolvers.relations.types import ContactRelation


def _type_problems(plan: WritePlan) -> list[UserError]:
    value = plan.values.get("type")
    if value is not None:
        plan.values["type"] = value = value.strip().upper().replace(" ", "_")
    if value is not None and len(value) > MAX_TYPE_LENGTH:
        message = f"A relation type has at most {MAX_TYPE_LENGTH} characters."
        return [error(["input", "type"], message, UserErrorCode.INVALID)]
    return []


async def require_membership(writer: RecordWriter, relation: Any) -> None:
    """A key relation to an account holds only for a member of it (CUST1104)."""
    if not relation["is_key"] or relation["related_account_id"] is None:
        return
    members = await writer.linked_ids(Relation.ACCOUNT_CONTACTS, relation["related_account_id"])
    if relation["contact_id"] not in members:
        raise UserErrors([not_a_member()])


async def is_key_organization(writer: RecordWriter, contact_id: UUID, account_id: UUID) -> bool:
    """Whether the contact has a live key relation to the account."""
    wanted = (
        Condition("contact_id", Op.EQ, contact_id),
        Condition("related_account_id", Op.EQ, account_id),
        Condition("is_key", Op.EQ, True),
    )
    query = ListQuery(filter=AllOf(wanted), order=(OrderKey("date_created"),), page=PageRequest(first=1))
    return bool((await writer.page(Entity.CONTACT_RELATION, query)).rows)


class ContactRelationCrud(CrudMutations):
    node, create_input, update_input = ContactRelation, ContactRelationCreateInput, ContactRelationUpdateInput
    permissions = crud_permissions(CUST_WRITE, CUST_WRITE, CUST_WRITE)
    columns, refs, required = RELATION_COLUMNS, RELATION_REFS, ("type", REQUIRED_CODE)

    def not_found(self, path: list[str] | None = None) -> UserError:
        return relation_not_found(path)

    def clean_create(self, info: strawberry.Info, input: ContactRelationCreateInput, plan: WritePlan) -> None:
        values = plan.values
        found = target_problems(input.related_contact_id, input.related_account_id)
        related = values.get("related_contact_id")
        if not found and related is not None and related == values.get("contact_id"):
            found = [self_relation()]
        plan.problems = found + plan.problems + _type_problems(plan)
        require_account_edit(info, input.related_account_id)

    def clean_update(self, info: strawberry.Info, input: ContactRelationUpdateInput, plan: WritePlan) -> None:
        plan.problems += _type_problems(plan)

    async def insert(self, info: strawberry.Info, writer: RecordWriter, plan: WritePlan) -> UUID:
        record_id = await super().insert(info, writer, plan)
        await require_membership(writer, {"is_key": False, "related_account_id": None, **plan.values})
        return record_id

    async def update(self, change: Change) -> UUID:
        current = await self.stored(change)
        require_account_edit(change.info, current.related_account_id)
        await require_membership(change.writer, {**vars(current), **change.plan.values})
        return await super().update(change)

    async def veto_delete(self, writer: RecordWriter, record_id: UUID) -> None:
        await require_account_edit_in(writer, Entity.CONTACT_RELATION, record_id, "related_account_id")

    async def veto_restore(self, writer: RecordWriter, record_id: UUID) -> None:
        await require_account_edit_in(writer, Entity.CONTACT_RELATION, record_id, "related_account_id")
        rows = await writer.get_many(Entity.CONTACT_RELATION, [record_id])
        if record_id in rows:
            await require_membership(writer, vars(rows[record_id]))


@strawberry.type
class ContactRelationMutation(ContactRelationCrud().mutation_type()):  # type: ignore[misc]
    pass
