"""Request bodies of ConeCRM's writes (seed 004), built from the gateway's column values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gateway.backends.errors import InvalidValue
from gateway.backends.records import Detail, Entity
from gateway.backends.rest.conecrm.mapping import FIELD_PATHS
from gateway.backends.rest.conecrm.rules import json_value

PATHS: dict[tuple[Entity, str], str] = {
    (Entity.ACCOUNT, "POST"): "/api/account",
    (Entity.ACCOUNT, "PATCH"): "/api/account/{id}",
    (Entity.ACCOUNT, "DELETE"): "/api/account/{id}",
    (Entity.LEAD, "POST"): "/api/lead",
    (Entity.LEAD, "COPY"): "/api/lead/{id}/copy",
    (Entity.EVENT, "POST"): "/api/task",
    (Entity.EVENT, "PATCH"): "/api/task/{id}",
    (Entity.EVENT, "DELETE"): "/api/task/{id}",
    (Entity.STAGE, "POST"): "/api/stage",
    (Entity.STAGE, "PATCH"): "/api/stage/{id}",
    (Entity.STAGE, "DELETE"): "/api/stage/{id}",
}
# Written by ConeCRM itself, never sent.
SERVER_FIELDS = {
    "id",
    "tenant",
    "date_created",
    "created_by",
    "date_modified",
    "modified_by",
    "is_deleted",
    "date_deleted",
    "deleted_by",
    "version",
    "kind",
}


# LeadCreateRequest makeStr, modelStr, yearStr, trimStr (l. 16282-16285), utmCampaign, utmSource
# (l. 16296-16297): written on create only; seed 004's Lead and Connection answer none of them.
LEAD_VEHICLE_UTM = {
    "make_str": "makeStr",
    "model_str": "modelStr",
    "year_str": "yearStr",
    "trim_str": "trimStr",
    "utm_campaign": "utmCampaign",
    "utm_source": "utmSource",
}
# The members each seed 004 body defines, and those that may be null (the rest are left out when unset).
MEMBERS: dict[Entity, tuple[frozenset[str], frozenset[str]]] = {
    # POST/PATCH /api/account (l. 1507-1576, 2980-3050)
    Entity.ACCOUNT: (
        frozenset(
            [
                "name",
                "primaryEmail",
                "secondaryEmail",
                "homePhone",
                "workPhone",
                "workPhoneExtension",
                "mobilePhone",
                "address",
                "city",
                "province",
                "postalCode",
                "country",
                "language",
                "isActive",
                "primaryContact",
                "contacts",
            ]
        ),
        frozenset({"primaryContact"}),
    ),
    # LeadCreateRequest (l. 16234-16305)
    Entity.LEAD: (
        frozenset(
            [
                "subject",
                "department",
                "contact",
                "account",
                "description",
                "source",
                "category",
                "customerInitiated",
                "leadHandlingInstructions",
                "franchise",
                *LEAD_VEHICLE_UTM.values(),
            ]
        ),
        frozenset(
            {"account", "description", "category", "leadHandlingInstructions", *LEAD_VEHICLE_UTM.values()}
        ),
    ),
    # TaskRequest (l. 15626-15662)
    Entity.EVENT: (
        frozenset(["type", "assignee", "start", "end", "title", "note", "contact", "account", "connection"]),
        frozenset({"type", "start", "end", "note", "contact", "account", "connection"}),
    ),
    # ConnectionStage (l. 11767-11776): the id is ConeCRM's
    Entity.STAGE: (frozenset({"name"}), frozenset()),
}
# Graph fields a ConeCRM record cannot hold: refused rather than dropped. An account's franchise is one
# (Account has no franchise member; GET /api/account's `franchise` is an integer, l. 106).
NO_MEMBER = frozenset({(Entity.ACCOUNT, "franchise_id")})
LEAD_REQUIRED = ("department", "source", "franchise")  # LeadCreateRequest's required references


def body_for(entity: Entity, values: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """Only the members the seed's body defines, in its types; unset non-nullable members left out."""
    members, nullable = MEMBERS.get(entity, (frozenset(), frozenset()))
    return {
        name: value
        for name, value in _paths(entity, values).items()
        if name in members and (value is not None or name in nullable)
    }


def _paths(entity: Entity, values: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if values.get("custom_fields") and entity is not Entity.LEAD:
        # Only LeadCreateRequest has customFieldValues (seed 004 l. 16302): ConeCRM's contact, account
        # and task bodies have no member for them. A lead's are sent by the writer (by field id).
        raise InvalidValue("custom_field_values", "has no member in ConeCRM's body (seed 004)")
    for name, value in values.items():
        if (entity, name) in NO_MEMBER and value is not None:
            raise InvalidValue(name, "has no member in ConeCRM's body (seed 004), so it cannot be kept there")
        path = FIELD_PATHS[entity].get(name) or (
            LEAD_VEHICLE_UTM.get(name) if entity is Entity.LEAD else None
        )
        if path is None or name in SERVER_FIELDS:
            continue
        head, _, rest = path.partition(".")
        plain = json_value(value)
        if entity is Entity.EVENT and rest == "id":
            body[head] = plain  # TaskRequest: references are plain UUID strings
        elif rest == "id":
            body[head] = None if plain is None else {"id": plain}
        else:
            body[head] = plain
    return body


# CopyLeadData (l. 16949-16956): each object named by its id; account, subject, department and
# franchise may be left out (the original's are used, the account excepted).
COPY_MEMBERS = {
    "contact_id": "contact",
    "account_id": "account",
    "subject": "subject",
    "department_id": "department",
    "franchise_id": "franchise",
}


def copy_body(values: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name, member in COPY_MEMBERS.items():
        value = values.get(name)
        if value is not None:
            body[member] = value if name == "subject" else {"id": str(value)}
    return body


EMAIL_FIELDS = ("primaryEmail", "secondaryEmail")
PHONE_FIELDS = {
    "MOBILE": ("mobilePhone",),
    "WORK": ("workPhone", "homePhone"),
    "": ("homePhone", "workPhone"),
}


def customer_fields(detail: Detail, items: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """BaseCustomer's e-mail or phone fields for a whole list; None when the list does not fit them.
    An emptied field is sent as ``""``: the seed's members are strings, not nullable (l. 2985-2990)."""
    if detail is Detail.EMAILS:
        if len(items) > len(EMAIL_FIELDS):
            return None
        addresses = [item["email"] for item in items] + [""] * len(EMAIL_FIELDS)
        return dict(zip(EMAIL_FIELDS, addresses, strict=False))
    slots: dict[str, Any] = {
        "homePhone": None,
        "workPhone": None,
        "mobilePhone": None,
        "workPhoneExtension": None,
    }
    for item in items:
        kind = (
            "MOBILE"
            if item.get("mode") == "MOBILE"
            else "WORK"
            if str(item.get("type") or "").upper() == "WORK"
            else ""
        )
        slot = next((name for name in PHONE_FIELDS[kind] if slots[name] is None), None)
        if slot is None:
            return None
        slots[slot] = item["number"]
        if slot == "workPhone":
            slots["workPhoneExtension"] = item.get("extension")
    return {name: "" if value is None else value for name, value in slots.items()}
