"""The contracts in tests/contracts/conecrm (JSON Schemas written by hand from seed 004, each citing its
lines) are valid schemas, refuse what the seed refuses, and the simulator's records conform to them.

The request schemas are applied to every body the connector sends during the test suite: the
simulator's ``inspect`` hook (tests/conecrm_support.py) refuses and records any off-contract body, and
its fixture fails at teardown if there was one.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema
import pytest

from conecrm_support import CONTRACT_INDEX, CONTRACTS, check_against_contract, contract
from conftest import SECRET, token_for
from factories import Factory
from gateway.settings import load_settings
from simulators.conecrm import fields
from simulators.conecrm.store import Store
from simulators.faults import Faults

FILES = sorted({*CONTRACT_INDEX["requests"].values(), *CONTRACT_INDEX["responses"].values()})


@pytest.mark.parametrize("file", FILES)
def test_each_contract_is_a_schema_that_cites_the_seed(file: str) -> None:
    schema = json.loads((CONTRACTS / file).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert "seed 004 l. " in schema["$comment"]


@pytest.mark.parametrize(
    ("route", "body"),
    [
        # isDeleted as a boolean, a list value: the query builder's value is a string (l. 11904).
        (
            "POST /api/query-builder/filter/{entity}",
            {"query": {"rules": [{"field": "a", "operator": "in", "value": ["x"]}]}},
        ),
        (
            "POST /api/query-builder/filter/{entity}",
            {"query": {"rules": [{"field": "a", "operator": "=", "value": False}]}},
        ),
        ("POST /api/account", {"name": "Acme", "customFields": {"alias": "A"}}),  # not an account member
        (
            "POST /api/lead",
            {"subject": "No department", "contact": {"id": "0190a000-0000-7000-8000-000000000001"}},
        ),
        ("POST /api/task", {"title": "Nobody's"}),  # assignee required (l. 15643)
        ("POST /api/lead/{lead}/copy", {"subject": "No contact"}),  # contact required (l. 16951)
        ("POST /api/stage", {"name": "Won", "customFields": {"position": 1}}),  # ConnectionStage {id, name}
    ],
)
def test_the_contracts_refuse_what_the_connector_used_to_send(route: str, body: Any) -> None:
    file = CONTRACT_INDEX["requests"][route]
    assert list(contract(file).iter_errors(body)), f"{route} accepted {body}"
    assert contract(file).is_valid(body) is False and check_against_contract is not None


async def test_the_simulators_records_conform_to_the_response_contracts(
    conecrm_sim: tuple[str, Faults, Store], factory: Factory, database_url: str, tenant: str
) -> None:
    contact = factory.contact("Ada", "Lovelace", emails=["ada@a.org"], phones=["+15145550123"])
    account = factory.account("Engines", contacts=[contact])
    stage = factory.stage("Won")
    lead = factory.lead("Engine", contact_id=contact, account_id=account, stage_id=stage)
    factory.task("Call", lead_id=lead, contact_id=contact)
    factory.event("Meet", "APPOINTMENT", contact_id=contact)
    await factory.save()
    token = token_for(load_settings(database_url=database_url, jwt_secret=SECRET), tenant)
    profile = conecrm_sim[0] and fields.entities  # the profile's entity names come from the simulator
    async with httpx.AsyncClient(
        base_url=conecrm_sim[0], headers={"Authorization": f"Bearer {token}"}
    ) as http:
        names = [entry["entity"] for entry in (await http.get("/api/filters")).json()["data"]]
        found: dict[str, list[Any]] = {}
        for name in names:
            answer = await http.post(f"/api/query-builder/filter/{name}", json={"query": {"rules": []}})
            found[name] = answer.json()["data"]
        found["stage"] = (await http.get("/api/stage")).json()
        by_phone = (await http.get("/api/contact/phone/+15145550123")).json()
    assert profile is not None
    found["contact"] += by_phone if isinstance(by_phone, list) else [by_phone]
    kinds = {"contact": "contact", "account": "account", "lead": "lead", "task": "event", "event": "event"}
    kinds["stage"] = "stage"
    checked = 0
    for name, items in found.items():
        validator = contract(CONTRACT_INDEX["responses"][kinds[name]])
        for item in items:
            assert list(validator.iter_errors(item)) == [], (name, item)
            checked += 1
    assert checked >= 6  # the appointment is served only where the profile's event entity holds it
