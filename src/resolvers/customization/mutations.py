"""Custom field, custom label and saved filter mutations (seed 004), each one ConeCRM call, never retried.

Permissions: custom fields and labels shape the whole tenant's CRM, so changing them needs
``CRM_ADMIN``; saved filters are stored searches, so they need ``CRM_SEARCH_ALL`` (ConeCRM itself lets
only a filter's owner change or delete it).
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.backends.customization import CustomFieldChange, SavedFilterChange
from gateway.permissions import CRM_ADMIN, CRM_SEARCH_ALL
from resolvers.common.errors import UserError
from resolvers.common.permissions import requires
from resolvers.customization import validation as check
from resolvers.customization.errors import customization
from resolvers.customization.inputs import CustomFieldInput, CustomLabelInput, SavedFilterInput
from resolvers.customization.payloads import (
    CustomFieldPayload,
    CustomizationDeletePayload,
    CustomLabelPayload,
    SavedFilterPayload,
    delete,
    maybe,
    write,
)
from resolvers.customization.types import custom_field_type, custom_label_type, saved_filter_type

CustomFieldBody = Annotated[
    CustomFieldInput, strawberry.argument(description="The fields to send; see the input type.")
]
CustomLabelBody = Annotated[
    CustomLabelInput, strawberry.argument(description="The fields to send; see the input type.")
]
SavedFilterBody = Annotated[
    SavedFilterInput, strawberry.argument(description="The fields to send; see the input type.")
]
RecordId = Annotated[str, strawberry.argument(description="ConeCRM's id.")]


def _custom_field(input: CustomFieldInput, creating: bool) -> tuple[CustomFieldChange, list[UserError]]:
    problems = [
        *check.entity(input.entity, ["input", "entity"]),
        *check.field_name(input.field_name, ["input", "fieldName"], required=creating),
        *check.json_object(input.options, ["input", "options"]),
    ]
    if creating:
        problems += check.text(input.entity, ["input", "entity"], required=True)
        problems += [] if input.field_type else check.text(None, ["input", "fieldType"], required=True)
    else:
        problems += check.something(
            [input.entity, input.field_name, input.field_type, input.options], ["input"]
        )
    field_type = None if input.field_type is None else input.field_type.value
    return CustomFieldChange(input.entity, input.field_name, field_type, input.options), problems  # type: ignore[arg-type]


def _saved_filter(input: SavedFilterInput, creating: bool) -> tuple[SavedFilterChange, list[UserError]]:
    problems = [
        *check.text(input.name, ["input", "name"], required=creating),
        *check.entity(input.module, ["input", "module"]),
        *check.text(input.module, ["input", "module"], required=creating),
        *check.json_object(input.value, ["input", "value"], required=creating),
    ]
    if not creating:
        problems += check.something([input.name, input.module, input.value, input.private], ["input"])
    return SavedFilterChange(input.name, input.module, input.value, input.private), problems


@strawberry.type
class CustomizationMutation:
    @strawberry.mutation(description="Create a custom field in ConeCRM.", extensions=requires(CRM_ADMIN))
    async def custom_field_create(
        self, info: strawberry.Info, input: CustomFieldBody
    ) -> CustomFieldPayload | None:
        api = customization(info)
        change, problems = _custom_field(input, creating=True)
        created, errors = await write(problems, lambda: api.create_custom_field(change))
        return CustomFieldPayload(custom_field=maybe(created, custom_field_type), errors=errors)

    @strawberry.mutation(
        description="Change a custom field; null fields stay.", extensions=requires(CRM_ADMIN)
    )
    async def custom_field_update(
        self, info: strawberry.Info, id: RecordId, input: CustomFieldBody
    ) -> CustomFieldPayload | None:
        api = customization(info)
        change, problems = _custom_field(input, creating=False)
        changed, errors = await write(
            check.record_id(id) + problems, lambda: api.update_custom_field(id, change)
        )
        return CustomFieldPayload(custom_field=maybe(changed, custom_field_type), errors=errors)

    @strawberry.mutation(description="Delete a custom field.", extensions=requires(CRM_ADMIN))
    async def custom_field_delete(
        self, info: strawberry.Info, id: RecordId
    ) -> CustomizationDeletePayload | None:
        api = customization(info)
        return await delete(check.record_id(id), lambda: api.delete_custom_field(id), id)

    @strawberry.mutation(description="Create a custom label set.", extensions=requires(CRM_ADMIN))
    async def custom_label_create(
        self, info: strawberry.Info, input: CustomLabelBody
    ) -> CustomLabelPayload | None:
        api = customization(info)
        problems = check.json_object(input.value, ["input", "value"], required=True, non_empty=True)
        created, errors = await write(problems, lambda: api.create_custom_label(input.value))  # type: ignore[arg-type]
        return CustomLabelPayload(custom_label=maybe(created, custom_label_type), errors=errors)

    @strawberry.mutation(description="Replace a custom label set's value.", extensions=requires(CRM_ADMIN))
    async def custom_label_update(
        self, info: strawberry.Info, id: RecordId, input: CustomLabelBody
    ) -> CustomLabelPayload | None:
        api = customization(info)
        problems = check.uuid_id(id) + check.json_object(
            input.value, ["input", "value"], True, non_empty=True
        )
        changed, errors = await write(problems, lambda: api.update_custom_label(id, input.value))  # type: ignore[arg-type]
        return CustomLabelPayload(custom_label=maybe(changed, custom_label_type), errors=errors)

    @strawberry.mutation(
        description="Delete a custom label set (ConeCRM deletes softly).", extensions=requires(CRM_ADMIN)
    )
    async def custom_label_delete(
        self, info: strawberry.Info, id: RecordId
    ) -> CustomizationDeletePayload | None:
        api = customization(info)
        return await delete(check.uuid_id(id), lambda: api.delete_custom_label(id), id)

    @strawberry.mutation(
        description="Save a filter (private unless `private: false`).", extensions=requires(CRM_SEARCH_ALL)
    )
    async def saved_filter_create(
        self, info: strawberry.Info, input: SavedFilterBody
    ) -> SavedFilterPayload | None:
        api = customization(info)
        change, problems = _saved_filter(input, creating=True)
        created, errors = await write(problems, lambda: api.create_saved_filter(change))
        return SavedFilterPayload(saved_filter=maybe(created, saved_filter_type), errors=errors)

    @strawberry.mutation(description="Change one of your saved filters.", extensions=requires(CRM_SEARCH_ALL))
    async def saved_filter_update(
        self, info: strawberry.Info, id: RecordId, input: SavedFilterBody
    ) -> SavedFilterPayload | None:
        api = customization(info)
        change, problems = _saved_filter(input, creating=False)
        changed, errors = await write(
            check.record_id(id) + problems, lambda: api.update_saved_filter(id, change)
        )
        return SavedFilterPayload(saved_filter=maybe(changed, saved_filter_type), errors=errors)

    @strawberry.mutation(description="Delete one of your saved filters.", extensions=requires(CRM_SEARCH_ALL))
    async def saved_filter_delete(
        self, info: strawberry.Info, id: RecordId
    ) -> CustomizationDeletePayload | None:
        api = customization(info)
        return await delete(check.record_id(id), lambda: api.delete_saved_filter(id), id)
