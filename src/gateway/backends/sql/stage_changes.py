"""Writer steps that record each move of a lead to another stage (``lead_stage_changes``).

A write that changes a lead's stage reads the stage it leaves (locking the row, so that of two
concurrent moves each records what it really left) and, once the update went through, records the
move in the same transaction: the lead's timeline lists it. The automation trigger of a move
(``lead.stageChanged``) is judged from the same reading (``automation_events.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

import sqlalchemy as sa

from gateway.backends.records import Entity
from gateway.backends.sql import tables as t
from gateway.ids import utcnow, uuid7


@dataclass(frozen=True)
class StageMove:
    """The move an update makes if it goes through."""

    lead_id: UUID
    from_stage_id: UUID | None
    to_stage_id: UUID | None


class StageChangeSteps:
    """Mixed into ``SqlWriter``: it supplies ``tenant`` and ``_run`` in an open transaction."""

    tenant: str

    if TYPE_CHECKING:

        async def _run(self, statement: sa.Executable) -> Any: ...

    async def pending_stage_move(
        self, entity: Entity, record_id: UUID, values: Mapping[str, Any]
    ) -> StageMove | None:
        if entity is not Entity.LEAD or "stage_id" not in values:
            return None
        leads = t.leads
        statement = (
            sa.select(leads.c.stage_id)
            .where(leads.c.tenant == self.tenant, leads.c.id == record_id)
            .with_for_update()
        )
        before = (await self._run(statement)).first()
        if before is None or before[0] == values["stage_id"]:
            return None
        return StageMove(record_id, before[0], values["stage_id"])

    async def record_stage_move(self, move: StageMove | None, actor: str) -> None:
        if move is None:
            return
        row = {
            "id": uuid7(),
            "tenant": self.tenant,
            "date_created": utcnow(),
            "created_by": actor[:255],
            "lead_id": move.lead_id,
            "from_stage_id": move.from_stage_id,
            "to_stage_id": move.to_stage_id,
        }
        await self._run(sa.insert(t.lead_stage_changes).values(row))
