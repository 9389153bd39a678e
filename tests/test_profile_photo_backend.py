"""Profile photos at the backend protocol: who serves them, and two adds for one contact at once."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest
import sqlalchemy as sa

from factories import Factory
from gateway.backends.access import RowAccess
from gateway.backends.base import CapabilityNotServed
from gateway.backends.errors import Rejected
from gateway.backends.photos import NewProfilePhoto, photo_reads
from gateway.backends.records import Entity
from gateway.backends.sql.store import SqlBackend
from gateway.cost import Cost
from test_backend_protocols import routed_to_core

PHOTO = NewProfilePhoto(io.BytesIO(b"\x89PNG"), "me.png", "image/png", 4)


@pytest.fixture
def sql(engine: Any, tenant: str) -> SqlBackend:
    return SqlBackend(engine, tenant, RowAccess.unrestricted("tester"), Cost())


def test_photos_of_contacts_held_by_a_backend_without_them_name_the_capability(sql: SqlBackend) -> None:
    assert photo_reads(sql) is sql
    with pytest.raises(CapabilityNotServed) as raised:
        photo_reads(routed_to_core(sql, Entity.CONTACT))
    assert raised.value.extensions["capability"] == "PROFILE_PHOTOS"


async def _waiting_on_a_lock(engine: Any) -> None:
    """Until a photo insert waits for a lock (the second one, on the unique index)."""
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        " AND query LIKE 'INSERT INTO contact_profile_photos%'"
    )
    async with asyncio.timeout(30):
        while True:
            async with engine.connect() as connection:
                if (await connection.execute(query)).scalar_one():
                    return
            await asyncio.sleep(0.05)


async def test_a_second_add_for_one_contact_at_the_same_time_is_a_conflict(
    sql: SqlBackend, engine: Any, factory: Factory
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time: two adds never overlap there")
    contact = factory.contact("Ada", "Lovelace")
    await factory.save()

    async def second() -> None:
        async with sql.transaction() as writer:
            await writer.put_profile_photo(contact, PHOTO, "tenant/second", "tester")

    async with sql.transaction() as first:
        await first.put_profile_photo(contact, PHOTO, "tenant/first", "tester")
        racing = asyncio.create_task(second())
        await _waiting_on_a_lock(engine)
    with pytest.raises(Rejected) as raised:
        await racing
    assert raised.value.reason == "CONFLICT"
    photos = await sql.profile_photos([contact])
    assert photos[contact].storage_key == "tenant/first"
