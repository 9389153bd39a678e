"""The Starlette application: ``/graphql`` (HTTP and WebSocket, authenticated), ``/healthz``, ``/metrics``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute

from gateway.backends.sql.engine import create_engine
from gateway.http import GraphQLView, Metrics
from gateway.settings import Settings


def create_app(settings: Settings) -> Starlette:
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings.check_key_sources()  # fail at start-up, not at the first request
    engine = create_engine(settings.database_url)
    metrics = Metrics()
    view = GraphQLView(settings, engine, metrics)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def metrics_endpoint(_: Request) -> Response:
        return PlainTextResponse(metrics.render(), media_type="text/plain; version=0.0.4")

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    routes = [
        Route("/graphql", view, methods=["GET", "POST"]),
        # graphql-transport-ws; the caller authenticates in the connection_init payload.
        WebSocketRoute("/graphql", view.strawberry),
        Route("/healthz", healthz),
        Route("/metrics", metrics_endpoint),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.engine = engine
    return app
