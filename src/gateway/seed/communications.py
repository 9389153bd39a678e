"""Seeded communications (seed 001): categories, templates, external systems, and per batch the contacts'
e-mails, SMS, calls, letters and meetings, with queue entries for the outgoing ones an external system sends.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.access import RowAccess
from gateway.backends.records import COMMUNICATION_NUMBER_COUNTER
from gateway.backends.sql import tables as t
from gateway.backends.sql.writer import SqlWriter
from gateway.cost import Cost
from gateway.ids import uuid7
from gateway.seed.pending import Row, Rows, insert_pending
from gateway.seed.rows import between

CATEGORY_NAMES = ("Sales", "Service", "Billing", "Marketing")
SYSTEM_NAMES = {"EMAIL": "Mail relay", "SMS": "SMS gateway"}
TEMPLATES = (
    ("Service reminder", "OUTGOING", "SMS", "Service reminder", "Your vehicle is due for service."),
    (
        "Quote follow-up",
        "OUTGOING",
        "EMAIL",
        "Your quote",
        "Thank you for your interest; your quote is attached.",
    ),
    ("Welcome", "OUTGOING", "EMAIL", "Welcome", "Welcome, and thank you for choosing us."),
)
MEDIA_WEIGHTS = (("EMAIL", 40), ("SMS", 25), ("PHONE", 25), ("LETTER", 5), ("FACE_TO_FACE", 5))
QUEUE_STATES = (("PENDING", 20), ("COMPLETED", 60), ("REJECTED", 10), ("COMPLETED_AND_REMOVED", 10))
SUBJECTS = ("Appointment", "Your quote", "Trade-in", "Financing options", "Delivery date", "Feedback")
COMMUNICATION_ORDER = (
    t.communications,
    t.communication_references,
    t.communication_queue_entries,
)
SETTINGS_ORDER = (
    t.communication_categories,
    t.communication_templates,
    t.communication_queue_external_systems,
)
NUMBER_COUNTER = COMMUNICATION_NUMBER_COUNTER


@dataclass(frozen=True)
class CommunicationRefs:
    categories: tuple[UUID, ...]
    templates: tuple[tuple[UUID, str, str, str, str], ...]  # (id, direction, media, subject, content)
    systems: dict[str, UUID]  # media -> external system


async def prepare_communications(
    conn: AsyncConnection, rows: Rows, since: datetime, added: Counter[str]
) -> CommunicationRefs:
    """The tenant's categories, templates and external systems: reused if present, else created."""
    categories = await _names(conn, t.communication_categories, rows.tenant)
    systems = await _names(conn, t.communication_queue_external_systems, rows.tenant)
    templates = await _names(conn, t.communication_templates, rows.tenant)
    pending = Rows(rows.rng, rows.tenant, rows.usernames)
    for name in CATEGORY_NAMES:
        if name not in categories:
            categories[name] = pending.add(
                "communication_categories", pending.audited(since) | {"name": name}
            )["id"]
    for name in SYSTEM_NAMES.values():
        if name not in systems:
            row = pending.audited(since) | {"name": name, "alternative_code": name.upper().replace(" ", "_")}
            systems[name] = pending.add("communication_queue_external_systems", row)["id"]
    for name, direction, media, subject, content in TEMPLATES:
        if name not in templates:
            values = {
                "name": name,
                "direction": direction,
                "media": media,
                "subject": subject,
                "content": content,
            }
            templates[name] = pending.add("communication_templates", pending.audited(since) | values)["id"]
    await insert_pending(conn, pending.pending, SETTINGS_ORDER, added)
    return CommunicationRefs(
        categories=tuple(categories.values()),
        templates=tuple((templates[name], *rest) for name, *rest in TEMPLATES),  # type: ignore[misc]
        systems={media: systems[name] for media, name in SYSTEM_NAMES.items()},
    )


async def _names(conn: AsyncConnection, table: sa.Table, tenant: str) -> dict[str, UUID]:
    query = sa.select(table.c.name, table.c.id).where(table.c.tenant == tenant, table.c.is_deleted.is_(False))
    return {row.name: row.id for row in await conn.execute(query)}


