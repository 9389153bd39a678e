"""OpenTelemetry tracing, when the ``otel`` extra is installed and tracing is configured.

Off by default. ``CRM_GATEWAY_OTEL=1`` (or any standard ``OTEL_EXPORTER_OTLP_*ENDPOINT`` variable)
turns it on: one span per HTTP request (ASGI), per GraphQL operation, per SQL statement (SQLAlchemy),
per upstream call (httpx) and per Redis command, never per field. OpenTelemetry is imported only
then, so the base install runs without it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)
_tracer: Any = None  # the gateway's tracer once tracing is on
ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


def wanted(enabled: bool) -> bool:
    """Tracing is on when the setting says so or an OTLP endpoint is configured."""
    return enabled or any(os.environ.get(name) for name in ENDPOINT_VARIABLES)


def install(app: Any, engine: Any, provider: Any = None) -> bool:
    """Trace ``app`` (a server span per request), its SQL ``engine``, httpx and Redis, and each GraphQL
    operation; False without the ``otel`` extra. ``provider`` is the tracer provider (if None, the
    global one, set up from the OTEL_* variables)."""
    global _tracer
    try:
        from opentelemetry import trace
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
    except ImportError:
        log.warning("tracing is configured but OpenTelemetry is not installed: pip install '.[otel]'")
        return False
    if provider is None:
        provider = _default_provider(trace)
    _instrument_libraries(engine, provider)
    # The server span of each request; sending and receiving are not worth a span each.
    app.add_middleware(OpenTelemetryMiddleware, tracer_provider=provider, exclude_spans=["receive", "send"])
    _tracer = trace.get_tracer("crm-gateway", tracer_provider=provider)
    return True


def _default_provider(trace: Any) -> Any:
    """The global provider; when nothing has set one, an SDK provider exporting over OTLP if installed."""
    current = trace.get_tracer_provider()
    if type(current).__name__ != "ProxyTracerProvider":
        return current
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider()  # resource and sampler from the OTEL_* variables
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError:
        log.warning("no OTLP exporter installed (opentelemetry-exporter-otlp-proto-http): spans are dropped")
    else:
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return provider


def _instrumentors() -> list[Any]:
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    return [SQLAlchemyInstrumentor(), HTTPXClientInstrumentor(), RedisInstrumentor()]


def _instrument_libraries(engine: Any, provider: Any) -> None:
    """Process-wide: the instrumentors are singletons, and the first app of a process is the one."""
    sqlalchemy, *others = _instrumentors()
    if not sqlalchemy.is_instrumented_by_opentelemetry:
        # Its declared range stops before SQLAlchemy 2.1, which it traces as well (tests/test_tracing.py).
        sqlalchemy.instrument(engine=engine.sync_engine, tracer_provider=provider, skip_dep_check=True)
    for instrumentor in others:
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument(tracer_provider=provider)


@contextmanager
def operation_span() -> Iterator[Any]:
    """A span around one GraphQL operation, or None when tracing is off."""
    if _tracer is None:
        yield None
        return
    with _tracer.start_as_current_span("graphql.operation") as span:
        yield span


def uninstall() -> None:
    """Stop tracing (tests switch it on and off in one process)."""
    global _tracer
    _tracer = None
    for instrumentor in _instrumentors():
        if instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.uninstrument()
