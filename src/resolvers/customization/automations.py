"""Automation mutations (seed 004): create, update, delete and duplicate, each one ConeCRM call, never
retried. ``CRM_AUTOMATION_EDIT`` creates, changes and duplicates; ``CRM_AUTOMATION_DELETE`` deletes."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.backends.customization import AutomationChange
from gateway.permissions import CRM_AUTOMATION_DELETE, CRM_AUTOMATION_EDIT
from resolvers.common.errors import UserError
from resolvers.common.permissions import requires
from resolvers.customization import validation as check
from resolvers.customization.errors import customization
from resolvers.customization.inputs import AutomationInput
from resolvers.customization.payloads import (
    AutomationPayload,
    CustomizationDeletePayload,
    delete,
    maybe,
    write,
)
from resolvers.customization.types import automation_type

AutomationBody = Annotated[
    AutomationInput, strawberry.argument(description="The fields to send; see the input type.")
]
RecordId = Annotated[str, strawberry.argument(description="ConeCRM's id of the automation.")]


def _automation(input: AutomationInput, creating: bool) -> tuple[AutomationChange, list[UserError]]:
    problems = [
        *check.text(input.name, ["input", "name"], required=creating),
        *check.text(input.automation_trigger, ["input", "automationTrigger"], required=creating),
        *check.json_objects(input.nodes, ["input", "nodes"]),
        *check.json_objects(input.edges, ["input", "edges"]),
        *check.whole_number(input.delayed_automations_count, ["input", "delayedAutomationsCount"]),
    ]
    if input.franchise_id is not None:
        problems += check.uuid_id(input.franchise_id, ["input", "franchiseId"])
    fields = [input.name, input.automation_trigger, input.nodes, input.edges, input.franchise_id]
    if not creating:
        problems += check.something([*fields, input.delayed_automations_count, input.enabled], ["input"])
    delayed = input.delayed_automations_count
    change = AutomationChange(
        name=input.name,
        trigger=input.automation_trigger,
        nodes=input.nodes,  # type: ignore[arg-type]  # checked above: a list of objects
        edges=input.edges,  # type: ignore[arg-type]
        franchise_id=input.franchise_id,
        delayed_automations_count=0 if creating and delayed is None else delayed,
        enabled=input.enabled,
    )
    return change, problems


@strawberry.type
class AutomationMutation:
    @strawberry.mutation(
        description="Create an automation workflow.", extensions=requires(CRM_AUTOMATION_EDIT)
    )
    async def automation_create(
        self, info: strawberry.Info, input: AutomationBody
    ) -> AutomationPayload | None:
        api = customization(info)
        change, problems = _automation(input, creating=True)
        created, errors = await write(problems, lambda: api.create_automation(change))
        return AutomationPayload(automation=maybe(created, automation_type), errors=errors)

    @strawberry.mutation(
        description="Change an automation; null fields stay.", extensions=requires(CRM_AUTOMATION_EDIT)
    )
    async def automation_update(
        self, info: strawberry.Info, id: RecordId, input: AutomationBody
    ) -> AutomationPayload | None:
        api = customization(info)
        change, problems = _automation(input, creating=False)
        changed, errors = await write(
            check.record_id(id) + problems, lambda: api.update_automation(id, change)
        )
        return AutomationPayload(automation=maybe(changed, automation_type), errors=errors)

    @strawberry.mutation(
        description="Copy an automation (ConeCRM names the copy).", extensions=requires(CRM_AUTOMATION_EDIT)
    )
    async def automation_duplicate(self, info: strawberry.Info, id: RecordId) -> AutomationPayload | None:
        api = customization(info)
        copy, errors = await write(check.record_id(id), lambda: api.duplicate_automation(id))
        return AutomationPayload(automation=maybe(copy, automation_type), errors=errors)

    @strawberry.mutation(description="Delete an automation.", extensions=requires(CRM_AUTOMATION_DELETE))
    async def automation_delete(
        self, info: strawberry.Info, id: RecordId
    ) -> CustomizationDeletePayload | None:
        api = customization(info)
        return await delete(check.record_id(id), lambda: api.delete_automation(id), id)
