"""A contact's ``relation_set`` (seed 003) as the graph's contact relations.

Answers show each relation inside its contact: ``{"id", "type": "Family Member", "contact": {...},
"notes"}`` (L139-175). Requests add one as ``{"type": "FAMILY_MEMBER", "contact_information_identifier":
{...}}`` (L2200-2205, L2420-2425), with ``"action": "add"`` in an update as the other sets take it
(L3382). The seed shows no relation identifier, no update or remove of a relation and no notes in a
request, and no method reads a relation by its id: the gateway reads relations with their contact and
adds them; changing, removing or annotating one is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from gateway.backends.records import ContactRelationRecord
from gateway.backends.rest.crmcom.contacts import EPOCH, kind
from gateway.backends.rest.crmcom.mapping import Json, crm_id, graph_id


class Unsendable(Exception):
    """A relation seed 003's requests cannot carry."""


def relations(contact: Json, tenant: str) -> list[ContactRelationRecord]:
    """The relations of an answered contact information (items without a readable id or contact left out)."""
    owner = graph_id(contact.get("id"))
    found = []
    for item in contact.get("relation_set") or []:
        record = _relation(item, owner, tenant) if isinstance(item, dict) and owner else None
        if record is not None:
            found.append(record)
    return found


def _relation(item: Json, owner: UUID, tenant: str) -> ContactRelationRecord | None:
    relation_id = graph_id(item.get("id"))
    related = item.get("contact")
    related_id = graph_id(related.get("id")) if isinstance(related, dict) else None
    if relation_id is None or related_id is None:
        return None
    return ContactRelationRecord(
        id=relation_id,
        tenant=tenant,
        date_created=EPOCH,  # seed 003 shows no dates on a relation
        contact_id=owner,
        type=kind(item.get("type")) or "",
        related_contact_id=related_id,
        notes=item.get("notes"),
    )


def added(values: Mapping[str, Any]) -> Json:
    """The update body that adds a relation (``values``: the graph's contact relation columns)."""
    if values.get("related_account_id") is not None:
        raise Unsendable("CRM.COM relates contact information to contact information only")
    if values.get("notes") is not None or values.get("is_key"):
        raise Unsendable("CRM.COM's relation_set items take a type and a contact only")
    item = {
        "action": "add",
        "type": values["type"],
        "contact_information_identifier": {"id": crm_id(values["related_contact_id"])},
    }
    return {"contact_information_identifier": {"id": crm_id(values["contact_id"])}, "relation_set": [item]}


def new_relation(before: Json, after: Any) -> UUID | None:
    """The id of the relation an update added: in the answer, not in the contact before it."""
    if not isinstance(after, dict):
        return None
    known = {item.get("id") for item in before.get("relation_set") or [] if isinstance(item, dict)}
    fresh = [item.get("id") for item in after.get("relation_set") or [] if isinstance(item, dict)]
    return next((graph_id(i) for i in fresh if i not in known and graph_id(i) is not None), None)
