"""contact_information/show, list, create, update (with the address/phone/email set actions), seed 003;
the profile photo is in ``photos``."""

from __future__ import annotations

import copy
from typing import Any

from simulators.crmcom import codes
from simulators.crmcom.depth import apply_depth, resolve, udf
from simulators.crmcom.handlers import ApiError, Call, Json
from simulators.crmcom.store import new_id, now_text

TYPES = ("PERSON", "COMPANY")
PLAIN_FIELDS = ("first_name", "middle_name", "last_name", "company_name", "title")
# Request set -> answer set, and the field that identifies an item in an "update"/"remove" action.
SETS = {
    "address_set": ("addresses_set", "type"),
    "phone_set": ("phones_set", "type"),
    "email_set": ("emails_set", "email"),
}
# Requests name an e-mail "email_address"; answers (emails_set) name it "email" (seed 003's examples).
RENAMED = {"email_address": "email"}
# The identifier parameters of list (L452-482) and where the answer keeps each (L335-402, L366-392).
LIST_FILTERS = {
    "id_number": "demographics",
    "passport_number": "demographics",
    "social_security_number": "demographics",
    "vat_registration_number": "company_profile",
}
# Members of a set item a request may give (L2141-2199, L3380-3402), beside action and its identifier.
ITEM_MEMBERS = {
    "address_set": frozenset({
        "type", "postal_code", "street_name", "street_number", "floor", "apartment_number", "area",
        "town_city", "district", "municipality", "country_identifier", "po_box", "po_box_postal_code",
        "care_of", "notes", *(f"udf_string_{n}" for n in range(1, 17)),
        *(f"udf_float_{n}" for n in range(1, 9)), *(f"udf_date_{n}" for n in range(1, 5)),
    }),
    "phone_set": frozenset({"type", "number", "country_identifier"}),
    "email_set": frozenset({"type", "email_address"}),
}  # fmt: skip


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
        if all((row.get(LIST_FILTERS[k]) or {}).get(k) == v for k, v in given.items())
        and (email is None or any(e.get("email") == email for e in row["emails_set"]))
        and (phone is None or any(p.get("number") == phone for p in row["phones_set"]))
    ]
    return call.paged(rows)


async def create(call: Call) -> Json:
    """A new contact is MARKETING (L2224) and its set items Active (L1327)."""
    kind = call.text("type", mandatory=True, allowed=TYPES)
    names = ("first_name", "last_name") if kind == "PERSON" else ("company_name",)  # L1374-1400
    for name in (*PLAIN_FIELDS, *names):
        call.text(name, mandatory=name in names)
    values = {name: call.params[name] for name in PLAIN_FIELDS if name in call.params}
    record = {"type": kind, "life_cycle_state": "MARKETING", **values}
    apply_depth(call, record)
    _apply_sets(call, record, creating=True)
    _add_relations(call, record, creating=True)
    contact_id = call.store.add_contact(call.organisation, **record)
    created = call.org.contacts[contact_id]
    user = _user(call)
    created["log_information"] |= {"created_by_user": user, "updated_by_user": user}
    return created


async def update(call: Call) -> Json:
    """All or nothing: the changes are made on a copy, which replaces the record when every one holds."""
    stored = await show(call)
    record = copy.deepcopy(stored)
    for name in PLAIN_FIELDS:
        if name in call.params:
            record[name] = call.text(name)
    if record["type"] == "PERSON" and not (record.get("first_name") and record.get("last_name")):
        raise ApiError(codes.MANDATORY_FIELD_MISSING, "first_name and last_name are mandatory for a PERSON")
    apply_depth(call, record)
    _apply_sets(call, record, creating=False)
    _add_relations(call, record, creating=False)
    record["name"] = record.get("company_name") or " ".join(
        filter(None, (record.get("first_name"), record.get("last_name")))
    )
    record["log_information"] = {
        **record["log_information"],
        "updated_date": now_text(),
        "updated_by_user": _user(call),
    }
    stored.clear()
    stored.update(record)
    return stored


# What an answer shows of a related contact (L141-170).
RELATED = (
    "last_name", "life_cycle_state", "middle_name", "company_profile", "title", "type", "first_name", "name",
    "id", "company_name", "demographics",
)  # fmt: skip


