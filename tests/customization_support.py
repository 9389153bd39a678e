"""The two homes of customization data for the customization tests: the ConeCRM simulator (routed) and
the gateway's own SQL store, which starts empty and is given the simulator's demo data through the graph."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from conftest import Client, token_for
from simulators.faults import Faults

DEMO_OWNER = "conecrm-demo"
DEMO_QUERY = {
    "combinator": "or",
    "rules": [{"field": "primaryEmail", "operator": "endsWith", "value": ".com"}],
}


@dataclass
class World:
    settings: Any
    http: httpx.AsyncClient
    tenant: str
    faults: Faults | None  # the simulator's; None: the gateway's own SQL store

    def client(self, subject: str = "tester", tenant: str | None = None, **kwargs: Any) -> Client:
        token = token_for(self.settings, tenant or self.tenant, subject=subject, **kwargs)
        return Client(self.http, token)

    @property
    def sql(self) -> bool:
        return self.faults is None

    def called(self) -> int:
        """Calls the simulator received (0 in the SQL world, which calls nothing)."""
        return 0 if self.faults is None else len(self.faults.log)


DEMO = [
    (
        "tester",
        'customFieldCreate(input: {entity: "contact", fieldName: "shoeSize", fieldType: NUMBER, '
        "options: {min: 1, max: 10}}) { errors { message } }",
    ),
    (
        "tester",
        'customLabelCreate(input: {value: {label1: "Custom Label 1", label2: "Custom Label 2"}}) '
        "{ errors { message } }",
    ),
    (
        DEMO_OWNER,
        'savedFilterCreate(input: {name: "E-mail ends with .com", module: "contact", value: $query, '
        "private: false}) { errors { message } }",
    ),
    (
        "tester",
        'automationCreate(input: {name: "Welcome new leads", automationTrigger: "lead.created", '
        'nodes: [{id: "1", type: "sendEmail"}], edges: []}) { errors { message } }',
    ),
]


async def seed_demo(world: World, tenant: str) -> None:
    """The simulator's demo data of a tenant, in the SQL world (the simulator has its own)."""
    if not world.sql:
        return
    for subject, mutation in DEMO:
        uses_query = "$query" in mutation
        operation = f"mutation{'($query: JSON)' if uses_query else ''} {{ result: {mutation} }}"
        body = await world.client(subject, tenant).execute(
            operation, {"query": DEMO_QUERY} if uses_query else {}
        )
        assert body["data"]["result"]["errors"] == [], mutation
