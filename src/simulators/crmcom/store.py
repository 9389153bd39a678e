"""The CRM.COM simulator's in-memory data: organisations (tenants), users, tokens and their records.

Records are kept in the JSON shape CRM.COM answers with (seed 001 communications and the queue,
seed 003 contact_information), keyed by 32-hex ids. Tests seed through the Python methods here (or
``POST /_simulator/seed``); the HTTP methods in ``app`` read and change the same data.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from simulators.crmcom.catalogues import default_catalogues

Json = dict[str, Any]


def new_id() -> str:
    """CRM.COM ids are 32 upper-case hex digits (seed 003: "3459F30F71E7477495DF3AA3D278CC7D")."""
    return uuid.uuid4().hex.upper()


def now_text() -> str:
    """``log_information`` dates as seed 003 shows them: "2016-08-10T09:18:32"."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


@dataclass
class Organisation:
    contacts: dict[str, Json] = field(default_factory=dict)
    communications: dict[str, Json] = field(default_factory=dict)
    queue: dict[str, Json] = field(default_factory=dict)
    photos: dict[str, Json] = field(default_factory=dict)
    next_number: int = 1
    # Countries, industries, categories, groups, privacy levels that identifiers name (seed 003).
    catalogues: dict[str, list[Json]] = field(default_factory=default_catalogues)


@dataclass
class CrmcomStore:
    users: dict[tuple[str, str], str] = field(default_factory=dict)  # (organisation, username) -> password
    tokens: dict[str, str] = field(default_factory=dict)  # token -> organisation
    token_users: dict[str, str] = field(default_factory=dict)  # token -> username
    organisations: dict[str, Organisation] = field(default_factory=dict)

    def org(self, name: str) -> Organisation:
        return self.organisations.setdefault(name, Organisation())

    def add_user(self, organisation: str, username: str, password: str) -> None:
        self.users[(organisation, username)] = password
        self.org(organisation)

    def login(self, organisation: str, username: str, password: str) -> str | None:
        if self.users.get((organisation, username)) != password:
            return None
        token = secrets.token_hex(16)
        self.tokens[token] = organisation
        self.token_users[token] = username
        return token

    def expire_tokens(self) -> None:
        """Every token issued so far expires (the next call with one answers the expired-token code)."""
        self.tokens = {token: "" for token in self.tokens}

    def add_contact(self, organisation: str, id: str | None = None, **values: Any) -> str:
        contact_id = (id or new_id()).upper()
        record: Json = {
            "id": contact_id,
            "type": "PERSON",
            "first_name": None,
            "last_name": None,
            "name": None,
            "life_cycle_state": "FINANCIAL",
            **CONTACT_NULLS,
            "addresses_set": [],
            "phones_set": [],
            "emails_set": [],
            "log_information": _log(),
        }
        record.update(values)
        record["name"] = (
            record["name"]
            or record.get("company_name")
            or " ".join(filter(None, (record["first_name"], record["last_name"])))
        )
        self.org(organisation).contacts[contact_id] = record
        return contact_id

    def add_communication(
        self, organisation: str, contact_id: str, id: str | None = None, **values: Any
    ) -> str:
        org = self.org(organisation)
        communication_id = (id or new_id()).upper()
        record: Json = {
            "id": communication_id,
            "number": str(org.next_number),
            "direction": "INCOMING",
            "media": "PHONE",
            "subject": "Hello",
            "content": "Hello",
            "to": None,
            "notes": None,
            "life_cycle_state": "COMPLETED",
            "viewed": 0,
            "viewed_on": None,
            "contact_information": self.contact_summary(organisation, contact_id),
            "category": None,
            "template": None,
            "communication_queue_external_system": None,
            "owned_by_group": None,
            "privacy_level": None,
            "log_information": _log(),
        }
        org.next_number += 1
        record.update(values)
        org.communications[communication_id] = record
        return communication_id

    def contact_summary(self, organisation: str, contact_id: str) -> Json:
        contact = self.org(organisation).contacts.get(contact_id.upper())
        if contact is None:
            return {"id": contact_id.upper()}
        return {key: contact.get(key) for key in ("id", "type", "first_name", "last_name", "name")}

    def add_queue_entry(
        self, organisation: str, communication_id: str, system: Json, id: str | None = None, **values: Any
    ) -> str:
        org = self.org(organisation)
        communication = org.communications[communication_id.upper()]
        entry_id = (id or new_id()).upper()
        record: Json = {
            "id": entry_id,
            "life_cycle_state": "PENDING",
            "media": communication["media"],
            "communication": {"id": communication["id"], "number": communication["number"]},
            "contact_information": {"id": communication["contact_information"]["id"]},
            "communication_queue_external_system": system,
            "error_code": None,
            "error_description": None,
            "log_information": _log(),
        }
        record.update(values)
        org.queue[entry_id] = record
        return entry_id

    def set_queue_state(self, organisation: str, entry_id: str, state: str, **values: Any) -> Json:
        entry = self.org(organisation).queue[entry_id.upper()]
        entry.update(values, life_cycle_state=state)
        entry["log_information"] = {**entry["log_information"], "updated_date": now_text()}
        return entry


# Members every answer shows (seed 003 show L66-430), null until set; organizational_unit is 0 in every
# example (L104, L588, L3450) and no method sets it.
CONTACT_NULLS: Json = {
    "middle_name": None, "company_name": None, "title": None, "preferred_language": None, "notes": None,
    "category": None, "owned_by_group": None, "privacy_level": None, "organizational_unit": 0,
    "demographics": None, "company_profile": None, "relation_set": [],
    **{f"udf_{kind}_{n}": None for kind, count in (("string", 16), ("float", 8), ("date", 8))
       for n in range(1, count + 1)},
}  # fmt: skip


def _log() -> Json:
    stamp = now_text()
    return {"created_date": stamp, "updated_date": stamp}
