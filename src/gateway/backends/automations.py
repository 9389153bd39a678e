"""Automations that run (seed 004 Automation): the neutral records of their trigger events and run log,
and the protocols a backend implements to serve them. The gateway's own database does (the events are
recorded by its writer, in the transaction of the write that starts the trigger); an upstream's
automations run in the upstream, which has no run log to show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable
from uuid import UUID

from gateway.cost import Cost

LEAD_CREATED = "lead.created"
LEAD_STAGE_CHANGED = "lead.stageChanged"
TASK_COMPLETED = "task.completed"
COMMUNICATION_CREATED = "communication.created"
TRIGGERS = (LEAD_CREATED, LEAD_STAGE_CHANGED, TASK_COMPLETED, COMMUNICATION_CREATED)
# The filter-catalogue entity (``gateway.backends.filter_catalog``) each trigger's record belongs to.
TRIGGER_ENTITIES = {
    LEAD_CREATED: "lead",
    LEAD_STAGE_CHANGED: "lead",
    TASK_COMPLETED: "event",
    COMMUNICATION_CREATED: "communication",
}
RUN_STATUSES = ("SUCCEEDED", "FAILED", "SKIPPED")


@dataclass(frozen=True)
class Cause:
    """The causal chain a write belongs to: the user write that started it and how many automation
    steps lie between (0: the user's own write)."""

    chain_id: UUID
    depth: int


@dataclass(frozen=True)
class AutomationEvent:
    id: UUID
    trigger: str
    entity: str  # the catalogue entity of the record: lead, event, communication
    record_id: UUID
    data: dict[str, str | None]
    chain_id: UUID
    depth: int
    actor: str
    occurred_at: datetime


@dataclass(frozen=True, kw_only=True)
class AutomationRunFields:
    """What the run log says of a run, beside its actions: shared by ``AutomationRun`` and the
    timeline's ``records.AutomationRunRecord`` (the same row read as a record)."""

    automation_id: UUID
    automation_name: str
    event_id: UUID
    trigger: str
    entity: str
    record_id: UUID
    depth: int
    status: str  # SUCCEEDED, FAILED, SKIPPED
    reason: str | None = None  # the error code of a failure, or why it was skipped
    message: str | None = None
    started_at: datetime
    finished_at: datetime


@dataclass(frozen=True, kw_only=True)
class AutomationRun(AutomationRunFields):
    id: UUID
    actions: list[dict[str, str | None]]  # the actions done, in order: node, action, recordId


@dataclass(frozen=True)
class RunPage:
    runs: list[AutomationRun]
    has_next: bool


@runtime_checkable
class AutomationEventRecorder(Protocol):
    """The writing side: the trigger events a transaction recorded, to run once it has committed."""

    @property
    def recorded_automation_events(self) -> list[UUID]: ...


@runtime_checkable
class AutomationRunLog(Protocol):
    """The run log of the tenant's automations, newest first."""

    async def automation_runs(
        self,
        automation_id: str | None,
        status: str | None,
        first: int,
        after: tuple[datetime, UUID] | None,
    ) -> RunPage: ...

    async def count_automation_runs(self, automation_id: str | None, status: str | None) -> int: ...


@runtime_checkable
class AutomationDispatch(Protocol):
    """What runs recorded events after their transaction committed (``gateway.automations``)."""

    async def run_recorded(self, tenant: str, event_ids: list[UUID], cost: Cost | None = None) -> None: ...
