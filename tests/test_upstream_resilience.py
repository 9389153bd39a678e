"""The upstream client over real HTTP against a fault-injecting simulator: retries, Retry-After, no
duplicate POST, timeouts, resets, the circuit breaker, bounded concurrency, and no secrets in logs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from gateway.backends.rest.breaker import CircuitBreaker, CircuitState
from gateway.backends.rest.client import UpstreamClient, gather_bounded
from gateway.backends.rest.config import Breaker
from gateway.backends.rest.errors import UpstreamRateLimited, UpstreamTimeout, UpstreamUnavailable
from gateway.backends.rest.retry import retry_after_seconds
from gateway.cost import Cost
from upstream_sim import Simulator, running_simulator, upstream_config

SECRET = "sekret-token-value"


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with running_simulator() as simulator:
        yield simulator


@pytest.fixture
async def client(sim: Simulator) -> AsyncIterator[UpstreamClient]:
    upstream = UpstreamClient(upstream_config(sim.url))
    yield upstream
    await upstream.aclose()


async def test_get_is_retried_on_503_then_succeeds(sim: Simulator, client: UpstreamClient) -> None:
    sim.faults.fail(503, count=1)
    cost = Cost()
    response = await client.request("GET", "/items", cost=cost)
    assert response.status_code == 200
    assert sim.faults.calls("GET", "/items") == 2
    assert cost.upstream_calls == 2 and cost.upstream_by_system == {"sim": 2}


async def test_get_gives_up_after_the_configured_attempts(sim: Simulator, client: UpstreamClient) -> None:
    sim.faults.fail(502)
    with pytest.raises(UpstreamUnavailable) as raised:
        await client.request("GET", "/items", cost=Cost())
    assert sim.faults.calls("GET", "/items") == 3
    assert raised.value.extensions == {"code": "UPSTREAM_UNAVAILABLE", "system": "sim", "status": 502}


async def test_429_retry_after_is_honoured(sim: Simulator, client: UpstreamClient) -> None:
    sim.faults.fail(429, count=1, retry_after=0)
    response = await client.request("GET", "/items", cost=Cost())
    assert response.status_code == 200
    assert sim.faults.calls("GET", "/items") == 2


async def test_retry_after_as_an_http_date(sim: Simulator, client: UpstreamClient) -> None:
    sim.faults.fail(503, count=1, retry_after=format_datetime(datetime.now(UTC), usegmt=True))
    assert (await client.request("GET", "/items", cost=Cost())).status_code == 200
    assert sim.faults.calls("GET", "/items") == 2


async def test_too_long_retry_after_fails_fast_as_rate_limited(
    sim: Simulator, client: UpstreamClient
) -> None:
    sim.faults.fail(429, retry_after=120)  # the limit is 2 s
    with pytest.raises(UpstreamRateLimited) as raised:
        await client.request("GET", "/items", cost=Cost())
    assert sim.faults.calls("GET", "/items") == 1
    assert raised.value.extensions == {"code": "UPSTREAM_RATE_LIMITED", "system": "sim", "retryAfter": 120}


async def test_503_with_too_long_retry_after_says_when(sim: Simulator, client: UpstreamClient) -> None:
    sim.faults.fail(503, retry_after=30)
    with pytest.raises(UpstreamUnavailable) as raised:
        await client.request("GET", "/items", cost=Cost())
    assert raised.value.extensions["retryAfter"] == 30 and sim.faults.calls("GET", "/items") == 1


async def test_faults_are_switched_over_http(sim: Simulator, client: UpstreamClient) -> None:
    async with httpx.AsyncClient(base_url=sim.url) as control:
        state = (await control.post("/_simulator/faults", json={"reset_count": 1, "hang_count": 1})).json()
        assert state["reset_count"] == 1 and state["hang_count"] == 1
        with pytest.raises(UpstreamTimeout):  # hang first, then reset, then normal service
            await client.request("GET", "/items", cost=Cost())
        with pytest.raises(httpx.TransportError):
            await control.get("/items")
        assert (await control.get("/items")).status_code == 200
        assert (await control.get("/_simulator/faults")).json()["requests"] == 3


async def test_post_without_idempotency_key_is_sent_once_on_503(
    sim: Simulator, client: UpstreamClient
) -> None:
    sim.faults.fail(503, count=1)
    cost = Cost()
    with pytest.raises(UpstreamUnavailable):
        await client.request("POST", "/items", cost=cost, json={"name": "x"})
    assert sim.faults.calls("POST", "/items") == 1
    assert cost.upstream_calls == 1


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_write_with_idempotency_key_is_retried(
    sim: Simulator, client: UpstreamClient, method: str
) -> None:
    sim.faults.fail(503, count=1)
    response = await client.request(method, "/items", cost=Cost(), json={}, idempotency_key="key-1")
    assert response.status_code in (200, 201)
    assert sim.faults.calls(method, "/items") == 2


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_idempotent_writes_are_retried(sim: Simulator, client: UpstreamClient, method: str) -> None:
    sim.faults.fail(504, count=2)
    assert (await client.request(method, "/items", cost=Cost())).status_code == 200
    assert sim.faults.calls(method, "/items") == 3


async def test_read_timeout_is_upstream_timeout_and_post_is_not_retried(
    sim: Simulator, client: UpstreamClient
) -> None:
    sim.faults.hang(count=1)
    with pytest.raises(UpstreamTimeout) as raised:
        await client.request("POST", "/items", cost=Cost(), json={})
    assert raised.value.extensions["code"] == "UPSTREAM_TIMEOUT"
    assert sim.faults.calls("POST", "/items") == 1


async def test_total_timeout_bounds_all_attempts(sim: Simulator) -> None:
    config = upstream_config(sim.url).model_copy(
        update={"timeouts": upstream_config(sim.url).timeouts.model_copy(update={"total": 0.3, "read": 5})}
    )
    client = UpstreamClient(config)
    sim.faults.hang(count=1)
    try:
        with pytest.raises(UpstreamTimeout):
            await client.request("GET", "/items", cost=Cost())
    finally:
        await client.aclose()
    assert sim.faults.calls("GET", "/items") == 1


async def test_connection_reset_is_a_transport_error_not_a_500(sim: Simulator) -> None:
    sim.faults.reset(count=1)
    async with httpx.AsyncClient(base_url=sim.url) as raw:
        with pytest.raises(httpx.TransportError):
            await raw.get("/items")


async def test_connection_reset_is_upstream_unavailable_for_a_post(
    sim: Simulator, client: UpstreamClient
) -> None:
    sim.faults.reset(count=1)
    with pytest.raises(UpstreamUnavailable):
        await client.request("POST", "/items", cost=Cost(), json={})
    assert sim.faults.calls("POST", "/items") == 1


async def test_connection_reset_is_retried_for_a_get(sim: Simulator, client: UpstreamClient) -> None:
    sim.faults.reset(count=1)
    assert (await client.request("GET", "/items", cost=Cost())).status_code == 200
    assert sim.faults.calls("GET", "/items") == 2


async def test_refused_connection_is_upstream_unavailable() -> None:
    from servers import free_port

    client = UpstreamClient(upstream_config(f"http://127.0.0.1:{free_port()}"))
    cost = Cost()
    try:
        with pytest.raises(UpstreamUnavailable):
            await client.request("POST", "/items", cost=cost, json={})
    finally:
        await client.aclose()
    assert cost.upstream_calls == 3  # never sent, so even a POST may try again


async def test_4xx_is_returned_to_the_connector(sim: Simulator, client: UpstreamClient) -> None:
    response = await client.request("GET", "/missing", cost=Cost())
    assert response.status_code == 404
    assert sim.faults.calls("GET", "/missing") == 1


async def test_breaker_opens_stays_open_then_half_opens_and_closes(
    sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "gateway.backends.rest.client")
    client = UpstreamClient(
        upstream_config(sim.url, retries=upstream_config(sim.url).retries.model_copy(update={"attempts": 1}))
    )
    try:
        sim.faults.fail(500)
        for _ in range(3):
            with pytest.raises(UpstreamUnavailable):
                await client.request("GET", "/items", cost=Cost())
        assert client.breaker.state is CircuitState.OPEN
        assert "upstream sim: circuit opened after 3 failures in a row" in caplog.text
        cost = Cost()
        with pytest.raises(UpstreamUnavailable) as raised:
            await client.request("GET", "/items", cost=cost)
        assert raised.value.extensions["circuit"] == "open"
        assert sim.faults.calls("GET", "/items") == 3 and cost.upstream_calls == 0
        sim.faults.clear()
        await asyncio.sleep(0.35)  # reset_seconds is 0.3
        assert client.breaker.state is CircuitState.HALF_OPEN
        assert (await client.request("GET", "/items", cost=Cost())).status_code == 200
        assert client.breaker.state is CircuitState.CLOSED
        assert "upstream sim: circuit closed" in caplog.text
    finally:
        await client.aclose()


async def test_failed_trial_call_reopens_the_breaker(sim: Simulator) -> None:
    config = upstream_config(sim.url, breaker=Breaker(failures=1, reset_seconds=0.2))
    client = UpstreamClient(
        config.model_copy(update={"retries": config.retries.model_copy(update={"attempts": 1})})
    )
    try:
        sim.faults.fail(503)
        with pytest.raises(UpstreamUnavailable):
            await client.request("GET", "/items", cost=Cost())
        await asyncio.sleep(0.25)
        with pytest.raises(UpstreamUnavailable) as raised:
            await client.request("GET", "/items", cost=Cost())
        assert "circuit" not in raised.value.extensions  # the trial went out and failed
        assert client.breaker.state is CircuitState.OPEN
        assert sim.faults.calls("GET", "/items") == 2
    finally:
        await client.aclose()


def test_breaker_ignores_client_errors_and_allows_one_trial() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failures=2, reset_seconds=10, clock=lambda: now[0])
    breaker.failed()
    breaker.succeeded()  # a 4xx or a success in between: consecutive failures start again
    breaker.failed()
    assert breaker.state is CircuitState.CLOSED
    breaker.failed()
    assert breaker.state is CircuitState.OPEN and not breaker.allow()
    now[0] = 10.0
    assert breaker.allow() and not breaker.allow()  # one trial at a time
    breaker.abandoned()
    assert breaker.allow()


async def test_gather_bounded_keeps_order_and_limit() -> None:
    running, most = 0, 0

    async def call(value: int) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0)
        running -= 1
        return value

    assert await gather_bounded(3, [call(n) for n in range(10)]) == list(range(10))
    assert most == 3


def test_retry_after_parsing() -> None:
    def header(value: str) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": value})

    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after_seconds(header("7"), now) == 7
    assert retry_after_seconds(header(format_datetime(now + timedelta(seconds=30), usegmt=True)), now) == 30
    assert retry_after_seconds(header(format_datetime(now - timedelta(seconds=30), usegmt=True)), now) == 0
    assert retry_after_seconds(header("soon"), now) is None
    assert retry_after_seconds(httpx.Response(429), now) is None


async def test_failures_are_logged_without_secrets(
    sim: Simulator, client: UpstreamClient, caplog: pytest.LogCaptureFixture
) -> None:
    sim.faults.fail(503)
    headers = {"Authorization": f"Bearer {SECRET}", "x-api-key": SECRET, "Cookie": f"JSESSIONID={SECRET}"}
    caplog.set_level(logging.DEBUG)
    errors: list[Any] = []
    for method in ("GET", "POST"):
        with pytest.raises(UpstreamUnavailable) as raised:
            await client.request(
                method, "/items", cost=Cost(), params={"token": SECRET}, headers=headers, json={}
            )
        errors.append(raised.value)
    sim.faults.reset(count=10)
    with pytest.raises(UpstreamUnavailable) as reset:
        await client.request("GET", "/items", cost=Cost(), params={"api_key": SECRET}, headers=headers)
    errors.append(reset.value)
    assert "/items" in caplog.text
    assert SECRET not in caplog.text
    assert all(SECRET not in str(error) and SECRET not in str(error.extensions) for error in errors)
