"""Subscription fan-out benchmark: N WebSocket subscribers on one gateway process, M queue events.

    .venv/bin/python bench/subscriptions.py --subscribers 1000 --events 50

Starts ``crm-gateway serve`` (uvicorn, SQLite in a temporary folder), opens N graphql-transport-ws
connections that each subscribe to ``communicationQueueUpdated`` (spread over ``--client-processes``
processes so that the clients do not all share one core), then creates M queued communications over
HTTP, one after another. Each event carries ``occurredAt`` (written in the mutation's transaction, just
before it commits); latency is the time from then to the subscriber's receipt. Reports latency p50/p99,
events lost (expected N x M deliveries minus those received) and delivery throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
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
TENANT = "bench"
SUBSCRIPTION = "subscription { communicationQueueUpdated { kind occurredAt entry { id lifeCycleState } } }"
CREATE = """mutation($input: CommunicationCreateInput!) {
  communicationCreate(input: $input) { errors { code } }
}"""
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
    latencies: list[float],
    expected: int,
    stop: asyncio.Event,
) -> None:
    async with connect(url, subprotocols=["graphql-transport-ws"], max_queue=None) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))
        counter[0] += 1
        if counter[0] == total:
            ready.set()
        received = 0
        while received < expected and not stop.is_set():
            try:
                message = json.loads(await asyncio.wait_for(ws.recv(), 1.0))
            except TimeoutError:
                continue
            if message.get("type") == "ping":
                await ws.send(json.dumps({"type": "pong"}))
                continue
            if message.get("type") != "next":
                raise RuntimeError(f"subscriber got {message}")
            occurred = datetime.fromisoformat(
                message["payload"]["data"]["communicationQueueUpdated"]["occurredAt"]
            )
            latencies.append(time.time() - occurred.timestamp())
            received += 1


def _client_process(
    url: str,
    token: str,
    count: int,
    expected: int,
    ready_queue: Any,
    go: Any,
    results: Any,
    deadline_seconds: float,
) -> None:
    """One process of subscribers: reports when all are subscribed, then their latencies."""

    async def main() -> list[float]:
        ready, stop = asyncio.Event(), asyncio.Event()
        counter: list[int] = [0]
        latencies: list[float] = []
        tasks = []
        for _ in range(count):
            tasks.append(
                asyncio.create_task(_subscriber(url, token, ready, counter, count, latencies, expected, stop))
            )
            await asyncio.sleep(0.002)  # do not flood the accept queue
        await ready.wait()
        ready_queue.put(count)
        await asyncio.get_running_loop().run_in_executor(None, go.wait)
        _, pending = await asyncio.wait(tasks, timeout=deadline_seconds)
        stop.set()
        await asyncio.gather(*pending, return_exceptions=True)
        return latencies

    results.put(asyncio.run(main()))


def _prepare(database_url: str, base: str, token: str) -> dict[str, str]:
    """An external system (no mutation creates one: inserted directly) and a contact (over GraphQL)."""
    engine = sa.create_engine(database_url.replace("+aiosqlite", ""))
    system_id = uuid7()
    with engine.begin() as connection:
        connection.execute(
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
    engine.dispose()
    headers = {"Authorization": f"Bearer {token}"}
    body = httpx.post(f"{base}/graphql", json={"query": CONTACT}, headers=headers).json()
    return {
        "system": encode_global_id("CommunicationQueueExternalSystem", system_id),
        "contact": body["data"]["contactCreate"]["contact"]["id"],
    }


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
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--redis-url", help="publish through Redis (CRM_GATEWAY_REDIS_URL), not in-process")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="crm-bench-"))
    database_url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
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
    base = f"http://127.0.0.1:{args.port}"
    server = _start_server(args.port, env, folder)
    try:
        _run(args, base, database_url)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _start_server(port: int, env: dict[str, str], folder: Path) -> Any:
    import subprocess

    log = (folder / "server.log").open("w")
    command = [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"the gateway did not start; see {folder / 'server.log'}")


def _run(args: argparse.Namespace, base: str, database_url: str) -> None:
    token = _token()
    ids = _prepare(database_url, base, token)
    url = base.replace("http://", "ws://") + "/graphql"
    context = multiprocessing.get_context("spawn")
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    shares = [args.subscribers // args.client_processes] * args.client_processes
    shares[0] += args.subscribers - sum(shares)
    workers = [
        context.Process(
            target=_client_process, args=(url, token, share, args.events, ready, go, results, 120.0)
        )
        for share in shares
        if share
    ]
    for worker in workers:
        worker.start()
    subscribed = sum(ready.get(timeout=300) for _ in workers)
    print(f"{subscribed} subscribers connected and subscribed")
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
    started = time.perf_counter()
    with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
        for _ in range(args.events):
            body = http.post("/graphql", json={"query": CREATE, "variables": {"input": input}}).json()
            assert body["data"]["communicationCreate"]["errors"] == [], body
    latencies: list[float] = []
    for _ in workers:
        latencies += results.get(timeout=600)
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join()
    expected = subscribed * args.events
    print(f"events: {args.events}, subscribers: {subscribed}, deliveries expected: {expected}")
    print(f"delivered: {len(latencies)}, lost: {expected - len(latencies)}")
    if latencies:
        print(
            f"latency p50: {_percentile(latencies, 0.50) * 1000:.1f} ms, "
            f"p99: {_percentile(latencies, 0.99) * 1000:.1f} ms, "
            f"max: {max(latencies) * 1000:.1f} ms, mean: {statistics.fmean(latencies) * 1000:.1f} ms"
        )
        print(f"throughput: {len(latencies) / elapsed:.0f} deliveries/s over {elapsed:.1f} s")


if __name__ == "__main__":
    main()
