"""A gateway routed to the ConeCRM simulator, for the ``test_conecrm_*`` modules.

The simulator stores in the test database (as its owner), so ``factory`` rows are ConeCRM records.
Each gateway gets its own routing file: forwarded or service token, short timeouts, what is routed.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import SECRET, Client, token_for
from gateway.app import create_app
from gateway.settings import Settings, load_settings
from servers import threaded_server
from simulators.conecrm import create_app as create_simulator
from simulators.faults import Faults

ROUTED = ("Contact", "Account", "Lead", "Task", "Stage")


# Fixtures for the test_conecrm_* modules, which import them.


@pytest.fixture(scope="module")
def conecrm_sim(owner_database_url: str) -> Iterator[tuple[str, Faults]]:
    """The ConeCRM simulator over the test database (as its owner): (base URL, its faults)."""
    with serve_simulator(owner_database_url) as served:
        yield served


@contextmanager
def serve_simulator(database_url: str) -> Iterator[tuple[str, Faults]]:
    """The ConeCRM simulator over ``database_url`` on uvicorn, with faults of its own."""
    faults = Faults()
    with threaded_server(create_simulator(database_url, SECRET, faults=faults)) as base:
        yield base, faults


@pytest.fixture
def faults(conecrm_sim: tuple[str, Faults]) -> Iterator[Faults]:
    """The simulator's faults, cleared (log too) before and after the test."""
    conecrm_sim[1].clear()
    conecrm_sim[1].log.clear()
    yield conecrm_sim[1]
    conecrm_sim[1].clear()


@pytest.fixture
async def conecrm_client(
    database_url: str, conecrm_sim: tuple[str, Faults], faults: Faults, tenant: str, tmp_path: Path
) -> AsyncIterator[Client]:
    """A caller of the test's tenant on a gateway routed to the simulator with forwarded tokens."""
    async with routed_gateway(database_url, routing_file(tmp_path, conecrm_sim[0])) as (settings, http):
        yield client_for(settings, http, tenant)


def routing_file(
    folder: Path,
    base_url: str,
    *,
    token: str | None = None,
    read_timeout: float = 5.0,
    routed: tuple[str, ...] = ROUTED,
) -> str:
    auth = f"credentials = {{ token = '{token}' }}" if token else "options = { forward_caller_token = true }"
    routes = "".join(f"{name} = 'conecrm'\n" for name in routed)
    path = folder / f"backends-{abs(hash((base_url, token, read_timeout, routed)))}.toml"
    path.write_text(
        f"[routes]\n{routes}[upstreams.conecrm]\nkind = 'conecrm'\nbase_url = '{base_url}'\n"
        f"system_name = 'ConeCRM'\n{auth}\n"
        f"[upstreams.conecrm.timeouts]\nconnect = 1.0\nread = {read_timeout}\ntotal = 5.0\n"
    )
    return str(path)


@asynccontextmanager
async def routed_gateway(
    database_url: str, routing: str
) -> AsyncIterator[tuple[Settings, httpx.AsyncClient]]:
    settings = load_settings(
        database_url=database_url, jwt_secret=SECRET, max_page_size=100, backends=routing
    )
    app = create_app(settings)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway"
        ) as http:
            yield settings, http
    finally:
        await app.state.view.strawberry.upstreams.aclose()
        await app.state.engine.dispose()


def client_for(settings: Settings, http: httpx.AsyncClient, tenant: str, **kwargs: Any) -> Client:
    return Client(http, token_for(settings, tenant, **kwargs))


def cost(body: dict[str, Any]) -> dict[str, Any]:
    return body["extensions"]["cost"]  # type: ignore[no-any-return]


@contextmanager
def resetting_server() -> Iterator[str]:
    """A TCP server on 127.0.0.1 that accepts each connection and resets it (RST) at once."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
