"""The CRM.COM simulator over real HTTP and a gateway routed to it, for the ``test_crmcom_*`` tests.

``crmcom`` serves one simulator per session and profile on 127.0.0.1 (its faults and request log are
reset after each test): every test that uses it runs under each reading of the seeds the simulator
knows (``simulators.crmcom.profiles``), and every request the connector sends and every answer are
checked against the seeds' JSON Schemas (``tests/contracts/crmcom``): a violation fails the test.
``crm_app`` builds a gateway whose routing file sends communications and queue entries to
it, with the test's tenant as the CRM.COM organisation; ``CrmSeed`` puts contacts in SQL and in the
simulator under the same ids, and communications and queue entries in the simulator.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from comms_factory import CommsFactory
from conftest import Client, token_for
from contracts.checker import Contracts
from factories import gid
from gateway.app import create_app
from gateway.backends.sql import tables as t
from gateway.settings import Settings
from servers import threaded_server
from simulators.crmcom import CrmcomSimulator, CrmcomStore
from simulators.crmcom import create_app as create_simulator
from simulators.crmcom.profiles import PROFILES
from simulators.faults import Faults

SYSTEM_NAME = "CRM.COM"
PASSWORD = "sim-password-" + "q" * 12  # a secret: tests check it never reaches a response


@dataclass
class Simulator:
    url: str
    app: CrmcomSimulator
    contracts: Contracts

    @property
    def store(self) -> CrmcomStore:
        return self.app.store

    @property
    def faults(self) -> Faults:
        return self.app.faults

    def calls(self, path: str, method: str = "GET") -> int:
        return self.faults.calls(method, "/crmapi/rest/v2/" + path)


@pytest.fixture(scope="session", params=sorted(PROFILES))
def crmcom(request: pytest.FixtureRequest) -> Iterator[Simulator]:
    contracts = Contracts("crmcom")
    app = create_simulator(CrmcomStore(), profile=request.param, contract=contracts)
    with threaded_server(app) as url:
        yield Simulator(url, app, contracts)


@pytest.fixture
def simulator(crmcom: Simulator) -> Iterator[Simulator]:
    yield crmcom
    crmcom.faults.clear()
    crmcom.faults.log.clear()
    violations, crmcom.contracts.violations = crmcom.contracts.violations, []
    crmcom.contracts.requests.clear()
    crmcom.contracts.enabled = True
    assert violations == [], "the connector sent, or the simulator answered, outside the seeds' contract"


def routing_file(
    folder: Path, url: str, tenant: str, routes: dict[str, str] | None = None, **options: Any
) -> Path:
    lines = ["[routes]"]
    for entity, target in (
        routes or {"Communication": "crmcom", "CommunicationQueueEntry": "crmcom"}
    ).items():
        lines.append(f'{entity} = "{target}"')
    lines += [
        "[upstreams.crmcom]",
        'kind = "crmcom"',
        f'base_url = "{url}/crmapi/rest/v2"',
        f'system_name = "{SYSTEM_NAME}"',
        "max_concurrency = 4",
        "[upstreams.crmcom.timeouts]",
        "read = 1.0",
        "[upstreams.crmcom.credentials]",
        'username = "gateway"',
        f'password = "{PASSWORD}"',
        f'organisation = "{tenant}"',
        "[upstreams.crmcom.options]",
        *(f"{key} = {json.dumps(value)}" for key, value in options.items()),  # JSON scalars/lists are TOML
    ]
    path = folder / "backends.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def crm_routes() -> dict[str, str] | None:
    """The routing file's [routes] (None: communications and the queue in CRM.COM); modules override it."""
    return None


@pytest.fixture
async def crm_app(
    settings: Settings, tenant: str, simulator: Simulator, tmp_path: Path, crm_routes: dict[str, str] | None
) -> AsyncIterator[Any]:
    simulator.store.add_user(tenant, "gateway", PASSWORD)
    path = routing_file(tmp_path, simulator.url, tenant, crm_routes)
    # CRM.COM has no batch forms: nested tests make more calls than the default upstream budget allows.
    update = {"backends": str(path), "max_upstream_calls": 10_000}
    application = create_app(settings.model_copy(update=update))
    yield application
    await application.state.view.close()
    await application.state.engine.dispose()


