"""Write ``docs/performance.md`` and ``docs/performance.png`` from ``var/bench/results-*.json``.

``python -m bench.report`` re-renders the page from the last results of each database without
measuring again; ``python -m bench.run`` calls it at its end.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from typing import Any

from bench.operations import COUNTERPART, GATEWAYS, SYSTEMS
from bench.systems import ROOT, VAR

DOCS = ROOT / "docs"
PAGE = DOCS / "performance.md"
# Written by hand (what the profiles showed, what each change gained); appended to the page as is.
FINDINGS = ROOT / "bench" / "findings.md"
INTERNALS = ROOT / "bench" / "internals.md"  # how to run the suite, and what the gateway does for speed
CHART = DOCS / "performance.png"
OPERATIONS = {
    "Q1": "contact list page: contacts(first: N) with emails, accounts(3), leads(5) + stage, "
    "tasks(5) + assignee",
    "Q2": "one contact in full detail (every relation)",
    "Q3": "Q1's selection, first: 50, after a cursor ~5,000 rows into the list",
    "Q3w": "Q3 walking: Q1's selection, first: 50, each request after another cursor of the list's first "
    "~5,000 rows (a client paging through it: cursors the server has not seen before)",
    "Q4": "account list page: accounts(first: N) with contacts(5) and leads(5) + stage",
    "Q5": "task list page: tasks(first: N) with lead, contact and assignee",
    "M1": "contactCreate (fresh input per request)",
    "M2": "leadMoveToStage (alternating stages over 200 leads)",
}

Key = tuple[str, str, int | None, int]  # system, operation, page size, concurrency


# What the ``bench`` extra of pyproject.toml installs besides the test extra: the report's chart needs it.
BENCH_EXTRA = ("matplotlib",)
INSTALL_HINT = "pip install -e '.[bench]'"


def missing_extra() -> list[str]:
    """The packages of the ``bench`` extra that are not installed."""
    return [name for name in BENCH_EXTRA if importlib.util.find_spec(name) is None]


def load_results() -> list[dict[str, Any]]:
    return [json.loads(path.read_text()) for path in sorted(VAR.glob("results-*.json"))]


def index(results: dict[str, Any]) -> dict[Key, dict[str, Any]]:
    return {
        (m["system"], m["operation"], m["page_size"], m["concurrency"]): m for m in results["measurements"]
    }


def _num(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def _ratio(mine: float | None, theirs: float | None) -> str:
    if not mine or not theirs:
        return "n/a"
    return f"{mine / theirs:.2f}x"


def table(results: dict[str, Any]) -> list[str]:
    found = index(results)
    lines = [
        "| op | page | conc | system | req/s | p50 ms | p99 ms | SQL/req | upstream/req | peak RSS MiB "
        "| req/s vs naive | req/s vs PostGraphile |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (system, operation, size, concurrency), m in sorted(found.items(), key=_order):
        versus = ("", "")
        if system in GATEWAYS:
            naive = found.get(("naive", operation, size, concurrency))
            graphile = found.get((COUNTERPART[system], operation, size, concurrency))
            versus = (
                _ratio(m["throughput"], naive["throughput"] if naive else None),
                _ratio(m["throughput"], graphile["throughput"] if graphile else None),
            )
        error = f" ({m['errors']} errors)" if m["errors"] else ""
        lines.append(
            f"| {operation} | {size or ''} | {concurrency} | {system}{error} | {_num(m['throughput'])} "
            f"| {_num(m['p50_ms'])} | {_num(m['p99_ms'])} | {_num(m['sql_per_request'])} "
            f"| {_num(m['upstream_per_request'])} | {_num(m['peak_rss_mib'], 0)} "
            f"| {versus[0]} | {versus[1]} |"
        )
    return lines


def _order(item: tuple[Key, dict[str, Any]]) -> tuple[str, int, int, int]:
    (system, operation, size, concurrency), _ = item
    return (operation, size or 0, concurrency, SYSTEMS.index(system))


def targets(results: dict[str, Any]) -> list[str]:
    """The issue's targets, checked against this run's figures."""
    found = index(results)
    lines = []
    sizes = sorted({k[2] for k in found if k[0] == "gateway" and k[1] == "Q1" and k[2]})
    counts = [
        found[("gateway", "Q1", s, 1)]["sql_per_request"] for s in sizes if ("gateway", "Q1", s, 1) in found
    ]
    lines.append(
        f"- Q1 statements per request at page sizes {sizes}: {[_num(v) for v in counts]} (target: constant)"
    )
    q2 = found.get(("gateway", "Q2", None, 1))
    lines.append(f"- Q2 statements per request: {_num(q2['sql_per_request'] if q2 else None)}")
    for concurrency in (1, 8):
        mine = found.get(("gateway", "Q1", 50, concurrency))
        naive = found.get(("naive", "Q1", 50, concurrency))
        if mine and naive:
            ratio = _ratio(mine["throughput"], naive["throughput"])
            lines.append(
                f"- Q1 (first: 50) throughput vs plain resolvers, concurrency {concurrency}: {ratio} "
                "(target >= 10x on PostgreSQL)"
            )
        for operation, size in (("Q1", 50), ("Q2", None), ("Q3", 50), ("Q3w", 50)):
            lines += _versus_postgraphile(found, operation, size, concurrency)
    q1, q3 = found.get(("gateway", "Q1", 50, 1)), found.get(("gateway", "Q3", 50, 1))
    if q1 and q3 and q1["p50_ms"] and q3["p50_ms"]:
        # The deep page's contacts have more related rows than the first page's, so PostGraphile's
        # own ratio on the same two pages says how much of the gateway's is the data, not the paging.
        theirs = _p50_ratio(
            found.get(("postgraphile", "Q3", 50, 1)), found.get(("postgraphile", "Q1", 50, 1))
        )
        context = f"; PostGraphile on the same pages: {theirs:.2f}" if theirs is not None else ""
        lines.append(
            f"- Q3 p50 / Q1 (first: 50) p50 at concurrency 1: {q3['p50_ms'] / q1['p50_ms']:.2f} "
            f"(target <= 1.20{context})"
        )
    return lines


def _p50_ratio(deep: dict[str, Any] | None, first: dict[str, Any] | None) -> float | None:
    if not deep or not first or not deep["p50_ms"] or not first["p50_ms"]:
        return None
    return float(deep["p50_ms"] / first["p50_ms"])


def _versus_postgraphile(
    found: dict[Key, dict[str, Any]], operation: str, size: int | None, concurrency: int
) -> list[str]:
    """Like for like (one process each, two each), then each server in its faster configuration."""
    measured = {
        system: found[(system, operation, size, concurrency)]["throughput"]
        for system in SYSTEMS
        if (system, operation, size, concurrency) in found
    }
    pairs = [
        (mine, COUNTERPART[mine]) for mine in GATEWAYS if mine in measured and COUNTERPART[mine] in measured
    ]
    parts = [f"{_ratio(measured[mine], measured[theirs])} ({mine} / {theirs})" for mine, theirs in pairs]
    if len(pairs) > 1:
        best = max(measured[mine] for mine, _ in pairs) / max(measured[theirs] for _, theirs in pairs)
        parts.append(f"{best:.2f}x (each server's faster configuration)")
    if not parts:
        return []
    versus = ", ".join(parts)
    return [f"- {operation} throughput vs PostGraphile, concurrency {concurrency}: {versus} (target >= 0.5x)"]


def machine(results: dict[str, Any]) -> str:
    m = results["machine"]
    parts = [f"{m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB RAM", m["os"], f"Python {m['python']}"]
    parts.append(f"SQLite {m['sqlite']}")
    if "postgresql" in m:
        parts.append(f"PostgreSQL {m['postgresql']}")
    if "node" in m:
        parts.append(f"Node {m['node']}")
    if "postgraphile" in m:
        parts.append(f"PostGraphile {m['postgraphile']}")
    return "; ".join(parts)


def page(all_results: list[dict[str, Any]]) -> str:
    lines = [
        "# Performance",
        "",
        "Written by `python -m bench.report` from the last run of the benchmark suite (`bench/`, see",
        "[Running the benchmarks](#running-the-benchmarks)). Systems: **gateway** (this project,",
        "`crm-gateway serve`), **naive** (baseline a:",
        "the same tables behind plain Strawberry resolvers without loaders, `bench/baselines/naive.py`),",
        "**postgraphile** (baseline b: PostGraphile 4 over the same PostgreSQL data, `bench/postgraphile/`).",
        "**gateway-2w** and **postgraphile-2w** are the same two servers as two processes each",
        "(`crm-gateway serve --workers 2` with Redis, PostGraphile's `--cluster-workers 2`).",
        "Each server runs in its own process(es); the load generator (`bench/load.py`, httpx) in another.",
        "Ratios are a gateway's throughput divided by the baseline's for the same operation, page size",
        "and concurrency: gateway against postgraphile, gateway-2w against postgraphile-2w.",
        "",
        "Operations:",
        "",
        *[f"- **{name}**: {text}" for name, text in OPERATIONS.items()],
        "",
        "> **These figures are noisy.** The run that produced them shared a 2-core machine with other",
        "> work, and the load generator competes with the server for those cores. Re-run the command on",
        "> a quiet machine before drawing conclusions; compare ratios, not absolute numbers.",
        "",
        f"![throughput and statements per request]({CHART.name})",
        "",
    ]
    for results in all_results:
        note = [f"> **{results['note']}**", ""] if results.get("note") else []
        lines += [
            f"## {results['database']} ({results['contacts']:,} contacts)",
            "",
            *note,
            f"- Command: `{results['command']}`",
            f"- Machine: {machine(results)}",
            f"- Each case: {_rounds(results)}{results['seconds']} s measured after a warm-up (a slow request",
            "  started in the window is waited for and counted). Peak RSS is the server process's VmHWM,",
            "  reset to the current RSS before each case: it never drops below what earlier cases left",
            "  resident.",
            "  PostGraphile reports no statement count (n/a); it compiles each query to one SQL statement.",
            "",
            "Targets of issue 6, as this run measured them:",
            "",
            *targets(results),
            "",
            *table(results),
            "",
        ]
    for written_by_hand in (INTERNALS, FINDINGS):
        if written_by_hand.exists():
            lines += [_without_comments(written_by_hand.read_text()).rstrip(), ""]
    return "\n".join(lines)


def _without_comments(text: str) -> str:
    return re.sub(r"<!--.*?-->\n?", "", text, flags=re.DOTALL)


def _rounds(results: dict[str, Any]) -> str:
    rounds = results.get("rounds") or 1
    if rounds == 1:
        return ""
    return (
        f"{rounds} rounds, taken in turn with the other systems' rounds, of which the one of median "
        "throughput is shown (every round's throughput is in the results file); each round "
    )


def chart(all_results: list[dict[str, Any]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(len(all_results), 2, figsize=(13, 4.5 * len(all_results)), squeeze=False)
    for row, results in enumerate(all_results):
        found = index(results)
        _throughput(axes[row][0], found, results["database"])
        _statements(axes[row][1], found, results["database"])
    figure.tight_layout()
    figure.savefig(CHART, dpi=90)
    plt.close(figure)


def _throughput(axis: Any, found: dict[Key, dict[str, Any]], database: str) -> None:
    cases = [
        ("Q1", 10),
        ("Q1", 50),
        ("Q1", 200),
        ("Q2", None),
        ("Q3", 50),
        ("Q3w", 50),
        ("Q4", 50),
        ("Q5", 50),
    ]
    cases += [("M1", None), ("M2", None)]
    width = 0.8 / len(SYSTEMS)
    for offset, system in enumerate(SYSTEMS):
        values = [(found.get((system, op, size, 8)) or {}).get("throughput", 0.0) for op, size in cases]
        if any(values):
            positions = [i + (offset - (len(SYSTEMS) - 1) / 2) * width for i in range(len(cases))]
            axis.bar(positions, values, width, label=system)
    axis.set_xticks(range(len(cases)), [f"{op}" + (f"\n{size}" if size else "") for op, size in cases])
    axis.set_ylabel("requests/s (concurrency 8)")
    axis.set_yscale("log")
    axis.set_title(f"{database}: throughput per operation")
    if axis.get_legend_handles_labels()[0]:
        axis.legend()


def _statements(axis: Any, found: dict[Key, dict[str, Any]], database: str) -> None:
    for system in ("gateway", "naive"):
        points = sorted(
            (size, m["sql_per_request"])
            for (s, op, size, c), m in found.items()
            if s == system and op == "Q1" and c == 1 and size and m["sql_per_request"] is not None
        )
        if points:
            axis.plot([p[0] for p in points], [p[1] for p in points], marker="o", label=system)
    axis.set_xlabel("Q1 page size (first)")
    axis.set_ylabel("SQL statements per request")
    axis.set_yscale("log")
    axis.set_title(f"{database}: statements per request vs page size")
    if axis.get_legend_handles_labels()[0]:
        axis.legend()


def main(argv: list[str] | None = None) -> int:
    all_results = load_results()
    if not all_results:
        print(f"no results in {VAR}: run python -m bench.run first", file=sys.stderr)
        return 1
    DOCS.mkdir(exist_ok=True)
    PAGE.write_text(page(all_results))  # first: a missing chart library must not lose the tables
    if missing_extra():
        print(
            f"wrote {PAGE.relative_to(ROOT)}; {CHART.relative_to(ROOT)} left as it was: "
            f"{', '.join(missing_extra())} not installed ({INSTALL_HINT})",
            file=sys.stderr,
        )
        return 0
    chart(all_results)
    print(f"wrote {PAGE.relative_to(ROOT)} and {CHART.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
