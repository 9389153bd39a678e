"""Shared fixtures: migrated SQLite and PostgreSQL databases, the app, and a GraphQL client per tenant.

Each test works in a tenant of its own (``tenant`` fixture), so tests share one migrated database
per backend and still never see each other's rows.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from gateway.app import create_app
from gateway.auth import mint_token
from gateway.backends.sql.migrate import upgrade
from gateway.settings import Settings, load_settings

POSTGRES_URL = os.environ.get("CRM_GATEWAY_TEST_POSTGRES_URL")
REQUIRE_SERVICES = os.environ.get("CRM_GATEWAY_TEST_REQUIRE_SERVICES") == "1"
SECRET = "test-secret-" + "x" * 40


def _backends() -> list[Any]:
    postgres = pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not POSTGRES_URL and not REQUIRE_SERVICES,
            reason="set CRM_GATEWAY_TEST_POSTGRES_URL to run the PostgreSQL variant",
        ),
    )
    return ["sqlite", postgres]


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.fail("CRM_GATEWAY_TEST_REQUIRE_SERVICES=1 but CRM_GATEWAY_TEST_POSTGRES_URL is not set")
    name = f"crm_test_{uuid.uuid4().hex[:10]}"
    admin = make_url(POSTGRES_URL)
    asyncio.run(_postgres_admin(admin.render_as_string(hide_password=False), f'CREATE DATABASE "{name}"'))
    url = admin.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    drop = f'DROP DATABASE "{name}" WITH (FORCE)'
    asyncio.run(_postgres_admin(admin.render_as_string(hide_password=False), drop))


async def _postgres_admin(url: str, statement: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(params=_backends(), scope="session")
def database_url(request: pytest.FixtureRequest) -> str:
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return request.getfixturevalue(fixture)  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return load_settings(database_url=database_url, jwt_secret=SECRET, max_page_size=100)


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings)
    yield application
    await application.state.engine.dispose()


@dataclass
class Client:
    """A GraphQL client acting as one caller of one tenant."""

    http: httpx.AsyncClient
    token: str

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, **headers: str
    ) -> httpx.Response:
        auth = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        payload = {"query": query, "variables": variables or {}}
        return await self.http.post("/graphql", json=payload, headers=auth | headers)

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The JSON body of a successful GraphQL response; fails the test on any error."""
        response = await self.post(query, variables)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        return body  # type: ignore[no-any-return]


@pytest.fixture
def tenant() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def http(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


def token_for(
    settings: Settings, tenant: str, subject: str = "tester", permissions: list[str] | None = None
) -> str:
    return mint_token(settings, subject, tenant, permissions or ["CRM_ALL", "CUST_ALL"], timedelta(hours=1))


@pytest.fixture
def client(http: httpx.AsyncClient, settings: Settings, tenant: str) -> Client:
    return Client(http, token_for(settings, tenant))


@pytest.fixture
def other_client(http: httpx.AsyncClient, settings: Settings) -> Client:
    """A caller of another tenant, for isolation tests."""
    return Client(http, token_for(settings, f"o{uuid.uuid4().hex[:12]}"))


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[Any]:
    """A SQLAlchemy engine on the test database, for factories that insert rows directly."""
    from gateway.backends.sql.engine import create_engine

    sql_engine = create_engine(database_url)
    yield sql_engine
    await sql_engine.dispose()


@pytest.fixture
def factory(engine: Any, tenant: str) -> Any:
    """Builds rows of the test's own tenant (the one ``client`` acts in); see ``factories.py``."""
    from factories import Factory

    return Factory(engine, tenant)


REDIS_URL = os.environ.get("CRM_GATEWAY_TEST_REDIS_URL")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis server for the tests that share state through it; mandatory in CI (``.ci/run``)."""
    if REDIS_URL:
        return REDIS_URL
    if REQUIRE_SERVICES:
        pytest.fail("CRM_GATEWAY_TEST_REQUIRE_SERVICES=1 but CRM_GATEWAY_TEST_REDIS_URL is not set")
    pytest.skip("set CRM_GATEWAY_TEST_REDIS_URL to run the tests that need Redis")
