"""The demo tenant's showcase: a little of every part of the model on the seeded contacts, so that
GraphiQL has something to show on each type (tags, comments, documents, relations, roles, occasions,
custom field values). ``serve --demo`` adds it once, right after the contacts.

Documents' files go through the configured storage (``gateway.storage``), as uploads do; each is a
few hundred bytes of text.
"""

from __future__ import annotations

import io
import json
import random
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.backends.sql import tables as t
from gateway.backends.sql.engine import for_tenant
from gateway.ids import utcnow, uuid7
from gateway.seed.pending import Rows, insert_pending
from gateway.storage import BlobStorage
from gateway.tags import value_key

SHOWN = 40  # contacts that get the showcase rows: enough to page through, cheap to insert
TAGS = ("VIP", "Newsletter", "Partner", "Churn risk", "Trade fair 2026")
ROLES = {
    "Sales": ["CUST_ALL", "CRM_LEAD_VIEW", "CRM_LEAD_CREATE", "CRM_TASK_VIEW"],
    "Support": ["CUST_READ", "CRM_COMMUNICATION_VIEW", "CRM_TASK_VIEW"],
    "Administrator": ["CRM_ALL", "CUST_ALL"],
}
COMMENTS = (
    "Prefers a call in the morning.",
    "Asked for the new price list.",
    "Met at the trade fair; follow up in spring.",
    "Invoices go to the finance department.",
)
RELATIONS = ("FAMILY_MEMBER", "ASSISTANT", "COLLEAGUE")
TIERS = ("GOLD", "SILVER", "BRONZE")
# Parents before children: foreign keys are enforced on both databases.
ORDER = (
    t.roles,
    t.user_roles,
    t.tags,
    t.tag_assignments,
    t.comments,
    t.documents,
    t.contact_relations,
    t.occasions,
    t.custom_fields,
)


async def seed_showcase(engine: AsyncEngine, tenant: str, storage: BlobStorage) -> Counter[str]:
    """Add the showcase rows to ``tenant`` (its contacts, accounts and users already seeded)."""
    added: Counter[str] = Counter()
    rng = random.Random(tenant)
    async with for_tenant(engine, tenant).begin() as conn:
        world = await _world(conn, tenant)
        rows = Rows(rng, tenant, world["usernames"])
        now = utcnow()
        _roles(rows, world["users"], now)
        _tags(rows, world, now)
        _comments(rows, world, now)
        files = _documents(rows, world["contacts"][:10], now)
        _relations(rows, world, now)
        _occasions(rows, world["contacts"], now)
        _custom_fields(rows, now)
        await insert_pending(conn, rows.pending, ORDER, added)
        added["contacts_with_custom_values"] += await _custom_values(conn, tenant, world["contacts"])
        for key, text in files:  # before the commit: no row names a file that is not there
            body = text.encode()
            await storage.save(key, io.BytesIO(body), len(body), "text/plain")
    return added


async def has_showcase(engine: AsyncEngine, tenant: str) -> bool:
    """Whether ``tenant`` has the showcase already (its tags are its first rows)."""
    async with for_tenant(engine, tenant).connect() as conn:
        query = sa.select(t.tags.c.id).where(t.tags.c.tenant == tenant).limit(1)
        return await conn.scalar(query) is not None


