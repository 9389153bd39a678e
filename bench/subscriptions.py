"""Subscription fan-out benchmark: N WebSocket subscribers on G gateway processes, M queue events.

    .venv/bin/python bench/subscriptions.py --subscribers 1000 --events 50
    .venv/bin/python bench/subscriptions.py --subscribers 1000 --events 50 --gateways 2 \
        --redis-url redis://127.0.0.1:6379/0 --database-url postgresql+asyncpg://postgres@127.0.0.1/bench

Starts ``--gateways`` ``crm-gateway serve`` processes (uvicorn; sharing Redis when there are several)
on one database (a temporary SQLite file unless ``--database-url`` names one, which is migrated),
opens N graphql-transport-ws connections spread over the gateways that each subscribe to
``communicationQueueUpdated`` (the clients run in ``--client-processes`` processes so that they do not
all share one core), then creates M queued communications over HTTP on the first gateway, one after
another. Every subscriber holds the same token and operation, so each gateway serves them as one group
(docs/subscriptions.md). Each event carries ``occurredAt`` (written in the mutation's transaction, just
before it commits); latency is the time from then to the subscriber's receipt (one machine, one clock).
Reports latency p50/p99, deliveries lost (per subscriber, the expected events whose cursor never
arrived) and duplicated (copies of a cursor it had), delivery throughput, and the gateway processes'
CPU time over the run per event and per delivery (``--cprofile DIR`` profiles them). Each run works in
a tenant of its own, so runs on one database or Redis do not see each other's events.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from gateway.auth import mint_token  # noqa: E402
from gateway.backends.sql import tables as t  # noqa: E402
from gateway.backends.sql.migrate import upgrade  # noqa: E402
from gateway.ids import utcnow, uuid7  # noqa: E402
from gateway.settings import load_settings  # noqa: E402
from resolvers.common.ids import encode_global_id  # noqa: E402

SECRET = "bench-secret-" + "x" * 40
TENANT = f"bench-{uuid.uuid4().hex[:8]}"
SUBSCRIPTION = (
    "subscription { communicationQueueUpdated { kind cursor occurredAt entry { id lifeCycleState } } }"
)
CREATE = """mutation($input: CommunicationCreateInput!) {
  communicationCreate(input: $input) { errors { code } }
}"""
DUPLICATE_GRACE_SECONDS = 0.5  # after its last expected event, a subscriber listens this long
CONTACT = 'mutation { contactCreate(input: {firstName: "Ada", lastName: "Bench"}) { contact { id } } }'


def _token() -> str:
    settings = load_settings(jwt_secret=SECRET)
    return mint_token(settings, "bench", TENANT, ["CRM_ALL", "CUST_ALL"], timedelta(hours=2))


async def _subscriber(
    url: str,
    token: str,
    ready: asyncio.Event,
    counter: list[int],
    total: int,
    received: dict[str, list[float]],
    expected: int,
) -> None:
    """One graphql-transport-ws subscriber; ``received`` maps each event cursor it got to the
    latencies of its copies (more than one: a duplicate)."""
    async with connect(url, subprotocols=["graphql-transport-ws"], max_queue=None) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))
        counter[0] += 1
        if counter[0] == total:
            ready.set()
        with suppress(TimeoutError):
            while len(received) < expected:
                await _receive(ws, received)
            async with asyncio.timeout(DUPLICATE_GRACE_SECONDS):  # a copy just behind the last counts too
                while True:
                    await _receive(ws, received)


async def _receive(ws: Any, received: dict[str, list[float]]) -> None:
    raw = await ws.recv()
    now = time.time()  # before the parse: the client's own work is not the gateway's latency
    message = orjson.loads(raw)
    if message.get("type") == "ping":
        await ws.send(json.dumps({"type": "pong"}))
        return
    if message.get("type") != "next":
        raise RuntimeError(f"subscriber got {message}")
    event = message["payload"]["data"]["communicationQueueUpdated"]
    occurred = datetime.fromisoformat(event["occurredAt"])
    received.setdefault(event["cursor"], []).append(now - occurred.timestamp())


def _client_process(
    urls: list[str],
    token: str,
    count: int,
    expected: int,
    ready_queue: Any,
    go: Any,
    results: Any,
    deadline_seconds: float,
) -> None:
    """One process of subscribers: reports when all are subscribed, then per subscriber what it got."""

    async def main() -> tuple[list[dict[str, list[float]]], float]:
        ready = asyncio.Event()
        counter: list[int] = [0]
        received: list[dict[str, list[float]]] = [{} for _ in range(count)]
        tasks = []
        for index in range(count):
            url = urls[index % len(urls)]  # spread over the gateways
            tasks.append(
                asyncio.create_task(_subscriber(url, token, ready, counter, count, received[index], expected))
            )
            await asyncio.sleep(0.002)  # do not flood the accept queue
        await ready.wait()
        # The instrument's own pauses are not the gateway's latency: a client process holding 500
        # connections paused ~220 ms in a full collection while the events came (seen with
        # gc.callbacks), and stamped every frame waiting in its sockets that much later.
        gc.collect()
        gc.freeze()
        gc.disable()
        ready_queue.put(count)
        await asyncio.get_running_loop().run_in_executor(None, go.wait)
        cpu_before = time.process_time()
        _, pending = await asyncio.wait(tasks, timeout=deadline_seconds)
        for task in pending:  # these did not receive every event in time: what they did receive counts
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        return received, time.process_time() - cpu_before

    results.put(asyncio.run(main()))


def _prepare(database_url: str, base: str, token: str) -> dict[str, str]:
    """An external system (no mutation creates one: inserted directly) and a contact (over GraphQL)."""
    system_id = uuid7()
    asyncio.run(_insert_system(database_url, system_id))
    headers = {"Authorization": f"Bearer {token}"}
    body = httpx.post(f"{base}/graphql", json={"query": CONTACT}, headers=headers).json()
    return {
        "system": encode_global_id("CommunicationQueueExternalSystem", system_id),
        "contact": body["data"]["contactCreate"]["contact"]["id"],
    }


async def _insert_system(database_url: str, system_id: Any) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(t.communication_queue_external_systems).values(
                    id=system_id,
                    tenant=TENANT,
                    date_created=utcnow(),
                    created_by="bench",
                    version=1,
                    is_deleted=False,
                    name="Bench SMS gateway",
                )
            )
    finally:
        await engine.dispose()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--gateways", type=int, default=1, help="gateway processes (more than 1: Redis)")
    parser.add_argument("--redis-url", help="publish through Redis (CRM_GATEWAY_REDIS_URL), not in-process")
    parser.add_argument("--database-url", help="the database (migrated here); default: a temporary SQLite")
    parser.add_argument(
        "--cprofile", type=Path, help="run each gateway under cProfile, into DIR/gateway-N.prof"
    )
    args = parser.parse_args()
    if args.gateways > 1 and not args.redis_url:
        parser.error("--gateways above 1 needs --redis-url: events reach the other gateways through Redis")

    folder = Path(tempfile.mkdtemp(prefix="crm-bench-"))
    database_url = args.database_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    upgrade(database_url)
    env = {
        **os.environ,
        "CRM_GATEWAY_DATABASE_URL": database_url,
        "CRM_GATEWAY_JWT_SECRET": SECRET,
        "CRM_GATEWAY_LOG_LEVEL": "WARNING",
        "CRM_GATEWAY_RATE_LIMIT_PER_SECOND": "0",
        "CRM_GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION": "20",
    }
    if args.redis_url:
        env["CRM_GATEWAY_REDIS_URL"] = args.redis_url
    ports = [_free_port() for _ in range(args.gateways)]
    servers = [_start_server(port, env, folder, index, args.cprofile) for index, port in enumerate(ports)]
    try:
        _run(args, servers, [f"http://127.0.0.1:{port}" for port in ports], database_url)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)


def _start_server(port: int, env: dict[str, str], folder: Path, index: int, profile: Path | None) -> Any:
    log = (folder / f"server-{index}.log").open("w")
    command = [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)]
    if profile is not None:  # written when the gateway shuts down (SIGTERM, below)
        profile.mkdir(parents=True, exist_ok=True)
        command[1:1] = ["-m", "cProfile", "-o", str(profile / f"gateway-{index}.prof")]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"the gateway did not start; see {folder / f'server-{index}.log'}")


def _run(args: argparse.Namespace, servers: list[Any], bases: list[str], database_url: str) -> None:
    token = _token()
    base = bases[0]
    ids = _prepare(database_url, base, token)
    urls = [each.replace("http://", "ws://") + "/graphql" for each in bases]
    context = multiprocessing.get_context("spawn")
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    shares = [args.subscribers // args.client_processes] * args.client_processes
    shares[0] += args.subscribers - sum(shares)
    workers = [
        context.Process(
            target=_client_process, args=(urls, token, share, args.events, ready, go, results, 120.0)
        )
        for share in shares
        if share
    ]
    for worker in workers:
        worker.start()
    subscribed = sum(ready.get(timeout=300) for _ in workers)
    print(f"{subscribed} subscribers connected and subscribed to {len(bases)} gateway(s)")
    time.sleep(1)  # let the last subscriptions reach the pub/sub
    go.set()
    input = {
        "contactId": ids["contact"],
        "externalSystemId": ids["system"],
        "direction": "OUTGOING",
        "media": "SMS",
        "subject": "Bench",
        "content": "Hi",
    }
    headers = {"Authorization": f"Bearer {token}"}
    cpu_before = [_cpu_seconds(server.pid) for server in servers]
    started = time.perf_counter()
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        for _ in range(args.events):
            body = http.post("/graphql", json={"query": CREATE, "variables": {"input": input}}).json()
            assert body["data"]["communicationCreate"]["errors"] == [], body
    received: list[dict[str, list[float]]] = []
    client_cpu = 0.0
    for _ in workers:
        each, seconds = results.get(timeout=600)
        received += each
        client_cpu += seconds
    elapsed = time.perf_counter() - started
    cpu = [_cpu_seconds(server.pid) - before for server, before in zip(servers, cpu_before, strict=True)]
    for worker in workers:
        worker.join()
    _report(args.events, subscribed, received, elapsed, cpu, client_cpu)


def _report(
    events: int,
    subscribed: int,
    received: list[dict[str, list[float]]],
    elapsed: float,
    cpu: list[float],
    client_cpu: float,
) -> None:
    expected = subscribed * events
    distinct = sum(len(each) for each in received)
    duplicated = sum(len(copies) - 1 for each in received for copies in each.values())
    latencies = [copies[0] for each in received for copies in each.values()]  # each event's first copy
    print(f"events: {events}, subscribers: {subscribed}, deliveries expected: {expected}")
    print(f"delivered: {distinct}, lost: {expected - distinct}, duplicated: {duplicated}")
    if latencies:
        print(
            f"latency p50: {_percentile(latencies, 0.50) * 1000:.1f} ms, "
            f"p99: {_percentile(latencies, 0.99) * 1000:.1f} ms, "
            f"max: {max(latencies) * 1000:.1f} ms, mean: {statistics.fmean(latencies) * 1000:.1f} ms"
        )
        print(f"throughput: {distinct / elapsed:.0f} deliveries/s over {elapsed:.1f} s")
    # The gateways' CPU time over the run (the mutations included, on the first gateway), per event
    # and per delivery: what the latency depends on when the machine is quiet.
    per_gateway = ", ".join(f"{seconds * 1000:.0f} ms" for seconds in cpu)
    print(
        f"gateway CPU: {per_gateway}; {sum(cpu) * 1000 / events:.1f} ms per event, "
        f"{sum(cpu) * 1e6 / max(distinct, 1):.0f} us per delivery"
    )
    # The client processes share the cores: their CPU is what the gateways could not use meanwhile.
    per_delivery = client_cpu * 1e6 / max(distinct, 1)
    print(f"client CPU: {client_cpu * 1000:.0f} ms, {per_delivery:.0f} us per delivery")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process and its waited-for children (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
