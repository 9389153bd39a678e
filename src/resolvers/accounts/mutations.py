"""Account mutations: create, update, soft delete, restore, and adding or removing its contacts."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import strawberry

from gateway.backends.base import RecordWriter
from gateway.backends.records import Entity, Relation
from gateway.permissions import CUST_ORGANIZATION_DELETE, CUST_ORGANIZATION_EDIT
from resolvers.accounts.errors import REQUIRED_CODE, account_not_found, key_contact_removal
from resolvers.accounts.inputs import ACCOUNT_COLUMNS, ACCOUNT_REFS, AccountCreateInput, AccountUpdateInput
from resolvers.accounts.types import Account
from resolvers.common.errors import UserError, UserErrors
from resolvers.common.ids import decode_id_of
from resolvers.common.links import load_node
from resolvers.common.mutations import (
    ExpectedVersion,
    IdempotencyKey,
    WritePlan,
    create_once,
    current_record,
    in_transaction,
    insert_planned,
    set_deleted_in_transaction,
    update_planned,
    write_plan,
)
from resolvers.common.permissions import requires
from resolvers.common.validation import required_if_given
from resolvers.contacts.errors import contact_not_found
from resolvers.contacts.types import Contact

AccountId = Annotated[strawberry.ID, strawberry.argument(description="The account's ID.")]
ContactId = Annotated[strawberry.ID, strawberry.argument(description="The contact's ID.")]


@strawberry.type(description="Result of `accountCreate`.")
class AccountCreatePayload:
    account: Account | None = strawberry.field(description="The new account; null when errors occurred.")
    errors: list[UserError] = strawberry.field(description="Why the account was not created.")


@strawberry.type(description="Result of `accountUpdate`.")
class AccountUpdatePayload:
    account: Account | None = strawberry.field(description="The account after the change.")
    errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="Result of `accountDelete`.")
class AccountDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="ID of the soft-deleted account.")
    errors: list[UserError] = strawberry.field(description="Why nothing was deleted.")


@strawberry.type(description="Result of `accountRestore`.")
class AccountRestorePayload:
    account: Account | None = strawberry.field(description="The restored account.")
    errors: list[UserError] = strawberry.field(description="Why nothing was restored.")


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


def _plan(input: Any) -> WritePlan:
    plan = write_plan(input, ACCOUNT_COLUMNS, ACCOUNT_REFS)
    plan.problems = required_if_given(plan.values, "name", ["input", "name"], REQUIRED_CODE) + plan.problems
    return plan


async def _link_primary_contact(writer: RecordWriter, account_id: UUID, plan: WritePlan) -> UUID:
    """The key contact also belongs to the account (seed 000 key relationships)."""
    contact_id = plan.values.get("primary_contact_id")
    if contact_id is not None:
        await writer.link(Relation.ACCOUNT_CONTACTS, account_id, contact_id)
    return account_id


async def _update(
    writer: RecordWriter, actor: str, record_id: UUID, plan: WritePlan, expected_version: int | None
) -> UUID:
    await update_planned(
        writer, Entity.ACCOUNT, record_id, plan, actor, expected_version, account_not_found()
    )
    return await _link_primary_contact(writer, record_id, plan)


async def _membership(writer: RecordWriter, account_id: UUID, contact_id: UUID, adding: bool) -> UUID:
    """Add the contact to the account or remove it; the key contact cannot be removed (CUST2106)."""
    account = await current_record(writer, Entity.ACCOUNT, account_id, account_not_found(["accountId"]))
    await current_record(writer, Entity.CONTACT, contact_id, contact_not_found(["contactId"]))
    if adding:
        await writer.link(Relation.ACCOUNT_CONTACTS, account_id, contact_id)
    elif account.primary_contact_id == contact_id:
        raise UserErrors([key_contact_removal()])
    else:
        await writer.unlink(Relation.ACCOUNT_CONTACTS, account_id, contact_id)
    return account_id


async def _change_membership(
    info: strawberry.Info, account_id: strawberry.ID, contact_id: strawberry.ID, adding: bool
) -> tuple[Any, Any, list[UserError]]:
    account, contact = decode_id_of(account_id, "Account"), decode_id_of(contact_id, "Contact")
    done, errors = await in_transaction(info, lambda writer: _membership(writer, account, contact, adding))
    if errors:
        return None, None, errors
    return await load_node(info, Entity.ACCOUNT, done), await load_node(info, Entity.CONTACT, contact), []


@strawberry.type
class AccountMutation:
    @strawberry.mutation(
        description="Create an account. Retrying with the same idempotency key creates nothing new.",
        extensions=requires(CUST_ORGANIZATION_EDIT),
    )
    async def account_create(
        self,
        info: strawberry.Info,
        input: Annotated[AccountCreateInput, strawberry.argument(description="The new account.")],
        idempotency_key: IdempotencyKey = None,
    ) -> AccountCreatePayload | None:
        plan = _plan(input)
        if plan.problems:
            return AccountCreatePayload(account=None, errors=plan.problems)

        async def create(writer: RecordWriter) -> UUID:
            record_id = await insert_planned(writer, Entity.ACCOUNT, plan, info.context.actor)
            return await _link_primary_contact(writer, record_id, plan)

        record_id, errors = await create_once(info, "accountCreate", idempotency_key, input, create)
        return AccountCreatePayload(account=await load_node(info, Entity.ACCOUNT, record_id), errors=errors)

    @strawberry.mutation(
        description="Change an account. Pass `expectedVersion` to refuse lost updates.",
        extensions=requires(CUST_ORGANIZATION_EDIT),
    )
    async def account_update(
        self,
        info: strawberry.Info,
        id: AccountId,
        input: Annotated[AccountUpdateInput, strawberry.argument(description="The fields to change.")],
        expected_version: ExpectedVersion = None,
    ) -> AccountUpdatePayload | None:
        record_id = decode_id_of(id, "Account")
        plan = _plan(input)
        if plan.problems:
            return AccountUpdatePayload(account=None, errors=plan.problems)
        done, errors = await in_transaction(
            info, lambda writer: _update(writer, info.context.actor, record_id, plan, expected_version)
        )
        return AccountUpdatePayload(account=await load_node(info, Entity.ACCOUNT, done), errors=errors)

    @strawberry.mutation(
        description="Soft-delete an account; `accountRestore` brings it back.",
        extensions=requires(CUST_ORGANIZATION_DELETE),
    )
    async def account_delete(
        self, info: strawberry.Info, id: AccountId, expected_version: ExpectedVersion = None
    ) -> AccountDeletePayload | None:
        record_id = decode_id_of(id, "Account")
        _, errors = await set_deleted_in_transaction(
            info, Entity.ACCOUNT, record_id, True, expected_version, account_not_found()
        )
        return AccountDeletePayload(deleted_id=None if errors else strawberry.ID(id), errors=errors)

    @strawberry.mutation(
        description="Restore a soft-deleted account.",
        extensions=requires(CUST_ORGANIZATION_DELETE),
    )
    async def account_restore(
        self, info: strawberry.Info, id: AccountId, expected_version: ExpectedVersion = None
    ) -> AccountRestorePayload | None:
        record_id = decode_id_of(id, "Account")
        done, errors = await set_deleted_in_transaction(
            info, Entity.ACCOUNT, record_id, False, expected_version, account_not_found()
        )
        return AccountRestorePayload(account=await load_node(info, Entity.ACCOUNT, done), errors=errors)

    @strawberry.mutation(
        description="Make a contact a member of an account; adding a member again is a no-op.",
        extensions=requires(CUST_ORGANIZATION_EDIT),
    )
    async def account_add_contact(
        self, info: strawberry.Info, account_id: AccountId, contact_id: ContactId
    ) -> AccountAddContactPayload | None:
        account, contact, errors = await _change_membership(info, account_id, contact_id, adding=True)
        return AccountAddContactPayload(account=account, contact=contact, errors=errors)

    @strawberry.mutation(
        description="Remove a contact from an account; the key (primary) contact must be replaced first.",
        extensions=requires(CUST_ORGANIZATION_EDIT),
    )
    async def account_remove_contact(
        self, info: strawberry.Info, account_id: AccountId, contact_id: ContactId
    ) -> AccountRemoveContactPayload | None:
        account, contact, errors = await _change_membership(info, account_id, contact_id, adding=False)
        return AccountRemoveContactPayload(account=account, contact=contact, errors=errors)
