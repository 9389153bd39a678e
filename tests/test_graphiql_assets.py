"""GraphiQL's bundled files: pinned by hash, shipped in the package, served by the gateway with no CDN."""

from __future__ import annotations

import fnmatch
import os
import re
import tomllib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from conftest import SECRET
from gateway.app import create_app
from gateway.graphiql import offer_demo_token
from gateway.graphiql.assets import HERE, IMMUTABLE, Asset, assets, pinned, sha384
from gateway.graphiql.page import TOKEN_VARIABLE
from gateway.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
BROWSER = {"Accept": "text/html"}
TOKEN = "demo-token-for-the-page"


@asynccontextmanager
async def gateway(
    database_url: str,
    base_url: str = "http://127.0.0.1",
    client: tuple[str, int] = ("127.0.0.1", 50000),
    **settings: object,
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(load_settings(jwt_secret=SECRET, database_url=database_url, **settings))
    try:
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
            yield http
    finally:
        await app.state.engine.dispose()


@pytest.fixture
async def http(sqlite_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway(sqlite_url) as client:
        yield client


@pytest.mark.parametrize("entry", pinned(), ids=lambda entry: entry["file"])
def test_each_shipped_file_matches_its_pinned_hash(entry: dict[str, str]) -> None:
    shipped = HERE / "assets" / entry["file"]
    assert sha384(shipped.read_bytes()) == entry["integrity"]
    assert entry["version"] in entry["file"]  # a new version is a new URL, so year-long caching is safe


def test_only_pinned_files_are_shipped() -> None:
    assert sorted(p.name for p in (HERE / "assets").iterdir()) == sorted(e["file"] for e in pinned())


def test_the_package_data_includes_every_graphiql_file() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    package = HERE.parent
    for asset in assets().values():
        relative = asset.path.relative_to(package).as_posix()
        assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns["gateway"]), relative


async def test_the_page_loads_only_the_gateways_files_each_with_its_hash(http: httpx.AsyncClient) -> None:
    page = await http.get("/graphql", headers=BROWSER)
    assert page.status_code == 200
    loaded = re.findall(r'(?:src|href)="([^"]+)" integrity="([^"]+)"', page.text)
    assert loaded == [(asset.url, asset.integrity) for asset in _in_page_order()]
    assert "https://" not in page.text and "unpkg" not in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]


@pytest.mark.parametrize("name", list(assets()))
async def test_each_file_is_served_with_its_type_and_cache_headers(
    http: httpx.AsyncClient, name: str
) -> None:
    asset = assets()[name]
    response = await http.get(asset.url)
    assert response.status_code == 200
    assert response.content == asset.path.read_bytes()
    assert response.headers["content-type"] == (
        "text/javascript; charset=utf-8" if name.endswith(".js") else "text/css; charset=utf-8"
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    # Versioned npm files are immutable; the page's own files keep their names, so they revalidate.
    assert response.headers["cache-control"] == (
        IMMUTABLE if asset.path.parent.name == "assets" else "no-cache"
    )


@pytest.mark.parametrize("path", ["/graphiql/nothing.js", "/graphiql/assets.json", "/graphiql/page.py"])
async def test_only_listed_files_are_served(http: httpx.AsyncClient, path: str) -> None:
    assert (await http.get(path)).status_code == 404


async def test_no_graphiql_files_in_production(sqlite_url: str) -> None:
    async with gateway(sqlite_url, env="production") as production:
        assert (await production.get(next(iter(assets().values())).url)).status_code == 404


async def test_the_demo_token_fills_the_headers_pane_for_a_local_browser(sqlite_url: str) -> None:
    async with gateway(sqlite_url, graphiql_token=TOKEN) as local:
        page = await local.get("/graphql", headers=BROWSER)
    assert f"Bearer {TOKEN}" in page.text
    assert page.headers["cache-control"] == "no-store"  # a page with a token stays out of caches


@pytest.mark.parametrize(
    ("base_url", "client"),
    [("http://127.0.0.1", ("192.0.2.7", 50000)), ("http://192.0.2.1", ("127.0.0.1", 50000))],
    ids=["remote-client", "non-loopback-interface"],
)
async def test_the_demo_token_stays_out_of_pages_for_other_machines(
    sqlite_url: str, base_url: str, client: tuple[str, int]
) -> None:
    async with gateway(sqlite_url, base_url, client, graphiql_token=TOKEN) as remote:
        page = await remote.get("/graphql", headers=BROWSER)
    assert page.status_code == 200
    assert TOKEN not in page.text


async def test_the_demo_token_stays_out_of_pages_in_production(sqlite_url: str) -> None:
    async with gateway(sqlite_url, env="production", graphiql=True, graphiql_token=TOKEN) as production:
        page = await production.get("/graphql", headers=BROWSER)
    assert page.status_code == 200 and "graphiql" in page.text
    assert TOKEN not in page.text


@pytest.mark.parametrize(
    ("env", "host", "offered"),
    [
        ("development", "127.0.0.1", True),
        ("development", "::1", True),
        ("development", "localhost", True),
        ("development", "0.0.0.0", False),
        ("development", "192.0.2.1", False),
        ("production", "127.0.0.1", False),
    ],
)
def test_serve_offers_its_token_to_the_page_only_in_development_on_loopback(
    monkeypatch: pytest.MonkeyPatch, env: str, host: str, offered: bool
) -> None:
    monkeypatch.setenv(TOKEN_VARIABLE, "")  # so that the test's end restores the variable's absence
    monkeypatch.delenv(TOKEN_VARIABLE)
    settings = offer_demo_token(load_settings(env=env, jwt_secret=SECRET), host, TOKEN)
    assert (settings.graphiql_token == TOKEN) is offered
    assert (TOKEN_VARIABLE in os.environ) is offered  # the processes of --workers read it there


def _in_page_order() -> list[Asset]:
    everything = list(assets().values())
    return [a for a in everything if a.name.endswith(".css")] + [
        a for a in everything if a.name.endswith(".js")
    ]
