"""The load generator: ``python -m bench.load < spec.json > result.json``.

It runs in its own process so that its CPU use does not count against the server's event loop (on a
small machine the two still share cores). The spec says where to send what:

    {"url": ..., "headers": {...}, "query": ..., "variables": {"kind": "fixed", "value": {...}},
     "concurrency": 8, "seconds": 10, "warmup_seconds": 1}

Each of ``concurrency`` workers sends one request after the other for ``seconds``; the result has each
measured request's latency and the cost the server reported in ``extensions.cost``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

import httpx


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    sql_statements: list[int] = field(default_factory=list)
    upstream_calls: list[int] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    elapsed: float = 0.0


# The names of the contacts M1 creates start with these; bench.systems finds and removes them by
# the prefixes, so that every run measures the seeded rows only (the seed never uses these names).
CREATED_FIRST_NAME = "Bench"
CREATED_LAST_NAME = "Run "


def variables_for(spec: dict[str, Any], number: int, run: str) -> dict[str, Any]:
    """Fresh variables for request ``number``: mutations must not repeat themselves."""
    kind = spec["kind"]
    if kind == "fixed":
        return dict(spec["value"])
    if kind == "cursors":  # a client walking pages: each request after another cursor of the list
        cursors = spec["cursors"]
        return {**spec["value"], "after": cursors[(spec["start"] + number) % len(cursors)]}
    if kind == "contact_create":
        email = f"bench-{run}-{number}@example.com"
        first, last = f"{CREATED_FIRST_NAME}{number}", f"{CREATED_LAST_NAME}{run}"
        person = {"firstName": first, "lastName": last, "emails": [{"email": email}]}
        return {"input": person}
    if kind == "lead_move":
        # Round-robin over many leads so concurrent workers rarely move the same one; each visit to
        # a lead moves it to the next stage, so consecutive moves of a lead always change it.
        leads, stages = spec["leads"], spec["stages"]
        lead = leads[number % len(leads)]
        return {"id": lead, "stageId": stages[(number // len(leads)) % len(stages)]}
    raise ValueError(f"unknown variables kind {kind!r}")


def _record(result: Result, response: httpx.Response, latency: float) -> None:
    body = response.json() if response.headers.get("content-type", "").startswith("application/") else {}
    problem = _problem(response, body)
    if problem:
        result.errors += 1
        result.first_error = result.first_error or problem
        return
    result.latencies.append(latency)
    cost = (body.get("extensions") or {}).get("cost") or {}
    if "sqlStatements" in cost:
        result.sql_statements.append(int(cost["sqlStatements"]))
        result.upstream_calls.append(int(cost.get("upstreamCalls", 0)))


def _problem(response: httpx.Response, body: dict[str, Any]) -> str | None:
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:300]}"
    if body.get("errors"):
        return json.dumps(body["errors"])[:300]
    for payload in (body.get("data") or {}).values():
        if isinstance(payload, dict) and payload.get("errors"):  # mutation user errors
            return json.dumps(payload["errors"])[:300]
    return None


async def _worker(
    client: httpx.AsyncClient,
    spec: dict[str, Any],
    counter: itertools.count[int],
    until: float,
    result: Result,
) -> None:
    run = spec.get("run", uuid.uuid4().hex[:8])
    while time.perf_counter() < until:
        variables = variables_for(spec["variables"], next(counter), run)
        started = time.perf_counter()
        response = await client.post(spec["url"], json={"query": spec["query"], "variables": variables})
        _record(result, response, time.perf_counter() - started)


async def _phase(client: httpx.AsyncClient, spec: dict[str, Any], seconds: float, counter: Any) -> Result:
    result = Result()
    until = time.perf_counter() + seconds
    started = time.perf_counter()
    workers = [_worker(client, spec, counter, until, result) for _ in range(spec["concurrency"])]
    await asyncio.gather(*workers)
    result.elapsed = time.perf_counter() - started
    return result


async def generate(spec: dict[str, Any]) -> Result:
    limits = httpx.Limits(max_connections=spec["concurrency"], max_keepalive_connections=spec["concurrency"])
    timeout = httpx.Timeout(120.0)
    counter = itertools.count()
    async with httpx.AsyncClient(headers=spec.get("headers"), limits=limits, timeout=timeout) as client:
        await _phase(client, spec, spec.get("warmup_seconds", 1.0), counter)
        return await _phase(client, spec, spec["seconds"], counter)


def main() -> int:
    spec = json.load(sys.stdin)
    spec.setdefault("run", uuid.uuid4().hex[:8])
    result = asyncio.run(generate(spec))
    json.dump(asdict(result), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
