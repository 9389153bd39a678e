"""The CRM.COM queue poller feeds ``communicationQueueUpdated``: a real ``crm-gateway serve`` whose routing
file sends the queue to the simulator, a real WebSocket, and changes made in the simulator."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest

from comms_factory import CommsFactory
from conftest import SECRET, token_for
from crmcom_env import PASSWORD, CrmSeed, Simulator, routing_file
from gateway.backends.access import RowAccess
from gateway.backends.rest.client import UpstreamClient
from gateway.backends.rest.config import load_backends
from gateway.backends.rest.crmcom.connector import CrmcomConnector
from gateway.backends.rest.crmcom.poller import QueuePoller
from gateway.backends.sql.store import SqlBackend
from gateway.cost import Cost
from gateway.permissions import COMMUNICATION_MEDIA
from gateway.pubsub import LocalPubSub
from gateway.settings import load_settings
from resolvers.communications.subscriptions import encode_event_cursor
from servers import gateway_server
from ws_client import WsClient, authenticated

UPDATED = """subscription($after: String) {
  communicationQueueUpdated(after: $after) {
    kind cursor entry { lifeCycleState communication { subject } contact { firstName } }
  }
}"""
QUEUE_LIST = "communications/queue/list"


class World:
    """A tenant with a contact in SQL and in the simulator, and a queue the tests change in the simulator."""

    def __init__(self, seed: CrmSeed, store: Any, tenant: str) -> None:
        self.seed, self.store, self.tenant = seed, store, tenant
        self.system = {"id": uuid.uuid4().hex.upper(), "name": "SMS gateway"}
        self.ada = seed.contact("Ada", "Lovelace")

    def queue(self, subject: str) -> str:
        communication = self.seed.communication(self.ada, subject, media="SMS", direction="OUTGOING")
        return self.store.add_queue_entry(self.tenant, communication.hex, self.system)


@pytest.fixture(scope="module")
def poll_tenant(database_url: str, crmcom: Simulator) -> str:
    """One per database variant and simulator profile: each profile's simulator (and so the tenant's
    queue in it) lasts the session, while the gateway's database keeps what the poller saw; a run may
    take the variants of this module one after the other (pytest-xdist's ``loadfile``)."""
    return f"p{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
async def world(crmcom: Simulator, engine: Any, poll_tenant: str) -> World:
    crmcom.store.add_user(poll_tenant, "gateway", PASSWORD)
    world = World(
        CrmSeed(CommsFactory(engine, poll_tenant), crmcom.store, poll_tenant), crmcom.store, poll_tenant
    )
    world.queue("Already there")  # before the first poll: recorded, never announced
    await world.seed.save()
    return world


@pytest.fixture(scope="module")
def folder(database_url: str, crmcom: Simulator, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One per database variant, as ``poll_tenant``."""
    return tmp_path_factory.mktemp("crmcom-poller")


def _serve(folder: Path, crmcom: Simulator, database_url: str, tenant: str) -> Any:
    path = routing_file(folder, crmcom.url, tenant, poll_seconds=0.2, tenants=[tenant])
    env = {
        "CRM_GATEWAY_JWT_SECRET": SECRET,
        "CRM_GATEWAY_DATABASE_URL": database_url,
        "CRM_GATEWAY_BACKENDS": str(path),
    }
    return gateway_server(folder, env)


def _token(tenant: str) -> str:
    return token_for(load_settings(jwt_secret=SECRET), tenant)


async def _next_event(ws: WsClient) -> dict[str, Any]:
    message = await ws.next_of("q")
    assert message["type"] == "next", message
    return message["payload"]["data"]["communicationQueueUpdated"]  # type: ignore[no-any-return]


async def test_changes_in_crmcom_arrive_once_even_across_a_restart(
    world: World, crmcom: Simulator, folder: Path, database_url: str
) -> None:
    polls_before = crmcom.calls(QUEUE_LIST)
    with _serve(folder, crmcom, database_url, world.tenant) as server:
        await _first_poll_done(crmcom, polls_before)
        cursor = await _first_changes(server, world, crmcom)
    again = folder / "again"
    again.mkdir()
    with _serve(again, crmcom, database_url, world.tenant) as server:  # the same log, a new process
        entry = world.queue("After restart")
        async with authenticated(server, _token(world.tenant)) as ws:
            await ws.subscribe("q", UPDATED, {"after": cursor})
            assert _summary(await _next_event(ws)) == ("ENQUEUED", "After restart")
            crmcom.store.set_queue_state(world.tenant, entry, "COMPLETED")
            assert _summary(await _next_event(ws)) == ("COMPLETED", "After restart")


async def _first_poll_done(crmcom: Simulator, polls_before: int) -> None:
    """The first poll only records what is there: a change made before it ends is never announced (a
    server slow to start under a loaded run otherwise polls after the change)."""
    await _polls_done(crmcom, polls_before, 1)


async def _polls_done(crmcom: Simulator, calls_before: int, polls: int) -> None:
    """``polls`` whole polls ran after ``calls_before`` queue/list calls. A poll reads queue/list once per
    medium, one poll after the other, so once the next has begun the ones before it are over."""
    async with asyncio.timeout(60):
        while crmcom.calls(QUEUE_LIST) <= calls_before + polls * len(COMMUNICATION_MEDIA):
            await asyncio.sleep(0.05)


async def _first_changes(server: str, world: World, crmcom: Simulator) -> str:
    async with authenticated(server, _token(world.tenant)) as ws:
        await ws.subscribe("q", UPDATED, {"after": encode_event_cursor(0)})
        [already] = list(crmcom.store.org(world.tenant).queue.values())
        crmcom.store.set_queue_state(world.tenant, already["id"], "COMPLETED")
        event = await _next_event(ws)
        assert _summary(event) == ("COMPLETED", "Already there")  # its ENQUEUED predates the poller
        assert event["entry"]["lifeCycleState"] == "COMPLETED" and event["entry"]["contact"] == {
            "firstName": "Ada"
        }
        # No second COMPLETED however many polls pass: the next events are the next changes.
        calls = crmcom.calls(QUEUE_LIST)
        fresh = world.queue("Fresh")
        await _polls_done(crmcom, calls, 3)  # it saw "Fresh" enqueued; a duplicate had every chance
        crmcom.store.set_queue_state(world.tenant, fresh, "REJECTED", error_code="E1")
        enqueued, rejected = await _next_event(ws), await _next_event(ws)
        assert [_summary(enqueued), _summary(rejected)] == [("ENQUEUED", "Fresh"), ("REJECTED", "Fresh")]
        return str(rejected["cursor"])


def _summary(event: dict[str, Any]) -> tuple[str, str]:
    return event["kind"], event["entry"]["communication"]["subject"]


async def test_overlapping_polls_log_each_event_once(
    crmcom: Simulator, engine: Any, tenant: str, tmp_path: Path
) -> None:
    crmcom.store.add_user(tenant, "gateway", PASSWORD)
    config = load_backends(str(routing_file(tmp_path, crmcom.url, tenant, poll_backfill=True)))
    connector = CrmcomConnector(UpstreamClient(config.upstreams["crmcom"]))
    seed = CrmSeed(CommsFactory(engine, tenant), crmcom.store, tenant)
    world = World(seed, crmcom.store, tenant)
    for n in range(5):
        world.queue(f"E{n}")
    await seed.save()
    try:
        pubsub = LocalPubSub()
        pollers = [QueuePoller(connector, engine, pubsub) for _ in range(3)]
        results = await asyncio.gather(*(poller.poll_once(tenant) for poller in pollers))
        again = await pollers[0].poll_once(tenant)
    finally:
        await connector.aclose()
    logged = [event for events in results for event in events]
    assert sorted(e.kind for e in logged) == ["ENQUEUED"] * 5 and again == []
    sql = SqlBackend(engine, tenant, RowAccess.unrestricted("test"), Cost())
    assert [e.sequence for e in await sql.queue_events_after(0, 100)] == [1, 2, 3, 4, 5]
