"""CRM.COM's JSON (seed 001) into the graph's records, and the graph's values into CRM.COM's parameters.

Ids: CRM.COM's are 32 hex digits, the graph's are UUIDs: ``UUID(hex=id)`` one way, ``uuid.hex.upper()``
the other. A linked id that is not 32 hex digits (CRM.COM numbers some settings "1", "180") links to
nothing in the graph.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from gateway.backends.records import CommunicationQueueEntryRecord, CommunicationRecord

log = logging.getLogger(__name__)
Json = dict[str, Any]
UDF_STRINGS = tuple(f"udf_string_{n}" for n in range(1, 9))
UDF_FLOATS = tuple(f"udf_float_{n}" for n in range(1, 5))
UDF_DATES = tuple(f"udf_date_{n}" for n in range(1, 5))
# What ``fields_set`` asks for: every top-level field the records below are built from.
COMMUNICATION_FIELDS = (
    "id", "number", "direction", "media", "subject", "content", "to", "notes", "life_cycle_state",
    "viewed", "viewed_on", "completed_on", "contact_information", "category", "template",
    "communication_queue_external_system", "owned_by_group", "privacy_level", "log_information",
    *UDF_STRINGS, *UDF_FLOATS, *UDF_DATES,
)  # fmt: skip
QUEUE_ENTRY_FIELDS = (
    "id", "life_cycle_state", "media", "communication", "contact_information",
    "communication_queue_external_system", "error_code", "error_description", "completed_on",
    "rejected_on", "removed_on", "log_information",
)  # fmt: skip
MEDIA_IN = {"F2F": "FACE_TO_FACE"}  # seed 001 names face to face both ways


def crm_id(value: UUID) -> str:
    return value.hex.upper()


def graph_id(value: Any) -> UUID | None:
    if not isinstance(value, str) or len(value) != 32:
        return None
    try:
        return UUID(hex=value)
    except ValueError:
        return None


def linked(record: Json, key: str) -> UUID | None:
    link = record.get(key)
    return graph_id(link.get("id")) if isinstance(link, dict) else None


def parse_time(value: Any) -> datetime | None:
    """Seed 003's "2016-08-10T09:18:32", or seed 001's "Mon May 22 12:42:03 EEST 2017" (zone read as UTC)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parts = value.split()
        try:
            parsed = datetime.strptime(" ".join(parts[:4] + parts[5:]), "%a %b %d %H:%M:%S %Y")
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def seed_date(value: date | datetime) -> str:
    """A seed "Date" parameter in the seeds' only form, "2014-05-05T15:49:59" (seed 003 line 2232), UTC."""
    if isinstance(value, datetime):
        moment = value.astimezone(UTC) if value.tzinfo else value
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{value.isoformat()}T00:00:00"


def _date(value: Any) -> date | None:
    parsed = parse_time(value)
    return parsed.date() if parsed else None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _audit(record: Json, tenant: str) -> Json:
    log_information = record.get("log_information") or {}
    created = parse_time(log_information.get("created_date")) or datetime.fromtimestamp(0, UTC)
    return {
        "id": graph_id(record.get("id")),
        "tenant": tenant,
        "date_created": created,
        "date_modified": parse_time(log_information.get("updated_date")),
    }


def _name(record: Json, key: str) -> str | None:
    link = record.get(key)
    return str(link.get("name")) if isinstance(link, dict) and link.get("name") else None


def communication(record: Json, tenant: str) -> CommunicationRecord | None:
    audit = _audit(record, tenant)
    contact_id = linked(record, "contact_information")
    if audit["id"] is None or contact_id is None:
        log.warning("CRM.COM communication without a 32-hex id or contact left out")
        return None
    udfs: dict[str, Any] = {name: record.get(name) for name in UDF_STRINGS}
    udfs |= {name: _float(record.get(name)) for name in UDF_FLOATS}
    udfs |= {name: _date(record.get(name)) for name in UDF_DATES}
    return CommunicationRecord(
        **audit,
        number=str(record.get("number") or ""),
        # A field is absent only when fields_set left it out, and then the query does not read it; enum
        # fields still need a valid value, because the GraphQL object is built from the whole record.
        direction=str(record.get("direction") or "INCOMING"),
        media=MEDIA_IN.get(str(record.get("media")), str(record.get("media") or "")),
        subject=str(record.get("subject") or ""),
        content=str(record.get("content") or ""),
        contact_id=contact_id,
        to=record.get("to"),
        notes=record.get("notes"),
        life_cycle_state=str(record.get("life_cycle_state") or "COMPLETED"),
        viewed=bool(record.get("viewed")),
        viewed_on=parse_time(record.get("viewed_on")),
        completed_on=parse_time(record.get("completed_on")),
        category_id=linked(record, "category"),
        template_id=linked(record, "template"),
        external_system_id=linked(record, "communication_queue_external_system"),
        owned_by_group=_name(record, "owned_by_group"),
        privacy_level=_name(record, "privacy_level"),
        **udfs,
    )


def queue_entry(record: Json, tenant: str) -> CommunicationQueueEntryRecord | None:
    audit = _audit(record, tenant)
    links = {
        "communication_id": linked(record, "communication"),
        "contact_id": linked(record, "contact_information"),
        "external_system_id": linked(record, "communication_queue_external_system"),
    }
    if audit["id"] is None or None in links.values():
        log.warning("CRM.COM queue entry without 32-hex ids left out")
        return None
    return CommunicationQueueEntryRecord(
        **audit,
        **links,  # type: ignore[arg-type]
        media=MEDIA_IN.get(str(record.get("media")), str(record.get("media") or "")),
        life_cycle_state=str(record.get("life_cycle_state") or "PENDING"),
        error_code=record.get("error_code"),
        error_description=record.get("error_description"),
        completed_on=parse_time(record.get("completed_on")),
        rejected_on=parse_time(record.get("rejected_on")),
        removed_on=parse_time(record.get("removed_on")),
    )
