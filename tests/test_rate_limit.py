"""Per-principal rate limiting: in memory, shared through a real Redis, and with Redis unreachable.

The refill rate is set so low (one token per ~17 minutes) that no test depends on timing: a bucket of
``burst`` tokens lets exactly ``burst`` requests through.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import SECRET, Client, token_for
from factories import assert_clean_error
from gateway.app import create_app
from gateway.ratelimit import MemoryBuckets
from gateway.settings import Settings, load_settings
from servers import demo_documents, free_port, wait_until_healthy

ME = "{ me { subject } }"
SLOW_REFILL = 0.001  # tokens per second


@asynccontextmanager
async def rate_limited_app(
    database_url: str, **overrides: Any
) -> AsyncIterator[tuple[Settings, httpx.AsyncClient]]:
    values = {"rate_limit_per_second": SLOW_REFILL, "rate_limit_burst": 3} | overrides
    settings = load_settings(database_url=database_url, jwt_secret=SECRET, **values)
    app = create_app(settings)
    view = app.state.view  # closes its Redis clients
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            yield settings, http
    finally:
        await view.close()
        await app.state.engine.dispose()


async def _me(client: Client) -> httpx.Response:
    return await client.post(ME)


def assert_rate_limited(response: httpx.Response) -> None:
    body = assert_clean_error(response)
    assert response.status_code == 429, body
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert body["extensions"]["cost"]["sqlStatements"] == 0
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 1 / SLOW_REFILL + 1
    assert f"retry in {retry_after} s" in body["errors"][0]["message"]


def test_a_bucket_lets_burst_requests_through_then_refuses() -> None:
    buckets = MemoryBuckets(rate=SLOW_REFILL, burst=2)
    assert [buckets.take("a").allowed for _ in range(3)] == [True, True, False]
    assert buckets.take("b").allowed
    refused = buckets.take("a")
    assert not refused.allowed and refused.retry_after_seconds > 0


async def test_in_memory_limit_is_per_principal(database_url: str, tenant: str) -> None:
    async with rate_limited_app(database_url) as (settings, http):
        caller = Client(http, token_for(settings, tenant))
        for _ in range(3):
            assert (await _me(caller)).status_code == 200
        assert_rate_limited(await _me(caller))
        # another subject of the same tenant and the same subject in another tenant have their own buckets
        colleague = Client(http, token_for(settings, tenant, subject="colleague"))
        elsewhere = Client(http, token_for(settings, f"o{uuid.uuid4().hex[:8]}"))
        assert (await _me(colleague)).status_code == 200
        assert (await _me(elsewhere)).status_code == 200


async def test_a_refused_request_runs_nothing(database_url: str, tenant: str) -> None:
    create = 'mutation { contactCreate(input: {firstName: "Rate", lastName: "Limited"}) { errors { code } } }'
    async with rate_limited_app(database_url, rate_limit_burst=1) as (settings, http):
        caller = Client(http, token_for(settings, tenant))
        await caller.execute("{ contacts { totalCount } }")
        assert_rate_limited(await caller.post(create))
    async with rate_limited_app(database_url) as (settings, http):
        count = await Client(http, token_for(settings, tenant)).execute("{ contacts { totalCount } }")
        assert count["data"]["contacts"]["totalCount"] == 0


async def test_rate_limiting_can_be_turned_off(database_url: str, tenant: str) -> None:
    async with rate_limited_app(database_url, rate_limit_per_second=0, rate_limit_burst=1) as (
        settings,
        http,
    ):
        caller = Client(http, token_for(settings, tenant))
        for _ in range(5):
            assert (await _me(caller)).status_code == 200


async def test_anonymous_callers_are_limited_by_client_address(database_url: str) -> None:
    """In development GraphiQL's introspection needs no token; its caller is known by address only."""
    introspection = {"query": "{ __schema { queryType { name } } }"}
    async with rate_limited_app(database_url, rate_limit_burst=2) as (_, http):
        for _ in range(2):
            assert (await http.post("/graphql", json=introspection)).status_code == 200
        assert_rate_limited(await http.post("/graphql", json=introspection))


