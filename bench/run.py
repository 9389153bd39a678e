"""Run the benchmark suite: ``python -m bench.run --database sqlite|postgresql --contacts 10000``.

Prepares the reference dataset, starts each system under test in its own process (the gateway with
``crm-gateway serve``, the plain-resolver baseline, and PostGraphile on PostgreSQL), drives each
reference operation with the load generator (``bench/load.py``, another process) at each concurrency
and page size, on each system in turn before the next case, and writes the figures to
``var/bench/results-<database>.json`` and, through ``bench/report.py``, to ``docs/performance.md`` and
``docs/performance.png``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shlex
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import httpx

from bench import operations as ops
from bench import report, systems
from bench.systems import TENANT, VAR, Dataset, Server
from resolvers.common.ids import encode_global_id

DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass
class Measurement:
    system: str
    operation: str
    page_size: int | None
    concurrency: int
    requests: int
    errors: int
    throughput: float  # requests per second
    p50_ms: float | None
    p99_ms: float | None
    sql_per_request: float | None
    upstream_per_request: float | None
    peak_rss_mib: float | None
    first_error: str | None = None
    throughput_rounds: list[float] | None = None  # every round's, the reported one among them


@dataclass
class Fixtures:
    """What the operations need from the data, in each system's own ID format."""

    contact: uuid.UUID
    leads: list[uuid.UUID]
    stages: list[uuid.UUID]


@dataclass(frozen=True)
class Case:
    operation: str
    document: str  # key into ops.QUERIES, or a mutation document
    page_size: int | None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--contacts", type=int, default=10_000, help="contacts in tenant 'bench'")
    parser.add_argument("--seconds", type=float, default=3.0, help="measured seconds per case and round")
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved rounds per case; the median one is reported"
    )
    parser.add_argument("--warmup-seconds", type=float, default=1.0)
    parser.add_argument("--concurrency", default="1,8", help="comma-separated (default: 1,8)")
    parser.add_argument("--page-sizes", default="10,50,200", help="Q1 page sizes (default: 10,50,200)")
    parser.add_argument("--list-page-sizes", default="10,50", help="Q4 and Q5 page sizes (default: 10,50)")
    parser.add_argument("--far", type=int, default=5_000, help="Q3 starts after this many rows")
    parser.add_argument("--systems", default=",".join(ops.SYSTEMS), help="which to measure")
    parser.add_argument(
        "--operations", default="Q1,Q2,Q3,Q3w,Q4,Q5,M1,M2", help="which to measure (default: all)"
    )
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL, help="a superuser URL")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="what gateway-2w's workers share")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    missing = report.missing_extra()
    if missing:  # checked before minutes of measuring, not when the report draws its chart
        print(
            f"bench.run needs {', '.join(missing)} (the bench extra): {report.INSTALL_HINT}", file=sys.stderr
        )
        return 2
    command = "python -m bench.run " + shlex.join(sys.argv[1:] if argv is None else argv)
    dataset = systems.prepare_dataset(args.database, args.contacts, args.postgres_url)
    fixtures = asyncio.run(load_fixtures(dataset))
    results: dict[str, Any] = {
        "command": command,
        "database": args.database,
        "contacts": args.contacts,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "machine": machine(dataset),
        "measurements": [],
    }
    path = VAR / f"results-{args.database}.json"
    with contextlib.ExitStack() as stack:
        servers = {}
        for name in args.systems.split(","):
            server = stack.enter_context(_start(name, dataset, args.redis_url))
            if server is not None:
                servers[name] = server
        for measurement in measure_interleaved(servers, fixtures, args):
            results["measurements"].append(asdict(measurement))
            path.write_text(json.dumps(results, indent=2))  # after each case: a failure keeps the rest
    # Leave the tenant as seeded: prepare_dataset would also clean up at the next run, but bench.profile
    # reads the same database without preparing it.
    systems.remove_created_contacts(dataset)
    print(f"results: {path}", file=sys.stderr)
    report.main([])
    return 0


@contextlib.contextmanager
def _start(name: str, dataset: Dataset, redis_url: str) -> Iterator[Server | None]:
    if name in ops.POSTGRAPHILES and dataset.database != "postgresql":
        print(f"{name} baseline skipped: it serves PostgreSQL only (use --database postgresql)")
        yield None
        return
    if name in ops.POSTGRAPHILES and not systems.postgraphile_installed():
        print(f"{name} baseline skipped: run `npm ci --prefix bench/postgraphile` first")
        yield None
        return
    starters = {
        ops.GATEWAY: lambda: systems.gateway(dataset),
        ops.GATEWAY_WORKERS: lambda: systems.gateway(dataset, workers=2, redis_url=redis_url),
        ops.NAIVE: lambda: systems.naive(dataset),
        ops.POSTGRAPHILE: lambda: systems.postgraphile(dataset),
        ops.POSTGRAPHILE_WORKERS: lambda: systems.postgraphile(dataset, workers=2),
    }
    with starters[name]() as server:
        yield server


