"""Graceful shutdown of a real ``crm-gateway serve`` process on SIGTERM.

The slow request is real: the gateway's contacts are routed to the ConeCRM simulator, which answers
after 2 s (its latency fault), so nothing in the gateway sleeps for the test's sake.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from conecrm_support import routing_file, serve_simulator
from conftest import SECRET, token_for
from gateway.backends.rest.crmcom.poller import QueuePoller
from gateway.settings import load_settings
from gateway.shutdown import stop_background
from servers import free_port, wait_until_healthy
from simulators.conecrm.store import Store
from simulators.faults import Faults
from ws_client import authenticated

SLOW_SECONDS = 2.0
DEADLINE_SECONDS = 15.0
QUEUE = "subscription { communicationQueueUpdated { kind } }"
CONTACTS = "{ contacts(first: 1) { edges { node { id } } } }"


@pytest.fixture
def simulator() -> Iterator[tuple[str, Faults, Store]]:
    with serve_simulator() as served:
        yield served


@pytest.fixture
def gateway(
    fresh_sqlite_url: str, simulator: tuple[str, Faults, Store], tmp_path: Path
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    env = {
        **os.environ,
        "CRM_GATEWAY_JWT_SECRET": SECRET,
        "CRM_GATEWAY_DATABASE_URL": fresh_sqlite_url,
        "CRM_GATEWAY_BACKENDS": routing_file(tmp_path, simulator[0], routed=("Contact",)),
        "CRM_GATEWAY_SHUTDOWN_TIMEOUT_SECONDS": str(DEADLINE_SECONDS),
    }
    port = free_port()
    command = [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)]
    log = tmp_path / "server.log"
    with log.open("w") as output, subprocess.Popen(command, env=env, stdout=output, stderr=output) as process:
        try:
            wait_until_healthy(f"http://127.0.0.1:{port}", process, log)
            yield f"http://127.0.0.1:{port}", process
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=20)


async def test_sigterm_finishes_requests_in_flight_and_tells_subscribers_to_reconnect(
    gateway: tuple[str, subprocess.Popen[bytes]], simulator: tuple[str, Faults, Store]
) -> None:
    base, process = gateway
    faults = simulator[1]
    token = token_for(load_settings(jwt_secret=SECRET), "demo")
    async with authenticated(base, token) as ws, httpx.AsyncClient(timeout=30) as http:
        await ws.subscribe("q", QUEUE)
        faults.latency_seconds = SLOW_SECONDS
        headers = {"Authorization": f"Bearer {token}"}
        slow = asyncio.create_task(http.post(f"{base}/graphql", json={"query": CONTACTS}, headers=headers))
        await _until(lambda: len(faults.log) > 0)  # the request now waits on the upstream
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        await _until(lambda: not _accepts(base))  # no new connections, the slow request still running
        with pytest.raises(ConnectionClosed) as closed:
            await ws.receive(timeout=60)
        response = await slow
    assert response.status_code == 200, response.text
    assert "errors" not in response.json()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012  # "service restart"
    exit_code = await asyncio.to_thread(process.wait, DEADLINE_SECONDS + 10)
    assert exit_code == 0
    assert time.monotonic() - started < DEADLINE_SECONDS + 10


def _accepts(base: str) -> bool:
    try:
        httpx.get(f"{base}/healthz", timeout=1)
    except httpx.TransportError:
        return False
    return True


async def _until(condition: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold in time")
        await asyncio.sleep(0.05)


class _SlowRounds(QueuePoller):
    """A poller whose rounds take 0.3 s and poll nothing: how it stops, not what it polls."""

    def __init__(self) -> None:
        self.poll_seconds = 60.0
        self.rounds_started = self.rounds_finished = 0

    async def _poll_tenants(self) -> None:
        self.rounds_started += 1
        await asyncio.sleep(0.3)
        self.rounds_finished += 1


@pytest.mark.parametrize(
    ("deadline", "rounds_finished"),
    [(10.0, 1), (0.01, 0)],
    ids=["the round in progress finishes", "a round past the deadline is cancelled"],
)
async def test_a_stopping_poller_finishes_its_round_within_the_deadline(
    deadline: float, rounds_finished: int
) -> None:
    poller = _SlowRounds()
    task = asyncio.create_task(poller.run())
    await _until(lambda: poller.rounds_started == 1)  # stopped during its round, not before it
    await stop_background([task], timeout=deadline)
    assert poller.rounds_finished == rounds_finished
    assert task.cancelled()
