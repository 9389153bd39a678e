"""``crm-gateway seed``: a realistic, related CRM dataset for demos and benchmarks.

Rows are built in memory from small built-in word lists and inserted with Core executemany, one
transaction per batch of contacts (with their accounts, leads and events). A crash therefore leaves
whole batches behind, and a second run adds to the first: reference rows (users, franchises,
departments, stages) are reused, and new usernames are checked against the tenant's existing ones.
"""

from __future__ import annotations

import os
import random
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from tqdm import tqdm

from gateway.auth import TENANT_PATTERN
from gateway.backends.sql import tables as t
from gateway.ids import utcnow, uuid7

Row = dict[str, Any]


class Place(NamedTuple):
    city: str
    province: str
    country: str
    country_code: str
    area_codes: tuple[str, ...]
    postal_prefix: str
    languages: tuple[tuple[str, int], ...]  # (ISO 639-1 code, weight)


FR, EN, BILINGUAL = (("fr", 8), ("en", 2)), (("en", 9), ("fr", 1)), (("en", 1), ("fr", 1))
PLACES = (
    Place("Montréal", "QC", "Canada", "CA", ("514", "438"), "H", FR),
    Place("Québec", "QC", "Canada", "CA", ("418", "581"), "G", FR),
    Place("Laval", "QC", "Canada", "CA", ("450", "579"), "H", FR),
    Place("Sherbrooke", "QC", "Canada", "CA", ("819", "873"), "J", FR),
    Place("Gatineau", "QC", "Canada", "CA", ("819",), "J", BILINGUAL),
    Place("Ottawa", "ON", "Canada", "CA", ("613", "343"), "K", BILINGUAL),
    Place("Toronto", "ON", "Canada", "CA", ("416", "647"), "M", EN),
    Place("Mississauga", "ON", "Canada", "CA", ("905", "289"), "L", EN),
    Place("Vancouver", "BC", "Canada", "CA", ("604", "778"), "V", EN),
    Place("Calgary", "AB", "Canada", "CA", ("403", "587"), "T", EN),
    Place("Halifax", "NS", "Canada", "CA", ("902",), "B", EN),
    Place("Moncton", "NB", "Canada", "CA", ("506",), "E", BILINGUAL),
    Place("Boston", "MA", "United States", "US", ("617", "857"), "021", (("en", 1),)),
    Place("New York", "NY", "United States", "US", ("212", "646"), "100", (("en", 8), ("es", 2))),
    Place("Burlington", "VT", "United States", "US", ("802",), "054", (("en", 9), ("fr", 1))),
    Place("Chicago", "IL", "United States", "US", ("312", "773"), "606", (("en", 1),)),
    Place("Miami", "FL", "United States", "US", ("305", "786"), "331", (("en", 6), ("es", 4))),
)


def _words(text: str, separator: str = " ") -> tuple[str, ...]:
    return tuple(text.split(separator))