async def _world(conn: AsyncConnection, tenant: str) -> dict[str, Any]:
    def ids(table: sa.Table, limit: int) -> Any:
        query = sa.select(table.c.id).where(table.c.tenant == tenant).order_by(table.c.id).limit(limit)
        return conn.scalars(query)

    u = t.users.c
    users = (await conn.execute(sa.select(u.id, u.username).where(u.tenant == tenant).order_by(u.id))).all()
    return {
        "users": [row.id for row in users],
        "usernames": tuple(row.username for row in users),
        "contacts": list(await ids(t.contacts, SHOWN)),
        "accounts": list(await ids(t.accounts, SHOWN // 4)),
    }


def _roles(rows: Rows, users: list[UUID], now: datetime) -> None:
    roles = [
        rows.add("roles", rows.audited(now) | {"name": name, "permissions": permissions})["id"]
        for name, permissions in ROLES.items()
    ]
    for index, user in enumerate(users):
        role = roles[index % len(roles)]
        rows.add("user_roles", {"tenant": rows.tenant, "user_id": user, "role_id": role, "date_created": now})


def _tags(rows: Rows, world: dict[str, Any], now: datetime) -> None:
    tags = [rows.add("tags", rows.audited(now) | {"value": v, "value_key": value_key(v)})["id"] for v in TAGS]
    for index, owner in enumerate(world["contacts"] + world["accounts"]):
        for tag in rows.rng.sample(tags, 1 + index % 2):
            row = {"tenant": rows.tenant, "tag_id": tag, "owner_id": owner, "date_created": now}
            rows.add("tag_assignments", row)


def _comments(rows: Rows, world: dict[str, Any], now: datetime) -> None:
    owners = [(c, "CONTACT") for c in world["contacts"][::2]] + [(a, "ACCOUNT") for a in world["accounts"]]
    for owner, owner_type in owners:
        author = rows.rng.choice(world["users"])
        text = rows.rng.choice(COMMENTS)
        values = {"owner_id": owner, "owner_type": owner_type, "author_id": author, "text": text}
        rows.add("comments", rows.audited(now - timedelta(days=rows.rng.randint(1, 90))) | values)


def _documents(rows: Rows, contacts: list[UUID], now: datetime) -> list[tuple[str, str]]:
    files = []
    for number, contact in enumerate(contacts, 1):
        key = f"{rows.tenant}/{uuid7()}"
        text = f"Meeting notes {number}\n\nAgreed next steps: a demo in May.\n"
        values = {
            "owner_id": contact,
            "owner_type": "Contact",
            "name": f"meeting-notes-{number}.txt",
            "extension": "txt",
            "content_type": "text/plain",
            "size": len(text.encode()),
            "description": "Notes of the last meeting",
            "storage_key": key,
        }
        rows.add("documents", rows.audited(now) | values)
        files.append((key, text))
    return files


def _relations(rows: Rows, world: dict[str, Any], now: datetime) -> None:
    contacts, accounts = world["contacts"], world["accounts"]
    for index in range(0, len(contacts) - 1, 4):
        values = {"contact_id": contacts[index], "related_contact_id": contacts[index + 1]}
        values |= {"related_account_id": None}
        values |= {"type": RELATIONS[index % len(RELATIONS)], "is_key": index % 8 == 0}
        rows.add("contact_relations", rows.audited(now) | values)
    for contact, account in zip(contacts[1::4], accounts, strict=False):
        values = {"contact_id": contact, "related_contact_id": None, "related_account_id": account}
        values |= {"type": "EMPLOYEE", "is_key": True}
        rows.add("contact_relations", rows.audited(now) | values)


def _occasions(rows: Rows, contacts: list[UUID], now: datetime) -> None:
    for contact in contacts[::3]:
        born = date(rows.rng.randint(1950, 2000), rows.rng.randint(1, 12), rows.rng.randint(1, 28))
        values = {"contact_id": contact, "label": "Birthday", "date": born}
        values |= {"month_day": born.month * 100 + born.day, "recurring": True, "reminder": True}
        rows.add("occasions", rows.audited(now) | values)


def _custom_fields(rows: Rows, now: datetime) -> None:
    base = {"id": None, "tenant": rows.tenant, "date_created": now, "created_by": rows.usernames[0]}
    for name, field_type, options in (
        ("tier", "enum", {"values": list(TIERS)}),
        ("newsletter", "boolean", {}),
    ):
        values = {"entity": "contact", "field_name": name, "field_type": field_type}
        rows.add("custom_fields", base | {"id": uuid7(), "options": json.dumps(options)} | values)


async def _custom_values(conn: AsyncConnection, tenant: str, contacts: list[UUID]) -> int:
    """One statement per value set: the contacts that share it."""
    updated = 0
    for index, tier in enumerate(TIERS):
        chosen = contacts[index :: len(TIERS)]
        values: dict[str, Any] = {"tier": tier, "newsletter": index != 2}
        statement = sa.update(t.contacts).where(t.contacts.c.tenant == tenant, t.contacts.c.id.in_(chosen))
        updated += (await conn.execute(statement.values(custom_fields=values))).rowcount
    return updated
