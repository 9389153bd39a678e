"""CRM.COM faults become partial data with the right code; a create is never sent twice; an expired
token is replaced by one new login; credentials never reach a response or the log."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from conftest import Client
from crmcom_env import PASSWORD, CrmSeed, Simulator
from factories import gid

QUERY = "query($id: ID!) { me { subject } communication(id: $id) { subject } }"
CREATE = """mutation($input: CommunicationCreateInput!) {
  communicationCreate(input: $input) { communication { subject number } errors { code message } }
}"""


async def _one(seed: CrmSeed) -> dict[str, Any]:
    ada = seed.contact("Ada", "Lovelace")
    call = seed.communication(ada, "Call back")
    await seed.save()
    return {"ada": ada, "call": call, "id": gid("Communication", call)}


async def _partial(client: Client, variables: dict[str, Any]) -> dict[str, Any]:
    """The response is 200 with `me` served and `communication` null with one error on its path."""
    response = await client.post(QUERY, variables)
    body = response.json()
    assert response.status_code == 200, body
    assert body["data"] == {"me": {"subject": "tester"}, "communication": None}
    [error] = body["errors"]
    assert error["path"] == ["communication"] and error["extensions"]["system"] == "crmcom"
    return error  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"latency_seconds": 1.5}, "UPSTREAM_TIMEOUT"),
        ({"fail": (503,)}, "UPSTREAM_UNAVAILABLE"),
        ({"fail": (500,)}, "UPSTREAM_UNAVAILABLE"),
        ({"fail": (429, 1_000_000, 30)}, "UPSTREAM_RATE_LIMITED"),
    ],
)
async def test_faults_become_partial_data(
    crm_client: Client, seed: CrmSeed, simulator: Simulator, fault: dict[str, Any], code: str
) -> None:
    data = await _one(seed)
    await crm_client.execute(QUERY, {"id": data["id"]})  # logged in
    if "fail" in fault:
        simulator.faults.fail(*fault["fail"])
    simulator.faults.latency_seconds = fault.get("latency_seconds", 0.0)
    error = await _partial(crm_client, {"id": data["id"]})
    assert error["extensions"]["code"] == code
    if code == "UPSTREAM_RATE_LIMITED":
        assert error["extensions"]["retryAfter"] == 30
    simulator.faults.clear()
    assert (await crm_client.execute(QUERY, {"id": data["id"]}))["data"]["communication"] == {
        "subject": "Call back"
    }


async def test_crmcom_status_code_comes_back_as_its_code_without_secrets(
    crm_client: Client, seed: CrmSeed, simulator: Simulator, tenant: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A login CRM.COM refuses (AUTHENTICATION_FAILED): the field's error carries CRM.COM's code."""
    data = await _one(seed)
    del simulator.store.users[(tenant, "gateway")]
    with caplog.at_level(logging.DEBUG):
        error = await _partial(crm_client, {"id": data["id"]})
    assert error["extensions"]["code"] == "CRMCOM_AUTHENTICATION_FAILED"
    assert error["extensions"]["upstreamCode"] == "AUTHENTICATION_FAILED"
    assert PASSWORD not in str(error) and PASSWORD not in caplog.text


async def test_tokens_never_reach_the_log(
    crm_client: Client, seed: CrmSeed, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    data = await _one(seed)
    with caplog.at_level(logging.DEBUG):
        await crm_client.execute(QUERY, {"id": data["id"]})
        simulator.faults.fail(503)
        await crm_client.post(QUERY, {"id": data["id"]})
    tokens = list(simulator.store.tokens)
    assert tokens and caplog.records
    assert not any(token in caplog.text for token in tokens) and PASSWORD not in caplog.text


async def test_expired_token_is_replaced_by_one_login(
    crm_client: Client, seed: CrmSeed, simulator: Simulator
) -> None:
    data = await _one(seed)
    await crm_client.execute(QUERY, {"id": data["id"]})
    simulator.store.expire_tokens()
    body = await crm_client.execute(QUERY, {"id": data["id"]})
    assert body["data"]["communication"] == {"subject": "Call back"}
    assert body["extensions"]["cost"]["upstreamCallsBySystem"] == {"crmcom": 3}  # refused, login, again
    await crm_client.execute(QUERY, {"id": data["id"]})
    assert simulator.calls("authentication/token", "POST") == 2
    assert simulator.calls("communications/show") == 4


def _input(data: dict[str, Any], subject: str) -> dict[str, Any]:
    return {
        "contactId": gid("Contact", data["ada"]),
        "direction": "INCOMING",
        "media": "PHONE",
        "subject": subject,
        "content": "Hi",
    }


async def test_create_goes_to_crmcom(
    crm_client: Client, seed: CrmSeed, simulator: Simulator, tenant: str
) -> None:
    data = await _one(seed)
    body = await crm_client.execute(CREATE, {"input": _input(data, "Created here")})
    created = body["data"]["communicationCreate"]
    assert created["errors"] == [] and created["communication"]["subject"] == "Created here"
    stored = [
        c for c in simulator.store.org(tenant).communications.values() if c["subject"] == "Created here"
    ]
    assert len(stored) == 1 and stored[0]["contact_information"]["id"] == data["ada"].hex.upper()
    assert created["communication"]["number"] == stored[0]["number"]  # CRM.COM numbers it


@pytest.mark.parametrize(
    ("fault", "code"), [("fail", "UPSTREAM_UNAVAILABLE"), ("latency", "UPSTREAM_TIMEOUT")]
)
async def test_a_failing_create_is_not_sent_twice(
    crm_client: Client, seed: CrmSeed, simulator: Simulator, fault: str, code: str
) -> None:
    data = await _one(seed)
    await crm_client.execute(QUERY, {"id": data["id"]})  # logged in
    if fault == "fail":
        simulator.faults.fail(503, count=1)
    else:
        simulator.faults.latency_seconds = 1.5
    response = await crm_client.post(CREATE, {"input": _input(data, "Once only")})
    body = response.json()
    assert response.status_code == 200 and body["data"]["communicationCreate"] is None
    assert body["errors"][0]["extensions"]["code"] == code
    assert simulator.calls("communications/create", "POST") == 1
