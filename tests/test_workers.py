"""``crm-gateway serve --workers N``: several processes on one port, sharing their state through Redis."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import SECRET
from servers import free_port, gateway_server
from test_subscriptions import CREATED, Tenant, _env, _world, until_live
from ws_client import authenticated

STARTED = re.compile(r"Started server process \[(\d+)\]")


def _worker_pids(log: Path, expected: int) -> set[int]:
    """The worker processes uvicorn says it started, once ``expected`` of them have."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pids = {int(pid) for pid in STARTED.findall(log.read_text())}
        if len(pids) >= expected:
            return pids
        time.sleep(0.2)
    raise AssertionError(f"fewer than {expected} workers started: {log.read_text()}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_two_workers_serve_one_port_and_every_event_reaches_a_subscriber(
    database_url: str, redis_url: str, tmp_path: Path, engine: Any, tenant: str
) -> None:
    env = _env(database_url, tmp_path, CRM_GATEWAY_REDIS_URL=redis_url)
    with gateway_server(tmp_path, env, "--workers", "2") as base:
        pids = _worker_pids(tmp_path / "server.log", 2)
        assert len(pids) == 2 and all(map(_alive, pids)) and os.getpid() not in pids
        writer = Tenant(base, tenant, await _world(engine, tenant))
        async with authenticated(base, writer.token) as ws:
            await ws.subscribe("c", CREATED, {"contact": writer.world["ada"]})
            await until_live(ws, "c", writer)
            # Each note is its own connection (httpx.post), so the workers share them between them;
            # a subscriber that heard only its own worker's publishes would miss some.
            subjects = [f"Call {number}" for number in range(12)]
            for subject in subjects:
                writer.note(subject)
            received = [
                data["communicationCreated"]["communication"]["subject"] for data in await ws.events("c", 12)
            ]
        assert received == subjects
        assert all(map(_alive, pids))


