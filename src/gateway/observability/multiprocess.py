"""``serve --workers N``: the workers' metrics in one place, so that any worker's scrape covers all.

``prometheus_client`` picks its multiprocess mode from ``PROMETHEUS_MULTIPROC_DIR`` when it is first
imported, so the directory must be in the environment before the workers start. ``serve`` makes a
fresh one per run (old files would add a previous run's counts) and removes it when the run ends; a
directory the operator set is used as it is, and left alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def metrics_directory() -> Iterator[str]:
    given = os.environ.get(VARIABLE)
    if given:
        yield given
        return
    path = tempfile.mkdtemp(prefix="crm-gateway-metrics-")
    os.environ[VARIABLE] = path
    try:
        yield path
    finally:
        os.environ.pop(VARIABLE, None)
        shutil.rmtree(path, ignore_errors=True)


def worker_exited(pid: int | None) -> None:
    """Drop a dead worker's live gauges (open WebSockets, subscriptions) from the sums."""
    if pid is not None and os.environ.get(VARIABLE):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