async def load_fixtures(dataset: Dataset) -> Fixtures:
    url = dataset.owner_url
    busiest = (
        "SELECT contact_id FROM leads WHERE tenant = :tenant AND contact_id IS NOT NULL "
        "GROUP BY contact_id ORDER BY count(*) DESC, contact_id LIMIT 1"
    )
    leads = "SELECT id FROM leads WHERE tenant = :tenant AND is_deleted = false ORDER BY id LIMIT 200"
    stages = "SELECT id FROM stages WHERE tenant = :tenant AND is_deleted = false ORDER BY position, id"
    contact = (await systems.fetch_rows(url, busiest))[0][0]
    return Fixtures(
        contact=_uuid(contact),
        leads=[_uuid(row[0]) for row in await systems.fetch_rows(url, leads)],
        stages=[_uuid(row[0]) for row in await systems.fetch_rows(url, stages)],
    )


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def measure_interleaved(
    servers: dict[str, Server], fixtures: Fixtures, args: argparse.Namespace
) -> Iterator[Measurement]:
    """Each case on every system in turn, ``--rounds`` times, before the next case (the median round
    of each system is reported, see ``median_round``).

    The systems run side by side (an idle one costs no CPU) and take turns case by case, so that a
    system and its baselines are measured within seconds of each other: this machine's speed drifts
    by a fifth within minutes, and measuring one system after the other put that drift into the ratios.
    """
    cursors = {name: walk_far(server, name, args.far) for name, server in servers.items()}
    walked = dict.fromkeys(servers, 0)  # Q3w measurements so far, per system: where the next one starts
    for case in cases(ops.GATEWAY, args):
        for concurrency in map(int, args.concurrency.split(",")):
            rounds: dict[str, list[Measurement]] = {}
            for _ in range(max(1, args.rounds)):
                for name, server in servers.items():
                    if case not in cases(name, args):
                        continue
                    spec = _spec(server, name, case, fixtures, cursors[name], concurrency, args, walked[name])
                    walked[name] += case.operation == "Q3w"
                    rounds.setdefault(name, []).append(measure(server, name, case, concurrency, spec))
            for measured in rounds.values():
                measurement = median_round(measured)
                print(_line(measurement), file=sys.stderr)
                yield measurement


