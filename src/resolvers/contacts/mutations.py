"""Contact mutations: create (one or many), update, soft delete and restore."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import strawberry

from gateway.backends.base import RecordWriter
from gateway.backends.records import Entity
from resolvers.common.details import detail_rows, store_details
from resolvers.common.errors import UserError, UserErrorCode, UserErrors, error
from resolvers.common.ids import decode_id_of
from resolvers.common.links import load_node
from resolvers.common.mutations import (
    ExpectedVersion,
    IdempotencyKey,
    check_changed,
    create_once,
    in_transaction,
    set_deleted_checked,
)
from resolvers.common.validation import changed_values, required_text
from resolvers.contacts.errors import contact_not_found
from resolvers.contacts.inputs import CONTACT_COLUMNS, ContactCreateInput, ContactUpdateInput
from resolvers.contacts.types import Contact

MAX_BULK_ROWS = 100


@strawberry.type(description="Result of `contactCreate`.")
class ContactCreatePayload:
    contact: Contact | None = strawberry.field(description="The new contact; null when errors occurred.")
    errors: list[UserError] = strawberry.field(description="Why the contact was not created.")


@strawberry.type(description="Result of `contactUpdate`.")
class ContactUpdatePayload:
    contact: Contact | None = strawberry.field(description="The contact after the change.")
    errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="Result of `contactDelete`.")
class ContactDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="ID of the soft-deleted contact.")
    errors: list[UserError] = strawberry.field(description="Why nothing was deleted.")


@strawberry.type(description="Result of `contactRestore`.")
class ContactRestorePayload:
    contact: Contact | None = strawberry.field(description="The restored contact.")
    errors: list[UserError] = strawberry.field(description="Why nothing was restored.")


@strawberry.type(description="The outcome for one row of `contactCreateMany`.")
class ContactCreateResult:
    index: int = strawberry.field(description="Position of the row in the input list.")
    contact: Contact | None = strawberry.field(description="The new contact; null when the row failed.")
    errors: list[UserError] = strawberry.field(description="Why this row failed.")


@strawberry.type(description="Result of `contactCreateMany`: one result per input row.")
class ContactCreateManyPayload:
    results: list[ContactCreateResult] = strawberry.field(description="One result per input row, in order.")
    errors: list[UserError] = strawberry.field(
        description="CUST1107 (PARTIAL_FAILURE) when some rows failed; problems with the whole request."
    )


def _name_problems(kind: str, values: dict[str, Any], path: list[str]) -> list[UserError]:
    """Seed 003: a PERSON needs first and last name, a COMPANY its company name."""
    if kind == "COMPANY":
        return required_text(values.get("company_name"), [*path, "companyName"])
    return required_text(values.get("first_name"), [*path, "firstName"]) + required_text(
        values.get("last_name"), [*path, "lastName"]
    )


def _create_plan(
    input: ContactCreateInput, path: list[str]
) -> tuple[dict[str, Any], dict[Any, Any], list[UserError]]:
    values = {name: getattr(input, name) for name in CONTACT_COLUMNS}
    values = {k: v.value if hasattr(v, "value") and not isinstance(v, str) else v for k, v in values.items()}
    values["languages_spoken"] = values["languages_spoken"] or []
    details, problems = detail_rows(input, path)
    return values, details, _name_problems(values["kind"], values, path) + problems


async def _insert(writer: RecordWriter, actor: str, values: dict[str, Any], details: dict[Any, Any]) -> UUID:
    record_id = await writer.insert(Entity.CONTACT, values, actor)
    await store_details(writer, record_id, details)
    return record_id


async def _update(
    writer: RecordWriter,
    info: strawberry.Info,
    record_id: UUID,
    input: ContactUpdateInput,
    expected_version: int | None,
) -> UUID:
    current = (await writer.get_many(Entity.CONTACT, [record_id])).get(record_id)
    if current is None:
        raise UserErrors([contact_not_found()])
    values = changed_values(input, tuple(CONTACT_COLUMNS))
    if values.get("languages_spoken", 0) is None:
        values["languages_spoken"] = []
    merged = {**vars(current), **values}
    details, problems = detail_rows(input, ["input"])
    problems = _name_problems(merged["kind"], merged, ["input"]) + problems
    if problems:
        raise UserErrors(problems)
    changed = await writer.update(Entity.CONTACT, record_id, values, info.context.actor, expected_version)
    await check_changed(writer, Entity.CONTACT, record_id, changed, contact_not_found())
    await store_details(writer, record_id, details)
    return record_id


@strawberry.type
class ContactMutation:
    @strawberry.mutation(
        description="Create a contact. Retrying with the same idempotency key creates nothing new."
    )
    async def contact_create(
        self,
        info: strawberry.Info,
        input: Annotated[ContactCreateInput, strawberry.argument(description="The new contact.")],
        idempotency_key: IdempotencyKey = None,
    ) -> ContactCreatePayload:
        values, details, problems = _create_plan(input, ["input"])
        if problems:
            return ContactCreatePayload(contact=None, errors=problems)

        async def create(writer: RecordWriter) -> UUID:
            return await _insert(writer, info.context.actor, values, details)

        record_id, errors = await create_once(info, "contactCreate", idempotency_key, input, create)
        return ContactCreatePayload(contact=await load_node(info, Entity.CONTACT, record_id), errors=errors)

    @strawberry.mutation(
        description="Create many contacts at once; valid rows are saved, failing rows reported."
    )
    async def contact_create_many(
        self,
        info: strawberry.Info,
        inputs: Annotated[
            list[ContactCreateInput], strawberry.argument(description=f"Up to {MAX_BULK_ROWS} new contacts.")
        ],
    ) -> ContactCreateManyPayload:
        if len(inputs) > MAX_BULK_ROWS:
            message = f"At most {MAX_BULK_ROWS} contacts per call."
            return ContactCreateManyPayload(
                results=[], errors=[error(["inputs"], message, UserErrorCode.INVALID)]
            )
        plans = [_create_plan(item, ["inputs", str(index)]) for index, item in enumerate(inputs)]
        valid = [index for index, plan in enumerate(plans) if not plan[2]]

        async def create_all(writer: RecordWriter) -> list[UUID]:
            return [await _insert(writer, info.context.actor, plans[i][0], plans[i][1]) for i in valid]

        created, errors = await in_transaction(info, create_all)
        ids = dict(zip(valid, created or [], strict=False))
        results = [
            ContactCreateResult(
                index=index,
                contact=await load_node(info, Entity.CONTACT, ids.get(index)),
                errors=plans[index][2] or ([] if index in ids else errors),
            )
            for index in range(len(inputs))
        ]
        if any(result.errors for result in results):
            message = "Bulk Customer operation contained failures."
            errors = [error(["inputs"], message, UserErrorCode.PARTIAL_FAILURE, "CUST1107"), *errors]
        return ContactCreateManyPayload(results=results, errors=errors)

    @strawberry.mutation(description="Change a contact. Pass `expectedVersion` to refuse lost updates.")
    async def contact_update(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The contact's ID.")],
        input: Annotated[ContactUpdateInput, strawberry.argument(description="The fields to change.")],
        expected_version: ExpectedVersion = None,
    ) -> ContactUpdatePayload:
        record_id = decode_id_of(id, "Contact")
        done, errors = await in_transaction(
            info, lambda writer: _update(writer, info, record_id, input, expected_version)
        )
        return ContactUpdatePayload(contact=await load_node(info, Entity.CONTACT, done), errors=errors)

    @strawberry.mutation(description="Soft-delete a contact; `contactRestore` brings it back.")
    async def contact_delete(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The contact's ID.")],
        expected_version: ExpectedVersion = None,
    ) -> ContactDeletePayload:
        record_id = decode_id_of(id, "Contact")
        _, errors = await in_transaction(
            info,
            lambda writer: set_deleted_checked(
                writer,
                Entity.CONTACT,
                record_id,
                True,
                info.context.actor,
                expected_version,
                contact_not_found(),
            ),
        )
        return ContactDeletePayload(deleted_id=None if errors else strawberry.ID(id), errors=errors)

    @strawberry.mutation(description="Restore a soft-deleted contact.")
    async def contact_restore(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The contact's ID.")],
        expected_version: ExpectedVersion = None,
    ) -> ContactRestorePayload:
        record_id = decode_id_of(id, "Contact")
        done, errors = await in_transaction(
            info,
            lambda writer: set_deleted_checked(
                writer,
                Entity.CONTACT,
                record_id,
                False,
                info.context.actor,
                expected_version,
                contact_not_found(),
            ),
        )
        return ContactRestorePayload(contact=await load_node(info, Entity.CONTACT, done), errors=errors)
