"""Live events across a Redis outage: two gateway processes, one subscriber, Redis killed for 10 s.

    .venv/bin/python -m bench.pubsub_outage --outage-seconds 10

Starts a redis-server of its own (on a free port; never the shared one), two ``crm-gateway serve``
processes on one SQLite database and that Redis, and one WebSocket client on the second process
subscribed to ``communicationQueueUpdated`` and ``communicationCreated``. The first process then
creates a queued communication every ``--interval`` seconds: before, during (Redis killed) and after
the outage. Reports per subscription the events sent, received, lost, duplicated and out of order,
and how late the last one arrived after the writes ended.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

from bench.subscriptions import SECRET, _prepare, _start_server, _token
from gateway.backends.sql.migrate import upgrade
from resolvers.communications.subscriptions import CREATED_CURSOR_PREFIX, encode_event_cursor

SUBSCRIPTIONS = {
    "q": "subscription($after: String) { communicationQueueUpdated(after: $after) "
    "{ entry { communication { subject } } } }",
    "c": "subscription($contact: ID!, $after: String) { communicationCreated(contactId: $contact, "
    "after: $after) { communication { subject } } }",
}
CREATE = """mutation($input: CommunicationCreateInput!) {
  communicationCreate(input: $input) { errors { code } }
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _redis(port: int) -> subprocess.Popen[bytes]:
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    return process


def _subject(message: dict[str, Any]) -> str:
    data = message["payload"]["data"]
    event = data.get("communicationQueueUpdated") or data["communicationCreated"]
    return str((event.get("entry") or event)["communication"]["subject"])


async def _subscribe(url: str, token: str, contact: str, received: dict[str, list[str]]) -> None:
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        variables = {
            "q": {"after": encode_event_cursor(0)},
            "c": {"contact": contact, "after": encode_event_cursor(0, CREATED_CURSOR_PREFIX)},
        }
        for name, query in SUBSCRIPTIONS.items():
            payload = {"query": query, "variables": variables[name]}
            await ws.send(json.dumps({"id": name, "type": "subscribe", "payload": payload}))
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))
            elif message["type"] == "next" and "errors" not in message["payload"]:
                received[message["id"]].append(_subject(message))
            else:
                print("subscription message:", message)


async def _write(
    base: str, token: str, ids: dict[str, str], args: argparse.Namespace, redis: Any
) -> list[str]:
    """Creates communications before, during and after the outage; returns their subjects in order."""
    input = {"contactId": ids["contact"], "externalSystemId": ids["system"], "direction": "OUTGOING"}
    input |= {"media": "SMS", "content": "Hi", "to": "ada@example.com"}
    sent: list[str] = []
    started = time.monotonic()
    outage_ends = args.lead_seconds + args.outage_seconds
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as http:
        while (elapsed := time.monotonic() - started) < outage_ends + args.lead_seconds:
            if redis["process"] is not None and args.lead_seconds <= elapsed < outage_ends:
                redis["process"].kill()
                redis["process"] = None
                print(f"{elapsed:5.1f} s: Redis killed")
            elif redis["process"] is None and elapsed >= outage_ends:
                redis["process"] = _redis(redis["port"])
                print(f"{elapsed:5.1f} s: Redis started again")
            subject = f"Event {len(sent)}"
            variables = {"input": {**input, "subject": subject}}
            body = (await http.post("/graphql", json={"query": CREATE, "variables": variables})).json()
            assert body["data"]["communicationCreate"]["errors"] == [], body
            sent.append(subject)
            await asyncio.sleep(args.interval)
    return sent


def _report(name: str, sent: list[str], received: list[str]) -> None:
    lost = set(sent) - set(received)
    duplicates = len(received) - len(set(received))
    in_order = [subject for subject in received if subject in set(sent)] == sent[: len(received)]
    print(
        f"{name}: sent {len(sent)}, received {len(received)}, lost {len(lost)}, "
        f"duplicates {duplicates}, in order: {in_order}"
    )


async def _run(args: argparse.Namespace, bases: list[str], database_url: str, redis: Any) -> None:
    token = _token()
    ids = _prepare(database_url, bases[0], token)
    received: dict[str, list[str]] = {"q": [], "c": []}
    url = bases[1].replace("http://", "ws://") + "/graphql"
    subscriber = asyncio.create_task(_subscribe(url, token, ids["contact"], received))
    await asyncio.sleep(1)
    sent = await _write(bases[0], token, ids, args, redis)
    ended = time.monotonic()
    while any(len(subjects) < len(sent) for subjects in received.values()) and time.monotonic() - ended < 30:
        await asyncio.sleep(0.1)
    print(f"the last event arrived {time.monotonic() - ended:.1f} s after the writes ended")
    subscriber.cancel()
    names = {"q": "communicationQueueUpdated", "c": "communicationCreated"}
    for key, subjects in received.items():
        _report(names[key], sent, subjects)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--outage-seconds", type=float, default=10.0)
    parser.add_argument("--lead-seconds", type=float, default=3.0, help="writing before and after the outage")
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between creates")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="crm-bench-outage-"))
    database_url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    upgrade(database_url)
    redis = {"port": _free_port()}
    redis["process"] = _redis(redis["port"])
    env = {**os.environ, "CRM_GATEWAY_DATABASE_URL": database_url, "CRM_GATEWAY_JWT_SECRET": SECRET}
    env |= {"CRM_GATEWAY_REDIS_URL": f"redis://127.0.0.1:{redis['port']}/0", "CRM_GATEWAY_LOG_LEVEL": "ERROR"}
    env["CRM_GATEWAY_RATE_LIMIT_PER_SECOND"] = "0"
    ports = [_free_port(), _free_port()]
    servers = []
    for port in ports:
        (folder / str(port)).mkdir()
        servers.append(_start_server(port, env, folder / str(port)))
    try:
        asyncio.run(_run(args, [f"http://127.0.0.1:{port}" for port in ports], database_url, redis))
    finally:
        for process in [*servers, redis["process"]]:
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
