"""A gateway routed to the seed-literal ConeCRM simulator, for the ``test_conecrm_*`` modules.

The simulator keeps its own store; ``factory`` puts the same records there in seed 004's shapes
(``conecrm_seeding.py``). Every body the simulator receives is checked against its JSON Schema in
``tests/contracts/conecrm`` (written from seed 004, each citing its lines); a body that does not conform
is refused with 400 and recorded, and the fixture fails at teardown if any was.
Each gateway gets its own routing file: forwarded or service token, short timeouts, what is routed.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from conftest import CONECRM_PROFILES, SECRET, Client, token_for
from gateway.app import create_app
from gateway.settings import Settings, load_settings
from servers import threaded_server
from simulators.conecrm import create_app as create_simulator
from simulators.conecrm.store import Store
from simulators.faults import Faults

ROUTED = ("Contact", "Account", "Lead", "Task", "Stage")
# LeadCreateRequest requires a department, source and franchise (seed 004 l. 16280-16301), which the
# graph's leadCreate does not always have: the routing file names the defaults (the simulator keeps no
# departments, sources or franchises of its own, so any ids do).
LEAD_DEFAULTS = (
    "lead_defaults = { department = '0190a000-0000-7000-8000-000000000001', "
    "source = '0190a000-0000-7000-8000-000000000002', franchise = '0190a000-0000-7000-8000-000000000003' }"
)
CONTRACTS = Path(__file__).resolve().parent / "contracts" / "conecrm"
CONTRACT_INDEX = json.loads((CONTRACTS / "index.json").read_text())
# (method route, violation) of every body a simulator refused as off-contract in this session.
VIOLATIONS: list[tuple[str, str]] = []
CHECKED: list[str] = []  # every route whose body was checked (to show the check runs)
SIMULATORS: dict[str, Any] = {}  # base URL -> the simulator's app, for what its store keeps aside


def contract(file: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((CONTRACTS / file).read_text())
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def check_against_contract(method: str, route: str, body: Any) -> str | None:
    """The simulator's ``inspect`` hook: the body against the schema of its operation (if the connector
    uses one); the problem, recorded in ``VIOLATIONS``, or None."""
    file = CONTRACT_INDEX["requests"].get(f"{method} {route}")
    if file is None:
        return None
    CHECKED.append(f"{method} {route}")
    problems = sorted(contract(file).iter_errors(body), key=lambda e: list(e.absolute_path))
    if not problems:
        return None
    text = "; ".join(f"{'/'.join(map(str, p.absolute_path)) or 'body'}: {p.message}" for p in problems)
    VIOLATIONS.append((f"{method} {route}", text))
    return f"off contract ({file}): {text}"


# Fixtures for the test_conecrm_* modules, which import them.


@pytest.fixture(scope="module", params=CONECRM_PROFILES)
def conecrm_profile(request: pytest.FixtureRequest) -> str:
    """Each reading of seed 004 the simulator offers, in turn (``--conecrm-profile`` keeps one)."""
    return str(request.param)


@pytest.fixture(scope="module")
def conecrm_sim(conecrm_profile: str) -> Iterator[tuple[str, Faults, Store]]:
    """The ConeCRM simulator under each profile: (base URL, its faults, its store)."""
    with serve_simulator(conecrm_profile) as served:
        yield served


@contextmanager
def serve_simulator(profile: str = "lists") -> Iterator[tuple[str, Faults, Store]]:
    """The ConeCRM simulator on uvicorn, with faults and a store of its own, checking bodies against
    the contracts; fails at exit if any body it got was off contract."""
    faults = Faults()
    before = len(VIOLATIONS)
    app = create_simulator(SECRET, profile_name=profile, faults=faults, inspect=check_against_contract)
    with threaded_server(app) as base:
        SIMULATORS[base] = app
        yield base, faults, app.store  # type: ignore[attr-defined]
    assert VIOLATIONS[before:] == [], "bodies sent to ConeCRM off seed 004's contract"


@pytest.fixture
def faults(conecrm_sim: tuple[str, Faults, Store]) -> Iterator[Faults]:
    """The simulator's faults, cleared (log too) before and after the test."""
    conecrm_sim[1].clear()
    conecrm_sim[1].log.clear()
    yield conecrm_sim[1]
    conecrm_sim[1].clear()


@pytest.fixture
async def conecrm_client(
    database_url: str, conecrm_sim: tuple[str, Faults, Store], faults: Faults, tenant: str, tmp_path: Path
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
    options: str = "",
) -> str:
    auth = f"credentials = {{ token = '{token}' }}\n" if token else ""
    auth += (
        "[upstreams.conecrm.options]\n" + ("" if token else "forward_caller_token = true\n") + LEAD_DEFAULTS
    )
    auth += f"\n{options}" if options else ""
    routes = "".join(f"{name} = 'conecrm'\n" for name in routed)
    path = folder / f"backends-{abs(hash((base_url, token, read_timeout, routed, options)))}.toml"
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
