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


def body_for(entity: Entity, values: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if values.get("custom_fields"):
        # ConeCRM names a value's field by its id; the gateway's values are by name (docs/customization.md).
        raise InvalidValue("custom_field_values", "is not written to ConeCRM by the gateway yet")
    for name, value in values.items():
        path = FIELD_PATHS[entity].get(name)
        if path is None or name in SERVER_FIELDS:
            continue
        head, _, rest = path.partition(".")
        plain = json_value(value)
        if entity is Entity.EVENT and rest == "id":
            body[head] = plain  # TaskRequest: references are plain UUID strings
        elif rest == "id":
            body[head] = None if plain is None else {"id": plain}
        elif head == "customFields":
            body.setdefault("customFields", {})[rest] = plain
        else:
            body[head] = plain
    return body


EMAIL_FIELDS = ("primaryEmail", "secondaryEmail")
PHONE_FIELDS = {
    "MOBILE": ("mobilePhone",),
    "WORK": ("workPhone", "homePhone"),
    "": ("homePhone", "workPhone"),
}


def customer_fields(detail: Detail, items: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """BaseCustomer's e-mail or phone fields for a whole list; None when the list does not fit them."""
    if detail is Detail.EMAILS:
        if len(items) > len(EMAIL_FIELDS):
            return None
        addresses = [item["email"] for item in items] + [None] * len(EMAIL_FIELDS)
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
    return slots
