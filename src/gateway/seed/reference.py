"""The tenant's reference rows (users, franchises, departments, stages): reused if present, else created.

Reusing them is what lets a second run add to the first; new usernames avoid the tenant's existing ones.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.backends.sql import tables as t
from gateway.ids import utcnow, uuid7
from gateway.seed.pending import Rows, insert_pending
from gateway.seed.rows import phone_number, slug
from gateway.seed.words import (
    COMPANY_WORDS,
    DEPARTMENT_NAMES,
    FEMALE,
    HISTORY,
    LAST_NAMES,
    MALE,
    PLACES,
    STAGE_NAMES,
)


@dataclass(frozen=True)
class Refs:
    """The tenant's reference rows that every batch points at."""

    usernames: tuple[str, ...]
    user_ids: tuple[UUID, ...]
    departments: tuple[tuple[UUID, UUID | None], ...]  # (department, its franchise)
    open_stages: tuple[UUID, ...]
    won_stage: UUID
    lost_stage: UUID


# Parents before children: foreign keys are enforced on both databases.
REFERENCE_ORDER = (t.users, t.franchises, t.departments, t.stages)


async def prepare_tenant(
    conn: AsyncConnection, tenant: str, contacts: int, rng: random.Random, added: Counter[str]
) -> Refs:
    since = utcnow() - HISTORY - timedelta(days=30)  # reference rows predate every contact
    added["tenants"] += await _ensure_tenant(conn, tenant, since)
    rows = Rows(rng, tenant, ())
    users = await _ensure_users(conn, rows, max(5, contacts // 200), since)
    rows.usernames = tuple(name for _, name in users)
    departments = await _ensure_departments(conn, rows, since)
    stages = await _ensure_stages(conn, rows, since)
    await insert_pending(conn, rows.pending, REFERENCE_ORDER, added)
    by_name = {name.lower(): stage_id for stage_id, name in stages}
    open_stages = tuple(i for i, name in stages if name.lower() not in ("won", "lost")) or (stages[0][0],)
    return Refs(
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
    conn: AsyncConnection, rows: Rows, wanted: int, since: datetime
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


def _new_user(rows: Rows, taken: set[str], since: datetime, admin: str | None) -> tuple[UUID, str]:
    rng = rows.rng
    first, last = rng.choice(MALE + FEMALE), rng.choice(LAST_NAMES)
    base = username = f"{slug(first, '')}.{slug(last, '')}"
    while username in taken:  # the (tenant, username) constraint must survive repeated runs
        username = f"{base}.{uuid7().hex[-6:]}"
    taken.add(username)
    row = rows.audited(since, created_by=admin or username)
    rows.add(
        "users",
        row
        | {
            "username": username,
            "email": f"{username}@{slug(rows.tenant, '-')}.example",
            "firstname": first,
            "lastname": last,
            "mobile_phone": phone_number(rng, rng.choice(PLACES)),
            "user_type": "USER" if admin else "ADMIN",
            "is_active": True,
        },
    )
    return row["id"], username


async def _ensure_franchises(conn: AsyncConnection, rows: Rows, since: datetime) -> list[UUID]:
    f = t.franchises.c
    found = await conn.execute(sa.select(f.id).where(f.tenant == rows.tenant, f.is_deleted.is_(False)))
    franchises = list(found.scalars())
    if franchises:
        return franchises
    for place in rows.rng.sample(PLACES[:12], rows.rng.randint(1, 2)):
        name = f"{rows.rng.choice(COMPANY_WORDS)} {place.city}"
        code = slug(name, "-").upper()[:12]
        row = rows.add("franchises", rows.audited(since) | {"name": name, "code": code, "is_active": True})
        franchises.append(row["id"])
    return franchises


async def _ensure_departments(
    conn: AsyncConnection, rows: Rows, since: datetime
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


async def _ensure_stages(conn: AsyncConnection, rows: Rows, since: datetime) -> list[tuple[UUID, str]]:
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
