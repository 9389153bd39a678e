"""contact_information/show, list, create, update (with the address/phone/email set actions), seed 003;
the profile photo is in ``photos``."""

from __future__ import annotations

from typing import Any

from simulators.crmcom import codes
from simulators.crmcom.handlers import ApiError, Call, Json
from simulators.crmcom.store import new_id, now_text

TYPES = ("PERSON", "COMPANY")
PLAIN_FIELDS = (
    "first_name", "middle_name", "last_name", "company_name", "title", "notes", "preferred_language",
    *(f"udf_string_{n}" for n in range(1, 16)), *(f"udf_float_{n}" for n in range(1, 5)),
)  # fmt: skip
# Request set -> answer set, and the field that identifies an item in an "update"/"remove" action.
SETS = {
    "address_set": ("addresses_set", "type"),
    "phone_set": ("phones_set", "type"),
    "email_set": ("emails_set", "email"),
}
# Requests name an e-mail "email_address"; answers (emails_set) name it "email" (seed 003's examples).
RENAMED = {"email_address": "email"}
LIST_FILTERS = ("id_number", "passport_number", "social_security_number", "vat_registration_number")


async def show(call: Call) -> Json:
    identifier = call.identifier("contact_information")
    assert identifier is not None
    return call.find(call.org.contacts, "contact information", identifier)


async def list_contacts(call: Call) -> list[Json]:
    """ "It is mandatory to specify one of the semi-optional parameters" (several may be given)."""
    email, phone = call.text("email_address"), call.text("phone_number")
    given = {name: call.text(name) for name in LIST_FILTERS if call.text(name) is not None}
    if not given and email is None and phone is None:
        raise ApiError(codes.MANDATORY_FIELD_MISSING, "give at least one of the semi-optional parameters")
    rows = [
        row
        for row in call.org.contacts.values()
        if all(str((row.get("demographics") or {}).get(k, row.get(k))) == v for k, v in given.items())
        and (email is None or any(e.get("email") == email for e in row["emails_set"]))
        and (phone is None or any(p.get("number") == phone for p in row["phones_set"]))
    ]
    return call.paged(rows)


async def create(call: Call) -> Json:
    kind = call.text("type", mandatory=True, allowed=TYPES)
    if kind == "PERSON":
        call.text("last_name", mandatory=True)
    else:
        call.text("company_name", mandatory=True)
    values = {name: call.params[name] for name in PLAIN_FIELDS if name in call.params}
    contact_id = call.store.add_contact(call.organisation, type=kind, **values)
    record = call.org.contacts[contact_id]
    _apply_sets(call, record, creating=True)
    return record


async def update(call: Call) -> Json:
    record = await show(call)
    record.update({name: call.params[name] for name in PLAIN_FIELDS if name in call.params})
    _apply_sets(call, record, creating=False)
    record["log_information"] = {**record["log_information"], "updated_date": now_text()}
    return record


def _apply_sets(call: Call, record: Json, *, creating: bool) -> None:
    for request_name, (answer_name, key) in SETS.items():
        items = call.params.get(request_name) or []
        if not isinstance(items, list):
            raise ApiError(codes.INVALID_VALUE, f"{request_name} must be a list")
        for item in items:
            _apply_action(record[answer_name], item, key, request_name, creating)


def _apply_action(current: list[Json], item: Any, key: str, name: str, creating: bool) -> None:
    """Seed 003's set actions: "add" a new item, "update"/"remove" the one its identifier names."""
    if not isinstance(item, dict):
        raise ApiError(codes.INVALID_VALUE, f"{name} items must be objects")
    action = "add" if creating else item.get("action")
    values = {
        RENAMED.get(str(k), str(k)): v
        for k, v in item.items()
        if k != "action" and not k.endswith("_identifier")
    }
    if action == "add":
        current.append({"id": new_id(), **values})
        return
    if action not in ("update", "remove"):
        raise ApiError(codes.INVALID_VALUE, f"{name}: action must be add, update or remove")
    identifier = next((v for k, v in item.items() if k.endswith("_identifier") and isinstance(v, dict)), None)
    identifier = {RENAMED.get(str(k), str(k)): v for k, v in (identifier or {}).items()}
    if not identifier:
        raise ApiError(codes.MANDATORY_FIELD_MISSING, f"{name}: an identifier is mandatory for {action}")
    found = next((c for c in current if all(str(c.get(k)) == str(v) for k, v in identifier.items())), None)
    if found is None:
        raise ApiError(codes.NOT_FOUND, f"{name}: no item matches the identifier")
    if action == "remove":
        current.remove(found)
    else:
        found.update(values)


CONTACT_ROUTES = (
    ("contact_information/show", "GET", show),
    ("contact_information/list", "GET", list_contacts),
    ("contact_information/create", "POST", create),
    ("contact_information/update", "POST", update),
)
