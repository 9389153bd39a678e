"""Memory under distinct large documents: one caller sends N different ~16 KB queries.

    .venv/bin/python bench/memory.py --queries 3000

Starts ``crm-gateway serve --demo`` (uvicorn, SQLite in a temporary folder) and sends, one after
another, documents of ``--size`` characters that each hold several operations over the lists of the
graph (every scalar field of their nodes, pretty-printed as clients send them) and run one of them.
No two documents are equal, so each is parsed, validated, estimated and planned anew, and each cache
keyed by documents meets a new entry every time. Prints the server's resident memory (VmRSS of its
process, from ``/proc``) every ``--every`` queries; with ``--json`` the curve as one JSON object.

Before the caches were bounded by bytes, the process grew ~1.2 MB per query (133 MB to 4.2 GB after
3,500); see docs/performance.md for the curve now.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import cache
from pathlib import Path

import graphql
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from gateway.auth import mint_token  # noqa: E402
from gateway.settings import load_settings  # noqa: E402

sys.path.insert(0, str(ROOT))
from bench.systems import BIN, SECRET, VAR, free_port, gateway_env, running  # noqa: E402

LISTS = ("contacts", "accounts", "leads", "communications", "users", "tasks")


@cache
def _schema() -> graphql.GraphQLSchema:
    return graphql.build_schema((ROOT / "schema.graphql").read_text())


def _scalar_fields(list_field: str) -> list[str]:
    schema = _schema()
    assert schema.query_type is not None
    connection = graphql.get_named_type(schema.query_type.fields[list_field].type)
    edges = graphql.get_named_type(connection.fields["edges"].type)  # type: ignore[union-attr]
    node = graphql.get_named_type(edges.fields["node"].type)  # type: ignore[union-attr]
    return [
        name
        for name, field in node.fields.items()  # type: ignore[union-attr]
        if not field.args and graphql.is_leaf_type(graphql.get_named_type(field.type))
    ]


def _operation(name: str, list_field: str) -> str:
    fields = "".join(f"        {field}\n" for field in _scalar_fields(list_field))
    return (
        f"query {name} {{\n  {list_field}(first: 2) {{\n    totalCount\n    edges {{\n      node {{\n"
        f"{fields}      }}\n    }}\n  }}\n}}\n"
    )


def distinct_document(number: int, size: int = 16_384) -> tuple[str, str]:
    """(a document of about ``size`` characters that no other number gives, the operation to run)."""
    operations: list[str] = []
    while sum(map(len, operations)) < size - 600:
        operations.append(
            _operation(f"Memory{number}x{len(operations)}", LISTS[len(operations) % len(LISTS)])
        )
    return "\n".join(operations), f"Memory{number}x0"


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MiB (VmRSS in /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


@contextmanager
def gateway(env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """``crm-gateway serve --demo`` on a free port, SQLite in a temporary folder: (base URL, its pid)."""
    port = free_port()
    VAR.mkdir(parents=True, exist_ok=True)  # for the server's log
    command = [str(BIN / "crm-gateway"), "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)]
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite+aiosqlite:///{Path(folder) / 'memory.db'}"
        # A loaded machine must not turn a slow query into a failed run: the curve is what is measured.
        patient = {"CRM_GATEWAY_EXECUTION_TIMEOUT_SECONDS": "300", **env}
        environment = gateway_env(CRM_GATEWAY_DATABASE_URL=database, **patient)
        with running("memory", command, environment, port, "/healthz") as server:
            yield server.base_url, server.process.pid


def run(queries: int, size: int, every: int, env: dict[str, str]) -> dict[str, object]:
    """Sends the documents; the RSS curve as {"queries": [...], "rssMb": [...]} and the settings used."""
    settings = load_settings(jwt_secret=SECRET)
    token = mint_token(settings, "memory-bench", "demo", ["CRM_ALL", "CUST_ALL"], timedelta(hours=2))
    counts: list[int] = []
    curve: list[float] = []
    with gateway(env) as (base, pid), httpx.Client(base_url=base, timeout=60) as client:
        headers = {"Authorization": f"Bearer {token}"}
        started = time.monotonic()
        for number in range(queries + 1):
            if number % every == 0:
                counts.append(number)
                curve.append(round(rss_mb(pid), 1))
                print(f"{number:6d} queries  RSS {curve[-1]:8.1f} MiB", file=sys.stderr, flush=True)
            if number == queries:
                break
            document, operation = distinct_document(number, size)
            response = client.post(
                "/graphql", json={"query": document, "operationName": operation}, headers=headers
            )
            if response.status_code != 200 or "errors" in response.json():
                raise RuntimeError(f"query {number} failed: {response.text[:300]}")
        seconds = time.monotonic() - started
    return {"queries": counts, "rssMb": curve, "size": size, "seconds": round(seconds, 1), "env": env}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--size", type=int, default=16_384, help="characters per document")
    parser.add_argument("--every", type=int, default=250, help="queries between RSS readings")
    parser.add_argument("--json", action="store_true", help="print the curve as one JSON object")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the gateway, repeatable")
    args = parser.parse_args()
    env = dict(item.split("=", 1) for item in args.env)
    result = run(args.queries, args.size, args.every, env)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{args.queries} distinct documents of {args.size} characters in {result['seconds']} s")
        print(f"RSS {result['rssMb'][0]} MiB -> {result['rssMb'][-1]} MiB")  # type: ignore[index]


if __name__ == "__main__":
    main()
