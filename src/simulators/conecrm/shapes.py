"""Gateway SQL rows as ConeCRM JSON (seed 004 schemas), and ConeCRM JSON bodies back into columns.

The simulator keeps its data in the gateway's own tables, so test factories fill it. Each entity maps
its columns to the seed's camelCase fields; a ``*_id`` column becomes a nested ``{"id": ...}``
reference. Columns the seed has no field for (e.g. a contact's ``gender``) travel as the record's
custom field values under ``customFields`` (seed 004 CustomField: entity, fieldName, fieldType).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from gateway.backends.sql import tables as t

AUDIT = {
    "id",
    "date_created",
    "created_by",
    "date_modified",
    "modified_by",
    "is_deleted",
    "date_deleted",
    "deleted_by",
}
CUSTOMER = {"address", "city", "province", "postal_code", "country", "language", "is_active"}


@dataclass(frozen=True)
class Shape:
    """How one ConeCRM entity is stored: its table, dtype, and which columns are seed fields."""

    table: sa.Table
    seed_columns: frozenset[str]  # columns with a field of their own in the seed (others: customFields)
    renames: Mapping[str, str] = field(default_factory=dict)  # column -> seed field where not camelCase
    dtype: str | None = None


SHAPES: dict[str, Shape] = {
    "contact": Shape(
        t.contacts,
        frozenset(
            AUDIT
            | CUSTOMER
            | {"first_name", "last_name", "company_name", "civility", "preferred_method_of_contact"}
        ),
        dtype="Contact",
    ),
    "account": Shape(
        t.accounts,
        frozenset(AUDIT | CUSTOMER | {"name", "primary_contact_id"}),
        {"primary_contact_id": "primaryContact"},
        dtype="Account",
    ),
    "lead": Shape(
        t.leads,
        frozenset(
            AUDIT
            | {
                "subject",
                "description",
                "category",
                "direction",
                "contact_id",
                "account_id",
                "stage_id",
                "franchise_id",
                "due_date",
                "is_qualified",
                "priority",
                "closed_date",
                "lost_date",
                "first_open_date",
                "expected_delivery_date",
                "offer_made_date",
                "sold_date",
                "visit_count",
                "presale_visit_count",
                "postsale_visit_count",
                "customer_initiated",
                "handling_instructions",
                "form_name",
            }
        ),
        {"closed_date": "connectionClosedDate", "handling_instructions": "leadHandlingInstructions"},
        dtype="Lead",
    ),
    "event": Shape(
        t.events,
        frozenset(
            AUDIT
            | {
                "type",
                "title",
                "note",
                "start",
                "end",
                "task_done",
                "notified",
                "assignee_id",
                "contact_id",
                "account_id",
                "lead_id",
            }
        ),
        {"lead_id": "connection"},
    ),
    "stage": Shape(t.stages, frozenset(AUDIT | {"name"})),
}
EVENT_DTYPES = {"TASK": "Task", "APPOINTMENT": "Appointment", "FOLLOW_UP": "FollowUp"}
USER_REFERENCES = {"created_by", "modified_by", "deleted_by"}  # BaseRecord: {"id": <user>}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def seed_name(shape: Shape, column: str) -> str:
    if column in shape.renames:
        return shape.renames[column]
    if column.endswith("_id") and column != "id":
        return camel(column[:-3])
    return camel(column)


def plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat().replace("+00:00", "Z")
    if isinstance(value, UUID):
        return str(value)
    return value


def to_json(entity: str, row: Mapping[str, Any], tenant: str) -> dict[str, Any]:
    shape = SHAPES[entity]
    body: dict[str, Any] = {"tenant": {"id": tenant}, "customFields": {}}
    for column, value in row.items():
        if column == "tenant":
            continue
        if column not in shape.seed_columns:
            body["customFields"][camel(column)] = plain(value)
        elif column in USER_REFERENCES or (column.endswith("_id") and column != "id"):
            body[seed_name(shape, column)] = None if value is None else {"id": plain(value)}
        else:
            body[seed_name(shape, column)] = plain(value)
    body["dtype"] = shape.dtype or EVENT_DTYPES.get(row.get("kind", ""), "Task")
    return body


def customer_details(
    body: dict[str, Any],
    emails: Sequence[Mapping[str, Any]],
    phones: Sequence[Mapping[str, Any]],
    third_party_ids: Sequence[Mapping[str, Any]],
    tenant: str,
) -> None:
    """BaseCustomer's e-mail and phone fields from the owner's lists, and its thirdPartyIds."""
    addresses = [row["email"] for row in sorted(emails, key=lambda row: row["position"])]
    body["primaryEmail"] = addresses[0] if addresses else None
    body["secondaryEmail"] = addresses[1] if len(addresses) > 1 else None
    slots: dict[str, Any] = {"homePhone": None, "workPhone": None, "mobilePhone": None}
    for phone in sorted(phones, key=lambda row: row["position"]):
        slot = _phone_slot(phone, slots)
        if slot is not None:
            slots[slot] = phone["number"]
            if slot == "workPhone":
                body["workPhoneExtension"] = phone.get("extension")
    body.update(slots)
    body.setdefault("workPhoneExtension", None)
    body["thirdPartyIds"] = [
        {
            "id": plain(row["id"]),
            "dateCreated": plain(row["date_created"]),
            "isDeleted": False,
            "dtype": "CustomerThirdPartyId",
            "customer": {"id": plain(row["owner_id"])},
            "systemName": row["system_name"],
            "thirdPartyId": row["third_party_id"],
            "metadata": row["metadata"],
            "tenant": {"id": tenant},
        }
        for row in third_party_ids
    ]


def _phone_slot(phone: Mapping[str, Any], slots: dict[str, Any]) -> str | None:
    if phone["mode"] == "MOBILE":
        wanted = ["mobilePhone"]
    elif (phone.get("type") or "").upper() == "WORK":
        wanted = ["workPhone", "homePhone"]
    else:
        wanted = ["homePhone", "workPhone"]
    return next((slot for slot in wanted if slots[slot] is None), None)


def from_json(entity: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """Column values from a ConeCRM request body (seed field names, ``{"id"}`` references)."""
    shape = SHAPES[entity]
    by_field = {seed_name(shape, column): column for column in shape.seed_columns - AUDIT}
    values: dict[str, Any] = {}
    for name, value in body.items():
        column = by_field.get(name)
        if column is None:
            continue
        if column.endswith("_id"):
            value = _reference(value)
        values[column] = _column_value(shape.table.c[column], value)
    for name, value in (body.get("customFields") or {}).items():
        column = _snake(name)
        if column in shape.table.c and column not in shape.seed_columns and column != "version":
            values[column] = _column_value(shape.table.c[column], value)
    return values


def _reference(value: Any) -> Any:
    if isinstance(value, Mapping):
        value = value.get("id")
    return None if value is None else UUID(str(value))


def _column_value(column: sa.Column[Any], value: Any) -> Any:
    if value is None:
        return None
    python_type = column.type.python_type
    if python_type is datetime:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if python_type is UUID and not isinstance(value, UUID):
        return UUID(str(value))
    if python_type in (int, bool) and not isinstance(value, python_type):
        raise ValueError(f"{column.name} must be {python_type.__name__}")
    return value


def _snake(name: str) -> str:
    return "".join(f"_{char.lower()}" if char.isupper() else char for char in name)