async def test_replicas_share_one_bucket_through_redis(
    database_url: str, redis_url: str, tenant: str
) -> None:
    async with (
        rate_limited_app(database_url, redis_url=redis_url) as (settings, first),
        rate_limited_app(database_url, redis_url=redis_url) as (_, second),
    ):
        token = token_for(settings, tenant)
        on_first, on_second = Client(first, token), Client(second, token)
        assert (await _me(on_first)).status_code == 200
        assert (await _me(on_second)).status_code == 200
        assert (await _me(on_first)).status_code == 200
        assert_rate_limited(await _me(on_second))
        assert_rate_limited(await _me(on_first))


async def test_unreachable_redis_falls_back_to_the_replicas_own_bucket(
    database_url: str, tenant: str, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = f"redis://:secret-password@127.0.0.1:{free_port()}/0"
    with caplog.at_level(logging.WARNING, logger="gateway.ratelimit"):
        async with rate_limited_app(database_url, redis_url=unreachable, rate_limit_burst=2) as (
            settings,
            http,
        ):
            caller = Client(http, token_for(settings, tenant))
            assert (await _me(caller)).status_code == 200
            assert (await _me(caller)).status_code == 200
            assert_rate_limited(await _me(caller))
    warnings = [r.getMessage() for r in caplog.records if r.name == "gateway.ratelimit"]
    assert len(warnings) == 1, warnings  # once, not once per request
    assert "Redis unavailable" in warnings[0]
    assert "secret-password" not in caplog.text


# --- against a real uvicorn server ----------------------------------------------------------------


@contextmanager
def running_server(tmp_path: Path, **settings: str) -> Iterator[str]:
    """``crm-gateway serve --demo`` in a subprocess with extra ``CRM_GATEWAY_*`` settings."""
    port = free_port()
    env = {
        **os.environ,
        "CRM_GATEWAY_JWT_SECRET": SECRET,
        "CRM_GATEWAY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'server.db'}",
        **demo_documents(tmp_path),
        **{f"CRM_GATEWAY_{name.upper()}": value for name, value in settings.items()},
    }
    command = [sys.executable, "-m", "gateway.cli", "serve", "--port", str(port), "--demo"]
    log = tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}"
    with (
        log.open("w") as output,
        subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT) as process,
    ):
        try:
            wait_until_healthy(base, process, log)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = {"rate_limit_per_second": str(SLOW_REFILL), "rate_limit_burst": "2", "max_body_bytes": "4096"}
    with running_server(tmp_path_factory.mktemp("limited"), **settings) as base:
        yield base


def _headers(subject: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_for(load_settings(jwt_secret=SECRET), 'demo', subject=subject)}"}


def test_a_real_server_rate_limits_per_caller(limited_server: str) -> None:
    headers = _headers("rate-test")
    for _ in range(2):
        assert httpx.post(f"{limited_server}/graphql", json={"query": ME}, headers=headers).status_code == 200
    assert_rate_limited(httpx.post(f"{limited_server}/graphql", json={"query": ME}, headers=headers))
    other = httpx.post(f"{limited_server}/graphql", json={"query": ME}, headers=_headers("someone-else"))
    assert other.status_code == 200


def test_a_real_server_refuses_a_large_body_with_413(limited_server: str) -> None:
    headers = _headers("body-test")
    padded = {"query": "#" + "x" * 5000 + "\n" + ME}
    response = httpx.post(f"{limited_server}/graphql", json=padded, headers=headers)
    body = assert_clean_error(response)
    assert response.status_code == 413
    assert body["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert response.headers["x-request-id"] == body["extensions"]["requestId"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must stop reading by itself
        yield b'{"query": "#'
        for _ in range(1000):
            yield b"x" * 1024

    streamed = httpx.post(f"{limited_server}/graphql", content=chunks(), headers=headers)
    assert streamed.status_code == 413
    small = httpx.post(f"{limited_server}/graphql", json={"query": ME}, headers=headers)
    assert small.json()["data"]["me"]["subject"] == "body-test"
