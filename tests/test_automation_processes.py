"""Exactly once with several gateway processes: two real ``crm-gateway serve`` processes on the same
database (the same PostgreSQL database; the same SQLite file), each with its automation runner, run
every trigger event once, whether the request that recorded it runs it or the other process's
background sweep claims it first."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from automation_support import action, create_automation, lead, move, runs
from conftest import SECRET, Client, token_for
from factories import Factory, gid
from gateway.backends.access import RowAccess
from gateway.backends.records import Entity
from gateway.backends.sql.store import SqlBackend
from gateway.backends.sql.tables import automation_dispatch
from gateway.cost import Cost
from gateway.settings import load_settings
from servers import gateway_server

LEADS = 12


@pytest.fixture(scope="module")
def servers(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    env = {
        "CRM_GATEWAY_JWT_SECRET": SECRET,
        "CRM_GATEWAY_DATABASE_URL": database_url,
        "CRM_GATEWAY_AUTOMATION_POLL_SECONDS": "0.05",  # the sweeps race the requests for each event
    }
    folders = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    with gateway_server(folders[0], env) as first, gateway_server(folders[1], env) as second:
        yield first, second


@asynccontextmanager
async def callers(bases: tuple[str, str], tenant: str) -> AsyncIterator[list[Client]]:
    token = token_for(load_settings(jwt_secret=SECRET), tenant)
    async with (
        httpx.AsyncClient(base_url=bases[0], timeout=60) as one,
        httpx.AsyncClient(base_url=bases[1], timeout=60) as two,
    ):
        yield [Client(one, token), Client(two, token)]


@pytest.fixture
async def world(engine: Any, tenant: str) -> dict[str, Any]:
    rows = Factory(engine, tenant)
    stages = [rows.stage(name, position) for position, name in enumerate(("New", "Qualified", "Won"))]
    leads = [rows.lead(f"Deal {number}", stage_id=stages[0]) for number in range(LEADS)]
    await rows.save()
    return {"stages": stages, "leads": leads}


async def _settled(client: Client, expected: int) -> dict[str, Any]:
    """The run log once it holds ``expected`` runs (runs a sweep picked up come a moment later)."""
    deadline = time.monotonic() + 60
    while True:
        log = await runs(client, first=100)
        if log["totalCount"] >= expected or time.monotonic() > deadline:
            return log
        await asyncio.sleep(0.1)


async def _work_list_empty(engine: Any, tenant: str) -> None:
    waiting = sa.select(sa.func.count()).where(automation_dispatch.c.tenant == tenant)
    async with asyncio.timeout(60):
        while True:
            async with engine.connect() as connection:
                if not (await connection.execute(waiting)).scalar():
                    return
            await asyncio.sleep(0.05)


async def test_moves_sent_to_both_processes_each_create_one_task(
    servers: tuple[str, str], world: dict[str, Any], tenant: str, engine: Any
) -> None:
    async with callers(servers, tenant) as (first, second):
        await create_automation(first, "lead.stageChanged", [action("1", "createTask", title="Call back")])
        leads = [gid("Lead", lead_id) for lead_id in world["leads"]]
        stages = [gid("Stage", stage) for stage in world["stages"]]
        await asyncio.gather(
            *(move((first, second)[i % 2], lead_id, stages[1]) for i, lead_id in enumerate(leads))
        )
        await asyncio.gather(
            *(move((second, first)[i % 2], lead_id, stages[2]) for i, lead_id in enumerate(leads))
        )
        log = await _settled(first, 2 * LEADS)
        await _work_list_empty(engine, tenant)
        log = await runs(first, first=100)
        assert log["totalCount"] == 2 * LEADS
        assert {run["status"] for run in log["nodes"]} == {"SUCCEEDED"}
        tasks = [(await lead(second, lead_id))["tasks"]["totalCount"] for lead_id in leads]
        assert tasks == [2] * LEADS


async def test_events_no_request_ran_are_swept_once_by_the_two_processes(
    servers: tuple[str, str], world: dict[str, Any], tenant: str, engine: Any
) -> None:
    async with callers(servers, tenant) as (first, second):
        await create_automation(second, "lead.stageChanged", [action("1", "createTask", title="Swept")])
        # Writes of a process that ends before it runs its events: only the sweeps can run them, and
        # both processes sweep every 50 ms.
        sql = SqlBackend(engine, tenant, RowAccess.unrestricted("test"), Cost())
        for lead_id in world["leads"]:
            async with sql.transaction() as writer:
                await writer.update(Entity.LEAD, lead_id, {"stage_id": world["stages"][1]}, "test", None)
        log = await _settled(first, LEADS)
        # A run takes its event off the work list in the transaction that logs it: once the list is
        # empty, no second run of any event can still come.
        await _work_list_empty(engine, tenant)
        assert (await runs(second, first=100))["totalCount"] == LEADS
        assert sorted(run["recordId"] for run in log["nodes"]) == sorted(
            gid("Lead", i) for i in world["leads"]
        )
        tasks = [
            (await lead(first, gid("Lead", lead_id)))["tasks"]["totalCount"] for lead_id in world["leads"]
        ]
        assert tasks == [1] * LEADS