MALE = _words(
    "Liam Noah William Thomas Félix Gabriel Samuel Olivier Nathan Jacob Lucas Benjamin Alexandre Étienne "
    "Mathieu James Ethan Daniel Marc Hugo Raphaël David Michael Carlos Wei Arjun Mohamed Kenji"
)
FEMALE = _words(
    "Emma Olivia Charlotte Chloé Léa Alice Florence Camille Sophie Juliette Ava Mia Amélie Isabelle Julie "
    "Sarah Emily Noémie Maya Zoé Laura Priya Fatima Mei Sofia Yuki Aisha Grace"
)
LAST_NAMES = _words(
    "Tremblay Gagnon Roy Côté Bouchard Gauthier Morin Lavoie Fortin Gagné Ouellet Pelletier Bélanger "
    "Lévesque Bergeron Leblanc Paquette Girard Simard Boucher Smith Brown Wilson Taylor Johnson Williams "
    "Martin Anderson Thompson White Li Wang Chen Singh Patel Nguyen Kim Garcia Rodriguez Lopez O'Brien "
    "MacDonald Campbell Stewart Murphy Kelly Rossi Silva Haddad Khan"
)
STREETS = _words(
    "Rue Saint-Denis,Boulevard René-Lévesque,Rue Sherbrooke,Avenue du Parc,Main Street,King Street,"
    "Queen Street,Maple Avenue,Oak Street,Church Street,Park Avenue,Rue Notre-Dame,Lakeshore Road,"
    "Chemin de la Côte-des-Neiges,Bay Street,Cedar Lane",
    ",",
)
COMPANY_WORDS = _words(
    "Northwind Laurentide Boréal Summit Riverside Pinnacle Evergreen Atlas Horizon Granite Lakeview "
    "Cascade Beacon Frontenac Redwood Aurora"
)
TRADES = _words(
    "Motors,Logistics,Construction,Dental,Realty,Consulting,Foods,Marine,Auto Group,Insurance,Software,"
    "Design,Plumbing,Equipment,Health",
    ",",
)
COMPANY_SUFFIXES = ("Inc.", "Ltd.", "LLC", "Corp.", "Ltée", "& Co.", "")
TITLES = _words(
    "Owner,Purchasing Manager,Operations Director,Office Manager,CFO,Fleet Manager,Sales Representative,"
    "Engineer,Teacher,Nurse,Accountant,Consultant",
    ",",
)
PERSONAL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example")
MODELS = ("Civic", "CR-V", "RAV4", "Corolla", "F-150", "Model 3", "Outback", "Mazda3", "Tucson", "Ioniq 5")
INTENTS = _words(
    "Test drive,Quote for,Trade-in appraisal for,Financing options for,Lease renewal,Information on,"
    "Fleet pricing for,Service package for",
    ",",
)
SOURCES = _words(
    "Web form,Web form,Walk-in,Phone call,Referral,Trade show,Email campaign,Facebook ad,Google Ads,Partner",
    ",",
)
FORMS = ("Contact us", "Book a test drive", "Get a quote", "Trade-in evaluation")
CATEGORIES = ("New vehicle", "Used vehicle", "Service", "Financing", "Fleet")
NOTES = (
    *_words(
        "Prefers to be called after 5 pm.|Asked for the brochure by e-mail.|Comparing with a competitor.|"
        "Needs financing approval first.|Wants delivery before winter.",
        "|",
    ),
    None,
    None,
)
STAGE_NAMES = ("New", "Contacted", "Qualified", "Proposal", "Negotiation", "Won", "Lost")
TASK_TYPES = ("CALL", "MEETING", "OTHER", "SMS", "FOLLOW_UP", "REMINDER", "LINKEDIN_MESSAGE", "DM")
APPOINTMENT_TYPES = ("SHOWROOM", "TEST_DRIVE", "DELIVERY", "SERVICE", "VIDEO_CALL")
EVENT_LABELS = {
    "CALL": "Call back",
    "MEETING": "Meeting",
    "OTHER": "Paperwork",
    "SMS": "Text",
    "FOLLOW_UP": "Follow up",
    "REMINDER": "Reminder",
    "LINKEDIN_MESSAGE": "LinkedIn message",
    "DM": "Reply to DM",
    "SHOWROOM": "Showroom visit",
    "TEST_DRIVE": "Test drive",
    "DELIVERY": "Delivery",
    "SERVICE": "Service visit",
    "VIDEO_CALL": "Video call",
}
ADDRESS_TYPES = ("HOME", "OFFICE", "BUSINESS", "SHIPPING", "PO_BOX", "PERMANENT", "TEMPORARY", "RESIDENTIAL")
ADDRESS_WEIGHTS = (60, 3, 3, 4, 3, 10, 3, 14)
THIRD_PARTY_FORMATS = {
    "CONECRM": "CUST-{:06d}",
    "CRMCOM": "CRM-{:07d}",
    "THINX": "TX{:08d}",
    "AKIXI": "AK-{:05d}",
}
DEPARTMENT_NAMES = ("Sales", "Service", "Parts", "Fleet", "Financing")
HISTORY = timedelta(days=730)  # contacts are spread over the last two years


@dataclass(frozen=True)
class SeedSummary:
    """How many rows the run added to each table (reused reference rows are not counted)."""

    tenant: str
    tenants: int = 0
    users: int = 0
    franchises: int = 0
    departments: int = 0
    stages: int = 0
    contacts: int = 0
    accounts: int = 0
    account_contacts: int = 0
    emails: int = 0
    phones: int = 0
    addresses: int = 0
    third_party_ids: int = 0
    leads: int = 0
    lead_assignees: int = 0
    events: int = 0

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "tenant"}