@pytest.fixture
async def crm_client(crm_app: Any, settings: Settings, tenant: str) -> AsyncIterator[Client]:
    transport = httpx.ASGITransport(app=crm_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        yield Client(http, token_for(settings, tenant))


class CrmSeed:
    """Contacts in SQL and in CRM.COM (same ids); communications and queue entries in CRM.COM."""

    def __init__(self, comms: CommsFactory, store: CrmcomStore, organisation: str) -> None:
        self.comms, self.store, self.organisation = comms, store, organisation
        self.crm_ids: dict[uuid.UUID, uuid.UUID] = {}  # SQL contact id -> its CRM.COM id, where they differ

    def contact(self, first_name: str, last_name: str, **values: Any) -> uuid.UUID:
        contact_id = self.comms.contact(first_name, last_name, **values)
        self.store.add_contact(
            self.organisation, id=contact_id.hex, first_name=first_name, last_name=last_name
        )
        return contact_id

    def linked_contact(self, first_name: str, last_name: str, system_name: str = SYSTEM_NAME) -> uuid.UUID:
        """A contact in SQL whose CRM.COM contact has another id, linked by a ThirdPartyId (seed 004)."""
        contact_id = self.comms.contact(first_name, last_name)
        crm_id = self.store.add_contact(self.organisation, first_name=first_name, last_name=last_name)
        self.comms._pending[t.third_party_ids.name].append(
            {
                "id": uuid.uuid4(),
                "tenant": self.comms.tenant,
                "owner_id": contact_id,
                "system_name": system_name,
                "third_party_id": crm_id,
                "date_created": self.comms.next_time(),
            }
        )
        self.crm_ids[contact_id] = uuid.UUID(hex=crm_id)
        return contact_id

    def category(self, name: str) -> tuple[uuid.UUID, dict[str, str]]:
        """A category in SQL, and CRM.COM's link to it (same id)."""
        category_id = self.comms.category(name)
        return category_id, {"id": category_id.hex.upper(), "name": name}

    def external_system(self, name: str) -> tuple[uuid.UUID, dict[str, str]]:
        system_id = self.comms.external_system(name)
        return system_id, {"id": system_id.hex.upper(), "name": name}

    def communication(self, contact_id: uuid.UUID, subject: str = "Hello", **values: Any) -> uuid.UUID:
        values.setdefault("content", f"About {subject}")
        crm_contact = self.crm_ids.get(contact_id, contact_id)
        created = self.store.add_communication(self.organisation, crm_contact.hex, subject=subject, **values)
        return uuid.UUID(hex=created)

    def entry(self, communication_id: uuid.UUID, system: dict[str, str], **values: Any) -> uuid.UUID:
        created = self.store.add_queue_entry(self.organisation, communication_id.hex, system, **values)
        return uuid.UUID(hex=created)

    async def save(self) -> None:
        await self.comms.save()


@pytest.fixture
def seed(engine: Any, tenant: str, simulator: Simulator) -> CrmSeed:
    return CrmSeed(CommsFactory(engine, tenant), simulator.store, tenant)


def cost(body: dict[str, Any]) -> dict[str, Any]:
    return body["extensions"]["cost"]  # type: ignore[no-any-return]


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def sms_input(contact_id: uuid.UUID, system_id: uuid.UUID, subject: str) -> dict[str, Any]:
    """A ``communicationCreate`` input: an outgoing SMS to the contact through the external system."""
    return {
        "contactId": gid("Contact", contact_id),
        "externalSystemId": gid("CommunicationQueueExternalSystem", system_id),
        "direction": "OUTGOING",
        "media": "SMS",
        "subject": subject,
        "content": "1234",
    }
