"""Live subscriptions across a Redis outage: two real gateway processes share a redis-server of the
test's own, which the test kills and starts again.

A subscriber on one process, writes on the other: every event arrives exactly once and in order,
those committed while Redis was away too (read from the durable logs); subscribing while Redis is
away is refused with PUBSUB_UNAVAILABLE; failed publishes are counted in /metrics.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import AsyncExitStack, ExitStack
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from own_redis import OwnRedis, own_redis
from resolvers.communications.subscriptions import CREATED_CURSOR_PREFIX, encode_event_cursor
from servers import gateway_server
from test_subscription_groups import _until_metric
from test_subscriptions import CREATED_AFTER, FROM_START, QUEUE_UPDATED, Tenant, _env, _world
from ws_client import WsClient, authenticated

CREATED_FROM_START = encode_event_cursor(0, CREATED_CURSOR_PREFIX)


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnRedis]:
    with own_redis(tmp_path_factory.mktemp("redis")) as running:
        yield running


@pytest.fixture(scope="module")
def servers(
    database_url: str, redis: OwnRedis, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """Two gateway processes on one database and the test's Redis: (writer, subscriber host)."""
    folders = tmp_path_factory.mktemp("writer"), tmp_path_factory.mktemp("reader")
    env = [_env(database_url, folder, CRM_GATEWAY_REDIS_URL=redis.url) for folder in folders]
    with gateway_server(folders[0], env[0]) as writer, gateway_server(folders[1], env[1]) as reader:
        yield writer, reader


@pytest.fixture
def outage(redis: OwnRedis) -> Iterator[OwnRedis]:
    """Redis killed for the test; started again (on the same port) by the test or at its end."""
    redis.stop()
    try:
        yield redis
    finally:
        if not redis._answers():
            redis.start()


async def _subjects(ws: WsClient, count: int) -> tuple[list[str], list[str]]:
    """The subjects of the next ``count`` events of the queue ("q") and timeline ("c") subscriptions."""
    queue = [data["communicationQueueUpdated"] for data in await ws.events("q", count)]
    assert all(event["kind"] == "ENQUEUED" for event in queue)
    timeline = [data["communicationCreated"]["communication"] for data in await ws.events("c", count)]
    return [event["entry"]["communication"]["subject"] for event in queue], [c["subject"] for c in timeline]


async def _subscribe_both(ws: WsClient, acme: Tenant) -> None:
    await ws.subscribe("q", QUEUE_UPDATED, FROM_START)
    await ws.subscribe("c", CREATED_AFTER, {"contact": acme.world["ada"], "after": CREATED_FROM_START})


async def test_no_event_is_lost_on_any_subscription_across_a_redis_outage(
    servers: tuple[str, str], redis: OwnRedis, engine: Any, tenant: str
) -> None:
    writer, reader = servers
    acme = Tenant(writer, tenant, await _world(engine, tenant))
    sent: list[str] = []
    async with authenticated(reader, acme.token) as ws:
        await _subscribe_both(ws, acme)
        sent += _send(acme, "Before")
        before = await _subjects(ws, 3)
        redis.stop()
        try:
            # Committed while Redis is away: their publishes fail, and nothing is published after them.
            sent += _send(acme, "During")
            during = await _subjects(ws, 3)  # read from the logs, while Redis is still away
        finally:
            redis.start()
        sent += _send(acme, "After")
        after = await _subjects(ws, 3)
        # No duplicates: a later event comes next, and any duplicate of those above would precede it.
        acme.send("Fence")
        assert await _subjects(ws, 1) == (["Fence"], ["Fence"])
    for subscription in range(2):
        assert before[subscription] + during[subscription] + after[subscription] == sent
    assert _publish_failures(writer) >= 3


async def test_subscribing_while_redis_is_away_is_refused_with_pubsub_unavailable(
    servers: tuple[str, str], engine: Any, tenant: str, outage: OwnRedis
) -> None:
    writer, reader = servers
    acme = Tenant(writer, tenant, await _world(engine, tenant))
    async with authenticated(reader, acme.token) as ws:
        await ws.subscribe("q", QUEUE_UPDATED, FROM_START)
        refused = await ws.next_of("q")
    assert _error_code(refused) == "PUBSUB_UNAVAILABLE"
    outage.start()
    acme.send("Once Redis is back")
    async with authenticated(reader, acme.token) as ws:
        await _subscribe_both(ws, acme)
        assert await _subjects(ws, 1) == (["Once Redis is back"], ["Once Redis is back"])