@dataclass
class _Rows:
    """Audit fields for new rows, and the rows waiting to be inserted, by table name."""

    rng: random.Random
    tenant: str
    usernames: tuple[str, ...]
    pending: dict[str, list[Row]] = field(default_factory=dict)

    def audited(self, created: datetime, created_by: str | None = None) -> Row:
        return {
            "id": uuid7(),
            "tenant": self.tenant,
            "date_created": created,
            "created_by": created_by or self.rng.choice(self.usernames),
            "is_deleted": False,
            "version": 1,
        }

    def add(self, table: str, row: Row) -> Row:
        self.pending.setdefault(table, []).append(row)
        return row


@dataclass(frozen=True)
class _Refs:
    """The tenant's reference rows that every batch points at."""

    usernames: tuple[str, ...]
    user_ids: tuple[UUID, ...]
    departments: tuple[tuple[UUID, UUID | None], ...]  # (department, its franchise)
    open_stages: tuple[UUID, ...]
    won_stage: UUID
    lost_stage: UUID


# Parents before children: foreign keys are enforced on both databases.
REFERENCE_ORDER = (t.users, t.franchises, t.departments, t.stages)
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


async def seed_tenant(
    engine: AsyncEngine, tenant: str, contacts: int, *, progress: bool = True, batch_size: int = 2000
) -> SeedSummary:
    """Add ``contacts`` contacts to ``tenant`` with their accounts, details, leads and events."""
    _check_arguments(tenant, contacts, batch_size)
    rng = random.Random(os.urandom(16))  # two runs must add different rows
    added: Counter[str] = Counter()
    async with engine.begin() as conn:
        refs = await _prepare_tenant(conn, tenant, contacts, rng, added)
    with tqdm(total=contacts, unit="contacts", file=sys.stderr, disable=not progress) as bar:
        for start in range(0, contacts, batch_size):
            size = min(batch_size, contacts - start)
            rows = _Batch(_Rows(rng, tenant, refs.usernames), refs, utcnow()).build(size)
            async with engine.begin() as conn:
                await _insert(conn, rows, BATCH_ORDER, added)
            bar.update(size)
    return SeedSummary(tenant=tenant, **added)


def _check_arguments(tenant: str, contacts: int, batch_size: int) -> None:
    if not TENANT_PATTERN.fullmatch(tenant):
        raise ValueError("tenant must be letters, digits, '.', '_' or '-' (at most 64)")
    if contacts < 0:
        raise ValueError("contacts must be zero or more")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")


async def _insert(
    conn: AsyncConnection, pending: dict[str, list[Row]], order: tuple[sa.Table, ...], added: Counter[str]
) -> None:
    for table in order:
        if batch := pending.get(table.name):
            await conn.execute(table.insert(), batch)
            added[table.name] += len(batch)


