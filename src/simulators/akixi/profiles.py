"""Readings of seed 002 where it allows more than one; the connector's tests run under each.

Line numbers are those of ``seeds/002_*.txt``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    # Add/Change/Delete: "HTTP status code 204 No Content" (lines 53, 103, 145) but the Add and Change
    # samples show a body {"Result": "Success"} (lines 55-57, 105-107), which a 204 cannot carry. True:
    # 204 without a body; False: 200 with that body.
    empty_204: bool
    # The seed gives no error envelope ("see : here", lines 59, 108, 147). True: {"Result": "Error",
    # "ErrorCode": 31003, "ErrorMessage": "..."} with a 4xx status per code; False: the code as a string
    # ("ErrorCode": "31003", as List/Info give ids as strings) and every refusal HTTP 400.
    numeric_codes: bool
    # Info answers CRMConfiguration/CRMConfigurationCommon as objects (lines 283-297); Add/Change send
    # them as {"JSONData": "<json text>"} (lines 43-48). True: objects; False: the JSONData form.
    settings_as_objects: bool
    # TelSysID/PartIDInTelSys: integers in List (lines 197, 204), strings in Info (lines 280, 298). True:
    # as the samples show; False: strings in both (the Properties table says "integer" for the system
    # and "character varying" for the partition, lines 329-330: neither form is wrong).
    mixed_number_types: bool


PROFILES = {
    profile.name: profile
    for profile in (
        Profile("literal", empty_204=True, numeric_codes=True, settings_as_objects=True,
                mixed_number_types=True),
        Profile("textual", empty_204=False, numeric_codes=False, settings_as_objects=False,
                mixed_number_types=False),
    )
}  # fmt: skip
DEFAULT = PROFILES["literal"]
