"""ConeCRM JSON (seed 004) as the gateway's records, and record fields as ConeCRM query-builder fields.

Each record field has a path in ConeCRM's JSON: a seed field (``firstName``), a nested reference
(``contact.id``), or, for attributes the seed has no field for, a custom field value
(``customFields.gender``; seed 004 CustomField). Query-builder rules use the same paths.
"""

from __future__ import annotations

import typing
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from gateway.backends.records import (
    ENTITY_RECORDS,
    AuditedRecord,
    Entity,
    Relation,
    record_from_mapping,
)

# The query-builder entity (POST /api/query-builder/filter/{entity}) of each entity the connector holds.
FILTER_ENTITIES: dict[Entity, str] = {
    Entity.CONTACT: "contact",
    Entity.ACCOUNT: "account",
    Entity.LEAD: "lead",
    Entity.EVENT: "event",
    Entity.STAGE: "stage",
}
_AUDIT = {
    "id": "id",
    "date_created": "dateCreated",
    "created_by": "createdBy.id",
    "date_modified": "dateModified",
    "modified_by": "modifiedBy.id",
    "is_deleted": "isDeleted",
    "date_deleted": "dateDeleted",
    "deleted_by": "deletedBy.id",
}
_CUSTOMER = {
    "language": "language",
    "address": "address",
    "city": "city",
    "province": "province",
    "postal_code": "postalCode",
    "country": "country",
    "is_active": "isActive",
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _seed(*names: str) -> dict[str, str]:
    return {name: _camel(name) for name in names}


FIELD_PATHS: dict[Entity, dict[str, str]] = {
    Entity.CONTACT: _AUDIT
    | _CUSTOMER
    | _seed("first_name", "last_name", "company_name", "civility", "preferred_method_of_contact"),
    Entity.ACCOUNT: _AUDIT | _CUSTOMER | _seed("name") | {"primary_contact_id": "primaryContact.id"},
    Entity.LEAD: _AUDIT
    | _seed(
        "subject",
        "description",
        "category",
        "direction",
        "due_date",
        "is_qualified",
        "priority",
        "lost_date",
        "first_open_date",
        "expected_delivery_date",
        "offer_made_date",
        "sold_date",
        "visit_count",
        "presale_visit_count",
        "postsale_visit_count",
        "customer_initiated",
        "form_name",
    )
    | {
        "contact_id": "contact.id",
        "account_id": "account.id",
        "stage_id": "stage.id",
        "franchise_id": "franchise.id",
        "closed_date": "connectionClosedDate",
        "handling_instructions": "leadHandlingInstructions",
    }
    # Dealer milestones and who set them (Connection l. 13001-13050, Lead l. 12883-12893); read only
    | _seed("walk_around_date", "take_over_date", "test_drive_date", "order_date", "trade_in_appraisal_date")
    | {
        "credit_application_date": "creditApplicationSubmittedDate",
        "first_open_by_id": "firstOpenBy.id",
        "sold_by_id": "soldBy.id",
        "lost_by_id": "lostBy.id",
        "closed_by_id": "connectionClosedBy.id",
    },
    Entity.EVENT: _AUDIT
    | _seed("type", "title", "note", "start", "end", "task_done", "notified")
    | {
        "kind": "dtype",
        "assignee_id": "assignee.id",
        "contact_id": "contact.id",
        "account_id": "account.id",
        "lead_id": "connection.id",
    },
    Entity.STAGE: {"id": "id", "name": "name"},  # ConnectionStage {id, name} (seed 004 l. 11767-11776)
}
# EventBase subtypes (seed 004: Task, Appointment, FollowUp) are the graph's event kinds.
EVENT_KINDS = {"Task": "TASK", "Appointment": "APPOINTMENT", "FollowUp": "FOLLOW_UP"}
DTYPES = {kind: dtype for dtype, kind in EVENT_KINDS.items()}
# The path, in the child's JSON, of the reference to the parent of each relation the connector serves.
PARENT_PATHS: dict[Relation, tuple[Entity, str]] = {
    Relation.CONTACT_LEADS: (Entity.LEAD, "contact.id"),
    Relation.CONTACT_EVENTS: (Entity.EVENT, "contact.id"),
    Relation.ACCOUNT_LEADS: (Entity.LEAD, "account.id"),
    Relation.ACCOUNT_EVENTS: (Entity.EVENT, "account.id"),
    Relation.LEAD_EVENTS: (Entity.EVENT, "connection.id"),
    Relation.STAGE_LEADS: (Entity.LEAD, "stage.id"),
    Relation.CONTACT_ACCOUNTS: (Entity.ACCOUNT, "contacts.id"),  # Account.contacts (seed 004)
    Relation.ACCOUNT_CONTACTS: (Entity.CONTACT, "accounts.id"),  # Contact.accounts
}


def path_values(body: Any, path: str) -> list[Any]:
    """The values at a dotted path; through a list, one per element."""
    values = [body]
    for part in path.split("."):
        found: list[Any] = []
        for value in values:
            items = value if isinstance(value, list) else [value]
            found += [item.get(part) for item in items if isinstance(item, dict)]
        values = found
    return values


def path_value(body: Any, path: str) -> Any:
    values = path_values(body, path)
    return values[0] if values else None


_HINTS: dict[type[Any], dict[str, Any]] = {}


def field_type(record_class: type[Any], name: str) -> Any:
    """The record field's Python type (``X | None`` unwrapped)."""
    hints = _HINTS.get(record_class)
    if hints is None:
        hints = _HINTS[record_class] = typing.get_type_hints(record_class)
    hint = hints.get(name, Any)
    arguments = [argument for argument in typing.get_args(hint) if argument is not type(None)]
    return arguments[0] if len(arguments) == 1 and typing.get_origin(hint) is not list else hint


class UnreadableRecord(ValueError):
    """ConeCRM answered a record the connector cannot read (no id, a value of the wrong type)."""


def to_record(entity: Entity, body: Any, tenant: str) -> AuditedRecord:
    """The gateway's record of a ConeCRM record. ``tenant`` is the caller's: seed 004's Contact, Account,
    Lead and stage carry none (the token scopes them). A record without ``dateCreated`` (seed 004's
    Contact, Account and ConnectionStage have no BaseRecord members) is dated by its UUID7 id
    (seed 004: every id is a UUID7, whose first 48 bits are its creation time in milliseconds)."""
    if not isinstance(body, dict):
        raise UnreadableRecord(f"a {entity.value} record is not an object")
    record_class = ENTITY_RECORDS[entity]
    values: dict[str, Any] = {"tenant": tenant}
    try:
        for name, path in FIELD_PATHS[entity].items():
            value = path_value(body, path)
            if value is None:
                continue
            values[name] = _typed(field_type(record_class, name), value)
        if "id" not in values:
            raise UnreadableRecord(f"a {entity.value} record has no id")
        values.setdefault("date_created", uuid7_time(values["id"]))
    except (TypeError, ValueError, AttributeError) as error:
        raise UnreadableRecord(f"a {entity.value} record cannot be read: {error}") from None
    if entity is Entity.EVENT:
        values["kind"] = EVENT_KINDS.get(str(body.get("dtype")), "TASK")
    if entity in CUSTOM_VALUE_ENTITIES:
        values["custom_fields"] = custom_field_values(body.get("customFieldValues"))
    return record_from_mapping(record_class, values)


CUSTOM_VALUE_ENTITIES = (Entity.CONTACT, Entity.ACCOUNT, Entity.LEAD)


def custom_field_values(items: Any) -> dict[str, Any]:
    """Seed 004's ``customFieldValues: [{field: {id}, value}]`` as field id -> value (text)."""
    found: dict[str, Any] = {}
    for item in items if isinstance(items, list) else []:
        field = item.get("field") if isinstance(item, dict) else None
        if isinstance(field, dict) and field.get("id") is not None:
            found[str(field["id"])] = item.get("value")
    return found


def uuid7_time(record_id: UUID) -> datetime:
    """The creation time a UUID7 carries (RFC 9562); the epoch for ids of other versions."""
    if record_id.version != 7:
        return datetime(1970, 1, 1, tzinfo=UTC)
    return datetime.fromtimestamp((record_id.int >> 80) / 1000, tz=UTC)


def _typed(kind: Any, value: Any) -> Any:
    if kind is datetime:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if kind is UUID:
        return UUID(str(value))
    return value
