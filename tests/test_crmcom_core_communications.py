"""The core communication query tests (tests/test_communications.py), unchanged, with communications and
queue entries routed to the CRM.COM simulator.

crmcom branch, kept apart from the ConeCRM helper's routed runs of the core tests: importing the test
functions here runs them with this module's fixtures, where ``client`` and ``app`` are a gateway routed
to the simulator and ``comms`` writes communications and queue entries into the simulator (contacts,
categories, templates and external systems stay in SQL, under the same ids in CRM.COM's links).

Not run here, because CRM.COM's API cannot serve them (each is covered by a test_crmcom_* test of what it
can do instead):
- test_communications_filtered_by_contact_category_direction_and_media and
  test_media_rule_hides_emails_and_sms_on_every_path list communications without a contact or category
  (seed 001 communications/list needs one) or filter on the life cycle state (no such parameter);
- test_referring_to_*: the gateway does not read CRM.COM's referring_to.

test_nested_communications_cost_does_not_grow_with_rows is its own here: its SQL statements stay
constant, but seed 001 has no batch form, so it counts CRM.COM's calls per contact exactly.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import pytest

from comms_factory import CommsFactory
from conftest import Client
from crmcom_env import Simulator
from simulators.crmcom import CrmcomStore
from test_communications import (  # noqa: F401  (collected here, with this module's fixtures)
    NESTED,
    _nested_data,
    test_communication_by_id_and_by_number,
    test_communication_needs_exactly_one_of_id_and_number,
    test_communications_need_the_area_permission,
    test_node_resolves_communications_and_settings,
    test_other_tenants_communications_are_invisible,
)
from test_nested_cost import statements_executed


class CrmcomCommsFactory(CommsFactory):
    """``CommsFactory`` whose communications and queue entries go to the CRM.COM simulator."""

    def __init__(self, engine: Any, tenant: str, store: CrmcomStore) -> None:
        super().__init__(engine, tenant)
        self.store = store
        self.names: dict[uuid.UUID, str] = {}

    def contact(
        self, first_name: str | None = None, last_name: str | None = None, **values: Any
    ) -> uuid.UUID:
        contact_id = super().contact(first_name, last_name, **values)
        self.store.add_contact(self.tenant, id=contact_id.hex, first_name=first_name, last_name=last_name)
        return contact_id

    def category(self, name: str, **values: Any) -> uuid.UUID:
        return self._named(super().category(name, **values), name)

    def template(self, name: str, **values: Any) -> uuid.UUID:
        return self._named(super().template(name, **values), name)

    def external_system(self, name: str, **values: Any) -> uuid.UUID:
        return self._named(super().external_system(name, **values), name)

    def _named(self, record_id: uuid.UUID, name: str) -> uuid.UUID:
        self.names[record_id] = name
        return record_id

    def _link(self, record_id: uuid.UUID | None) -> dict[str, str] | None:
        return None if record_id is None else {"id": record_id.hex.upper(), "name": self.names[record_id]}

    def communication(
        self,
        contact_id: uuid.UUID,
        subject: str = "Hello",
        *,
        refers_to: Iterable[tuple[str, uuid.UUID]] = (),
        **values: Any,
    ) -> uuid.UUID:
        assert not tuple(refers_to), "CRM.COM's referring_to is not read by the gateway"
        self._numbers = getattr(self, "_numbers", 0) + 1
        links = {
            "category": self._link(values.pop("category_id", None)),
            "template": self._link(values.pop("template_id", None)),
            "communication_queue_external_system": self._link(values.pop("external_system_id", None)),
        }
        values = {"content": f"About {subject}", "number": f"F{self._numbers}", **values, **links}
        return uuid.UUID(
            hex=self.store.add_communication(self.tenant, contact_id.hex, subject=subject, **values)
        )

    def queue_entry(
        self,
        communication_id: uuid.UUID,
        contact_id: uuid.UUID,
        system_id: uuid.UUID,
        media: str = "SMS",
        **values: Any,
    ) -> uuid.UUID:
        """In CRM.COM an entry's media is its communication's (the SQL factory lets them differ)."""
        system = self._link(system_id)
        assert system is not None
        entry = self.store.add_queue_entry(self.tenant, communication_id.hex, system, **values)
        return uuid.UUID(hex=entry)


async def test_nested_communications_cost_does_not_grow_with_rows(
    app: Any, client: Client, comms: CrmcomCommsFactory
) -> None:
    """Contacts (in SQL) with communications and queue entries (in CRM.COM): the SQL statements do not
    grow with the rows, and neither does anything else but CRM.COM's calls, which seed 001 makes one
    per parent: communications/list takes one contact (or one category) and nothing that names several
    (seed 001 lines 63-83), and queue/list one external system or one media, narrowed by one contact
    (lines 920-988), neither with paging. So each contact costs one communications/list (its page and
    its totalCount share it) and one queue/list for its communications' entries (one media here)."""
    await _nested_data(comms, 3)
    await client.execute(NESTED)  # logs in once: the calls below are the reads alone
    with statements_executed(app) as few:
        small = await client.execute(NESTED)
    await _nested_data(comms, 9)
    with statements_executed(app) as many:
        large = await client.execute(NESTED)
    assert len(many) == len(few) == small["extensions"]["cost"]["sqlStatements"]
    assert small["extensions"]["cost"]["upstreamCallsBySystem"] == {"crmcom": 2 * 3}
    assert large["extensions"]["cost"]["upstreamCallsBySystem"] == {"crmcom": 2 * 12}
    contacts = large["data"]["contacts"]["edges"]
    assert len(contacts) == 12
    first = contacts[0]["node"]["communications"]
    assert first["totalCount"] == 4
    assert [e["node"]["subject"] for e in first["edges"]] == ["0-0", "0-1", "0-2"]
    assert first["edges"][0]["node"]["queueEntries"]["totalCount"] == 1


@pytest.fixture
def comms(engine: Any, tenant: str, simulator: Simulator) -> CrmcomCommsFactory:
    return CrmcomCommsFactory(engine, tenant, simulator.store)


@pytest.fixture
def client(crm_client: Client) -> Client:
    return crm_client


@pytest.fixture
def app(crm_app: Any) -> Any:
    return crm_app
