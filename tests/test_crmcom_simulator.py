"""The CRM.COM simulator's own contract over real HTTP: login and tokens, the {status, data} envelope and
its codes, fields_set, organisations kept apart, and contact_information with its set actions (seed
003; the profile photo's methods are in ``test_crmcom_photos.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from crmcom_env import Simulator
from servers import threaded_server
from simulators.crmcom import simulate

API = "/crmapi/rest/v2/"


@pytest.fixture
async def api(simulator: Simulator) -> AsyncIterator[httpx.AsyncClient]:
    """Straight to the simulator: these tests send what the seeds refuse on purpose, so the contract
    check (for the connector's calls) is off here; the ``simulator`` fixture turns it on again."""
    simulator.contracts.enabled = False
    async with httpx.AsyncClient(base_url=simulator.url + API) as client:
        yield client


async def _login(api: httpx.AsyncClient, simulator: Simulator, organisation: str) -> str:
    simulator.store.add_user(organisation, "user", "secret")
    body = {"username": "user", "password": "secret", "organisation": organisation}
    answer = (await api.post("authentication/token", json=body)).json()
    assert answer["status"]["code"] == "OK"
    return str(answer["data"]["token"])


def _status(response: httpx.Response) -> str:
    assert response.status_code == 200  # CRM.COM answers failures inside the envelope
    return str(response.json()["status"]["code"])


async def test_login_tokens_and_their_codes(api: httpx.AsyncClient, simulator: Simulator) -> None:
    wrong = {"username": "user", "password": "nope", "organisation": "org-a"}
    simulator.store.add_user("org-a", "user", "secret")
    assert _status(await api.post("authentication/token", json=wrong)) == "AUTHENTICATION_FAILED"
    assert _status(await api.post("authentication/token", json={})) == "MANDATORY_FIELD_MISSING"
    show = {"communication_identifier": "id=" + "A" * 32}
    assert _status(await api.get("communications/show", params=show)) == "INVALID_TOKEN"
    token = await _login(api, simulator, "org-a")
    assert _status(await api.get("communications/show", params={**show, "token": token})) == "NOT_FOUND"
    simulator.store.expire_tokens()
    assert _status(await api.get("communications/show", params={**show, "token": token})) == "TOKEN_EXPIRED"


async def test_fields_set_and_organisations(api: httpx.AsyncClient, simulator: Simulator) -> None:
    token_a = await _login(api, simulator, "org-a2")
    token_b = await _login(api, simulator, "org-b2")
    contact = simulator.store.add_contact("org-a2", first_name="Ada", last_name="Lovelace")
    communication = simulator.store.add_communication("org-a2", contact, subject="Hi", content="Hello")
    params = {"communication_identifier": f"id={communication}", "fields_set": "id,subject"}
    answer = (await api.get("communications/show", params={**params, "token": token_a})).json()
    assert answer["data"] == {"id": communication, "subject": "Hi"}
    assert _status(await api.get("communications/show", params={**params, "token": token_b})) == "NOT_FOUND"
    listed = await api.get(
        "communications/list", params={"token": token_b, "contact_information_identifier": f"id={contact}"}
    )
    assert listed.json()["data"] == []
    assert (
        _status(await api.get("communications/list", params={"token": token_a})) == "MANDATORY_FIELD_MISSING"
    )


async def test_communication_create_rules(api: httpx.AsyncClient, simulator: Simulator) -> None:
    token = await _login(api, simulator, "org-c")
    contact = simulator.store.add_contact("org-c", first_name="Ada", last_name="Lovelace")
    base = {"token": token, "contact_information_identifier": {"id": contact}, "direction": "OUTGOING"}
    email = {**base, "media": "EMAIL", "subject": "S", "content": "C"}
    assert _status(await api.post("communications/create", json=email)) == "MANDATORY_FIELD_MISSING"  # no to
    assert (
        _status(await api.post("communications/create", json={**base, "media": "SMS"}))
        == "MANDATORY_FIELD_MISSING"
    )
    created = (await api.post("communications/create", json={**email, "to": "a@example.com"})).json()
    assert created["status"]["code"] == "OK" and created["data"]["life_cycle_state"] == "COMPLETED"
    assert created["data"]["contact_information"]["id"] == contact


async def _contact_call(api: httpx.AsyncClient, method: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = (await api.post(f"contact_information/{method}", json=body)).json()
    assert answer["status"]["code"] == "OK", answer
    return answer["data"]  # type: ignore[no-any-return]


async def test_contact_information_sets(api: httpx.AsyncClient, simulator: Simulator) -> None:
    token = await _login(api, simulator, "org-d")
    created = await _contact_call(
        api,
        "create",
        {
            "token": token,
            "type": "PERSON",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "phone_set": [{"type": "LANDLINE", "number": "22114455"}],
            "email_set": [{"email_address": "ada@example.com"}],
        },
    )
    identifier = {"token": token, "contact_information_identifier": {"id": created["id"]}}
    updated = await _contact_call(
        api,
        "update",
        {
            **identifier,
            "address_set": [{"action": "add", "type": "BUSINESS", "town_city": "Nicosia"}],
            "phone_set": [
                {"action": "update", "phone_identifier": {"type": "LANDLINE"}, "number": "99849996"}
            ],
            "email_set": [{"action": "remove", "email_identifier": {"email_address": "ada@example.com"}}],
        },
    )
    assert [a["town_city"] for a in updated["addresses_set"]] == ["Nicosia"]
    assert [p["number"] for p in updated["phones_set"]] == ["99849996"]
    assert updated["emails_set"] == []
    missing = {**identifier, "phone_set": [{"action": "remove", "phone_identifier": {"type": "MOBILE"}}]}
    assert _status(await api.post("contact_information/update", json=missing)) == "NOT_FOUND"
    listed = await api.get("contact_information/list", params={"token": token, "phone_number": "99849996"})
    assert [c["id"] for c in listed.json()["data"]] == [created["id"]]


async def test_the_demo_simulator_serves_a_demo_user() -> None:
    """What ``crm-gateway simulate crmcom`` serves: organisation, username and password "demo"."""
    with threaded_server(simulate(None)) as url:
        async with httpx.AsyncClient(base_url=url + API) as api:
            body = {"username": "demo", "password": "demo", "organisation": "demo"}
            answer = (await api.post("authentication/token", json=body)).json()
    assert answer["status"]["code"] == "OK" and answer["data"]["token"]


@pytest.mark.parametrize(
    ("verb", "method", "extra"),
    [
        # seed 001 gives communications/list and queue/list no paging parameters (lines 51-103, 920-988)
        ("GET", "communications/list", {"number_of_results": "5"}),
        ("GET", "communications/queue/list", {"offset": "0", "media": "SMS"}),
        # seed 003's update table has no type (lines 2633-3350)
        ("POST", "contact_information/update", {"type": "PERSON"}),
        ("POST", "communications/create", {"customFields": {}}),
    ],
)
async def test_a_parameter_the_seed_does_not_list_is_refused(
    api: httpx.AsyncClient, simulator: Simulator, verb: str, method: str, extra: dict[str, Any]
) -> None:
    token = await _login(api, simulator, "org-e")
    contact = simulator.store.add_contact("org-e", first_name="Ada", last_name="Lovelace")
    params = {"token": token, "contact_information_identifier": f"id={contact}", **extra}
    if verb == "GET":
        response = await api.get(method, params=params)
    else:
        params["contact_information_identifier"] = {"id": contact}
        response = await api.post(method, json=params)
    assert _status(response) == "UNKNOWN_PARAMETER"
    assert next(iter(extra)) in response.json()["status"]["message"]


async def test_face_to_face_is_f2f_when_written_and_face_to_face_when_filtered(
    api: httpx.AsyncClient, simulator: Simulator
) -> None:
    """Seed 001: create and update take F2F (lines 177, 491), list filters FACE_TO_FACE (lines 95, 950);
    an answer spells it as the profile reads the seed."""
    token = await _login(api, simulator, "org-f")
    contact = simulator.store.add_contact("org-f", first_name="Ada", last_name="Lovelace")
    body = {
        "token": token,
        "contact_information_identifier": {"id": contact},
        **{"direction": "INCOMING", "subject": "Visit", "content": "At the shop"},
    }
    wrong = await api.post("communications/create", json={**body, "media": "FACE_TO_FACE"})
    assert _status(wrong) == "INVALID_VALUE"
    created = (await api.post("communications/create", json={**body, "media": "F2F"})).json()
    assert created["data"]["media"] == simulator.app.profile.face_to_face
    listed = await api.get(
        "communications/list",
        params={"token": token, "contact_information_identifier": f"id={contact}", "media": "FACE_TO_FACE"},
    )
    assert [row["id"] for row in listed.json()["data"]] == [created["data"]["id"]]
    assert (
        _status(
            await api.get(
                "communications/list",
                params={"token": token, "contact_information_identifier": f"id={contact}", "media": "F2F"},
            )
        )
        == "INVALID_VALUE"
    )


async def test_each_profile_answers_its_reading_of_the_seeds(
    api: httpx.AsyncClient, simulator: Simulator
) -> None:
    profile = simulator.app.profile
    token = await _login(api, simulator, "org-g")
    contact = simulator.store.add_contact(
        "org-g", first_name="Ada", last_name="Lovelace", phones_set=[{"id": "1" * 32, "type": "LANDLINE"}]
    )
    communication = simulator.store.add_communication("org-g", contact)
    viewed = {"token": token, "communication_identifier": {"id": communication}}
    answer = (
        await api.post("communications/set_as_viewed", json={**viewed, "viewed_on": "2017-05-22T12:42:03"})
    ).json()
    assert answer["status"]["message"] == profile.status_text  # null (seed 003 l.96) or "" (seed 001 l.877)
    shown = (
        await api.get(
            "contact_information/show",
            params={"token": token, "contact_information_identifier": f"id={contact}"},
        )
    ).json()["data"]
    if profile.name == "sparse":
        assert answer["data"]["viewed_on"] == "Mon May 22 12:42:03 UTC 2017"  # seed 001 line 837
        assert "to" not in answer["data"] and "notes" not in answer["data"]
        assert shown["phones_set"][0]["type"] == "Landline"  # seed 003 line 329
    else:
        assert answer["data"]["viewed_on"] == "2017-05-22T12:42:03"
        assert answer["data"]["to"] is None
        assert shown["phones_set"][0]["type"] == "LANDLINE"
