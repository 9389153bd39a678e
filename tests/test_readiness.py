"""``/readyz``: ready while the database (and Redis, when configured) answers at the latest migration;
503 with the failing check named otherwise. ``/healthz`` stays 200: the process itself is fine."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from conftest import SECRET, token_for
from fault_proxy import FaultProxy, fault_proxy
from gateway.backends.sql.engine import create_engine
from gateway.health import Readiness
from gateway.settings import load_settings
from metrics_support import scrape, value
from servers import free_port, gateway_server


@pytest.fixture(scope="module")
def proxy(postgres_url: str) -> Iterator[FaultProxy]:
    with fault_proxy(make_url(postgres_url).port or 5432) as running:
        yield running


@pytest.fixture(scope="module")
def server(proxy: FaultProxy, postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # ssl=disable: the proxy reads PostgreSQL's messages, which TLS would hide
    through_proxy = make_url(postgres_url).set(host="127.0.0.1", port=proxy.port, query={"ssl": "disable"})
    env = {
        "CRM_GATEWAY_JWT_SECRET": SECRET,
        "CRM_GATEWAY_DATABASE_URL": through_proxy.render_as_string(hide_password=False),
    }
    with gateway_server(tmp_path_factory.mktemp("readiness"), env) as base:
        yield base


def _ready(base: str) -> httpx.Response:
    return httpx.get(f"{base}/readyz", timeout=10)


def _until(base: str, status: int) -> httpx.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        response = _ready(base)
        if response.status_code == status:
            return response
        time.sleep(0.2)
    raise AssertionError(f"/readyz never answered {status}: {response.text}")


def test_readiness_follows_the_database(server: str, proxy: FaultProxy) -> None:
    ready = _ready(server)
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ready"
    assert ready.json()["checks"]["database"]["ok"] is True
    assert ready.json()["checks"]["migrations"]["ok"] is True
    proxy.refuse()
    try:
        down = _until(server, 503).json()
        assert down["status"] == "unavailable"
        assert down["checks"]["database"]["ok"] is False
        assert "postgres" not in str(down)  # no URL, user or driver message
        assert httpx.get(f"{server}/healthz").status_code == 200
        _an_outage_is_counted_under_its_code(server)
    finally:
        proxy.restore()
    assert _until(server, 200).json()["checks"]["database"]["ok"] is True


def _an_outage_is_counted_under_its_code(base: str) -> None:
    token = token_for(load_settings(jwt_secret=SECRET), "demo")
    headers = {"Authorization": f"Bearer {token}"}
    query = {"query": "{ contacts { totalCount } }"}
    body = httpx.post(f"{base}/graphql", json=query, headers=headers).json()
    code = body["errors"][0]["extensions"]["code"]
    assert value(scrape(base), "crm_gateway_graphql_errors_total", code=code) >= 1


async def _readiness(**overrides: Any) -> tuple[int, dict[str, Any]]:
    settings = load_settings(jwt_secret=SECRET, **overrides)
    engine = create_engine(settings.database_url)
    readiness = Readiness(settings, engine, None)
    try:
        response = await readiness.respond(None)  # type: ignore[arg-type]
    finally:
        await readiness.close()
        await engine.dispose()
    return response.status_code, json.loads(bytes(response.body))


async def test_a_database_behind_the_latest_migration_is_not_ready(tmp_path: Path) -> None:
    status, body = await _readiness(database_url=f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    assert status == 503
    assert body["checks"]["database"]["ok"] is True
    assert "db upgrade" in body["checks"]["migrations"]["error"]


async def test_redis_is_checked_when_configured(sqlite_url: str, redis_url: str) -> None:
    status, body = await _readiness(database_url=sqlite_url, redis_url=redis_url)
    assert status == 200 and body["checks"]["redis"]["ok"] is True
    status, body = await _readiness(database_url=sqlite_url, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    assert status == 503 and body["checks"]["redis"]["ok"] is False
