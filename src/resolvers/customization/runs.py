"""``automationRuns``: the run log of the tenant's automations (the gateway's own; an upstream's
automations have none to show), newest first, as a connection; ``CRM_AUTOMATION_VIEW`` like the
automations themselves."""

from __future__ import annotations

import datetime as dt
import json
from enum import Enum
from typing import Annotated
from uuid import UUID

import strawberry

from gateway.backends import automations as records
from gateway.backends.base import Capability, CapabilityNotServed
from gateway.backends.query import OrderKey
from gateway.backends.records import Entity
from gateway.errors import InvalidCursor
from gateway.permissions import CRM_AUTOMATION_VIEW
from resolvers.common.connection import Connection, Edge, PageInfo, page_request
from resolvers.common.ids import encode_global_id
from resolvers.common.node import Node, register_node
from resolvers.common.permissions import requires
from resolvers.common.records import from_record
from resolvers.customization import validation as check
from resolvers.customization.errors import customization

ORDER = (OrderKey("startedAt", descending=True),)
# The graph type of the record a trigger or an action names, for its global ID.
TRIGGER_TYPES = {"lead": "Lead", "event": "Task", "communication": "Communication"}
ACTION_TYPES = {
    "createTask": "Task",
    "assignUser": "Lead",
    "moveLeadToStage": "Lead",
    "sendEmail": "Communication",
    "sendSms": "Communication",
}


@strawberry.enum(description="How an automation's run of one trigger event ended.")
class AutomationRunStatus(Enum):
    SUCCEEDED = strawberry.enum_value("SUCCEEDED", description="Its actions were done.")
    FAILED = strawberry.enum_value(
        "FAILED", description="An action failed (`reason` is its code); the actions before it stay done."
    )
    SKIPPED = strawberry.enum_value(
        "SKIPPED",
        description="Nothing was done: `reason` says why (CONDITION_NOT_MET, CHAIN_LIMIT, RECORD_GONE, "
        "NO_ACTIONS).",
    )


@strawberry.type(description="An action an automation's run did.")
class AutomationRunAction:
    node: str = strawberry.field(description="The id of the workflow node.")
    action: str = strawberry.field(description='The action, e.g. "createTask".')
    record_id: strawberry.ID | None = strawberry.field(
        description="The ID of the record it wrote (the new task or communication, the lead it changed, "
        "the contact or organization it tagged)."
    )


@strawberry.type(description="One automation's run of one trigger event (the gateway's run log).")
class AutomationRun(Node):
    automation_name: str = strawberry.field(description="Its name when it ran.")
    trigger: str = strawberry.field(description='The trigger, e.g. "lead.stageChanged".')
    depth: int = strawberry.field(
        description="Automation steps between the user's write and this run (0: the user's own write)."
    )
    status: AutomationRunStatus = strawberry.field(description="How it ended.")
    reason: str | None = strawberry.field(
        description="Why it failed (the action's error code) or was skipped; null when it succeeded."
    )
    message: str | None = strawberry.field(description="A human-readable explanation of `reason`.")
    started_at: dt.datetime = strawberry.field(description="When the run started.")
    finished_at: dt.datetime = strawberry.field(description="When it ended.")

    @strawberry.field(description="The automation that ran (as `automation(id)` takes it).")
    def automation_id(self) -> str:
        return str(self.record.automation_id)

    @strawberry.field(description="The trigger event; every automation of it has a run.")
    def event_id(self) -> str:
        return str(self.record.event_id)

    @strawberry.field(description="The ID of the record that started the trigger.")
    def record_id(self) -> strawberry.ID:
        return strawberry.ID(encode_global_id(TRIGGER_TYPES[self.record.entity], self.record.record_id))

    @strawberry.field(description="The actions done, in order.")
    def actions(self) -> list[AutomationRunAction]:
        done = self.record.actions  # a list, or its JSON text when read as a timeline item
        return [
            AutomationRunAction(node=str(a["node"]), action=str(a["action"]), record_id=_action_record(a))
            for a in (json.loads(done) if isinstance(done, str) else done)
        ]


@strawberry.type(name="AutomationRunConnection", description="A page of automation runs, newest first.")
class AutomationRunConnection(Connection[AutomationRun]):
    pass


def run_type(run: records.AutomationRun) -> AutomationRun:
    return from_record(AutomationRun, run)


def _action_record(action: dict[str, str | None]) -> strawberry.ID | None:
    record = action.get("recordId")
    type_name = action.get("recordType") or ACTION_TYPES.get(str(action.get("action")))
    if record is None:
        return None
    return strawberry.ID(encode_global_id(type_name, UUID(record)) if type_name else record)


def _after(keys: tuple[object, ...] | None) -> tuple[dt.datetime, UUID] | None:
    if keys is None:
        return None
    try:
        return dt.datetime.fromisoformat(str(keys[0])), UUID(str(keys[1]))
    except ValueError:
        raise InvalidCursor("the cursor is not valid") from None


AutomationId = Annotated[
    str | None, strawberry.argument(description="Only this automation's runs; null: every automation's.")
]
StatusArgument = Annotated[
    AutomationRunStatus | None, strawberry.argument(description="Only runs that ended so.")
]


@strawberry.type
class AutomationRunQuery:
    @strawberry.field(
        description="The run log of the automations the gateway runs, newest first: per trigger event and "
        "automation, how it ended and what it did.",
        extensions=requires(CRM_AUTOMATION_VIEW),
    )
    async def automation_runs(
        self,
        info: strawberry.Info,
        automation_id: AutomationId = None,
        status: StatusArgument = None,
        first: Annotated[int | None, strawberry.argument(description="At most this many runs.")] = None,
        after: Annotated[str | None, strawberry.argument(description="Runs after this cursor.")] = None,
    ) -> AutomationRunConnection | None:
        log = customization(info)
        if not isinstance(log, records.AutomationRunLog):
            raise CapabilityNotServed(Capability.AUTOMATION_RUNS, "The customization backend")
        if automation_id is not None:
            check.refuse(check.uuid_id(automation_id, ["automationId"]))
        request = page_request(ORDER, info.context.settings, first, after, None, None)
        wanted = None if status is None else status.name
        page = await log.automation_runs(automation_id, wanted, request.first or 0, _after(request.after))
        keys = [(run.started_at.isoformat(), str(run.id)) for run in page.runs]
        edges = [Edge(keys=keys, index=i, order=ORDER, node=run_type(run)) for i, run in enumerate(page.runs)]
        info_ = PageInfo(has_next_page=page.has_next, has_previous_page=after is not None, edges=edges)

        async def count() -> int:
            return await log.count_automation_runs(automation_id, wanted)

        return AutomationRunConnection(edges=edges, page_info=info_, count=count)


register_node(AutomationRun, Entity.AUTOMATION_RUN)
