"""Ranked search on 100,000 contacts: ``python -m bench.search``.

    .venv/bin/python -m bench.search --contacts 100000 --queries 300

Migrates and seeds (tenant ``bench``, ``crm-gateway seed``) the PostgreSQL database ``crm_bench_search``
of ``--postgres-url`` (a superuser URL; its own database, so that it never meets another branch's
schema in ``crm_bench``), serves it with ``crm-gateway serve`` as the role row-level security binds,
and sends ``search(text:, first: 10)`` one request after another, each with a two-word text: the full
name of a contact picked at random (the exact-match case) and, every other request, the first three
letters of each of those words (the prefix case). Prints p50, p95 and p99 of the end-to-end latency
(HTTP included) and the statements per request. Not a timed test: docs/performance.md has the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time

import httpx

from bench.systems import fetch_rows, gateway, prepare_dataset

QUERY = """
query($text: String!) {
  search(text: $text, first: 10) {
    edges { node { rank exactNameMatch highlight node { ... on Contact { id firstName lastName } } } }
  }
}
"""


def _texts(url: str, count: int, rng: random.Random) -> list[str]:
    statement = (
        "SELECT first_name, last_name FROM contacts WHERE tenant = :tenant AND first_name IS NOT NULL"
        " AND last_name IS NOT NULL ORDER BY id LIMIT 5000"
    )
    rows = asyncio.run(fetch_rows(url, statement))
    picked = [rng.choice(rows) for _ in range(count)]
    return [
        f"{first} {last}" if i % 2 == 0 else f"{str(first)[:3]} {str(last)[:3]}"
        for i, (first, last) in enumerate(picked)
    ]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--postgres-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    dataset = prepare_dataset("postgresql", args.contacts, args.postgres_url, name="crm_bench_search")
    texts = _texts(dataset.owner_url, args.warmup + args.queries, random.Random(22))
    timings: dict[str, list[float]] = {"exact": [], "prefix": []}
    statements: list[int] = []
    exact_first = 0
    with gateway(dataset) as server, httpx.Client(headers=server.headers, timeout=30) as client:
        for i, text in enumerate(texts):
            started = time.perf_counter()
            response = client.post(server.graphql_url, json={"query": QUERY, "variables": {"text": text}})
            elapsed = (time.perf_counter() - started) * 1000
            body = response.json()
            if "errors" in body:
                raise SystemExit(json.dumps(body["errors"]))
            if i < args.warmup:
                continue
            timings["exact" if i % 2 == 0 else "prefix"].append(elapsed)
            statements.append(body["extensions"]["cost"]["sqlStatements"])
            edges = body["data"]["search"]["edges"]
            exact_first += i % 2 == 0 and bool(edges) and edges[0]["node"]["exactNameMatch"]
    every = timings["exact"] + timings["prefix"]
    report = {
        "contacts": args.contacts,
        "queries": len(every),
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": round(_percentile(every, 0.95), 1),
        "p99_ms": round(_percentile(every, 0.99), 1),
        "exact_p50_ms": round(statistics.median(timings["exact"]), 1),
        "prefix_p50_ms": round(statistics.median(timings["prefix"]), 1),
        "statements_per_request": sorted(set(statements)),
        "exact_name_first": f"{exact_first}/{len(timings['exact'])}",
    }
    print(json.dumps(report, indent=2), file=sys.stdout)


if __name__ == "__main__":
    main()
