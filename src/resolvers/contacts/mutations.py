"""Contact mutations: create (one or many), update, soft delete and restore."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Annotated, Any
from uuid import UUID

import strawberry

from gateway.backends.access import RowAccess
from gateway.backends.base import RecordWriter
from gateway.backends.records import Detail, Entity
from gateway.permissions import CUST_DELETE, CUST_WRITE
from resolvers.common.crud import CREATE, DELETE, RESTORE, UPDATE, Change, crud_permissions
from resolvers.common.custom_fields import WithCustomFieldValues, checked_values, given_values
from resolvers.common.errors import UserError, UserErrorCode, UserErrors, error
from resolvers.common.item_actions import applied_items, item_changes
from resolvers.common.links import load_node
from resolvers.common.mutations import (
    WritePlan,
    in_transaction,
    insert_planned,
    invalid_value_error,
    write_plan,
)
from resolvers.common.permissions import requires
from resolvers.common.validation import required_text
from resolvers.contacts.depth_inputs import depth_values, merged_udfs
from resolvers.contacts.errors import contact_not_found
from resolvers.contacts.inputs import CONTACT_COLUMNS, CONTACT_REFS, ContactCreateInput, ContactUpdateInput
from resolvers.contacts.permissions import lockout, permission_rows
from resolvers.contacts.types import Contact

MAX_BULK_ROWS = 100


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


def _name_problems(kind: str, values: dict[str, Any], path: Sequence[str]) -> list[UserError]:
    """Seed 003: a PERSON needs first and last name, a COMPANY its company name."""
    if kind == "COMPANY":
        return required_text(values.get("company_name"), [*path, "companyName"])
    return required_text(values.get("first_name"), [*path, "firstName"]) + required_text(
        values.get("last_name"), [*path, "lastName"]
    )


def _clean(
    plan: WritePlan, input: ContactCreateInput | ContactUpdateInput, actor: str, path: Sequence[str]
) -> None:
    if plan.values.get("languages_spoken", ()) is None:
        plan.values["languages_spoken"] = []
    rules, problems = permission_rows(input, path)
    if rules is not None:
        plan.details[Detail.PERMISSIONS] = rules
    depth, depth_problems = depth_values(input, actor, path)
    plan.values.update(depth)
    plan.problems += problems + depth_problems


def _clean_create(plan: WritePlan, input: ContactCreateInput, access: RowAccess, path: Sequence[str]) -> None:
    _clean(plan, input, access.subject, path)
    if "udfs" in plan.values:
        plan.values["udfs"] = merged_udfs({}, plan.values["udfs"])
    plan.problems = _name_problems(plan.values["kind"], plan.values, path) + plan.problems
    if not plan.problems:  # the creator is the caller
        plan.problems = lockout(access, access.subject, plan.details.get(Detail.PERMISSIONS), path)


def _create_plan(input: ContactCreateInput, access: RowAccess, path: Sequence[str]) -> WritePlan:
    plan = write_plan(input, CONTACT_COLUMNS, CONTACT_REFS, path=path)
    plan.custom_values = given_values(input)
    _clean_create(plan, input, access, path)
    return plan


async def _check_custom_values(info: strawberry.Info, plans: list[WritePlan]) -> None:
    """Each row's custom field values, checked as a create checks them; a refused row fails alone."""
    for index, plan in enumerate(plans):
        if plan.problems:
            continue
        path = ["inputs", str(index)]
        try:
            given = plan.custom_values or []
            plan.values["custom_fields"] = await checked_values(info, Entity.CONTACT, {}, given, True, path)
        except UserErrors as failure:
            plan.problems = failure.errors


