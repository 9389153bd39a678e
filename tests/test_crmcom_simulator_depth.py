"""The CRM.COM simulator's contact depth over real HTTP, as seed 003 defines it: the members and shapes
its create/update examples show are taken, anything else is refused with a code, and a refused update
changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from crmcom_env import Simulator
from test_crmcom_simulator import _login, _status
from test_crmcom_simulator import api as api  # the fixture: straight to the simulator, contract off

PERSON = {"type": "PERSON", "first_name": "Louis", "last_name": "Kozior"}


async def _person(api: httpx.AsyncClient, token: str, **values: Any) -> Any:
    answer = (await api.post("contact_information/create", json={"token": token, **PERSON, **values})).json()
    assert answer["status"]["code"] == "OK", answer
    return answer["data"]


async def test_the_first_create_example_is_answered_in_the_show_shape(
    api: httpx.AsyncClient, simulator: Simulator
) -> None:
    token = await _login(api, simulator, "depth-a")
    demographics = {
        "gender": "FEMALE",
        "id_number": "AB112234",
        "country_of_residence_identifier": {"name": "CYPRUS"},
        "passport_issued_by_country_identifier": {"name": "GREECE"},
        "industry_identifier": {"name": "Marketing"},
        "industry_sector_identifier": {"name": "FOREX"},
        "date_of_birth": {"day": 12, "month": 5, "year": 1981},
        "name_day": {"day": 18, "month": 8},
    }  # seed 003 L2120-2140
    created = await _person(
        api,
        token,
        category_identifier={"name": "Contact Category"},
        owned_by_group_identifier={"name": "Main Group"},
        privacy_level_identifier={"number": "8"},
        notes="Family",
        udf_float_8=80,
        udf_date_4="2014-08-05T15:49:59",
        send_direct_marketing_material=0,
        demographics=demographics,
    )
    assert created["life_cycle_state"] == "MARKETING"  # L2224
    assert created["privacy_level"]["name"] == "Regular Customers"
    shown = created["demographics"]
    assert shown["country_of_residence"]["two_character_code"] == "CY"
    assert shown["industry"] == {"name": "Marketing", "id": "31BC2070C79EAE5455BFAD41599C5190", "code": "MK"}
    assert shown["date_of_birth"] == {"month": 5, "day": 12, "year": 1981}
    assert shown.get("passport_number") is None  # not given
    settings = created["authorization_settings"]
    assert settings["send_direct_marketing_material"] is False
    assert settings["direct_marketing_setting_updated_by_user"]["username"] == "user"


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"preferred_language": "English"}, "INVALID_VALUE"),  # one of the codes, L1439-1480
        ({"category_identifier": {"name": "Nope"}}, "NOT_FOUND"),
        ({"category_identifier": {"name": "Clients", "code": "CLS"}}, "INVALID_VALUE"),  # one field
        ({"udf_float_1": "10"}, "INVALID_VALUE"),
        ({"udf_date_1": "2014-05-05"}, "INVALID_VALUE"),  # "2014-05-05T15:49:59" (L2116)
        ({"send_affiliate_marketing_material": 2}, "INVALID_VALUE"),
        ({"demographics": {"gender": "OTHER"}}, "INVALID_VALUE"),
        ({"demographics": {"eye_colour": "blue"}}, "UNKNOWN_PARAMETER"),
        ({"demographics": {"date_of_birth": {"day": 31, "month": 2, "year": 1981}}}, "INVALID_VALUE"),
        ({"demographics": {"name_day": {"day": 18}}}, "INVALID_VALUE"),
        ({"company_profile": {"profile_year": 1999}}, "INVALID_VALUE"),  # a PERSON (L1962)
        ({"address_set": [{"type": "HOME", "floor": "2"}]}, "INVALID_VALUE"),
        ({"phone_set": [{"type": "LANDLINE", "number": "1", "notes": "x"}]}, "UNKNOWN_PARAMETER"),
        (
            {
                "relation_set": [
                    {"type": "FAMILY_MEMBER", "contact_information_identifier": {"id_number": "0"}}
                ]
            },
            "NOT_FOUND",
        ),
    ],
)
async def test_what_the_seed_does_not_define_is_refused_and_nothing_is_kept(
    api: httpx.AsyncClient, simulator: Simulator, values: dict[str, Any], code: str
) -> None:
    token = await _login(api, simulator, "depth-b")
    before = dict(simulator.store.org("depth-b").contacts)
    assert (
        _status(await api.post("contact_information/create", json={"token": token, **PERSON, **values}))
        == code
    )
    assert simulator.store.org("depth-b").contacts == before
    contact = await _person(api, token)
    stored = simulator.store.org("depth-b").contacts[contact["id"]]
    kept = dict(stored)
    update = {"token": token, "contact_information_identifier": {"id": contact["id"]}, **values}
    if "address_set" in values or "phone_set" in values:
        update = {**update, **{k: [{"action": "add", **i} for i in v] for k, v in values.items()}}
    if "relation_set" in values:
        update["relation_set"] = [{"action": "add", **i} for i in values["relation_set"]]
    assert _status(await api.post("contact_information/update", json=update)) == code
    assert stored == kept  # all or nothing


async def test_an_update_sets_what_it_names_and_null_clears_it(
    api: httpx.AsyncClient, simulator: Simulator
) -> None:
    token = await _login(api, simulator, "depth-c")
    created = await _person(
        api, token, notes="Family", demographics={"id_number": "AB1", "passport_number": "CD2"}
    )
    change = {"notes": None, "demographics": {"id_number": None}, "relation_set": [], "udf_string_16": "x"}
    body = {"token": token, "contact_information_identifier": {"id": created["id"]}, **change}
    updated = (await api.post("contact_information/update", json=body)).json()["data"]
    assert updated.get("notes") is None and updated["udf_string_16"] == "x"  # "sparse" leaves nulls out
    shown = updated["demographics"]
    assert (shown.get("id_number"), shown["passport_number"]) == (None, "CD2")
    removal = {"action": "remove", "relation_identifier": {"id": "A" * 32}, "type": "X"}
    refused = {**body, "relation_set": [removal]}
    assert _status(await api.post("contact_information/update", json=refused)) == "UNKNOWN_PARAMETER"
