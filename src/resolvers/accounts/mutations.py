"""Account mutations: create, update, soft delete, restore, and adding or removing its contacts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import strawberry
from strawberry.types.field import StrawberryField

from gateway.backends.base import RecordWriter
from gateway.backends.records import Entity, Relation
from gateway.permissions import CUST_ORGANIZATION_DELETE, CUST_ORGANIZATION_EDIT
from resolvers.accounts.errors import REQUIRED_CODE, account_not_found, key_contact_removal
from resolvers.accounts.inputs import ACCOUNT_COLUMNS, ACCOUNT_REFS, AccountCreateInput, AccountUpdateInput
from resolvers.accounts.types import Account
from resolvers.common.crud import Change, argument, crud_permissions
from resolvers.common.crud.fields import mutation_field
from resolvers.common.custom_fields import WithCustomFieldValues
from resolvers.common.errors import UserError, UserErrors
from resolvers.common.ids import decode_id_of
from resolvers.common.links import load_node
from resolvers.common.mutations import WritePlan, current_record, in_transaction
from resolvers.common.permissions import requires
from resolvers.contacts.errors import contact_not_found
from resolvers.contacts.types import Contact
from resolvers.relations.errors import key_organization_removal
from resolvers.relations.mutations import is_key_organization


@strawberry.type(description="Result of `accountAddContact`.")
class AccountAddContactPayload:
    account: Account | None = strawberry.field(description="The account the contact now belongs to.")
    contact: Contact | None = strawberry.field(description="The contact that was added.")
    errors: list[UserError] = strawberry.field(description="Why the contact was not added.")


@strawberry.type(description="Result of `accountRemoveContact`.")
class AccountRemoveContactPayload:
    account: Account | None = strawberry.field(description="The account the contact was removed from.")
    contact: Contact | None = strawberry.field(description="The contact that was removed.")
    errors: list[UserError] = strawberry.field(
        description="Why the contact was not removed, e.g. CUST2106 for the account's key contact."
    )


async def _membership(writer: RecordWriter, account_id: UUID, contact_id: UUID, adding: bool) -> UUID:
    """Add the contact to the account or remove it; neither its primary (key) contact (CUST2106) nor a
    contact that holds it as a key organization (CUST1106) can be removed."""
    account = await current_record(writer, Entity.ACCOUNT, account_id, account_not_found(["accountId"]))
    await current_record(writer, Entity.CONTACT, contact_id, contact_not_found(["contactId"]))
    if adding:
        await writer.link(Relation.ACCOUNT_CONTACTS, account_id, contact_id)
    elif account.primary_contact_id == contact_id:
        raise UserErrors([key_contact_removal()])
    elif await is_key_organization(writer, contact_id, account_id):
        raise UserErrors([key_organization_removal()])
    else:
        await writer.unlink(Relation.ACCOUNT_CONTACTS, account_id, contact_id)
    return account_id


def _membership_mutation(adding: bool, description: str, payload: type) -> StrawberryField:
    """``accountAddContact`` or ``accountRemoveContact``: both answer the account and the contact."""

    async def change(info: strawberry.Info, account_id: strawberry.ID, contact_id: strawberry.ID) -> Any:
        account, contact = decode_id_of(account_id, "Account"), decode_id_of(contact_id, "Contact")
        done, errors = await in_transaction(info, lambda w: _membership(w, account, contact, adding))
        if errors:
            return payload(account=None, contact=None, errors=errors)
        member = await load_node(info, Entity.CONTACT, contact)
        return payload(account=await load_node(info, Entity.ACCOUNT, done), contact=member, errors=[])

    arguments = [
        argument("account_id", strawberry.ID, "The account's ID."),
        argument("contact_id", strawberry.ID, "The contact's ID."),
    ]
    return mutation_field(change, arguments, payload, description, requires(CUST_ORGANIZATION_EDIT))


class AccountCrud(WithCustomFieldValues):
    node, create_input, update_input = Account, AccountCreateInput, AccountUpdateInput
    permissions = crud_permissions(CUST_ORGANIZATION_EDIT, CUST_ORGANIZATION_EDIT, CUST_ORGANIZATION_DELETE)
    columns, refs, required = ACCOUNT_COLUMNS, ACCOUNT_REFS, ("name", REQUIRED_CODE)

    def not_found(self, path: list[str] | None = None) -> UserError:
        return account_not_found(path)

    async def insert(self, info: strawberry.Info, writer: RecordWriter, plan: WritePlan) -> UUID:
        return await _link_primary_contact(writer, await super().insert(info, writer, plan), plan)

    async def update(self, change: Change) -> UUID:
        return await _link_primary_contact(change.writer, await super().update(change), change.plan)


async def _link_primary_contact(writer: RecordWriter, account_id: UUID, plan: WritePlan) -> UUID:
    """The key contact also belongs to the account (seed 000 key relationships)."""
    contact_id = plan.values.get("primary_contact_id")
    if contact_id is not None:
        await writer.link(Relation.ACCOUNT_CONTACTS, account_id, contact_id)
    return account_id


@strawberry.type
class AccountMutation(AccountCrud().mutation_type()):  # type: ignore[misc]
    account_add_contact = _membership_mutation(
        True,
        "Make a contact a member of an account; adding a member again is a no-op.",
        AccountAddContactPayload,
    )
    account_remove_contact = _membership_mutation(
        False,
        "Remove a contact from an account; the key (primary) contact must be replaced first.",
        AccountRemoveContactPayload,
    )
