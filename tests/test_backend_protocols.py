"""The backend protocols: a backend implements only the areas it serves, and the routed backend answers
CAPABILITY_NOT_SERVED, naming the area and the system, when the backend an area needs does not serve it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import pytest

from gateway.backends.access import RowAccess
from gateway.backends.base import CapabilityNotServed, EntityWriter, PhoneLookup, QueueEventLog
from gateway.backends.reads_through import ReadsThrough
from gateway.backends.records import Entity
from gateway.backends.routing import RoutedBackend
from gateway.backends.sql.store import SqlBackend
from gateway.cost import Cost


class EntitiesOnly(ReadsThrough):
    """A backend of the core protocol alone (reads answered by SQL): no area protocol at all."""

    def __init__(self, reads: Any) -> None:
        self.reads = reads

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[EntityWriter]:
        raise AssertionError("not written to in these tests")
        yield


@pytest.fixture
def sql(engine: Any, tenant: str) -> SqlBackend:
    return SqlBackend(engine, tenant, RowAccess.unrestricted("tester"), Cost())


def routed_to_core(sql: SqlBackend, *entities: Entity) -> RoutedBackend:
    core = EntitiesOnly(sql)
    return RoutedBackend(sql, {entity: core for entity in entities}, {entities[0]: "Minimal"})


def test_the_sql_backend_serves_every_area_and_a_core_backend_none(sql: SqlBackend) -> None:
    assert isinstance(sql, PhoneLookup) and isinstance(sql, QueueEventLog)
    assert not isinstance(EntitiesOnly(sql), PhoneLookup)
    assert not isinstance(EntitiesOnly(sql), QueueEventLog)


async def test_phone_lookup_on_contacts_held_by_a_backend_without_it_names_the_capability(
    sql: SqlBackend,
) -> None:
    with pytest.raises(CapabilityNotServed) as raised:
        await routed_to_core(sql, Entity.CONTACT).contacts_by_phone("+441234")
    assert raised.value.extensions == {
        "code": "CAPABILITY_NOT_SERVED",
        "capability": "PHONE_LOOKUP",
        "system": "Minimal",
    }
    assert "phone lookup" in raised.value.message


async def test_numbering_and_queue_events_are_refused_by_capability(sql: SqlBackend) -> None:
    routed = routed_to_core(sql, Entity.COMMUNICATION, Entity.COMMUNICATION_QUEUE_ENTRY)
    with pytest.raises(CapabilityNotServed) as numbering:
        await routed.communications_numbered_after(uuid4(), 0, 10, 10)
    with pytest.raises(CapabilityNotServed) as events:
        await routed.latest_queue_event_sequence()
    assert numbering.value.extensions["capability"] == "NUMBERING"
    assert events.value.extensions["capability"] == "QUEUE_EVENTS"


async def test_areas_of_entities_kept_in_sql_are_served_by_sql(sql: SqlBackend) -> None:
    routed = routed_to_core(sql, Entity.STAGE)
    assert await routed.contacts_by_phone("+449999999") == []
    assert await routed.latest_queue_event_sequence() == 0
