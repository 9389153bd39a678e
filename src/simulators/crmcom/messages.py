"""communications/show, list, create, update, complete and set_as_viewed (seed 001)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from simulators.crmcom import codes
from simulators.crmcom.handlers import ApiError, Call, Json, linked_id
from simulators.crmcom.store import now_text

DIRECTIONS = ("INCOMING", "OUTGOING")
# Seed 001: list filters name face to face FACE_TO_FACE (lines 95, 950), create and update F2F (177, 491).
MEDIA = ("EMAIL", "SMS", "PHONE", "LETTER", "FACE_TO_FACE")
WRITTEN_MEDIA = ("EMAIL", "SMS", "PHONE", "LETTER", "F2F")
STATES = ("DRAFT", "COMPLETED")
TEXT_FIELDS = ("subject", "content", "to", "notes", *(f"udf_string_{n}" for n in range(1, 9)))
OTHER_FIELDS = (*(f"udf_float_{n}" for n in range(1, 5)), *(f"udf_date_{n}" for n in range(1, 5)))
LINKS = {  # identifier parameter -> the field of the answer that names the linked record
    "category": "category",
    "template": "template",
    "communication_queue_external_system": "communication_queue_external_system",
    "owned_by_group": "owned_by_group",
    "privacy_level": "privacy_level",
}


async def show(call: Call) -> Json:
    identifier = call.identifier("communication")
    assert identifier is not None
    return call.find(call.org.communications, "communication", identifier)


async def list_communications(call: Call) -> list[Json]:
    """Semi-optional contact_information_identifier / category_identifier: at least one of them."""
    contact = call.identifier("contact_information", mandatory=False)
    category = call.identifier("category", mandatory=False)
    if contact is None and category is None:
        raise ApiError(codes.MANDATORY_FIELD_MISSING, "contact_information_identifier or category_identifier")
    direction = call.text("direction", allowed=DIRECTIONS)
    media = call.text("media", allowed=MEDIA)
    rows = [
        row
        for row in call.org.communications.values()
        if _linked_to(row, "contact_information", contact)
        and _linked_to(row, "category", category)
        and direction in (None, row["direction"])
        and media in (None, row["media"])
    ]
    return rows  # seed 001 gives communications/list no paging parameters


async def create(call: Call) -> Json:
    contact = call.identifier("contact_information")
    assert contact is not None
    contact_id = call.find(call.org.contacts, "contact information", contact)["id"]
    mandatory = call.params.get("template_identifier") is None
    values = {
        "direction": call.text("direction", mandatory=mandatory, allowed=DIRECTIONS),
        "media": _written_media(call.text("media", mandatory=mandatory, allowed=WRITTEN_MEDIA)),
        "subject": call.text("subject", mandatory=mandatory),
        "content": call.text("content", mandatory=mandatory),
        "life_cycle_state": call.text("life_cycle_state", allowed=STATES) or "COMPLETED",
    }
    if values["media"] == "EMAIL":
        call.text("to", mandatory=True)  # "to (mandatory only if media is email)"
    given = {key: value for key, value in {**values, **_changes(call)}.items() if value is not None}
    communication_id = call.store.add_communication(call.organisation, contact_id, **given)
    record = call.org.communications[communication_id]
    system = record.get("communication_queue_external_system")
    if system and record["life_cycle_state"] == "COMPLETED":
        call.store.add_queue_entry(call.organisation, communication_id, system)
    return record


async def update(call: Call) -> Json:
    record = await show(call)
    changes = _changes(call)
    for name, allowed in (("direction", DIRECTIONS), ("media", WRITTEN_MEDIA), ("life_cycle_state", STATES)):
        if (value := call.text(name, allowed=allowed)) is not None:
            changes[name] = _written_media(value) if name == "media" else value
    record.update(changes)
    record["log_information"] = {**record["log_information"], "updated_date": now_text()}
    return record


async def complete(call: Call) -> Json:
    """The simulator's ``communications/complete`` (the seed's method with only communication_identifier)."""
    record = await show(call)
    if record["life_cycle_state"] != "DRAFT":
        raise ApiError(codes.INVALID_LIFE_CYCLE_STATE, "only a DRAFT communication can be completed")
    record["life_cycle_state"] = "COMPLETED"
    return record


async def set_as_viewed(call: Call) -> Json:
    """ "Only completed communications can be specified"; viewed_on defaults to now (seed 001)."""
    record = await show(call)
    if record["life_cycle_state"] != "COMPLETED":
        raise ApiError(codes.INVALID_LIFE_CYCLE_STATE, "only completed communications can be set as viewed")
    viewed_on = call.text("viewed_on")
    # "Date" (seed 001 line 793), in the seeds' request form "2014-05-05T15:49:59" (seed 003 line 297);
    # answered as the profile reads line 837 ("Mon May 22 12:42:03 EEST 2017") or in that same form.
    record["viewed_on"] = _date(viewed_on) if viewed_on else datetime.now(UTC).replace(microsecond=0)
    record["viewed"] = 1
    return record


def _written_media(media: str | None) -> str | None:
    return "FACE_TO_FACE" if media == "F2F" else media  # the store keeps one spelling


def _date(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        raise ApiError(codes.INVALID_VALUE, "a date is YYYY-MM-DDTHH:MM:SS") from None


def _changes(call: Call) -> Json:
    changes: Json = {}
    for name in (*TEXT_FIELDS, *OTHER_FIELDS):
        if name in call.params and name not in ("token",):
            changes[name] = call.params[name]
    for parameter, answer_field in LINKS.items():
        identifier = call.identifier(parameter, mandatory=False)
        if identifier is not None:
            changes[answer_field] = {k: str(v).upper() if k == "id" else v for k, v in identifier.items()}
    return changes


def _linked_to(row: Json, key: str, identifier: Any) -> bool:
    if identifier is None:
        return True
    if "id" in identifier:
        return linked_id(row, key) == str(identifier["id"]).upper()
    linked = row.get(key) or {}
    return all(str(linked.get(k)) == str(v) for k, v in identifier.items())


COMMUNICATION_ROUTES = (
    ("communications/show", "GET", show),
    ("communications/list", "GET", list_communications),
    ("communications/create", "POST", create),
    ("communications/update", "POST", update),
    ("communications/complete", "POST", complete),
    ("communications/set_as_viewed", "POST", set_as_viewed),
)