class CommunicationBatch:
    """Communications of one batch's contacts, numbered from a block reserved on the tenant's counter."""

    def __init__(self, rows: Rows, refs: CommunicationRefs, now: datetime) -> None:
        self.rows, self.rng, self.refs, self.now = rows, rows.rng, refs, now

    def build(self, batch: dict[str, list[Row]]) -> dict[str, list[Row]]:
        emails = {row["owner_id"]: row["email"] for row in reversed(batch.get("emails", []))}
        phones = {row["owner_id"]: row["number"] for row in reversed(batch.get("phones", []))}
        leads: dict[UUID, list[UUID]] = {}
        for lead in batch.get("leads", []):
            leads.setdefault(lead["contact_id"], []).append(lead["id"])
        for contact in batch.get("contacts", []):
            for _ in range(self.rng.choices(range(4), (25, 40, 25, 10))[0]):  # ~1.2 per contact
                address = {"EMAIL": emails.get(contact["id"]), "SMS": phones.get(contact["id"])}
                self._communication(contact, address, leads.get(contact["id"], []))
        return self.rows.pending

    def _communication(self, contact: Row, address: dict[str, str | None], leads: list[UUID]) -> None:
        rng = self.rng
        media = rng.choices([m for m, _ in MEDIA_WEIGHTS], [w for _, w in MEDIA_WEIGHTS])[0]
        if media in address and address[media] is None:
            media = "PHONE"  # no address to write to
        direction = rng.choices(("OUTGOING", "INCOMING"), (65, 35))[0]
        template = next(
            (tpl for tpl in self.refs.templates if tpl[2] == media and direction == "OUTGOING"), None
        )
        subject, content = (
            (template[3], template[4]) if template else (rng.choice(SUBJECTS), "Notes of the exchange.")
        )
        created = between(rng, contact["date_created"], self.now)
        state = "DRAFT" if rng.random() < 0.08 else "COMPLETED"
        viewed = state == "COMPLETED" and direction == "INCOMING" and rng.random() < 0.7
        row = self.rows.audited(created) | {
            "number": "",  # numbered when the batch is written, from the tenant's counter
            "direction": direction,
            "media": media,
            "subject": subject,
            "content": content,
            "to": address.get(media),
            "life_cycle_state": state,
            "completed_on": created if state == "COMPLETED" else None,
            "viewed": viewed,
            "viewed_on": between(rng, created, self.now) if viewed else None,
            "contact_id": contact["id"],
            "category_id": rng.choice(self.refs.categories),
            "template_id": template[0] if template else None,
            "external_system_id": self.refs.systems.get(media) if direction == "OUTGOING" else None,
        }
        self.rows.add("communications", row)
        if leads and rng.random() < 0.4:
            reference = {"id": uuid7(), "tenant": self.rows.tenant, "owner_id": row["id"], "position": 0}
            self.rows.add(
                "communication_references",
                reference | {"target_type": "Lead", "target_id": rng.choice(leads)},
            )
        if state == "COMPLETED" and row["external_system_id"] is not None:
            self._queue_entry(row)

    def _queue_entry(self, communication: Row) -> None:
        state = self.rng.choices([s for s, _ in QUEUE_STATES], [w for _, w in QUEUE_STATES])[0]
        done = between(self.rng, communication["date_created"], self.now)
        rejected = state == "REJECTED"
        row = self.rows.audited(communication["date_created"]) | {
            "communication_id": communication["id"],
            "contact_id": communication["contact_id"],
            "external_system_id": communication["external_system_id"],
            "media": communication["media"],
            "life_cycle_state": state,
            "completed_on": done if state.startswith("COMPLETED") else None,
            "removed_on": done if state == "COMPLETED_AND_REMOVED" else None,
            "rejected_on": done if rejected else None,
            "error_code": "550" if rejected else None,
            "error_description": "Recipient unknown" if rejected else None,
            "claim_count": 0 if state == "PENDING" else 1,
        }
        self.rows.add("communication_queue_entries", row)


async def insert_communications(
    conn: AsyncConnection, tenant: str, pending: dict[str, list[Row]], added: Counter[str]
) -> None:
    """Number the batch's communications, insert them with their entries, and log the pending ones."""
    communications = pending.get("communications", [])
    if not communications:
        return
    writer = SqlWriter(conn, tenant, RowAccess.unrestricted("seed"), Cost())
    last = await writer.next_counter(NUMBER_COUNTER, len(communications))
    for offset, row in enumerate(communications):
        row["number"] = str(last - len(communications) + 1 + offset)
    await insert_pending(conn, pending, COMMUNICATION_ORDER, added)
    queued = [
        row["id"]
        for row in pending.get("communication_queue_entries", [])
        if row["life_cycle_state"] == "PENDING"
    ]
    await writer.record_queue_events(queued, "ENQUEUED")
    added["communication_queue_events"] += len(queued)
