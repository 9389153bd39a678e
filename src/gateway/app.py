"""The Starlette application: ``/graphql`` (HTTP and WebSocket, authenticated), ``/healthz``, ``/readyz``,
``/metrics``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute

from gateway import documents
from gateway.backends.rest.upstreams import Upstreams
from gateway.backends.sql.engine import create_engine
from gateway.backends.sql.rls import role_escapes_rls
from gateway.downloads import DocumentDownloads, ProfilePhotoDownloads
from gateway.graphiql import asset_routes
from gateway.health import Readiness, liveness
from gateway.http import GraphQLView
from gateway.observability import metrics, tracing
from gateway.observability.logs import configure_logging
from gateway.observability.middleware import ObservedEndpoint
from gateway.settings import Environment, Settings, SettingsError
from gateway.shutdown import stop_background
from gateway.storage import create_storage

logger = logging.getLogger(__name__)


class UnsafeDatabaseRole(SettingsError):
    """Production refuses a database role that PostgreSQL's row-level security does not bind."""


async def check_database_role(settings: Settings, engine: AsyncEngine) -> None:
    """Refuse (production) or warn (development) when the role would escape the tenant policies."""
    problem = await role_escapes_rls(engine)
    if problem is None:
        return
    if settings.env is Environment.PRODUCTION:
        raise UnsafeDatabaseRole(f"CRM_GATEWAY_DATABASE_URL: {problem}")
    logger.warning("%s (allowed because CRM_GATEWAY_ENV is not production)", problem)


def create_app(settings: Settings) -> Starlette:
    configure_logging(settings)
    metrics.operation_names.limit = settings.metrics_max_operations
    settings.check_key_sources()  # fail at start-up, not at the first request
    documents.configure(settings.document_cache_bytes, settings.max_cached_document_bytes)
    upstreams = Upstreams.from_settings(settings)  # a bad routing file stops start-up here
    engine = create_engine(settings.database_url, settings.database_pooler)
    storage = create_storage(settings)
    view = GraphQLView(settings, engine, upstreams, storage)
    downloads = DocumentDownloads(view, storage)
    readiness = Readiness(settings, engine, upstreams)

    async def metrics_endpoint(_: Request) -> Response:
        return Response(metrics.render(), media_type=metrics.CONTENT_TYPE)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await check_database_role(settings, engine)
        # Connectors' background work (CRM.COM's queue poller) runs while the app does.
        background = upstreams.start_background(engine, view.pubsub) if upstreams is not None else []
        # Automation events no request ran (another process died with them, or its claim lapsed).
        background.append(asyncio.create_task(view.strawberry.automations.run_forever(), name="automations"))
        yield
        await stop_background(background, settings.shutdown_timeout_seconds)
        await view.close()  # its upstream clients too
        await storage.close()
        await readiness.close()
        await engine.dispose()

    routes = [
        Route("/graphql", ObservedEndpoint(view)),  # every method: the view refuses the others as JSON
        # graphql-transport-ws; the caller authenticates in the connection_init payload.
        WebSocketRoute("/graphql", ObservedEndpoint(view.strawberry)),
        # A document's bytes, streamed after the same checks as every read of it (docs/documents.md).
        Route("/documents/{id}", downloads),  # GET and HEAD; it refuses the others as JSON
        Route("/contacts/{id}/profile-photo", ProfilePhotoDownloads(view, storage)),
        Route("/healthz", liveness),
        Route("/readyz", readiness.respond),
        Route("/metrics", metrics_endpoint),
    ]
    if settings.graphiql_enabled:
        routes += asset_routes()  # GraphiQL's files, served here rather than from a CDN
    app = Starlette(routes=routes, lifespan=lifespan)
    if tracing.wanted(settings.otel):
        tracing.install(app, engine)
    app.state.engine = engine
    app.state.persisted = view.persisted
    app.state.upstreams = upstreams  # None without CRM_GATEWAY_BACKENDS
    app.state.view = view  # closes its Redis clients (persisted queries, rate limits)
    app.state.storage = storage
    return app


def worker_app(settings: Settings | None = None) -> Starlette:
    """The app one ``serve`` process runs: built, then the collector tuned for a long-lived server.

    With ``CRM_GATEWAY_WORKERS`` above 1 uvicorn calls this in each worker process, without arguments,
    so every worker reads the settings that ``serve`` validated and exported before it started them.
    """
    from gateway.runtime import tune_garbage_collector
    from gateway.settings import load_settings

    app = create_app(settings if settings is not None else load_settings())
    tune_garbage_collector()
    return app
