"""Custom field values on contacts, accounts and leads (seed 004 ``customFieldValues``).

Read: ``customFields`` lists every custom field the entity defines, in definition order, each with its
value typed as its definition (``text`` / ``number`` / ``boolean`` / ``date`` / ``dateTime``, the one
member that fits the type set, the others null) and the seed's text form (``value``). The values are a
column of the record's own row, and the definitions are read once per request and entity: a page of
any size costs one statement more, whatever its depth.

Write: ``customFieldValues: [{fieldId | fieldName, value}]`` in the create and update inputs, the value
in seed 004's text form (null clears it). They are checked against the definitions inside the mutation's
transaction (``gateway.backends.custom_values``): an unknown field is NOT_FOUND, a value its type or
options refuse INVALID, a required field without a value REQUIRED; any refusal writes nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any
from uuid import UUID

import strawberry

from gateway.backends.custom_values import (
    CustomValueProblem,
    GivenValue,
    as_text,
    merged_values,
    parse,
    typed,
)
from gateway.backends.customization import CustomField as CustomFieldRecord
from gateway.backends.records import Entity
from resolvers.common.columns import uses_columns
from resolvers.common.crud import Change, CrudMutations
from resolvers.common.errors import UserErrorCode, UserErrors, error
from resolvers.common.fields import optional_field as _f
from resolvers.common.mutations import WritePlan
from resolvers.customization.types import CustomField, custom_field_type

# The filter catalogue's entity name of each entity that carries custom field values.
ENTITY_NAMES = {Entity.CONTACT: "contact", Entity.ACCOUNT: "account", Entity.LEAD: "lead"}


@strawberry.type(
    description="The value of one custom field on a record (seed 004 customFieldValues), typed as its "
    "definition: the member of its fieldType is set (string and enum: `text`), the others are null."
)
class CustomFieldValue:
    field_name: str = strawberry.field(description="The custom field's fieldName.")
    field_type: str = strawberry.field(description="string, number, boolean, date, datetime or enum.")
    definition: CustomField = strawberry.field(description="The custom field's definition.")
    value: str | None = strawberry.field(description="The value in seed 004's text form; null: none.")
    text: str | None = strawberry.field(description="The value of a string or enum field.")
    number: float | None = strawberry.field(description="The value of a number field.")
    boolean: bool | None = strawberry.field(description="The value of a boolean field.")
    date: dt.date | None = strawberry.field(description="The value of a date field.")
    date_time: dt.datetime | None = strawberry.field(description="The value of a datetime field (UTC).")


@strawberry.input(
    description="A custom field's value in a create or update (seed 004 customFieldValues): name the "
    "field by `fieldId` or `fieldName`."
)
class CustomFieldValueInput:
    field_id: str | None = _f("The custom field's id (seed 004 `field.id`).")
    field_name: str | None = _f("The custom field's fieldName.")
    value: str | None = _f(
        'The value as text, as seed 004 sends it: "42", "true", "2026-12-07", "2026-12-07T10:00:00Z"; '
        "null clears it."
    )


def value_object(definition: CustomFieldRecord, stored: Any) -> CustomFieldValue:
    kind = definition.field_type or "string"
    value = typed(definition, stored)
    member = {"number": "number", "boolean": "boolean", "date": "date", "datetime": "date_time"}
    found: dict[str, Any] = dict.fromkeys(("text", "number", "boolean", "date", "date_time"))
    found[member.get(kind, "text")] = value
    return CustomFieldValue(
        field_name=definition.field_name or "",
        field_type=kind,
        definition=custom_field_type(definition),
        value=None if value is None else as_text(stored),
        **found,
    )


def definitions_read(info: strawberry.Info, entity: Entity) -> asyncio.Future[list[CustomFieldRecord]]:
    """The read of the entity's custom field definitions, started once per request: the rows of a page
    ask at the same time, so the first one's read is shared (a task) rather than its result."""
    memo = info.context.loaders.memo
    key = ("custom-field-definitions", entity)
    if key not in memo:
        read = info.context.customization.custom_fields(ENTITY_NAMES[entity])
        memo[key] = asyncio.ensure_future(read)
    return memo[key]  # type: ignore[no-any-return]


async def definitions(info: strawberry.Info, entity: Entity) -> list[CustomFieldRecord]:
    return await definitions_read(info, entity)


def stored_values(definition: CustomFieldRecord, values: dict[str, Any]) -> Any:
    """A record's value of one field: by name, typed (the gateway's store), or by id in seed 004's text
    form (ConeCRM's customFieldValues), parsed; None for a text its definition refuses."""
    found = values.get(definition.field_name or "")
    if found is not None:
        return found
    text = values.get(definition.id or "")
    try:
        return None if text is None else parse(definition, str(text))
    except CustomValueProblem:
        return None


def custom_fields_field(entity: Entity) -> Any:
    """The ``customFields`` field of a record type of ``entity``."""

    def values(record: Any, found: list[CustomFieldRecord]) -> list[CustomFieldValue]:
        stored = record.custom_fields or {}
        return [value_object(d, stored_values(d, stored)) for d in found]

    async def later(record: Any, read: asyncio.Future[list[CustomFieldRecord]]) -> list[CustomFieldValue]:
        return values(record, await read)

    @uses_columns("custom_fields")
    def resolve(root: Any, info: strawberry.Info) -> list[CustomFieldValue]:
        # Once read (a root list starts the read with its page), the values are a plain list rather
        # than one awaitable per row.
        read = definitions_read(info, entity)
        if read.done() and read.exception() is None:
            return values(root.record, read.result())
        return later(root.record, read)  # type: ignore[return-value]

    return strawberry.field(
        resolver=resolve,
        description="Every custom field of this entity, with this record's value (customFieldValues).",
    )


def given_values(input: Any) -> list[GivenValue] | None:
    items = getattr(input, "custom_field_values", None)
    if not items:  # None, UNSET or an empty list: nothing changes
        return None
    return [GivenValue(item.field_id, item.field_name, item.value) for item in items]


async def checked_values(
    info: strawberry.Info,
    entity: Entity,
    current: dict[str, Any],
    given: Sequence[GivenValue],
    creating: bool,
    path: Sequence[str] = ("input",),
) -> dict[str, Any]:
    """The record's values after ``given``; ``UserErrors`` for the first refusal."""
    try:
        return merged_values(await definitions(info, entity), current, given, creating)
    except CustomValueProblem as problem:
        at = [*path, "customFieldValues"] + ([] if problem.index is None else [str(problem.index)])
        raise UserErrors([error(at, problem.message, UserErrorCode[problem.code])]) from None


class WithCustomFieldValues(CrudMutations):
    """CRUD mutations whose inputs carry ``customFieldValues``: checked and written with the record."""

    def plan(self, info: strawberry.Info, input: Any, operation: Any) -> WritePlan:
        plan = super().plan(info, input, operation)
        plan.custom_values = given_values(input)
        return plan

    async def prepare(self, info: strawberry.Info, plan: WritePlan) -> None:
        await definitions(info, self.entity)  # read once per request; the checks inside reuse it

    async def insert(self, info: strawberry.Info, writer: Any, plan: WritePlan) -> UUID:
        given = plan.custom_values or []
        plan.values["custom_fields"] = await checked_values(info, self.entity, {}, given, creating=True)
        return await super().insert(info, writer, plan)

    async def update(self, change: Change) -> UUID:
        given = change.plan.custom_values
        if given is not None:
            current = (await self.stored(change)).custom_fields or {}
            values = await checked_values(change.info, self.entity, current, given, creating=False)
            change.plan.values["custom_fields"] = values
        return await super().update(change)
