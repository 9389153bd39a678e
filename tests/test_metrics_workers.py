"""``serve --workers 2``: a scrape of either worker reports the requests both served, from metric files
in a directory the gateway makes for the run and removes at its end."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from conftest import SECRET, token_for
from gateway.settings import load_settings
from metrics_support import scrape, value
from servers import gateway_server

REQUESTS = 20


def test_every_scrape_counts_the_requests_of_all_workers(
    redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("workers")
    scratch = folder / "tmp"
    scratch.mkdir()
    env = {
        "CRM_GATEWAY_JWT_SECRET": SECRET,
        "CRM_GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'server.db'}",
        "CRM_GATEWAY_REDIS_URL": redis_url,
        "TMPDIR": str(scratch),  # where the run's metrics directory goes
    }
    token = token_for(load_settings(jwt_secret=SECRET), "demo")
    with gateway_server(folder, env, "--workers", "2") as base:
        for _ in range(REQUESTS):  # a connection each: the kernel spreads them over both workers
            response = httpx.post(
                f"{base}/graphql",
                json={"query": "{ me { subject } }"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 200
        scrapes = [scrape(base) for _ in range(6)]
        directories = _metrics_directories(scratch)
        assert len(directories) == 1 and any(directories[0].iterdir())
    for samples in scrapes:
        assert value(samples, "crm_gateway_responses_total", status="200") >= REQUESTS
        timed = value(samples, "crm_gateway_request_duration_seconds_count", operation="(anonymous)")
        assert timed >= REQUESTS
    assert _metrics_directories(scratch) == []  # removed when serve ended


def _metrics_directories(folder: Path) -> list[Path]:
    return sorted(folder.glob("crm-gateway-metrics-*"))
