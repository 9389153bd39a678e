"""Fixtures of the Akixi tests: the simulator on real uvicorn, and a gateway whose routing file names it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import SECRET, Client, token_for
from contracts.checker import Contracts
from gateway.app import create_app
from gateway.settings import load_settings
from servers import threaded_server
from simulators.akixi import AkixiSimulator
from simulators.akixi import create_app as create_simulator
from simulators.akixi.profiles import PROFILES
from simulators.faults import Faults

API_KEY = "akixi-test-key-5f1c2e9a"
SESSION = "akixi-session-77d0b3"
ADMIN = "/CCS/API/v1/admin"


@dataclass
class Simulator:
    state: AkixiSimulator
    faults: Faults
    url: str
    contracts: Contracts

    def calls(self, method: str | None = None) -> int:
        return sum(1 for entry in self.faults.log if method in (None, entry.method))


@pytest.fixture(name="akixi_profile", params=sorted(PROFILES))
def every_akixi_profile(request: pytest.FixtureRequest) -> str:
    """Each reading of seed 002 the simulator knows (``simulators.akixi.profiles``); modules that serve
    the simulator import this fixture, so their tests run under every one."""
    return str(request.param)


@contextmanager
def serve_akixi(profile: str = "literal") -> Iterator[Simulator]:
    """The demo simulator (seed 002's sample configurations) on uvicorn, with its own faults and log.

    Every Add/Change body and every List/Info answer is checked against the seed's JSON Schemas
    (``tests/contracts/akixi``); a violation fails the test when the simulator stops."""
    state, faults = AkixiSimulator.demo(api_key=API_KEY, session=SESSION), Faults()
    contracts = Contracts("akixi")
    with threaded_server(create_simulator(state, faults, profile, contracts)) as url:
        yield Simulator(state, faults, url, contracts)
    assert contracts.violations == [], "the connector sent, or the simulator answered, outside seed 002"


def routing_file(
    folder: Path, url: str, credentials: str, extra: str = "", tenants: list[str] | None = None
) -> Path:
    """``tenants``: the required ``options.tenants`` (None: left out, for the tests of that refusal)."""
    if tenants is not None:
        extra = f"[upstreams.akixi.options]\ntenants = {json.dumps(tenants)}\n{extra}"
    path = folder / "backends.toml"
    path.write_text(
        f"""
[upstreams.akixi]
kind = "akixi"
base_url = "{url}"
system_name = "Akixi"
[upstreams.akixi.credentials]
{credentials}
[upstreams.akixi.timeouts]
read = 0.5
{extra}
"""
    )
    return path


@asynccontextmanager
async def gateway(
    folder: Path,
    database_url: str,
    url: str,
    credentials: str = f'api_key = "{API_KEY}"',
    extra: str = "",
    tenants: list[str] | None = None,
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """The gateway app over ASGI, routed to the simulator at ``url``; yields its HTTP client and settings."""
    backends = routing_file(folder, url, credentials, extra, tenants)
    settings = load_settings(database_url=database_url, jwt_secret=SECRET, backends=str(backends))
    app = create_app(settings)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            yield http, settings
    finally:
        await app.state.view.close()
        await app.state.engine.dispose()


def caller(
    http: httpx.AsyncClient, settings: Any, tenant: str, permissions: list[str] | None = None
) -> Client:
    return Client(http, token_for(settings, tenant, permissions=permissions or ["CRM_ALL"]))


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


@dataclass
class World:
    """Where the configurations live: the Akixi simulator (routed) or the gateway's own SQL store."""

    api: Client
    akixi: Simulator | None  # None: the gateway's own store, seeded with the simulator's demo configs

    async def id_of(self, description: str) -> str:
        body = await self.api.execute("{ akixiCrmConfigs(limit: 1000) { items { id description } } }")
        items = body["data"]["akixiCrmConfigs"]["items"]
        return next(str(item["id"]) for item in items if item["description"] == description)

    def calls(self, method: str | None = None) -> int | None:
        """Calls the simulator received; None in the SQL store, which no upstream call serves."""
        return None if self.akixi is None else self.akixi.calls(method)


# The simulator's demo configurations (seed 002's List sample), added through the graph into SQL.
DEMO_SETTINGS = (
    '{contactsFoldersNames: ["Contacts"], relatedMailFoldersNames: [], relatedCalendarFoldersNames: []}'
)
DEMO_COMMON = '{cached: true, relatedDataEnabled: true, cacheFrequency: 60, cacheFrequencyUnit: "Minutes"}'
DEMO_CONFIGS = (
    ("Raman-Teams", "CrmAddin.GoogleContacts.GoogleContactsAddin", 338, "UnknownNoneOrAll"),
    ("test CRM", "CrmAddin.GraphContacts.GraphContactsAddin", 426, "+442046034983"),
    ("test CXI", "CrmAddin.GoogleContacts.GoogleContactsAddin", 183, "0001"),
)


async def seed_demo_configs(api: Client) -> None:
    for description, crm_type, tel_sys, device in DEMO_CONFIGS:
        scope = f'{{telSysId: {tel_sys}, partitionId: 1, deviceNumber: "{device}"}}'
        input = (
            f'{{description: "{description}", crmType: "{crm_type}", settings: {DEMO_SETTINGS}, '
            f"common: {DEMO_COMMON}}}"
        )
        body = await api.execute(
            f"mutation {{ akixiCrmConfigAdd(scope: {scope}, input: {input}) {{ errors {{ code }} }} }}"
        )
        assert body["data"]["akixiCrmConfigAdd"]["errors"] == []
