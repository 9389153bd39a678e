"""OpenTelemetry tracing (the ``otel`` extra, which the test extra installs): one span per operation and
per SQL statement, never per field, collected with the SDK's in-memory exporter."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from conftest import SECRET, token_for
from gateway.app import create_app
from gateway.backends.rest.client import UpstreamClient
from gateway.backends.rest.config import UpstreamConfig
from gateway.backends.sql.engine import create_engine
from gateway.cost import Cost
from gateway.observability import tracing
from gateway.seed import seed_tenant
from gateway.settings import load_settings
from servers import threaded_server

NESTED = """query NestedPage {
  contacts(first: 3) { totalCount edges { node { displayName
    leads(first: 2) { totalCount edges { node { id } } } } } }
}"""


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    trace.set_tracer_provider(provider)  # once per process: the gateway uses the global provider
    yield memory
    tracing.uninstall()


@pytest.fixture
async def traced_app(fresh_sqlite_url: str, exporter: InMemorySpanExporter) -> AsyncIterator[Any]:
    url = fresh_sqlite_url
    seeding = create_engine(url)
    await seed_tenant(seeding, "demo", 10, progress=False)
    await seeding.dispose()
    app = create_app(load_settings(database_url=url, jwt_secret=SECRET, otel=True))
    exporter.clear()
    yield app
    await app.state.engine.dispose()


async def test_a_nested_query_has_one_span_per_sql_statement(
    traced_app: Any, exporter: InMemorySpanExporter
) -> None:
    token = token_for(load_settings(jwt_secret=SECRET), "demo")
    transport = httpx.ASGITransport(app=traced_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        response = await http.post(
            "/graphql", json={"query": NESTED}, headers={"Authorization": f"Bearer {token}"}
        )
    body = response.json()
    assert "errors" not in body, body
    spans = exporter.get_finished_spans()
    sql = [span for span in spans if _is_statement(span.attributes or {})]
    connects = [span for span in spans if span.name == "connect"]  # the pool opening a connection
    operations = [span for span in spans if span.name == "graphql.operation"]
    # The planner answers in one statement, the resolvers in one per level and count (4).
    statements = 1 if load_settings().planner else 4
    assert len(sql) == body["extensions"]["cost"]["sqlStatements"] == statements
    assert len(operations) == 1
    assert operations[0].attributes["graphql.operation.name"] == "NestedPage"
    operation = operations[0].context
    assert all(span.context.trace_id == operation.trace_id for span in sql)
    assert all(span.parent is not None and span.parent.span_id == operation.span_id for span in sql)
    # No span per field: SQL statements, the operation and the HTTP server span are all there is.
    assert len(spans) == len(sql) + len(connects) + 2, [span.name for span in spans]


def _is_statement(attributes: Any) -> bool:
    return "db.statement" in attributes or "db.query.text" in attributes


async def test_an_upstream_call_has_a_span(traced_app: Any, exporter: InMemorySpanExporter) -> None:
    upstream = Starlette(routes=[Route("/ping", lambda _: JSONResponse({"ok": True}))])
    with threaded_server(upstream) as base:
        config = UpstreamConfig(name="traced", kind="conecrm", base_url=base, system_name="traced")
        client = UpstreamClient(config)
        cost = Cost()
        try:
            await client.request("GET", "/ping", cost=cost)
            await client.request("GET", "/ping", cost=cost)
        finally:
            await client.aclose()
    calls = [span for span in exporter.get_finished_spans() if span.kind is SpanKind.CLIENT]
    assert len(calls) == cost.upstream_calls == 2
