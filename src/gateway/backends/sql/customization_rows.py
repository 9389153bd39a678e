"""Small helpers the SQL customization steps share: ids, refusals, timestamps, soft deletion."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from gateway.backends import filter_catalog
from gateway.backends.errors import Rejected
from gateway.backends.sql import tables as t
from gateway.ids import utcnow


def not_found(what: str) -> Rejected:
    return Rejected("NOT_FOUND", f"No such {what}.", field="id")


def invalid(field: str, message: str) -> Rejected:
    return Rejected("INVALID", message, field=field)


def as_id(value: str, what: str) -> UUID:
    """An id this store gave (a UUID); anything else names nothing: NOT_FOUND."""
    try:
        return UUID(value)
    except ValueError:
        raise not_found(what) from None


def iso(moment: datetime | None) -> str | None:
    """A timestamp as seed 004 sends it: ISO 8601 in UTC with a Z."""
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def soft_deleted(actor: str) -> dict[str, Any]:
    return {"is_deleted": True, "date_deleted": utcnow(), "deleted_by": actor}


def catalogued_entity(entity: str, field: str) -> str:
    """An entity name of the filter catalogue (custom fields belong to one, saved filters filter one)."""
    if entity not in filter_catalog.ENTITIES:
        raise invalid(field, f"Unknown {field}; one of {', '.join(filter_catalog.ENTITIES)}.")
    return entity


def custom_types_query(tenant: str, entity: str) -> sa.Select[Any]:
    """The tenant's custom fields of ``entity``, oldest first (rows for ``custom_types``)."""
    fields = t.custom_fields
    return (
        sa.select(fields.c.field_name, fields.c.field_type, fields.c.options)
        .where(fields.c.tenant == tenant, fields.c.entity == entity)
        .order_by(fields.c.date_created, fields.c.id)
    )


def custom_types(rows: Any) -> dict[str, tuple[str, Any]]:
    """fieldName -> (fieldType, options) of ``custom_types_query``'s rows."""
    return {
        row["field_name"]: (row["field_type"], None if row["options"] is None else json.loads(row["options"]))
        for row in rows.mappings()
    }