async def test_parked_members_whose_driver_leaves_during_an_outage_lose_nothing(
    servers: tuple[str, str], redis: OwnRedis, engine: Any, tenant: str
) -> None:
    """Parked group members (gateway.multiplex) have no pub/sub subscription of their own: when their
    driver leaves while Redis is away, the one that drives on joins the process's subscription as the
    open ones keep theirs (not PUBSUB_UNAVAILABLE), and they read the log meanwhile like every other."""
    writer, reader = servers
    acme = Tenant(writer, tenant, await _world(engine, tenant))
    async with AsyncExitStack() as stack:
        driver = await stack.enter_async_context(authenticated(reader, acme.token))
        await driver.subscribe("q", QUEUE_UPDATED, FROM_START)
        acme.send("Before")
        sent = ["Before"]
        await driver.events("q", 1)  # the only member: it drives
        others = [await stack.enter_async_context(authenticated(reader, acme.token)) for _ in range(2)]
        for ws in others:
            await ws.subscribe("q", QUEUE_UPDATED, FROM_START)
            await ws.events("q", 1)  # replayed on its own stream, then in step: it parks
        await _until_metric(reader, "crm_gateway_subscription_parked", 2)
        redis.stop()
        try:
            await asyncio.sleep(2.5)  # the reader's process notices (its read fails; about a second)
            await driver.ws.close()  # the driver leaves while Redis is away: a parked member drives on
            for index in range(2):
                acme.send(f"During {index}")  # its publish fails: read from the log
                sent.append(f"During {index}")
            during = [await _queue_subjects(ws, 2) for ws in others]
        finally:
            redis.start()
        sent.append("After")
        acme.send("After")
        after = [await _queue_subjects(ws, 1) for ws in others]
        for ws in others:
            await ws.nothing_more("q", 0.5)
    assert during == [sent[1:3]] * 2 and after == [["After"]] * 2


async def _queue_subjects(ws: WsClient, count: int) -> list[str]:
    events = [data["communicationQueueUpdated"] for data in await ws.events("q", count)]
    return [event["entry"]["communication"]["subject"] for event in events]


def _send(acme: Tenant, phase: str) -> list[str]:
    subjects = [f"{phase} {index}" for index in range(3)]
    for subject in subjects:
        acme.send(subject)
    return subjects


def _error_code(message: dict[str, Any]) -> str:
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    return str(errors[0]["extensions"]["code"])


def _publish_failures(base: str) -> int:
    metrics = httpx.get(f"{base}/metrics").text
    found = re.search(r"^crm_gateway_pubsub_publish_failures_total (\S+)$", metrics, re.MULTILINE)
    assert found is not None, metrics
    return int(float(found.group(1)))


async def test_a_restarting_process_closes_with_1012_and_after_resumes_where_the_client_left(
    database_url: str, engine: Any, tenant: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("restart")
    with ExitStack() as running:
        first = running.enter_context(gateway_server(folder, _env(database_url, folder)))
        acme = Tenant(first, tenant, await _world(engine, tenant))
        async with authenticated(first, acme.token) as ws:
            await _subscribe_both(ws, acme)
            acme.send("Before the restart")
            (seen,) = [data["communicationCreated"] for data in await ws.events("c", 1)]
            running.close()  # the process shuts down, as in a deployment
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    await ws.receive()  # the queue subscription's event, then the close
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012  # "service restart"
    with gateway_server(folder, _env(database_url, folder)) as second:
        acme.base = second
        acme.send("While it was away")
        async with authenticated(second, acme.token) as ws:
            await ws.subscribe("c", CREATED_AFTER, {"contact": acme.world["ada"], "after": seen["cursor"]})
            acme.send("After the restart")
            resumed = [data["communicationCreated"]["communication"] for data in await ws.events("c", 2)]
    assert [found["subject"] for found in resumed] == ["While it was away", "After the restart"]
