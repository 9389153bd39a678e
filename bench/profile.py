"""Profile one operation in-process: ``python -m bench.profile --database-url URL [--pyinstrument]``.

Builds the gateway's ASGI app in this process (no uvicorn, no network), sends the operation through
httpx's ASGI transport ``--requests`` times after a warm-up, and prints the mean time per request.
With ``--pyinstrument`` it also prints a call tree (pip install pyinstrument). Use the dataset that
``python -m bench.run`` prepared (tenant ``bench``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from datetime import timedelta
from typing import Any

import httpx

from bench import operations as ops
from bench.systems import SECRET, TENANT, gateway_env

DEFAULT_URL = "postgresql+asyncpg://crm_gateway_app@127.0.0.1:5432/crm_bench"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--operation", choices=["Q1", "Q2", "Q3", "Q3w"], default="Q1")
    parser.add_argument("--far", type=int, default=5_000, help="Q3 starts after this many rows")
    parser.add_argument("--first", type=int, default=50, help="Q1 page size")
    parser.add_argument("--query", help="profile this GraphQL document instead of an operation")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--pyinstrument", action="store_true", help="print a pyinstrument call tree")
    parser.add_argument("--cprofile", metavar="FILE", help="write cProfile statistics here")
    return parser.parse_args(argv)


async def _contact_id(client: httpx.AsyncClient) -> str:
    body = await _post(client, {"query": "{ contacts(first: 1) { edges { node { id } } } }"})
    return str(body["data"]["contacts"]["edges"][0]["node"]["id"])


async def _walk(client: httpx.AsyncClient, far: int) -> list[str]:
    """The cursors of the contact list's first ``far`` rows, as bench.run's Q3 (after the last) and
    Q3w (each in turn) use them."""
    cursor = None
    found: list[str] = []
    for _ in range(far // 200):
        variables = {"first": 200, "after": cursor}
        body = await _post(client, {"query": ops.CURSOR_WALK[ops.GATEWAY], "variables": variables})
        found += [edge["cursor"] for edge in body["data"]["contacts"]["edges"]]
        cursor = body["data"]["contacts"]["pageInfo"]["endCursor"]
    return found


async def _post(client: httpx.AsyncClient, payload: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/graphql", json=payload)
    body: dict[str, Any] = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise SystemExit(f"HTTP {response.status_code}: {response.text[:500]}")
    return body


async def run(args: argparse.Namespace) -> None:
    os.environ.update(gateway_env(CRM_GATEWAY_DATABASE_URL=args.database_url))
    from gateway.app import create_app
    from gateway.auth import mint_token
    from gateway.runtime import tune_garbage_collector
    from gateway.settings import load_settings

    settings = load_settings()
    app = create_app(settings)
    token = mint_token(settings, "bench", TENANT, ["CRM_ALL", "CUST_ALL"], timedelta(hours=1))
    headers = {"Authorization": f"Bearer {token}"}
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as client,
    ):
        if args.query:
            payloads = [{"query": args.query}]
        elif args.operation in ("Q1", "Q3", "Q3w"):
            cursors = await _walk(client, args.far) if args.operation != "Q1" else [None]
            # Q3w: a client walking the list, a cursor not sent before with each request (warm-up too)
            afters = cursors[-1:] if args.operation == "Q3" else cursors
            pages = [{"first": args.first, "after": after} for after in afters]
            payloads = [{"query": ops.GATEWAY_LIST, "variables": variables} for variables in pages]
        else:
            payloads = [{"query": ops.GATEWAY_DETAIL, "variables": {"id": await _contact_id(client)}}]
        for payload in payloads[:5]:
            await _post(client, payload)
        if args.operation == "Q3w":
            payloads = payloads[5:]
        tune_garbage_collector()  # as `crm-gateway serve` does after start-up
        import gc

        gc.disable() if os.environ.get("NOGC") else None
        await _measure(client, payloads, args)


async def _measure(
    client: httpx.AsyncClient, payloads: list[dict[str, Any]], args: argparse.Namespace
) -> None:
    from resolvers.planner import extension

    plans = len(extension._PLANNED)
    profiler: Any = None
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(async_mode="enabled", interval=0.0005)
        profiler.start()
    if args.cprofile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    times = []
    cpu_started = time.process_time()
    for number in range(args.requests):
        started = time.perf_counter()
        body = await _post(client, payloads[number % len(payloads)])
        times.append((time.perf_counter() - started) * 1000)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / args.requests
    if args.cprofile:
        profiler.disable()
        profiler.dump_stats(args.cprofile)
    elif profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    cost = body.get("extensions", {}).get("cost", {})
    print(
        f"{args.operation} first={args.first}: mean {statistics.mean(times):.1f} ms, "
        f"median {statistics.median(times):.1f} ms, CPU {cpu_ms:.1f} ms over {len(times)} requests; "
        f"cost {cost}; plan cache +{len(extension._PLANNED) - plans} entries"
    )


def main(argv: list[str] | None = None) -> None:
    asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    assert SECRET  # the environment gateway_env builds carries the bench secret
    main()
