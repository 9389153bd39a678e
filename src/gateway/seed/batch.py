"""One batch of contacts and everything that hangs off them: details, accounts, leads and events."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from gateway.backends.sql import tables as t
from gateway.ids import uuid7
from gateway.seed.pending import Row, Rows
from gateway.seed.reference import Refs
from gateway.seed.rows import (
    address_row,
    between,
    company_fields,
    company_name,
    customer_fields,
    email_row,
    lead_dates,
    person_fields,
    phone_row,
    street,
    visit_counts,
)
from gateway.seed.words import (
    APPOINTMENT_TYPES,
    CATEGORIES,
    EVENT_LABELS,
    FORMS,
    HISTORY,
    INTENTS,
    MODELS,
    NOTES,
    PLACES,
    SOURCES,
    TASK_TYPES,
    THIRD_PARTY_FORMATS,
    Place,
)

# Parents before children: foreign keys are enforced on both databases.
BATCH_ORDER = (
    t.contacts,
    t.emails,
    t.phones,
    t.addresses,
    t.third_party_ids,
    t.accounts,
    t.account_contacts,
    t.leads,
    t.lead_assignees,
    t.events,
)


class Batch:
    """One batch of contacts and everything that hangs off them."""

    def __init__(self, rows: Rows, refs: Refs, now: datetime) -> None:
        self.rows, self.rng, self.refs, self.now = rows, rows.rng, refs, now

    def build(self, size: int) -> dict[str, list[Row]]:
        contacts = [self._contact() for _ in range(size)]
        memberships = self._accounts(contacts)
        for contact in contacts:
            for _ in range(self.rng.choices(range(5), (10, 25, 35, 20, 10))[0]):  # ~2 leads each
                self._lead(contact, memberships.get(contact["id"], []))
        return self.rows.pending

    def _contact(self) -> Row:
        rng, place = self.rng, self.rng.choice(PLACES)
        code = rng.choices([c for c, _ in place.languages], [w for _, w in place.languages])[0]
        spoken = [code] + [other for other in ("en", "fr") if other != code and rng.random() < 0.3]
        row = self.rows.audited(self.now - HISTORY * rng.random()) | customer_fields(rng, place, code)
        row |= person_fields(rng) if rng.random() < 0.9 else company_fields(rng)
        row |= {
            "languages_spoken": spoken,
            "preferred_method_of_contact": rng.choice(("EMAIL", "PHONE", "SMS")),
            "opt_out": rng.random() < 0.05,
        }
        self.rows.add("contacts", row)
        self._details(row, place)
        return row

    def _details(self, contact: Row, place: Place) -> None:
        rng, owner = self.rng, {"tenant": self.rows.tenant, "owner_id": contact["id"]}
        for position in range(rng.choice((1, 1, 1, 2))):
            self.rows.add("emails", owner | email_row(rng, contact, position))
        for position in range(rng.choice((1, 1, 2))):
            self.rows.add("phones", owner | phone_row(rng, place, position))
        if rng.random() < 0.6:
            self.rows.add("addresses", owner | address_row(rng, contact))
        for system in rng.sample(sorted(THIRD_PARTY_FORMATS), rng.choice((0, 0, 1, 1, 1, 2))):
            self.rows.add(
                "third_party_ids",
                owner
                | {
                    "id": uuid7(),
                    "system_name": system,
                    "third_party_id": THIRD_PARTY_FORMATS[system].format(rng.randrange(1, 100_000)),
                    "metadata": rng.choice((None, None, '{"source": "import"}')),
                    "date_created": between(rng, contact["date_created"], self.now),
                },
            )

    def _accounts(self, contacts: list[Row]) -> dict[UUID, list[UUID]]:
        """About one account per five contacts; each contact in 0-2 of them, mostly 1."""
        rng, count = self.rng, max(1, round(len(contacts) / 5))
        members: list[list[Row]] = [[] for _ in range(count)]
        for contact in contacts:
            for index in rng.sample(range(count), min(count, rng.choices((0, 1, 2), (15, 75, 10))[0])):
                members[index].append(contact)
        memberships: dict[UUID, list[UUID]] = {}
        for group in members:
            group = group or [rng.choice(contacts)]  # every account has a primary contact
            account = self._account(group[0])
            for contact in group:
                memberships.setdefault(contact["id"], []).append(account["id"])
                self.rows.add(
                    "account_contacts",
                    {
                        "tenant": self.rows.tenant,
                        "account_id": account["id"],
                        "contact_id": contact["id"],
                        "date_created": max(account["date_created"], contact["date_created"]),
                    },
                )
        return memberships

    def _account(self, primary: Row) -> Row:
        rng = self.rng
        name = primary["company_name"] or company_name(rng)
        row = self.rows.audited(between(rng, primary["date_created"], self.now))
        row |= {key: primary[key] for key in ("language", "city", "province", "postal_code", "country")}
        return self.rows.add(
            "accounts",
            row
            | {
                "address": street(rng),
                "is_active": rng.random() < 0.95,
                "name": name,
                "alias": name.split()[0] if rng.random() < 0.4 else None,
                "primary_contact_id": primary["id"],
            },
        )

    def _lead(self, contact: Row, accounts: list[UUID]) -> None:
        rng, refs = self.rng, self.refs
        lead = self.rows.add("leads", self._lead_row(contact, accounts))
        assignees = rng.sample(refs.user_ids, min(len(refs.user_ids), rng.choice((1, 1, 1, 2))))
        for user in assignees:
            link = {"lead_id": lead["id"], "user_id": user, "date_created": lead["date_created"]}
            self.rows.add("lead_assignees", {"tenant": self.rows.tenant} | link)
        for _ in range(rng.choices(range(5), (10, 25, 35, 20, 10))[0]):  # ~2 events per lead
            self.rows.add("events", self._event(lead, assignees))

    def _lead_row(self, contact: Row, accounts: list[UUID]) -> Row:
        rng, refs = self.rng, self.refs
        created = between(rng, contact["date_created"], self.now)
        status = rng.choices(("OPEN", "WON", "LOST", "CLOSED"), (75, 12, 10, 3))[0]
        stage = {"WON": refs.won_stage, "LOST": refs.lost_stage}.get(status) or rng.choice(refs.open_stages)
        department, franchise = rng.choice(refs.departments)
        source, direction = rng.choice(SOURCES), rng.choices(("INBOUND", "OUTBOUND"), (7, 3))[0]
        return (
            self.rows.audited(created)
            | lead_dates(rng, status, created, self.now)
            | visit_counts(rng, status)
            | {
                "subject": f"{rng.choice(INTENTS)} {rng.randint(2023, 2026)} {rng.choice(MODELS)}",
                "description": rng.choice(NOTES),
                "status": status,
                "source": source,
                "category": rng.choice(CATEGORIES),
                "direction": direction,
                "contact_id": contact["id"],
                "account_id": rng.choice(accounts) if accounts and rng.random() < 0.5 else None,
                "stage_id": stage,
                "franchise_id": franchise,
                "department_id": department,
                "priority": rng.randint(1, 5),
                "is_qualified": status == "WON" or stage not in refs.open_stages[:2],
                "customer_initiated": direction == "INBOUND",
                "handling_instructions": rng.choice(NOTES[:2] + (None,) * 8),
                "form_name": rng.choice(FORMS) if source == "Web form" else None,
            }
        )

    def _event(self, lead: Row, assignees: list[UUID]) -> Row:
        rng = self.rng
        kind = rng.choices(("TASK", "APPOINTMENT", "FOLLOW_UP"), (70, 20, 10))[0]
        type_ = rng.choice(
            {"TASK": TASK_TYPES, "APPOINTMENT": APPOINTMENT_TYPES}.get(kind, ("FOLLOW_UP", "CALL", "SMS"))
        )
        created = between(rng, lead["date_created"], self.now)
        start = created + timedelta(hours=rng.uniform(1, 21 * 24))
        appointment = False if kind == "APPOINTMENT" else None  # appointment-only columns stay NULL elsewhere
        return self.rows.audited(created) | {
            "kind": kind,
            "type": type_,
            "title": f"{EVENT_LABELS[type_]}: {lead['subject']}",
            "note": rng.choice(NOTES),
            "start": start,
            "end": start + timedelta(minutes=rng.choice((15, 30, 60, 90))),
            "task_done": start < self.now and rng.random() < 0.7,
            "notified": start < self.now,
            "assignee_id": rng.choice(assignees),
            "contact_id": lead["contact_id"],
            "account_id": lead["account_id"],
            "lead_id": lead["id"],
            "no_show": appointment,
            "customer_confirmed": appointment,
            "canceled": appointment,
            "url": f"https://meet.example.com/{uuid7().hex[-10:]}" if type_ == "VIDEO_CALL" else None,
            "from_automation": rng.random() < 0.5 if kind == "FOLLOW_UP" else None,
        }
