"""Writer steps of the communication queue: per-tenant counters, the work-queue claim and its event log.

The claim is one conditional UPDATE (``claims.claim_statement``), so two workers never get the same
entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

import sqlalchemy as sa

from gateway.backends.base import QueueEvent
from gateway.backends.records import CommunicationQueueEntryRecord, record_from_mapping
from gateway.backends.sql import tables as t
from gateway.backends.sql.claims import claim_statement
from gateway.ids import utcnow, uuid7

QUEUE_EVENTS_COUNTER = "communication_queue_events"


class QueueWriterSteps:
    """Mixed into ``SqlWriter``: it supplies ``tenant``, ``_run`` and an open transaction."""

    tenant: str
    _connection: Any

    if TYPE_CHECKING:

        async def _run(self, statement: sa.Executable) -> Any: ...

    @property
    def recorded_queue_events(self) -> list[QueueEvent]:
        """The queue events this transaction appended, to publish once it has committed."""
        recorded: list[QueueEvent] = self.__dict__.setdefault("_recorded_queue_events", [])
        return recorded

    async def next_counter(self, name: str, increment: int = 1) -> int:
        """Reserve ``increment`` values of the tenant's counter ``name``; returns the last one reserved.

        The counter row stays locked until the transaction ends, so values commit in the order they
        were taken.
        """
        counters = t.counters
        where = (counters.c.tenant == self.tenant, counters.c.name == name)
        bump = sa.update(counters).where(*where).values(value=counters.c.value + increment)
        returned = (await self._run(bump.returning(counters.c.value))).first()
        if returned is not None:
            return int(returned[0])
        try:
            async with self._connection.begin_nested():
                row = {"tenant": self.tenant, "name": name, "value": increment}
                await self._run(sa.insert(counters).values(row))
            return increment
        except sa.exc.IntegrityError:  # another transaction created the row first: bump it after all
            return int((await self._run(bump.returning(counters.c.value))).scalar_one())

    async def record_queue_events(self, entry_ids: Sequence[UUID], kind: str) -> None:
        """Append one event per entry to the tenant's queue event log (ENQUEUED, CLAIMED, ...)."""
        if not entry_ids:
            return
        last = await self.next_counter(QUEUE_EVENTS_COUNTER, len(entry_ids))
        first = last - len(entry_ids) + 1
        now = utcnow()
        rows = [
            {
                "id": uuid7(),
                "tenant": self.tenant,
                "sequence": first + offset,
                "entry_id": entry_id,
                "kind": kind,
                "occurred_at": now,
            }
            for offset, entry_id in enumerate(entry_ids)
        ]
        await self._run(sa.insert(t.communication_queue_events).values(rows))
        self.recorded_queue_events.extend(
            QueueEvent(first + offset, kind, entry_id, now) for offset, entry_id in enumerate(entry_ids)
        )

    async def claim_queue_entries(
        self, external_system_id: UUID, limit: int, lease_seconds: int, claimant: str
    ) -> tuple[UUID, datetime, list[CommunicationQueueEntryRecord]]:
        """Lease up to ``limit`` claimable PENDING entries of one external system, oldest first.

        Claimable: PENDING, not deleted, and not leased, or leased with a lease that has lapsed.
        Returns the claim token, the lease's end and the entries now leased to the caller.
        """
        entries = t.communication_queue_entries
        now = utcnow()
        token, expires = uuid7(), now + timedelta(seconds=lease_seconds)
        claimable = (
            entries.c.tenant == self.tenant,
            entries.c.external_system_id == external_system_id,
            entries.c.life_cycle_state == "PENDING",
            entries.c.is_deleted.is_(False),
            sa.or_(entries.c.lease_expires_at.is_(None), entries.c.lease_expires_at <= now),
        )
        values = {
            "claim_token": token,
            "claimed_by": claimant,
            "lease_expires_at": expires,
            "claim_count": entries.c.claim_count + 1,
            "version": entries.c.version + 1,
        }
        order = (entries.c.date_created, entries.c.id)
        statement = claim_statement(entries.c.id, claimable, order, limit, values).returning(*entries.c)
        rows = (await self._run(statement)).mappings().all()
        claimed = sorted(
            (record_from_mapping(CommunicationQueueEntryRecord, row) for row in rows),
            key=lambda record: (record.date_created, record.id),
        )
        await self.record_queue_events([record.id for record in claimed], "CLAIMED")
        return token, expires, claimed
