"""The records seed 003's identifiers name: countries, industries, industry sectors, contact categories,
groups and privacy levels, as its answers show them (every one below is in an example of seed 003).

A request names one with an ``<member>_identifier`` object of one field (``{"name": "CYPRUS"}`` L2126,
``{"two_character_code": "CY"}`` L2153, ``{"id": "181"}`` L3393, ``{"number": "8"}`` L2090); one that
names no record is refused with NOT_FOUND, one of another shape with INVALID_VALUE (``depth.resolve``).
"""

from __future__ import annotations

import copy
from typing import Any

Json = dict[str, Any]


def _country(two: str | None, three: str | None, name: str, id: str, alternative: str | None = None) -> Json:
    return {
        "three_character_code": three,
        "two_character_code": two,
        "name": name,
        "id": id,
        "alternative_code": alternative,
    }


CATALOGUES: dict[str, list[Json]] = {
    "country": [
        _country("CY", "CYP", "CYPRUS", "181"),  # L245-252
        _country("GR", "GRC", "GREECE", "209"),  # L344-350
        _country("US", "USA", "UNITED STATES", "127"),  # L318-324
        _country(None, None, "UNITED KINGDOM", "126", "GBR"),  # L3686-3692
        _country(None, None, "CUBA", "180", "CUB"),  # L3462-3468
        _country(None, None, "HONDURAS", "225"),  # L807-810
    ],
    "industry": [
        {"name": "Marketing", "id": "31BC2070C79EAE5455BFAD41599C5190", "code": "MK"},  # L395-400
        {"name": "Interior Design", "id": "06B638258885DA26FA2BD40D9128D04E", "code": "INTDS"},  # L2465
        {"name": "Industry2", "id": "39E3A8C68925F4216D79C7EEBD71D4B4", "code": "Ind2"},  # L2616-2620
    ],
    "industry_sector": [
        {"name": "FOREX", "id": "D8ACF18AB4494AD33738A9F4C94E6995", "alternative_code": "FRX"},  # L356
        {"name": "EDUCATION", "id": "AF6E0855324153EAB8B582A277147BCE", "alternative_code": "1"},  # L797
        {"name": "GOVERNMENTAL", "id": "A9BDEBD4D8FAEDB0BACE40C041156D12", "alternative_code": "GOV"},
    ],
    "category": [
        {"name": "Contact Category", "id": "486B0C17A39E5F5339BD16B288AE12FE", "code": "Contact Category"},
        {"name": "Clients", "id": "BF9E138C477E2450F2DB2C40CB5DF7FB", "code": "CLS"},  # L882-886
        # Named by the company example's request (L2314); its answer leaves it out, so its id is ours.
        {"name": "Company Category", "id": "C0A1E6A3B8D94C5F8E7A2B1C3D4E5F60", "code": "Company Category"},
    ],
    "owned_by_group": [
        {
            "community_name": "Internal Community",
            "name": "Main Group",
            "id": "84F33366CB592BAAE7E2044D93611C6A",
            "description": "Main Group",
            "alternative_code": "MG1",
        },  # L414-420
    ],
    "privacy_level": [
        {
            "number": "8",
            "hierarchy_level": 0,
            "name": "Regular Customers",
            "id": "EDE9CDE326E4F9846A50D5BCF61CD720",
        },
        {"number": None, "hierarchy_level": 3, "name": "Moderate", "id": "9450216690684C416363B57DAD4596C3"},
        {"number": None, "hierarchy_level": 1, "name": "3", "id": "0BA1A4672D1A071351BB1297A99F2915"},
    ],
}  # fmt: skip


def default_catalogues() -> dict[str, list[Json]]:
    return copy.deepcopy(CATALOGUES)