class ContactCrud(WithCustomFieldValues):
    node, create_input, update_input = Contact, ContactCreateInput, ContactUpdateInput
    permissions = crud_permissions(CUST_WRITE, CUST_WRITE, CUST_DELETE)
    columns, refs = CONTACT_COLUMNS, CONTACT_REFS

    def not_found(self, path: list[str] | None = None) -> UserError:
        return contact_not_found(path)

    def clean_create(self, info: strawberry.Info, input: ContactCreateInput, plan: WritePlan) -> None:
        _clean_create(plan, input, RowAccess.for_principal(info.context.principal), ["input"])

    def clean_update(self, info: strawberry.Info, input: ContactUpdateInput, plan: WritePlan) -> None:
        _clean(plan, input, info.context.actor, ["input"])
        plan.item_changes, problems = item_changes(input, ["input"])
        plan.problems += problems

    async def update(self, change: Change) -> UUID:
        # The name and lockout rules apply to the contact as it will be, so they need the stored values.
        current = await self.stored(change)
        if change.plan.item_changes:
            applied = await applied_items(
                change.writer, change.record_id, change.plan.item_changes, ["input"]
            )
            change.plan.details.update(applied)
        if "udfs" in change.plan.values:
            change.plan.values["udfs"] = merged_udfs(current.udfs, change.plan.values["udfs"])
        merged = {**vars(current), **change.plan.values}
        access = RowAccess.for_principal(change.info.context.principal)
        rules = change.plan.details.get(Detail.PERMISSIONS)
        problems = _name_problems(merged["kind"], merged, ["input"]) + lockout(
            access, current.created_by, rules, ["input"]
        )
        if merged.get("assistant_id") == change.record_id:
            problems.append(
                error(["input", "assistantId"], "A contact cannot assist itself.", UserErrorCode.INVALID)
            )
        if problems:
            raise UserErrors(problems)
        return await super().update(change)


CONTACTS = ContactCrud()


async def _insert_rows(
    writer: RecordWriter, actor: str, plans: dict[int, WritePlan]
) -> dict[int, UUID | list[UserError]]:
    """Rows of a bulk create: a row the store would refuse fails alone, the others are written."""
    outcome: dict[int, UUID | list[UserError]] = {}
    for index, plan in plans.items():
        problem = writer.invalid_value(Entity.CONTACT, plan.values, plan.details)
        if problem is not None:
            outcome[index] = [invalid_value_error(problem, ["inputs", str(index)])]
        else:
            outcome[index] = await insert_planned(writer, Entity.CONTACT, plan, actor)
    return outcome


@strawberry.type
class ContactMutation:
    contact_create = CONTACTS.field(CREATE)

    @strawberry.mutation(
        description="Create many contacts at once; valid rows are saved, failing rows reported.",
        extensions=requires(CUST_WRITE),
    )
    async def contact_create_many(
        self,
        info: strawberry.Info,
        inputs: Annotated[
            list[ContactCreateInput], strawberry.argument(description=f"Up to {MAX_BULK_ROWS} new contacts.")
        ],
    ) -> ContactCreateManyPayload | None:
        if len(inputs) > MAX_BULK_ROWS:
            message = f"At most {MAX_BULK_ROWS} contacts per call."
            return ContactCreateManyPayload(
                results=[], errors=[error(["inputs"], message, UserErrorCode.INVALID)]
            )
        access = RowAccess.for_principal(info.context.principal)
        plans = [_create_plan(item, access, ["inputs", str(index)]) for index, item in enumerate(inputs)]
        await _check_custom_values(info, plans)
        valid = {index: plan for index, plan in enumerate(plans) if not plan.problems}
        written, errors = await in_transaction(
            info, lambda writer: _insert_rows(writer, info.context.actor, valid)
        )
        outcome = written or {}
        ids = {index: value for index, value in outcome.items() if isinstance(value, UUID)}
        # Scheduled together, the loads of all new contacts batch into one statement.
        contacts = await asyncio.gather(
            *(load_node(info, Entity.CONTACT, ids.get(i)) for i in range(len(inputs)))
        )
        results = [
            ContactCreateResult(
                index=index, contact=contact, errors=_row_errors(plans[index], outcome.get(index), errors)
            )
            for index, contact in enumerate(contacts)
        ]
        if any(result.errors for result in results):
            message = "Bulk Customer operation contained failures."
            errors = [error(["inputs"], message, UserErrorCode.PARTIAL_FAILURE, "CUST1107"), *errors]
        return ContactCreateManyPayload(results=results, errors=errors)

    contact_update = CONTACTS.field(UPDATE)
    contact_delete = CONTACTS.field(DELETE)
    contact_restore = CONTACTS.field(RESTORE)


def _row_errors(
    plan: WritePlan, outcome: UUID | list[UserError] | None, transaction_errors: list[UserError]
) -> list[UserError]:
    if plan.problems:
        return plan.problems
    if isinstance(outcome, list):
        return outcome
    return [] if outcome is not None else transaction_errors
