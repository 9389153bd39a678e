"""A small upstream for the platform's tests: a few JSON endpoints behind ``FaultMiddleware``, over real
HTTP, and a connector ("widgets") that serves contacts from it, for the routing and wiring tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from conftest import SECRET
from gateway.app import create_app
from gateway.backends.query import ListQuery, Page
from gateway.backends.records import AuditedRecord, ContactRecord, Entity
from gateway.backends.rest.client import UpstreamClient
from gateway.backends.rest.config import Breaker, Retries, Timeouts, UpstreamConfig
from gateway.backends.rest.connector import RequestScope
from gateway.backends.rest.errors import UpstreamUnsupported
from gateway.settings import load_settings
from servers import threaded_server
from simulators.faults import FaultMiddleware, Faults


@dataclass
class Simulator:
    url: str
    faults: Faults
    contacts: dict[str, dict[str, Any]]


def simulator_app(faults: Faults, contacts: dict[str, dict[str, Any]]) -> FaultMiddleware:
    async def items(request: Request) -> JSONResponse:
        if request.method == "POST":
            return JSONResponse({"created": True}, status_code=201)
        return JSONResponse({"items": [1, 2, 3]})

    async def list_contacts(request: Request) -> JSONResponse:
        wanted = request.query_params.get("ids")
        chosen = [c for key, c in contacts.items() if not wanted or key in wanted.split(",")]
        return JSONResponse({"contacts": chosen})

    async def missing(_: Request) -> JSONResponse:
        return JSONResponse({"error": "no such thing"}, status_code=404)

    routes = [
        Route("/items", items, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        Route("/contacts", list_contacts),
        Route("/missing", missing),
    ]
    return FaultMiddleware(Starlette(routes=routes), faults)


@contextmanager
def running_simulator(contacts: dict[str, dict[str, Any]] | None = None) -> Iterator[Simulator]:
    faults = Faults()
    store = contacts if contacts is not None else {}
    with threaded_server(simulator_app(faults, store)) as url:
        yield Simulator(url, faults, store)


def upstream_config(base_url: str, **overrides: Any) -> UpstreamConfig:
    """Short timeouts and backoff, so the fault tests run quickly."""
    values: dict[str, Any] = {
        "name": "sim",
        "kind": "conecrm",
        "base_url": base_url,
        "system_name": "Sim",
        "credentials": {"token": "sekret-token-value"},
        "timeouts": Timeouts(connect=1, read=0.5, total=3),
        "retries": Retries(attempts=3, backoff_seconds=0.01, max_retry_after_seconds=2),
        "breaker": Breaker(failures=3, reset_seconds=0.3),
    }
    return UpstreamConfig(**(values | overrides))


class WidgetsConnector:
    """Serves contacts from the test simulator: ``GET /contacts?ids=...``, one call per batch."""

    entities = frozenset({Entity.CONTACT})
    batches = frozenset({Entity.CONTACT})

    def __init__(self, client: UpstreamClient) -> None:
        self.client = client
        self.scopes: list[RequestScope] = []  # every request's scope, for the tests to inspect

    def backend(self, scope: RequestScope) -> WidgetsBackend:
        self.scopes.append(scope)
        return WidgetsBackend(self.client, scope)

    async def aclose(self) -> None:
        await self.client.aclose()


class UnbatchedWidgetsConnector(WidgetsConnector):
    """The same upstream, as if it had no batch form: the budget counts one call per parent."""

    batches: frozenset[Entity] = frozenset()


class WidgetsBackend:
    def __init__(self, client: UpstreamClient, scope: RequestScope) -> None:
        self.client, self.scope = client, scope

    async def _contacts(self, ids: Sequence[UUID] | None) -> list[ContactRecord]:
        params = {"ids": ",".join(str(i) for i in ids)} if ids is not None else None
        headers = {
            "Authorization": f"Bearer {self.scope.bearer_token or self.client.config.credentials['token']}"
        }
        response = await self.client.request(
            "GET", "/contacts", cost=self.scope.cost, params=params, headers=headers
        )
        return [_contact(item, self.scope.tenant) for item in response.json()["contacts"]]

    async def get_many(
        self, entity: Entity, ids: Sequence[UUID], *, include_deleted: bool = False
    ) -> Mapping[UUID, AuditedRecord]:
        return {record.id: record for record in await self._contacts(ids)}

    async def page(self, entity: Entity, query: ListQuery) -> Page[AuditedRecord]:
        rows: list[AuditedRecord] = list(await self._contacts(None))
        rows = rows[: query.page.size]
        return Page(rows=rows, keys=[(str(row.id),) for row in rows], has_next=False, has_previous=False)

    async def count(self, entity: Entity, query: ListQuery) -> int:
        return len(await self._contacts(None))

    def __getattr__(self, name: str) -> Any:
        if name in ("bind", "use_selection"):  # optional connector hooks, not backend calls
            raise AttributeError(name)

        async def unsupported(*_: Any, **__: Any) -> Any:
            raise UpstreamUnsupported(self.client.name, f"{self.client.name} cannot {name}")

        return unsupported


def _contact(item: Mapping[str, Any], tenant: str) -> ContactRecord:
    return ContactRecord(
        id=UUID(item["id"]),
        tenant=tenant,
        date_created=datetime(2026, 1, 1, tzinfo=UTC),
        first_name=item.get("firstName"),
        last_name=item.get("lastName"),
    )


def routing_file(folder: Path, base_url: str, routes: str = 'Contact = "widgets"', extra: str = "") -> str:
    """A routing file with one upstream, ``widgets`` (kind conecrm, served by the connector a test
    registers), whose token comes from ``WIDGETS_TOKEN``."""
    path = folder / "backends.toml"
    path.write_text(
        f"""[routes]
{routes}

[upstreams.widgets]
kind = "conecrm"
base_url = "{base_url}"
system_name = "Widgets"
[upstreams.widgets.credentials]
token = "${{WIDGETS_TOKEN}}"
[upstreams.widgets.timeouts]
read = 0.5
[upstreams.widgets.retries]
attempts = 2
backoff_seconds = 0.01
{extra}"""
    )
    return str(path)


@asynccontextmanager
async def routed_gateway(
    database_url: str, backends: str, **limits: Any
) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    """The app with ``backends`` as its routing file (lifespan's closing done by hand, as ASGITransport
    runs no lifespan)."""
    settings = load_settings(database_url=database_url, jwt_secret=SECRET, backends=backends, **limits)
    app = create_app(settings)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway"
        ) as http:
            yield app, http
    finally:
        await app.state.upstreams.aclose()
        await app.state.engine.dispose()
