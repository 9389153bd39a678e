"""The CRM.COM queue poller: CRM.COM's queue changes become the same subscription events as SQL's.

Every ``options.poll_seconds`` it reads each served tenant's queue with ``communications/queue/list``
(per media, every state, paged: ``get_pending_completed`` only shows PENDING and COMPLETED entries, so
it cannot see a rejection or a removal) and derives the events each entry's state implies: PENDING
-> ENQUEUED; COMPLETED -> ENQUEUED, COMPLETED; REJECTED -> ENQUEUED, REJECTED; COMPLETED_AND_REMOVED ->
ENQUEUED, COMPLETED, REMOVED. (CRM.COM has no claims, so no CLAIMED.)

No duplicates: each (tenant, upstream, entry, kind) is inserted once into ``upstream_queue_seen``
(migration 0006) with ON CONFLICT DO NOTHING ... RETURNING, in the same SQL transaction that appends the
new ones to the tenant's queue event log (``record_queue_events``: the sequences SQL mutations use). An
overlapping poll waits on the same keys and inserts nothing; a restarted gateway finds them there. After
the commit the events are published exactly as a mutation's; a lost publish is filled from the log by
the subscription (``queue_events_after``). The first poll of a tenant only records what is already
there (no flood of old events) unless ``options.poll_backfill`` is true.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.access import RowAccess
from gateway.backends.base import QueueEvent
from gateway.backends.query import AllOf, Condition, ListQuery, Op, PageRequest
from gateway.backends.records import CommunicationQueueEntryRecord, Entity
from gateway.backends.rest.connector import RequestScope
from gateway.backends.rest.crmcom.connector import CrmcomConnector
from gateway.backends.sql import tables as t
from gateway.backends.sql.store import SqlBackend
from gateway.cost import Cost
from gateway.ids import utcnow
from gateway.permissions import COMMUNICATION_MEDIA
from gateway.pubsub import PubSub, queue_event_message, tenant_channel
from gateway.shutdown import in_rounds

log = logging.getLogger(__name__)
KINDS = {
    "PENDING": ("ENQUEUED",),
    "COMPLETED": ("ENQUEUED", "COMPLETED"),
    "REJECTED": ("ENQUEUED", "REJECTED"),
    "COMPLETED_AND_REMOVED": ("ENQUEUED", "COMPLETED", "REMOVED"),
}
KIND_ORDER = ("ENQUEUED", "COMPLETED", "REJECTED", "REMOVED")
STARTED = (UUID(int=0), "STARTED")  # the tenant's first poll is done: later entries are news
PAGE = 500
POLLER = "crmcom-poller"


class QueuePoller:
    def __init__(self, connector: CrmcomConnector, engine: AsyncEngine, pubsub: PubSub) -> None:
        options = connector.client.config.options
        self.connector, self.engine, self.pubsub = connector, engine, pubsub
        self.system = connector.client.name
        self.poll_seconds = float(options.get("poll_seconds", 5))
        self.backfill = bool(options.get("poll_backfill", False))

    async def run(self) -> None:
        """Poll until cancelled; a failed poll is logged (without secrets) and tried again next time.

        Cancelled during a round, it finishes that round first and then stops, so a shutdown neither
        abandons a poll half-way nor announces events it logged without publishing them. A second
        cancel (the shutdown's deadline, ``gateway.shutdown.stop_background``) stops the round too.
        """
        await in_rounds(self._poll_tenants, self.poll_seconds)

    async def _poll_tenants(self) -> None:
        for tenant in sorted(self.connector.tenants):
            try:
                await self.poll_once(tenant)
            except Exception as error:  # one bad poll must not stop the next
                log.warning("CRM.COM poller %s, tenant %s: %s", self.system, tenant, type(error).__name__)

    async def poll_once(self, tenant: str) -> list[QueueEvent]:
        states = await self.read_queue(tenant)
        events = await self.log_new(tenant, states)
        channel = tenant_channel(tenant)
        for event in events:
            await self.pubsub.publish(channel, queue_event_message(event))
        return events

    async def read_queue(self, tenant: str) -> dict[UUID, str]:
        scope = RequestScope(tenant=tenant, access=RowAccess.unrestricted(POLLER), cost=Cost())
        backend = self.connector.backend(scope)
        states: dict[UUID, str] = {}
        for media in COMMUNICATION_MEDIA:
            after: tuple[Any, ...] | None = None
            while True:
                query = ListQuery(
                    filter=AllOf((Condition("media", Op.EQ, media),)),
                    page=PageRequest(first=PAGE, after=after),
                )
                page = await backend.page(Entity.COMMUNICATION_QUEUE_ENTRY, query)
                states |= {
                    e.id: e.life_cycle_state
                    for e in page.rows
                    if isinstance(e, CommunicationQueueEntryRecord)
                }
                if not page.has_next or not page.keys:
                    break
                after = page.keys[-1]
        return states

    async def log_new(self, tenant: str, states: dict[UUID, str]) -> list[QueueEvent]:
        """Log (once) the events the states imply; the events logged now, in log order."""
        wanted = [
            STARTED,
            *((entry, kind) for entry, state in states.items() for kind in KINDS.get(state, ())),
        ]
        sql = SqlBackend(self.engine, tenant, RowAccess.unrestricted(POLLER), Cost())
        async with sql.transaction() as writer:
            new = await self._insert_seen(writer, tenant, wanted)
            if STARTED in new and not self.backfill:
                return []
            for kind in KIND_ORDER:
                await writer.record_queue_events([entry for entry, k in new if k == kind], kind)
            return list(writer.recorded_queue_events)

    async def _insert_seen(self, writer: Any, tenant: str, wanted: Iterable[tuple[UUID, str]]) -> list[Any]:
        """The (entry, kind) pairs inserted now: ON CONFLICT DO NOTHING returns none logged before."""
        seen = t.upstream_queue_seen
        wanted = list(dict.fromkeys(wanted))
        # Only the entries listed now: the log of every entry ever seen grows with the queue's history.
        listed = {entry for entry, _ in wanted}
        where = (seen.c.tenant == tenant, seen.c.system == self.system, seen.c.entry_id.in_(listed))
        # SqlWriter._run: the writer's own connection and transaction (and its statement count).
        known = {
            (row.entry_id, row.kind)
            for row in await writer._run(sa.select(seen.c.entry_id, seen.c.kind).where(*where))
        }
        fresh = [pair for pair in wanted if pair not in known]
        if not fresh:
            return []
        now = utcnow()
        rows = [
            {"tenant": tenant, "system": self.system, "entry_id": e, "kind": k, "seen_at": now}
            for e, k in fresh
        ]
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(seen).values(rows).on_conflict_do_nothing()
        inserted = {
            (row.entry_id, row.kind)
            for row in await writer._run(statement.returning(seen.c.entry_id, seen.c.kind))
        }
        return [pair for pair in fresh if pair in inserted]
