"""``/healthz`` (liveness: the process answers) and ``/readyz`` (readiness: it can serve).

Ready means: the database answers, its schema is at the migrations' head, and Redis answers when it
is configured. Upstream circuit breakers are reported but never make the gateway unready: a request
that needs no upstream is still served, and restarting replicas would not bring an upstream back.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from gateway.backends.rest.upstreams import Upstreams
from gateway.backends.sql.migrate import applied_revisions, shipped_heads
from gateway.settings import Settings

CHECK_TIMEOUT_SECONDS = 2.0  # a check that takes longer fails: a probe must answer promptly
Check = Callable[[], Awaitable[dict[str, Any]]]


class NotReady(Exception):
    """A check failed; the message says why (never a URL or a password)."""


async def liveness(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


class Readiness:
    def __init__(self, settings: Settings, engine: AsyncEngine, upstreams: Upstreams | None) -> None:
        self.engine = engine
        self.upstreams = upstreams
        self.redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        self.checks: dict[str, Check] = {"database": self._database, "migrations": self._migrations}
        if self.redis is not None:
            self.checks["redis"] = self._redis

    async def respond(self, _: Request) -> Response:
        results = dict(zip(self.checks, await asyncio.gather(*map(_run, self.checks.values())), strict=True))
        ready = all(result["ok"] for result in results.values())
        body = {"status": "ready" if ready else "unavailable", "checks": results}
        if self.upstreams is not None:
            body["upstreams"] = {
                name: {"circuit": str(connector.client.breaker.state)}
                for name, connector in self.upstreams.connectors.items()
            }
        return JSONResponse(body, status_code=200 if ready else 503)

    @cached_property
    def head(self) -> frozenset[str]:
        """The revisions the shipped migrations end at (read once: they do not change while running)."""
        return shipped_heads()

    async def _database(self) -> dict[str, Any]:
        async with self.engine.connect() as connection:
            await connection.execute(sa.text("SELECT 1"))
        return {}

    async def _migrations(self) -> dict[str, Any]:
        async with self.engine.connect() as connection:
            current = await connection.run_sync(applied_revisions)
        if current != self.head:
            raise NotReady(
                f"the database is at {sorted(current) or 'no revision'}; run crm-gateway db upgrade"
            )
        return {"revision": ",".join(sorted(current))}

    async def _redis(self) -> dict[str, Any]:
        assert self.redis is not None
        await self.redis.ping()
        return {}

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()


async def _run(check: Check) -> dict[str, Any]:
    """A check's outcome: ok, how long it took, and why it failed (the exception's type for an
    unexpected one: drivers' messages may quote hosts or users)."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            detail = await check()
    except NotReady as problem:
        detail = {"ok": False, "error": str(problem)}
    except TimeoutError:
        detail = {"ok": False, "error": f"no answer within {CHECK_TIMEOUT_SECONDS:g} s"}
    except Exception as error:
        detail = {"ok": False, "error": type(error).__name__}
    else:
        detail = {"ok": True, **detail}
    return {**detail, "ms": round((time.perf_counter() - started) * 1000, 1)}