def median_round(measured: list[Measurement]) -> Measurement:
    """The round of median throughput, with every round's throughput beside it.

    Single rounds of a few seconds moved by up to 40% on the shared 2-core machine (PostGraphile's Q2
    at concurrency 8: 211, 283 and 409 req/s in three runs), more than the differences the ratios are
    read for; the median of interleaved rounds is steadier, and reporting one whole round keeps its
    throughput, latencies and statement counts from the same requests."""
    ordered = sorted(measured, key=lambda m: m.throughput)
    chosen = ordered[(len(ordered) - 1) // 2]
    return replace(chosen, throughput_rounds=[m.throughput for m in measured])


def cases(name: str, args: argparse.Namespace) -> list[Case]:
    found = [Case("Q1", "list", size) for size in map(int, args.page_sizes.split(","))]
    found += [Case("Q2", "detail", None), Case("Q3", "list", 50), Case("Q3w", "list", 50)]
    for operation, document in zip(("Q4", "Q5"), ops.LIST_DOCUMENTS, strict=True):
        if document in ops.QUERIES[ops.dialect(name)]:
            found += [Case(operation, document, size) for size in map(int, args.list_page_sizes.split(","))]
    if name == ops.GATEWAY:  # the baselines are read-only; writes are measured on one process only
        found += [Case("M1", ops.GATEWAY_CREATE, None), Case("M2", ops.GATEWAY_MOVE, None)]
    wanted = args.operations.split(",")
    return [case for case in found if case.operation in wanted]


def _spec(
    server: Server,
    name: str,
    case: Case,
    fixtures: Fixtures,
    cursors: list[str],
    concurrency: int,
    args: argparse.Namespace,
    walked: int = 0,
) -> dict[str, Any]:
    document = ops.QUERIES[ops.dialect(name)].get(case.document, case.document)
    variables = _variables(name, case, fixtures, cursors[-1] if cursors else None)
    if case.operation == "Q3w":
        variables = {"kind": "cursors", "value": variables["value"], "cursors": cursors}
        variables["start"] = _walk_start(len(cursors), walked, args)
    return {
        "url": server.graphql_url,
        "headers": server.headers,
        "query": document,
        "variables": variables,
        "concurrency": concurrency,
        "seconds": args.seconds,
        "rounds": args.rounds,
        "warmup_seconds": args.warmup_seconds,
    }


def _walk_start(cursors: int, walked: int, args: argparse.Namespace) -> int:
    """Where the ``walked``-th Q3w measurement of a system starts in its list of cursors: each of
    its measurements (rounds x concurrencies) at the start of a part of the list of its own, so that a
    client walking the list sends cursors the server has not seen yet (a server keeping something per
    cursor gains little), and every system at the same place, so that they serve the same pages. A
    measurement that sends more requests than its part holds runs on into the next part: those cursors
    come again in the next measurement."""
    measurements = max(1, args.rounds) * len(args.concurrency.split(","))
    return (walked % measurements) * (cursors // measurements)


def _variables(name: str, case: Case, fixtures: Fixtures, cursor: str | None) -> dict[str, Any]:
    if case.operation == "M1":
        return {"kind": "contact_create"}
    if case.operation == "M2":
        leads = [encode_global_id("Lead", lead) for lead in fixtures.leads]
        stages = [encode_global_id("Stage", stage) for stage in fixtures.stages]
        return {"kind": "lead_move", "leads": leads, "stages": stages}
    speaks = ops.dialect(name)
    value: dict[str, Any] = {"tenant": TENANT} if speaks == ops.POSTGRAPHILE else {}
    if case.operation == "Q2":
        value["id"] = (
            encode_global_id("Contact", fixtures.contact) if speaks == ops.GATEWAY else str(fixtures.contact)
        )
    else:
        value["first"] = case.page_size
        if case.operation in ("Q3", "Q3w"):  # Q3w: each request after another cursor (``_spec``)
            value["after"] = cursor
    return {"kind": "fixed", "value": value}


def walk_far(server: Server, name: str, far: int) -> list[str]:
    """The cursors of the list's first ``far`` rows, in order, reached by pages of 200 (once, before
    measuring): Q3 starts after the last; Q3w sends each of them in turn, a new one each request."""
    cursor: str | None = None
    found: list[str] = []
    name = ops.dialect(name)
    extra = {"tenant": TENANT} if name == ops.POSTGRAPHILE else {}
    with httpx.Client(headers=server.headers, timeout=120) as client:
        for _ in range(far // 200):
            variables = {**extra, "first": 200, "after": cursor}
            body = client.post(
                server.graphql_url, json={"query": ops.CURSOR_WALK[name], "variables": variables}
            )
            data = body.json()
            if data.get("errors"):
                raise SystemExit(f"{name}: walking the list failed: {data['errors']}")
            connection = next(iter(data["data"].values()))
            found += [edge["cursor"] for edge in connection["edges"]]
            cursor = connection["pageInfo"]["endCursor"]
    return found


def measure(server: Server, name: str, case: Case, concurrency: int, spec: dict[str, Any]) -> Measurement:
    server.reset_peak_rss()
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "bench.load"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(
            f"load generator failed after {time.perf_counter() - started:.0f} s:\n{completed.stderr}"
        )
    result = json.loads(completed.stdout)
    latencies = sorted(result["latencies"])
    return Measurement(
        system=name,
        operation=case.operation,
        page_size=case.page_size,
        concurrency=concurrency,
        requests=len(latencies),
        errors=result["errors"],
        throughput=len(latencies) / result["elapsed"] if result["elapsed"] else 0.0,
        p50_ms=_percentile(latencies, 50),
        p99_ms=_percentile(latencies, 99),
        sql_per_request=_mean(result["sql_statements"]),
        upstream_per_request=_mean(result["upstream_calls"]),
        peak_rss_mib=server.peak_rss_mib(),
        first_error=result["first_error"],
    )


def _percentile(sorted_values: list[float], percent: int) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, round(percent / 100 * (len(sorted_values) - 1)))
    return sorted_values[index] * 1000


def _mean(values: list[int]) -> float | None:
    return statistics.fmean(values) if values else None


def _line(m: Measurement) -> str:
    size = f" first={m.page_size}" if m.page_size else ""
    error = f" errors={m.errors} ({m.first_error})" if m.errors else ""
    return (
        f"{m.system:<15} {m.operation}{size} c={m.concurrency}: {m.throughput:.1f} req/s, "
        f"p50 {_fmt(m.p50_ms)} ms, p99 {_fmt(m.p99_ms)} ms, sql {_fmt(m.sql_per_request)}, "
        f"rss {_fmt(m.peak_rss_mib)} MiB{error}"
    )


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def machine(dataset: Dataset) -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpu": _cpu_model(),
        "cores": _cpu_count(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
    }
    info["sqlite"] = sqlite3.sqlite_version
    if dataset.database == "postgresql":
        rows = asyncio.run(systems.fetch_rows(dataset.owner_url, "SHOW server_version"))
        info["postgresql"] = str(rows[0][0])
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        info["node"] = subprocess.run(
            ["node", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
    package = systems.POSTGRAPHILE_DIR / "node_modules" / "postgraphile" / "package.json"
    if package.exists():
        info["postgraphile"] = json.loads(package.read_text())["version"]
    return info


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


def _memory_gib() -> float:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


if __name__ == "__main__":
    raise SystemExit(main())
