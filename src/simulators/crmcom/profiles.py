"""Readings of seeds 001 and 003 where they allow more than one: a simulator serves one of them.

Each ``Profile`` is a legal reading of the seeds; the connector's tests run under every one of them
(``PROFILES``). Line numbers are those of ``seeds/001_*.txt`` (communications) and ``seeds/003_*.txt``
(contact information).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Profile:
    name: str
    # The envelope's status.message/description on success: null in seed 003 (lines 96-97, 580-581),
    # "" in seed 001 (lines 877-878).
    status_text: str | None
    # How a record spells face-to-face media: "FACE_TO_FACE" (seed 001 lines 95, 950) or "F2F" (lines
    # 177, 491). Requests follow the seed either way: create/update take F2F, list filters FACE_TO_FACE.
    face_to_face: str
    # viewed_on as seed 001 line 837 shows it ("Mon May 22 12:42:03 EEST 2017"), or in the form of
    # every other date of the seeds ("2015-04-28T16:51:51", seed 003 line 180).
    java_dates: bool
    # A set item's type as the request gave it ("LANDLINE", seed 003 line 369) or as the examples'
    # answers show it ("Landline", "Personal", "Home": seed 003 lines 329, 425, 267).
    display_types: bool
    # Optional members that hold nothing: present as null (every example of the seeds), or left out
    # (nothing in the seeds says an answer carries every member).
    drop_nulls: bool

    def render_time(self, moment: datetime) -> str:
        if self.java_dates:
            return moment.strftime("%a %b %d %H:%M:%S UTC %Y")
        return moment.strftime("%Y-%m-%dT%H:%M:%S")

    def render(self, data: Any) -> Any:
        """A record (or a list of them) as this profile answers it; the store keeps one form."""
        if isinstance(data, list):
            return [self.render(item) for item in data]
        if not isinstance(data, dict):
            return data
        out: dict[str, Any] = {}
        for key, value in data.items():
            if value is None and self.drop_nulls:
                continue
            if key == "media" and value == "FACE_TO_FACE":
                value = self.face_to_face
            elif key == "type" and isinstance(value, str) and self.display_types and value.isupper():
                value = DISPLAY.get(value, value.replace("_", " ").title())
            elif key.endswith("_set") and isinstance(value, list):
                value = self.render(value)
            elif key == "viewed_on" and isinstance(value, datetime):
                value = self.render_time(value)
            out[key] = value
        return out


# Contact information types (seed 003 lines 217, 404: "PERSON", "COMPANY") are never display names.
DISPLAY = {"PERSON": "PERSON", "COMPANY": "COMPANY"}

PROFILES = {
    profile.name: profile
    for profile in (
        Profile("nulls", status_text=None, face_to_face="FACE_TO_FACE", java_dates=False,
                display_types=False, drop_nulls=False),
        Profile("sparse", status_text="", face_to_face="F2F", java_dates=True,
                display_types=True, drop_nulls=True),
    )
}  # fmt: skip
DEFAULT = PROFILES["nulls"]