def _serve(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "gateway.cli", "serve", "--port", str(free_port()), *args]
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CRM_GATEWAY_")}
    return subprocess.run(
        command,
        env={**environment, "CRM_GATEWAY_JWT_SECRET": SECRET, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("--workers", "2"), {}, "CRM_GATEWAY_WORKERS above 1 needs CRM_GATEWAY_REDIS_URL"),
        ((), {"CRM_GATEWAY_WORKERS": "3"}, "CRM_GATEWAY_WORKERS above 1 needs CRM_GATEWAY_REDIS_URL"),
        (("--workers", "0"), {}, "CRM_GATEWAY_WORKERS: Input should be greater than or equal to 1"),
        (("--workers", "two"), {}, "--workers: must be a whole number"),
    ],
)
def test_workers_that_could_not_share_their_state_are_refused_before_serving(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    database = f"sqlite+aiosqlite:///{tmp_path / 'refused.db'}"
    completed = _serve(*args, "--database-url", database, **env)
    assert completed.returncode == 2, completed.stderr
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr and "GraphiQL" not in completed.stdout


def test_one_worker_needs_no_redis(tmp_path: Path) -> None:
    env = {
        "CRM_GATEWAY_JWT_SECRET": SECRET,
        "CRM_GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'one.db'}",
    }
    with gateway_server(tmp_path, {**env, "CRM_GATEWAY_WORKERS": "1"}) as base:
        assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
        assert len(_worker_pids(tmp_path / "server.log", 1)) == 1


def _sockets_of(pid: int | str) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    return inodes


def _established() -> list[tuple[int, int, str]]:
    """(local port, remote port, inode) of every established TCP connection (Linux's /proc)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "01":
                found.append(
                    (int(fields[1].rsplit(":", 1)[1], 16), int(fields[2].rsplit(":", 1)[1], 16), fields[9])
                )
    return found


def _connections_of(pid: int, port: int) -> int:
    """Connections to ``port`` from this test process that process ``pid`` holds the server end of.

    Only this process's clients count: a worker's own connections out (to Redis, say) get ephemeral
    local ports too, and one may happen to have the number of ``port``."""
    connections, ours, theirs = _established(), _sockets_of("self"), _sockets_of(pid)
    clients = {local for local, remote, inode in connections if remote == port and inode in ours}
    return sum(
        local == port and remote in clients and inode in theirs for local, remote, inode in connections
    )


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="counts connections through Linux's /proc")
async def test_connections_opened_at_once_spread_over_the_workers(
    sqlite_url: str, redis_url: str, tmp_path: Path
) -> None:
    """Each worker accepts on a socket of its own (gateway/workers.py): sixteen keep-alive connections
    opened together do not all land on one worker, as they did on uvicorn's shared socket.

    On SQLite only: sockets and /healthz do not touch the database, and workers on PostgreSQL are
    covered by the events test above (three processes started per variant cost ~10 s of CPU)."""
    env = _env(sqlite_url, tmp_path, CRM_GATEWAY_REDIS_URL=redis_url)
    with gateway_server(tmp_path, env, "--workers", "2") as base:
        pids = _worker_pids(tmp_path / "server.log", 2)
        port = int(base.rsplit(":", 1)[1])
        clients = [httpx.AsyncClient(base_url=base) for _ in range(16)]
        try:
            responses = await asyncio.gather(*(client.get("/healthz") for client in clients))
            assert all(response.status_code == 200 for response in responses)
            held = {pid: _connections_of(pid, port) for pid in pids}
        finally:
            await asyncio.gather(*(client.aclose() for client in clients))
    assert sum(held.values()) == 16, held
    assert all(count > 0 for count in held.values()), held


def test_a_worker_that_dies_is_replaced(sqlite_url: str, redis_url: str, tmp_path: Path) -> None:
    """On SQLite only, as the test above: the replacement answers /healthz, which reads no database."""
    env = _env(sqlite_url, tmp_path, CRM_GATEWAY_REDIS_URL=redis_url)
    with gateway_server(tmp_path, env, "--workers", "2") as base:
        first, second = sorted(_worker_pids(tmp_path / "server.log", 2))
        os.kill(first, signal.SIGKILL)
        pids = _worker_pids(tmp_path / "server.log", 3)
        assert second in pids and first in pids and len(pids) == 3
        for _ in range(8):  # whichever worker each new connection reaches, it answers
            assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200


def test_workers_refuse_a_port_that_is_taken(tmp_path: Path, redis_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        database = f"sqlite+aiosqlite:///{tmp_path / 'taken.db'}"
        command = [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port), "--workers", "2"]
        environment = {key: value for key, value in os.environ.items() if not key.startswith("CRM_GATEWAY_")}
        completed = subprocess.run(
            [*command, "--database-url", database],
            env={**environment, "CRM_GATEWAY_JWT_SECRET": SECRET, "CRM_GATEWAY_REDIS_URL": redis_url},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert completed.returncode == 1, completed.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in completed.stderr
    assert "Traceback" not in completed.stderr


def _children(pid: int) -> set[int]:
    return {
        int(child)
        for task in Path(f"/proc/{pid}/task").glob("*/children")
        for child in task.read_text().split()
    }


def _resident_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS:")).split()[1]) / 1024


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from Linux's /proc")
def test_serve_becomes_a_lean_supervisor_of_its_workers_and_nothing_else(
    sqlite_url: str, redis_url: str, tmp_path: Path
) -> None:
    """``serve`` replaces itself with ``python -m gateway.workers`` (same pid) once it has bound the port:
    no resource tracker beside the workers (multiprocessing's spawn started one, ~12 MiB) and no CLI
    kept resident above them (~100 MiB). A SIGTERM to it stops every worker, and serve ends with 0."""
    env = _env(sqlite_url, tmp_path, CRM_GATEWAY_REDIS_URL=redis_url)
    port, log = free_port(), tmp_path / "server.log"
    command = [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port), "--workers", "2"]
    with (
        log.open("w") as output,
        subprocess.Popen(
            command, env={**os.environ, **env}, stdout=output, stderr=subprocess.STDOUT
        ) as process,
    ):
        try:
            pids = _worker_pids(log, 2)
            assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
            assert _children(process.pid) == pids
            assert _resident_mib(process.pid) < 40, _resident_mib(process.pid)
            assert "gateway.workers" in Path(f"/proc/{process.pid}/cmdline").read_text()
        finally:
            process.terminate()
            status = process.wait(timeout=60)
    assert status == 0, log.read_text()
    assert not any(map(_alive, pids))
    assert "Traceback" not in log.read_text()
