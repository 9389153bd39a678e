"""Writer steps that record automation trigger events (``gateway.backends.automations``).

A write that starts a trigger (a lead created, a lead moved to another stage, a task completed, a
communication created) appends an ``automation_events`` row and its ``automation_dispatch`` row in the
write's own transaction: the event exists exactly when the write committed. Only triggers that some
enabled automation of the tenant listens to are recorded (one indexed look-up per such write). The
writer's ``automation_cause`` (set by the automation runner for the writes of its actions) carries
the causal chain on, one step deeper, so that loops can be stopped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

import sqlalchemy as sa

from gateway.backends.automations import (
    COMMUNICATION_CREATED,
    LEAD_CREATED,
    LEAD_STAGE_CHANGED,
    TASK_COMPLETED,
    TRIGGER_ENTITIES,
    Cause,
)
from gateway.backends.records import Entity
from gateway.backends.sql import tables as t
from gateway.backends.sql.stage_changes import StageMove
from gateway.ids import utcnow, uuid7

CREATED_TRIGGERS = {Entity.LEAD: LEAD_CREATED, Entity.COMMUNICATION: COMMUNICATION_CREATED}


@dataclass(frozen=True)
class PendingTrigger:
    """A trigger an update will start if it changes the row."""

    trigger: str
    record_id: UUID
    data: dict[str, str | None]


class AutomationEventSteps:
    """Mixed into ``SqlWriter``: it supplies ``tenant`` and ``_run`` in an open transaction."""

    tenant: str

    if TYPE_CHECKING:

        async def _run(self, statement: sa.Executable) -> Any: ...

    @property
    def automation_cause(self) -> Cause | None:
        """The causal chain of this transaction's writes; None: a user's write, which starts one."""
        cause: Cause | None = self.__dict__.get("_automation_cause")
        return cause

    @automation_cause.setter
    def automation_cause(self, cause: Cause | None) -> None:
        self.__dict__["_automation_cause"] = cause

    @property
    def recorded_automation_events(self) -> list[UUID]:
        """The trigger events this transaction recorded, to run once it has committed."""
        recorded: list[UUID] = self.__dict__.setdefault("_recorded_automation_events", [])
        return recorded

    async def record_created_trigger(self, entity: Entity, record_id: UUID, actor: str) -> None:
        trigger = CREATED_TRIGGERS.get(entity)
        if trigger is not None and await self._listened_to(trigger):
            await self._record(trigger, record_id, {}, actor)

    async def pending_update_trigger(
        self, entity: Entity, record_id: UUID, values: Mapping[str, Any], move: StageMove | None = None
    ) -> PendingTrigger | None:
        """The trigger this update starts if it goes through, judged on the row as it is now (a lead's
        stage as ``pending_stage_move`` read it)."""
        if entity is Entity.LEAD and "stage_id" in values:
            if move is None or not await self._listened_to(LEAD_STAGE_CHANGED):
                return None
            data = {"fromStageId": _text(move.from_stage_id), "toStageId": _text(move.to_stage_id)}
            return PendingTrigger(LEAD_STAGE_CHANGED, record_id, data)
        if entity is Entity.EVENT and values.get("task_done") is True:
            if not await self._listened_to(TASK_COMPLETED):
                return None
            before = await self._current(t.events, record_id, t.events.c.kind, t.events.c.task_done)
            if before is None or before[0] != "TASK" or before[1]:
                return None
            return PendingTrigger(TASK_COMPLETED, record_id, {})
        return None

    async def record_update_trigger(self, pending: PendingTrigger | None, actor: str) -> None:
        if pending is not None:
            await self._record(pending.trigger, pending.record_id, pending.data, actor)

    async def _listened_to(self, trigger: str) -> bool:
        automations = t.automations
        statement = (
            sa.select(sa.literal(1))
            .where(
                automations.c.tenant == self.tenant,
                automations.c.trigger == trigger,
                automations.c.enabled.is_(True),
                automations.c.is_deleted.is_(False),
            )
            .limit(1)
        )
        return (await self._run(statement)).first() is not None

    async def _current(self, table: sa.Table, record_id: UUID, *columns: Any) -> Any:
        where = (table.c.tenant == self.tenant, table.c.id == record_id)
        statement = sa.select(*columns).where(*where).with_for_update()  # concurrent moves: one wins
        return (await self._run(statement)).first()

    async def _record(self, trigger: str, record_id: UUID, data: dict[str, str | None], actor: str) -> None:
        event_id, now = uuid7(), utcnow()
        cause = self.automation_cause or Cause(chain_id=event_id, depth=0)
        event = {
            "id": event_id,
            "tenant": self.tenant,
            "trigger": trigger,
            "entity": TRIGGER_ENTITIES[trigger],
            "record_id": record_id,
            "data": json.dumps(data),
            "chain_id": cause.chain_id,
            "depth": cause.depth,
            "actor": actor[:255],
            "occurred_at": now,
        }
        await self._run(sa.insert(t.automation_events).values(event))
        dispatch = {"event_id": event_id, "tenant": self.tenant, "available_at": now}
        await self._run(sa.insert(t.automation_dispatch).values(dispatch))
        self.recorded_automation_events.append(event_id)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
