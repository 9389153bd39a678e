"""Writes routed per entity, like reads: one SQL transaction plus the writer of each routed upstream.

MINIMUM VERSION added on the crmcom branch (rest-platform builds the platform's own). Upstream writes
are not part of the SQL transaction: each upstream call takes effect when it answers; a later failure
rolls back the SQL part only. Queue events go to the writer of the system that holds the queue (an
upstream's poller publishes its own).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

from gateway.backends.base import QueueEvent, RecordWriter
from gateway.backends.records import Entity

if TYPE_CHECKING:
    from gateway.backends.routing import RoutedBackend

BY_ENTITY = frozenset(
    {
        "get_many",
        "page",
        "count",
        "insert",
        "update",
        "set_deleted",
        "is_referenced",
        "existing_ids",
        "invalid_value",
    }
)
BY_RELATION = frozenset({"pages_by_parent", "counts_by_parent", "link", "unlink", "linked_ids"})
BY_DETAIL = frozenset({"details", "replace_details"})
BY_QUEUE = frozenset({"record_queue_events", "claim_queue_entries", "queue_events_after"})
BY_COMMUNICATION = frozenset({"communications_numbered_after", "latest_communication_number"})


class RoutedWriter:
    def __init__(self, routed: RoutedBackend, sql: RecordWriter, upstreams: dict[int, RecordWriter]) -> None:
        self.routed, self.sql, self.upstreams = routed, sql, upstreams

    def writer_for(self, entity: Entity) -> RecordWriter:
        return self.upstreams.get(id(self.routed.backend_for(entity)), self.sql)

    def __getattr__(self, name: str) -> Any:
        from gateway.backends.routing import DETAIL_OWNERS, RELATION_CHILDREN

        if name in BY_QUEUE:
            return getattr(self.writer_for(Entity.COMMUNICATION_QUEUE_ENTRY), name)
        if name in BY_COMMUNICATION:
            return getattr(self.writer_for(Entity.COMMUNICATION), name)
        if name not in BY_ENTITY | BY_RELATION | BY_DETAIL:
            return getattr(self.sql, name)

        def call(key: Any, *args: Any, **kwargs: Any) -> Any:
            if name in BY_ENTITY:
                entity = key
            elif name in BY_RELATION:
                entity = RELATION_CHILDREN[key]
            else:
                entity = DETAIL_OWNERS[key][0]
            return getattr(self.writer_for(entity), name)(key, *args, **kwargs)

        return call

    @property
    def recorded_queue_events(self) -> list[QueueEvent]:
        return self.writer_for(Entity.COMMUNICATION_QUEUE_ENTRY).recorded_queue_events


@asynccontextmanager
async def routed_transaction(routed: RoutedBackend) -> AsyncIterator[RoutedWriter]:
    async with AsyncExitStack() as stack:
        sql = await stack.enter_async_context(routed.sql.transaction())
        upstreams: dict[int, RecordWriter] = {}
        for backend in {id(b): b for b in routed.routed.values()}.values():
            upstreams[id(backend)] = await stack.enter_async_context(backend.transaction())
        yield RoutedWriter(routed, sql, upstreams)
