"""``fill``: prefetching loads a level's keys with one batch and no future per key (``loaders.base``).

The backend here is an in-memory stand-in that counts calls and can fail on purpose: what is tested
is the loader's bookkeeping (which keys a batch loads, who waits for whom, what a failure leaves),
which a real database cannot be made to fail at the right moment for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any
from uuid import UUID, uuid4

import pytest

from gateway.backends.records import Entity
from loaders.base import EntityByIdLoader


class Backend:
    def __init__(self) -> None:
        self.calls: list[list[UUID]] = []
        self.fail = False
        self.gate: asyncio.Event | None = None

    async def get_many(self, entity: Entity, ids: Sequence[UUID]) -> dict[UUID, Any]:
        self.calls.append(list(ids))
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise RuntimeError("upstream down")
        return {record_id: f"record {record_id}" for record_id in ids}


class ContactsById(EntityByIdLoader):
    entity = Entity.CONTACT


@pytest.fixture
def backend() -> Backend:
    return Backend()


async def test_a_fill_loads_each_missing_key_once_with_one_batch(backend: Backend) -> None:
    loader = ContactsById(backend)  # type: ignore[arg-type]
    a, b = uuid4(), uuid4()
    await loader.fill([a, b, a])
    await loader.fill([b])  # loaded already: no call
    assert backend.calls == [[a, b]]
    assert loader.loaded(a) == (True, f"record {a}")
    assert await loader.load(b) == f"record {b}"  # a settled future, no batch
    assert backend.calls == [[a, b]]


async def test_a_fill_waits_for_the_keys_another_fill_is_loading(backend: Backend) -> None:
    loader = ContactsById(backend)  # type: ignore[arg-type]
    a, b = uuid4(), uuid4()
    backend.gate = asyncio.Event()
    first = asyncio.create_task(loader.fill([a, b]))
    await asyncio.sleep(0)  # the first batch is in flight
    second = asyncio.create_task(loader.fill([b]))
    await asyncio.sleep(0)
    assert not second.done()  # waiting for the first batch, not loading b again
    backend.gate.set()
    await asyncio.gather(first, second)
    assert backend.calls == [[a, b]]
    assert loader.loaded(b) == (True, f"record {b}")


async def test_a_failed_fill_leaves_its_keys_to_be_loaded_again(backend: Backend) -> None:
    loader = ContactsById(backend)  # type: ignore[arg-type]
    a = uuid4()
    backend.fail = True
    with pytest.raises(RuntimeError):
        await loader.fill([a])
    assert loader.loaded(a) == (False, None)
    backend.fail = False
    assert await loader.load(a) == f"record {a}"  # the resolver's own load: a new batch
    assert backend.calls == [[a], [a]]