def _add_relations(call: Call, record: Json, *, creating: bool) -> None:
    """relation_set items ``{type, contact_information_identifier}`` (L2200-2205), ``"action": "add"``
    in an update; the seed shows no other action and no relation identifier, so none is taken. The
    identifier may name the contact by any field it shows, its demographics' ``id_number`` too (L2203)."""
    items = call.params.get("relation_set") or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise ApiError(codes.INVALID_VALUE, "relation_set must be a list of objects")
    for item in items:
        allowed = {"type", "contact_information_identifier"} | (set() if creating else {"action"})
        if set(item) - allowed:
            raise ApiError(
                codes.UNKNOWN_PARAMETER, "relation_set items take type and contact_information_identifier"
            )
        if not creating and item.get("action") != "add":
            raise ApiError(codes.INVALID_VALUE, "relation_set: the action must be add")
        kind = item.get("type")
        if not isinstance(kind, str) or not kind:
            raise ApiError(codes.MANDATORY_FIELD_MISSING, "relation_set: type is mandatory")
        related = _related(call, item.get("contact_information_identifier"))
        summary = {key: related.get(key) for key in RELATED}
        record.setdefault("relation_set", []).append(
            {"id": new_id(), "type": kind, "contact": summary, "notes": None}
        )


def _related(call: Call, identifier: Any) -> Json:
    if not isinstance(identifier, dict) or len(identifier) != 1:
        raise ApiError(codes.INVALID_VALUE, "relation_set: contact_information_identifier names one field")
    [(field, value)] = identifier.items()
    for contact in call.org.contacts.values():
        held = contact.get(field, (contact.get("demographics") or {}).get(field))
        if held is not None and str(held).upper() == str(value).upper():
            return contact
    raise ApiError(codes.NOT_FOUND, "relation_set: no contact information matches the identifier")


def _user(call: Call) -> Json:
    """The token's user as log_information shows users (L200-212)."""
    return {"person_name": call.user(), "username": call.user(), "id": "1"}


def _apply_sets(call: Call, record: Json, *, creating: bool) -> None:
    for request_name, (answer_name, key) in SETS.items():
        items = call.params.get(request_name) or []
        if not isinstance(items, list):
            raise ApiError(codes.INVALID_VALUE, f"{request_name} must be a list")
        current = record.setdefault(answer_name, [])
        for item in items:
            _apply_action(call, current, item, key, request_name, creating)


def _item_values(call: Call, item: Json, name: str, creating: bool) -> Json:
    """An item's members as answers show them: ``email_address`` as ``email``, ``country_identifier``
    as its country object (L3462), the UDFs in their types; any other member is refused."""
    identifier = name.removesuffix("_set") + "_identifier"
    allowed = ITEM_MEMBERS[name] | (set() if creating else {"action", identifier})
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise ApiError(codes.UNKNOWN_PARAMETER, f"unknown {name} member: {', '.join(unknown)}")
    values: Json = {}
    for key, value in item.items():
        if key in ("action", identifier):
            continue
        if key == "country_identifier":
            values["country"] = resolve(call.org.catalogues, "country", value, f"{name} country_identifier")
        elif key.startswith("udf_"):
            values[key] = udf(key.split("_")[1], value, key)
        elif key == "floor":
            if type(value) is not int:
                raise ApiError(codes.INVALID_VALUE, f"{name} floor must be a number")
            values[key] = value
        else:
            if not isinstance(value, str):
                raise ApiError(codes.INVALID_VALUE, f"{name} {key} must be text")
            values[RENAMED.get(key, key)] = value
    return values


def _apply_action(call: Call, current: list[Json], item: Any, key: str, name: str, creating: bool) -> None:
    """Seed 003's set actions: "add" a new item (Active, L1327), "update"/"remove" the one its
    identifier names."""
    if not isinstance(item, dict):
        raise ApiError(codes.INVALID_VALUE, f"{name} items must be objects")
    action = "add" if creating else item.get("action")
    values = _item_values(call, item, name, creating)
    if action == "add":
        current.append({"id": new_id(), "state": "Active", "notes": None, **values})
        return
    if action not in ("update", "remove"):
        raise ApiError(codes.INVALID_VALUE, f"{name}: action must be add, update or remove")
    given = item.get(name.removesuffix("_set") + "_identifier")
    identifier = {RENAMED.get(str(k), str(k)): v for k, v in given.items()} if isinstance(given, dict) else {}
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
