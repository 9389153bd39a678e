"""What running behind PgBouncer in transaction mode costs: ``python -m bench.pooler``.

The gateway runs in process (httpx's ASGI transport) on a fresh PostgreSQL database with a seeded
tenant, in three configurations measured in interleaved rounds:

- ``direct``: straight to PostgreSQL, prepared statements cached per connection (the default);
- ``direct, pooler-safe``: straight to PostgreSQL with ``CRM_GATEWAY_DATABASE_POOLER=transaction``,
  which is the setting's own cost (each statement parsed and planned at every run);
- ``pgbouncer, pooler-safe``: through PgBouncer in transaction mode, the hop included.

Then 4 clients issue nested reads and creates through PgBouncer with and without the setting, and
the errors are counted. Needs ``pgbouncer`` (Debian's package) and CRM_GATEWAY_TEST_POSTGRES_URL
(a superuser URL; the database is created and dropped here). docs/operations/scaling.md has the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bench import operations as ops
from gateway.app import create_app
from gateway.auth import mint_token
from gateway.backends.sql.engine import create_engine
from gateway.backends.sql.migrate import upgrade
from gateway.seed.run import seed_tenant
from gateway.settings import load_settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from pgbouncer import pgbouncer, through  # the tests' launcher, reused

TENANT = "bench"
SECRET = "bench-secret-" + "x" * 40
ROUNDS = 3


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(sa.text(statement))
    await engine.dispose()


async def _seed(url: str, contacts: int) -> None:
    engine = create_engine(url)
    await seed_tenant(engine, TENANT, contacts, progress=False)
    await engine.dispose()


class Gateway:
    """One configuration: an app on ``url`` and a client of the seeded tenant."""

    def __init__(self, url: str, pooler: str) -> None:
        settings = load_settings(
            database_url=url, jwt_secret=SECRET, database_pooler=pooler, log_level="ERROR"
        )
        self.app = create_app(settings)
        token = mint_token(settings, "bench", TENANT, ["CRM_ALL", "CUST_ALL"], timedelta(hours=1))
        transport = httpx.ASGITransport(app=self.app)
        self.http = httpx.AsyncClient(
            transport=transport, base_url="http://gateway", headers={"Authorization": f"Bearer {token}"}
        )

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables or {}})
        return response.json()  # type: ignore[no-any-return]

    async def timed(self, query: str, variables: dict[str, Any], requests: int) -> list[float]:
        latencies = []
        for _ in range(requests):
            started = time.perf_counter()
            body = await self.post(query, variables)
            latencies.append((time.perf_counter() - started) * 1000)
            assert "errors" not in body, body["errors"]
        return latencies

    async def close(self) -> None:
        await self.http.aclose()
        await self.app.state.engine.dispose()


async def _errors_of_four_clients(url: str, pooler: str, requests_each: int) -> tuple[int, int]:
    gateway = Gateway(url, pooler)

    async def client(number: int) -> int:
        failed = 0
        for request in range(requests_each):
            if request % 2:
                name = {"firstName": "Pool", "lastName": f"Run {number}-{request}-{uuid.uuid4().hex[:6]}"}
                body = await gateway.post(ops.GATEWAY_CREATE, {"input": name})
            else:
                body = await gateway.post(ops.GATEWAY_LIST, {"first": 5})
            failed += bool(body.get("errors"))
        return failed

    try:
        failures = await asyncio.gather(*(client(number) for number in range(4)))
    finally:
        await gateway.close()
    return sum(failures), 4 * requests_each


async def _measure(urls: dict[str, tuple[str, str]], requests: int) -> dict[str, dict[str, list[float]]]:
    gateways = {name: Gateway(url, pooler) for name, (url, pooler) in urls.items()}
    results: dict[str, dict[str, list[float]]] = {name: {"Q1 (20)": [], "Q2": []} for name in gateways}
    try:
        first = next(iter(gateways.values()))
        page = await first.post("{ contacts(first: 1) { edges { node { id } } } }")
        contact = page["data"]["contacts"]["edges"][0]["node"]["id"]
        for gateway in gateways.values():  # warm up: plans, prepared statements, pools
            await gateway.timed(ops.GATEWAY_DETAIL, {"id": contact}, 20)
        for _ in range(ROUNDS):
            for name, gateway in gateways.items():
                results[name]["Q1 (20)"] += await gateway.timed(ops.GATEWAY_LIST, {"first": 20}, requests)
                results[name]["Q2"] += await gateway.timed(ops.GATEWAY_DETAIL, {"id": contact}, requests)
    finally:
        for gateway in gateways.values():
            await gateway.close()
    return results


def _report(results: dict[str, dict[str, list[float]]]) -> None:
    baseline = results["direct"]
    print("| configuration | operation | p50 ms | mean ms | vs direct (p50) |")
    print("|---|---|---|---|---|")
    for name, operations in results.items():
        for operation, latencies in operations.items():
            p50 = statistics.median(latencies)
            ratio = p50 / statistics.median(baseline[operation])
            print(f"| {name} | {operation} | {p50:.2f} | {statistics.fmean(latencies):.2f} | {ratio:.2f}x |")


async def _main(args: argparse.Namespace, admin: str, folder: Path) -> None:
    name = f"crm_bench_pooler_{uuid.uuid4().hex[:8]}"
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    await _admin(admin, f'CREATE DATABASE "{name}"')
    try:
        await asyncio.to_thread(upgrade, url)
        await _seed(url, args.contacts)
        user = make_url(admin).username or "postgres"
        with pgbouncer(admin, [user], folder, pool_size=args.pool_size) as port:
            pooled = through(url, port)
            configurations = {
                "direct": (url, "none"),
                "direct, pooler-safe": (url, "transaction"),
                "pgbouncer, pooler-safe": (pooled, "transaction"),
            }
            _report(await _measure(configurations, args.requests))
            for pooler in ("none", "transaction"):
                failed, total = await _errors_of_four_clients(pooled, pooler, 40)
                print(f"4 clients through PgBouncer, pooler={pooler}: {failed} of {total} requests failed")
    finally:
        await _admin(admin, f'DROP DATABASE "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=500)
    parser.add_argument("--requests", type=int, default=100, help="per operation, configuration and round")
    parser.add_argument("--pool-size", type=int, default=4, help="PgBouncer's server connections")
    args = parser.parse_args()
    admin = os.environ.get(
        "CRM_GATEWAY_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
    )
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_main(args, admin, Path(folder)))


if __name__ == "__main__":
    main()
