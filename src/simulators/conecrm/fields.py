"""What the simulator's query builder filters each entity on, per profile: ``GET /api/filters``,
``GET /api/filters/{entity}`` and ``GET /api/query-builder/config/{entity}`` (seed 004 l. 6341-6493,
8440-8473) describe exactly these fields, and ``POST /api/query-builder/filter/{entity}`` refuses any other
with 400 ``{error}`` (l. 8613-8630).

The fields are the seed's own record fields (Contact l. 12728-12742 over BaseCustomer l. 12468-12485,
Account l. 12411-12422, Lead l. 12874-12910 over Connection l. 13001-13050 and BaseRecord l. 13069-13088,
EventBase l. 17907-17927 and Task l. 18759-18768), references as ``<name>.id``, plus ``customFields.<name>``
for the tenant's custom field definitions (seed CustomField l. 11777-11790).
"""

from __future__ import annotations

from typing import Any

from simulators.conecrm.profiles import Profile
from simulators.conecrm.querybuilder import OPERATORS

CUSTOMER = {
    "id": "string",
    **{name: "string" for name in ("primaryEmail", "secondaryEmail", "homePhone", "workPhone")},
    **{name: "string" for name in ("workPhoneExtension", "mobilePhone", "address", "city", "province")},
    **{name: "string" for name in ("postalCode", "country", "language")},
    "isActive": "boolean",
}
BASE_RECORD = {
    "id": "string",
    "dateCreated": "datetime",
    "dateModified": "datetime",
    "isDeleted": "boolean",
    "dtype": "string",
    "createdBy.id": "string",
}
OWN_FIELDS: dict[str, dict[str, str]] = {
    "contact": CUSTOMER
    | {
        "firstName": "string",
        "lastName": "string",
        "companyName": "string",
        "civility": "string",
        "preferredMethodOfContact": "string",
    },
    "account": CUSTOMER | {"name": "string", "primaryContact.id": "string"},
    "lead": BASE_RECORD
    | {
        "subject": "string",
        "description": "string",
        "status.id": "string",
        "source.id": "string",
        "contact.id": "string",
        "account.id": "string",
        "franchise.id": "string",
        "dueDate": "datetime",
        "stage.id": "string",
        "direction": "string",
        "isQualified": "boolean",
        "priority": "number",
        "category": "string",
        "customerInitiated": "boolean",
    },
    "event": BASE_RECORD
    | {
        "title": "string",
        "note": "string",
        "start": "datetime",
        "end": "datetime",
        "taskDone": "boolean",
        "type": "string",
        "assignee.id": "string",
        "contact.id": "string",
        "account.id": "string",
        "connection.id": "string",
    },
}
LINK_FIELDS: dict[str, dict[str, str]] = {
    "contact": {
        "accounts.id": "string",
        "thirdPartyIds.systemName": "string",
        "thirdPartyIds.thirdPartyId": "string",
    },
    "account": {
        "contacts.id": "string",
        "thirdPartyIds.systemName": "string",
        "thirdPartyIds.thirdPartyId": "string",
    },
}
PRESENCE = ("null", "notNull")
BY_TYPE = {
    "string": (
        "=",
        "!=",
        "contains",
        "doesNotContain",
        "beginsWith",
        "doesNotBeginWith",
        "endsWith",
        "doesNotEndWith",
        "in",
        "notIn",
        *PRESENCE,
    ),
    "number": ("=", "!=", ">", ">=", "<", "<=", "between", "notBetween", "in", "notIn", *PRESENCE),
    "boolean": ("=", "!=", *PRESENCE),
    "enum": ("=", "!=", "in", "notIn", *PRESENCE),
}
BY_TYPE["date"] = BY_TYPE["datetime"] = BY_TYPE["number"]
assert all(operator in OPERATORS for operators in BY_TYPE.values() for operator in operators)


def entities(profile: Profile) -> tuple[str, ...]:
    """The query-builder entity names of this profile (custom fields and saved filters take the same)."""
    return ("contact", "account", "lead", profile.event_entity)


def store_entity(profile: Profile, entity: str) -> str | None:
    """The store's name for a query-builder entity name (None: unknown)."""
    if entity == profile.event_entity:
        return "event"
    return entity if entity in ("contact", "account", "lead") else None


def entity_fields(profile: Profile, entity: str, custom: dict[str, str]) -> dict[str, str]:
    """Field path -> filter type, in a stable order; ``custom`` is fieldName -> fieldType."""
    stored = store_entity(profile, entity)
    if stored is None:
        return {}
    found = dict(OWN_FIELDS[stored])
    if profile.link_fields:
        found.update(LINK_FIELDS.get(stored, {}))
    found.update({f"customFields.{name}": kind for name, kind in custom.items()})
    return found


def label(path: str) -> str:
    """``customFields.shoeSize`` -> ``Shoe size``: what a filter form shows."""
    last = path.removesuffix(".id").split(".")[-1]
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in last).strip()
    return words[:1].upper() + words[1:]


def filters(profile: Profile, entity: str, custom: dict[str, str]) -> list[dict[str, Any]]:
    """Seed 004 Filter (l. 13097-13125): {field, type, label, operators, options}."""
    return [
        {
            "field": path,
            "type": kind,
            "label": label(path),
            "operators": list(BY_TYPE.get(kind, BY_TYPE["string"])),
            "options": None,
        }
        for path, kind in entity_fields(profile, entity, custom).items()
    ]


def config(profile: Profile, entity: str, custom: dict[str, str]) -> dict[str, Any]:
    """``{fields: [object], operators: [string]}`` (l. 8458-8466); fields as react-querybuilder's
    ``{name, label, type}`` (the seed leaves the field objects open)."""
    fields = [
        {"name": path, "label": label(path), "type": kind}
        for path, kind in entity_fields(profile, entity, custom).items()
    ]
    return {"fields": fields, "operators": list(OPERATORS)}