async def _prepare_tenant(
    conn: AsyncConnection, tenant: str, contacts: int, rng: random.Random, added: Counter[str]
) -> _Refs:
    since = utcnow() - HISTORY - timedelta(days=30)  # reference rows predate every contact
    added["tenants"] += await _ensure_tenant(conn, tenant, since)
    rows = _Rows(rng, tenant, ())
    users = await _ensure_users(conn, rows, max(5, contacts // 200), since)
    rows.usernames = tuple(name for _, name in users)
    departments = await _ensure_departments(conn, rows, since)
    stages = await _ensure_stages(conn, rows, since)
    await _insert(conn, rows.pending, REFERENCE_ORDER, added)
    by_name = {name.lower(): stage_id for stage_id, name in stages}
    open_stages = tuple(i for i, name in stages if name.lower() not in ("won", "lost")) or (stages[0][0],)
    return _Refs(
        usernames=rows.usernames,
        user_ids=tuple(user_id for user_id, _ in users),
        departments=departments,
        open_stages=open_stages,
        won_stage=by_name.get("won", stages[-1][0]),
        lost_stage=by_name.get("lost", stages[-1][0]),
    )


async def _ensure_tenant(conn: AsyncConnection, tenant: str, since: datetime) -> int:
    # ON CONFLICT DO NOTHING keeps an existing tenant (and any name given to it) untouched.
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert(t.tenants).on_conflict_do_nothing(index_elements=["key"])
    result = await conn.execute(statement, {"key": tenant, "name": tenant.title(), "date_created": since})
    return max(result.rowcount, 0)


async def _ensure_users(
    conn: AsyncConnection, rows: _Rows, wanted: int, since: datetime
) -> list[tuple[UUID, str]]:
    u = t.users.c
    result = await conn.execute(
        sa.select(u.id, u.username, u.is_deleted, u.is_active)
        .where(u.tenant == rows.tenant)
        .order_by(u.date_created, u.id)
    )
    everyone = result.all()
    usable = [(row.id, row.username) for row in everyone if row.is_active and not row.is_deleted]
    taken = {row.username for row in everyone}
    for _ in range(wanted - len(usable)):
        usable.append(_new_user(rows, taken, since, admin=usable[0][1] if usable else None))
    return usable


def _new_user(rows: _Rows, taken: set[str], since: datetime, admin: str | None) -> tuple[UUID, str]:
    rng = rows.rng
    first, last = rng.choice(MALE + FEMALE), rng.choice(LAST_NAMES)
    base = username = f"{_slug(first, '')}.{_slug(last, '')}"
    while username in taken:  # the (tenant, username) constraint must survive repeated runs
        username = f"{base}.{uuid7().hex[-6:]}"
    taken.add(username)
    row = rows.audited(since, created_by=admin or username)
    rows.add(
        "users",
        row
        | {
            "username": username,
            "email": f"{username}@{_slug(rows.tenant, '-')}.example",
            "firstname": first,
            "lastname": last,
            "mobile_phone": _phone_number(rng, rng.choice(PLACES)),
            "user_type": "USER" if admin else "ADMIN",
            "is_active": True,
        },
    )
    return row["id"], username


async def _ensure_franchises(conn: AsyncConnection, rows: _Rows, since: datetime) -> list[UUID]:
    f = t.franchises.c
    found = await conn.execute(sa.select(f.id).where(f.tenant == rows.tenant, f.is_deleted.is_(False)))
    franchises = list(found.scalars())
    if franchises:
        return franchises
    for place in rows.rng.sample(PLACES[:12], rows.rng.randint(1, 2)):
        name = f"{rows.rng.choice(COMPANY_WORDS)} {place.city}"
        code = _slug(name, "-").upper()[:12]
        row = rows.add("franchises", rows.audited(since) | {"name": name, "code": code, "is_active": True})
        franchises.append(row["id"])
    return franchises


async def _ensure_departments(
    conn: AsyncConnection, rows: _Rows, since: datetime
) -> tuple[tuple[UUID, UUID | None], ...]:
    franchises = await _ensure_franchises(conn, rows, since)
    d = t.departments.c
    found = await conn.execute(
        sa.select(d.id, d.franchise_id).where(d.tenant == rows.tenant, d.is_deleted.is_(False))
    )
    departments = [(row.id, row.franchise_id) for row in found]
    if departments:
        return tuple(departments)
    for name in rows.rng.sample(DEPARTMENT_NAMES, rows.rng.randint(2, 3)):
        franchise = rows.rng.choice(franchises)
        row = rows.add(
            "departments",
            rows.audited(since)
            | {"name": name, "franchise_id": franchise, "pipeline_name": f"{name} pipeline"},
        )
        departments.append((row["id"], franchise))
    return tuple(departments)


async def _ensure_stages(conn: AsyncConnection, rows: _Rows, since: datetime) -> list[tuple[UUID, str]]:
    s = t.stages.c
    query = (
        sa.select(s.id, s.name)
        .where(s.tenant == rows.tenant, s.is_deleted.is_(False))
        .order_by(s.position, s.id)
    )
    stages = [(row.id, row.name) for row in await conn.execute(query)]
    if stages:
        return stages
    for position, name in enumerate(STAGE_NAMES):
        row = rows.add("stages", rows.audited(since) | {"name": name, "position": position})
        stages.append((row["id"], name))
    return stages


class _Batch:
    """One batch of contacts and everything that hangs off them."""

    def __init__(self, rows: _Rows, refs: _Refs, now: datetime) -> None:
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
        row = self.rows.audited(self.now - HISTORY * rng.random()) | _customer(rng, place, code)
        row |= _person(rng) if rng.random() < 0.9 else _company(rng)
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
            self.rows.add("emails", owner | _email(rng, contact, position))
        for position in range(rng.choice((1, 1, 2))):
            self.rows.add("phones", owner | _phone(rng, place, position))
        if rng.random() < 0.6:
            self.rows.add("addresses", owner | _address(rng, contact))
        for system in rng.sample(sorted(THIRD_PARTY_FORMATS), rng.choice((0, 0, 1, 1, 1, 2))):
            self.rows.add(
                "third_party_ids",
                owner
                | {
                    "id": uuid7(),
                    "system_name": system,
                    "third_party_id": THIRD_PARTY_FORMATS[system].format(rng.randrange(1, 100_000)),
                    "metadata": rng.choice((None, None, '{"source": "import"}')),
                    "date_created": _between(rng, contact["date_created"], self.now),
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
        name = primary["company_name"] or _company_name(rng)
        row = self.rows.audited(_between(rng, primary["date_created"], self.now))
        row |= {key: primary[key] for key in ("language", "city", "province", "postal_code", "country")}
        return self.rows.add(
            "accounts",
            row
            | {
                "address": _street(rng),
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
        created = _between(rng, contact["date_created"], self.now)
        status = rng.choices(("OPEN", "WON", "LOST", "CLOSED"), (75, 12, 10, 3))[0]
        stage = {"WON": refs.won_stage, "LOST": refs.lost_stage}.get(status) or rng.choice(refs.open_stages)
        department, franchise = rng.choice(refs.departments)
        source, direction = rng.choice(SOURCES), rng.choices(("INBOUND", "OUTBOUND"), (7, 3))[0]
        return (
            self.rows.audited(created)
            | _lead_dates(rng, status, created, self.now)
            | _visits(rng, status)
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
        created = _between(rng, lead["date_created"], self.now)
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


def _person(rng: random.Random) -> Row:
    gender = rng.choice(("MALE", "FEMALE"))
    first = rng.choice(MALE if gender == "MALE" else FEMALE)
    civility = {"MALE": "Mr.", "FEMALE": rng.choice(("Ms.", "Mrs."))}[gender]
    stated = rng.choices((gender, "NON_BINARY", None), (85, 3, 12))[0]
    return {
        "kind": "PERSON",
        "first_name": first,
        "middle_name": rng.choice(MALE + FEMALE) if rng.random() < 0.15 else None,
        "last_name": rng.choice(LAST_NAMES),
        "preferred_name": first[:3] if rng.random() < 0.05 else None,
        "suffix": rng.choice(("Jr.", "Sr.", "III")) if rng.random() < 0.02 else None,
        "civility": "Mx." if stated == "NON_BINARY" else civility,
        "gender": stated,
        "company_name": _company_name(rng) if rng.random() < 0.25 else None,
        "position_title": rng.choice(TITLES) if rng.random() < 0.4 else None,
    }


def _company(rng: random.Random) -> Row:
    # A company contact often has a named person to talk to, but not always.
    named = rng.random() < 0.4
    return {
        "kind": "COMPANY",
        "first_name": rng.choice(MALE + FEMALE) if named else None,
        "middle_name": None,
        "last_name": rng.choice(LAST_NAMES) if named else None,
        "preferred_name": None,
        "suffix": None,
        "civility": None,
        "gender": None,
        "company_name": _company_name(rng),
        "position_title": rng.choice(TITLES[:6]) if named else None,
    }


def _customer(rng: random.Random, place: Place, language: str) -> Row:
    return {
        "language": f"{language}-{place.country_code}",
        "address": _street(rng),
        "city": place.city,
        "province": place.province,
        "postal_code": _postal_code(rng, place),
        "country": place.country,
        "is_active": rng.random() < 0.97,
    }


def _lead_dates(rng: random.Random, status: str, created: datetime, now: datetime) -> Row:
    closed = _between(rng, created, min(now, created + timedelta(days=120)))
    won = status == "WON"
    return {
        "first_open_date": created,
        "due_date": created + timedelta(days=rng.randint(3, 45)),
        "closed_date": closed if status != "OPEN" else None,
        "lost_date": closed if status == "LOST" else None,
        "sold_date": closed if won else None,
        "expected_delivery_date": closed + timedelta(days=rng.randint(7, 60)) if won else None,
        "offer_made_date": _between(rng, created, closed) if won or rng.random() < 0.3 else None,
    }


def _visits(rng: random.Random, status: str) -> Row:
    presale, postsale = rng.randint(0, 3), rng.randint(0, 2) if status == "WON" else 0
    return {
        "visit_count": presale + postsale,
        "presale_visit_count": presale,
        "postsale_visit_count": postsale,
    }


def _email(rng: random.Random, contact: Row, position: int) -> Row:
    """A personal address first; the second (or a company's only one) at the employer's domain."""
    company = _slug(contact["company_name"] or "", "")
    person = ".".join(_slug(part, "") for part in (contact["first_name"], contact["last_name"]) if part)
    at_work = bool(company) and (position == 1 or not person)
    local = person or "info"
    if not at_work and rng.random() < 0.5:
        local += str(rng.randrange(100))
    domain = f"{company}.example" if at_work else rng.choice(PERSONAL_DOMAINS)
    return {
        "id": uuid7(),
        "position": position,
        "is_primary": position == 0,
        "email": f"{local}@{domain}",
        "type": "Work" if at_work else "Home",
    }


def _phone(rng: random.Random, place: Place, position: int) -> Row:
    mode = "MOBILE" if rng.random() < 0.6 else "PHONE"
    kind = "Mobile" if mode == "MOBILE" else rng.choice(("Home", "Work"))
    extension = str(rng.randint(100, 9999)) if kind == "Work" and rng.random() < 0.2 else None
    return {
        "id": uuid7(),
        "position": position,
        "mode": mode,
        "type": kind,
        "number": _phone_number(rng, place),
        "country_code": place.country_code,
        "extension": extension,
        "is_primary": position == 0,
    }


def _phone_number(rng: random.Random, place: Place) -> str:
    # E.164 in the 555 exchange: valid to phonenumbers, and obviously fictional to a reader.
    return f"+1{rng.choice(place.area_codes)}555{rng.randrange(10_000):04d}"


def _address(rng: random.Random, contact: Row) -> Row:
    if contact["kind"] == "COMPANY":
        kind = rng.choice(("BUSINESS", "OFFICE", "SHIPPING"))
    else:
        kind = rng.choices(ADDRESS_TYPES, ADDRESS_WEIGHTS)[0]
    line2 = None
    if rng.random() < 0.25:
        line2 = rng.choice((f"Suite {rng.randint(100, 900)}", f"Apt {rng.randint(1, 40)}"))
    return {
        "id": uuid7(),
        "position": 0,
        "type": kind,
        "line1": contact["address"],
        "line2": line2,
        "line3": None,
        "line4": None,
        "city": contact["city"],
        "state": contact["province"],
        "zip": contact["postal_code"],
        "country": contact["country"],
        "is_primary": True,
    }


def _street(rng: random.Random) -> str:
    return f"{rng.randint(1, 9999)} {rng.choice(STREETS)}"


def _postal_code(rng: random.Random, place: Place) -> str:
    if place.country_code == "US":
        return f"{place.postal_prefix}{rng.randrange(100):02d}"
    letters = "ABCEGHJKLMNPRSTVWXYZ"  # the letters Canada Post uses
    d1, d2, d3 = rng.randrange(10), rng.randrange(10), rng.randrange(10)
    return f"{place.postal_prefix}{d1}{rng.choice(letters)} {d2}{rng.choice(letters)}{d3}"


def _company_name(rng: random.Random) -> str:
    return f"{rng.choice(COMPANY_WORDS)} {rng.choice(TRADES)} {rng.choice(COMPANY_SUFFIXES)}".strip()


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random() if end > start else start


def _slug(text: str, separator: str = ".") -> str:
    """ASCII, lower-case words joined by ``separator``: "Côté" -> "cote", for e-mail addresses."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return separator.join(re.findall(r"[a-z0-9]+", ascii_text.lower()))
