"""``python -m bench.run`` and ``bench.report`` without matplotlib (the ``bench`` extra): the run refuses
to start, rather than fail after measuring, and the report still writes the page, without the chart."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the bench package, at the repository's root
from bench import report, run

RESULTS = {
    "command": "python -m bench.run --database sqlite",
    "database": "sqlite",
    "contacts": 10,
    "seconds": 1,
    "rounds": 1,
    "machine": {"cpu": "test", "cores": 2, "memory_gib": 1, "os": "Linux", "python": "3", "sqlite": "3"},
    "measurements": [
        {
            "system": "gateway",
            "operation": "Q1",
            "page_size": 10,
            "concurrency": 1,
            "requests": 10,
            "errors": 0,
            "throughput": 100.0,
            "p50_ms": 5.0,
            "p99_ms": 9.0,
            "sql_per_request": 1.0,
            "upstream_per_request": 0.0,
            "peak_rss_mib": 100.0,
            "first_error": None,
        }
    ],
}


@pytest.fixture
def without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import fails, find_spec finds nothing


@pytest.fixture
def report_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "results-sqlite.json").write_text(json.dumps(RESULTS))
    monkeypatch.setattr(report, "ROOT", tmp_path)
    monkeypatch.setattr(report, "VAR", tmp_path / "var")
    monkeypatch.setattr(report, "DOCS", tmp_path / "docs")
    monkeypatch.setattr(report, "PAGE", tmp_path / "docs" / "performance.md")
    monkeypatch.setattr(report, "CHART", tmp_path / "docs" / "performance.png")
    return tmp_path


@pytest.mark.usefixtures("without_matplotlib")
def test_the_report_writes_the_page_without_matplotlib_and_says_the_chart_is_left(
    report_in: Path, capsys: Any
) -> None:
    assert report.main([]) == 0
    assert "python -m bench.run --database sqlite" in (report_in / "docs" / "performance.md").read_text()
    assert not (report_in / "docs" / "performance.png").exists()
    assert "matplotlib not installed (pip install -e '.[bench]')" in capsys.readouterr().err


@pytest.mark.usefixtures("without_matplotlib")
def test_the_benchmark_refuses_to_start_without_the_bench_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    def no_dataset(*_args: Any) -> None:
        raise AssertionError("the benchmark started")

    monkeypatch.setattr(run.systems, "prepare_dataset", no_dataset)
    assert run.main(["--database", "sqlite"]) == 2
    assert (
        "bench.run needs matplotlib (the bench extra): pip install -e '.[bench]'" in capsys.readouterr().err
    )


def test_with_matplotlib_the_report_draws_the_chart_too(report_in: Path) -> None:
    pytest.importorskip("matplotlib", reason="the bench extra is not installed here")
    assert report.main([]) == 0
    assert (report_in / "docs" / "performance.png").stat().st_size > 0
