"""The simulator's storage: the gateway's own SQL tables, read and written as a ConeCRM instance would.

It connects as the database owner (on PostgreSQL a role that row-level security does not bind) and
scopes every statement by the tenant of the caller's token itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.sql import tables as t
from gateway.backends.sql.engine import create_engine
from gateway.ids import uuid7
from simulators.conecrm.shapes import SHAPES, customer_details, to_json

CUSTOMERS = ("contact", "account")
EMAIL_FIELDS = ("primaryEmail", "secondaryEmail")
PHONE_FIELDS = {
    "homePhone": ("PHONE", "HOME"),
    "workPhone": ("PHONE", "WORK"),
    "mobilePhone": ("MOBILE", None),
}


class Store:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._engine: AsyncEngine | None = None

    @property
    def engine(self) -> AsyncEngine:
        # Created on first use, inside the event loop of the server that serves the simulator.
        if self._engine is None:
            self._engine = create_engine(self.database_url)
        return self._engine

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def records(self, entity: str, tenant: str, ids: list[UUID] | None = None) -> list[dict[str, Any]]:
        """Every record of the tenant (deleted ones too: they carry ``isDeleted``), as seed JSON."""
        table = SHAPES[entity].table
        statement = (
            sa.select(table).where(table.c.tenant == tenant).order_by(table.c.date_created, table.c.id)
        )
        if ids is not None:
            statement = statement.where(table.c.id.in_(ids))
        async with self.engine.connect() as connection:
            rows = (await connection.execute(statement)).mappings().all()
            bodies = [to_json(entity, dict(row), tenant) for row in rows]
            if entity in CUSTOMERS and bodies:
                await _add_customer_parts(connection, entity, tenant, bodies)
        return bodies

    async def insert(self, entity: str, tenant: str, values: Mapping[str, Any], actor: str) -> UUID:
        record_id = uuid7()
        row = {
            "id": record_id,
            "tenant": tenant,
            "date_created": datetime.now(UTC),
            "created_by": actor,
            "version": 1,
            "is_deleted": False,
            **values,
        }
        async with self.engine.begin() as connection:
            await connection.execute(SHAPES[entity].table.insert().values(**row))
        return record_id

    async def update(
        self, entity: str, tenant: str, record_id: UUID, values: Mapping[str, Any], actor: str
    ) -> bool:
        table = SHAPES[entity].table
        changes = {
            **values,
            "date_modified": datetime.now(UTC),
            "modified_by": actor,
            "version": table.c.version + 1,
        }
        statement = (
            table.update()
            .where(table.c.tenant == tenant, table.c.id == record_id, table.c.is_deleted.is_(False))
            .values(**changes)
        )
        async with self.engine.begin() as connection:
            return bool((await connection.execute(statement)).rowcount)

    async def delete(self, entity: str, tenant: str, record_id: UUID, actor: str) -> bool:
        now = datetime.now(UTC)
        values = {"is_deleted": True, "date_deleted": now, "deleted_by": actor}
        return await self.update(entity, tenant, record_id, values, actor)

    async def set_customer_fields(self, tenant: str, owner: UUID, body: dict[str, Any]) -> None:
        """BaseCustomer's e-mail and phone fields, stored as the owner's e-mail and phone rows."""
        async with self.engine.begin() as connection:
            if any(name in body for name in EMAIL_FIELDS):
                emails = [body.get(name) for name in EMAIL_FIELDS if body.get(name)]
                rows = [{"email": email, "is_primary": i == 0} for i, email in enumerate(emails)]
                await _replace(connection, t.emails, tenant, owner, rows)
            if any(name in body for name in PHONE_FIELDS):
                rows = [
                    {
                        "number": body[name],
                        "mode": mode,
                        "type": kind,
                        "is_primary": False,
                        "extension": body.get("workPhoneExtension") if name == "workPhone" else None,
                    }
                    for name, (mode, kind) in PHONE_FIELDS.items()
                    if body.get(name)
                ]
                await _replace(connection, t.phones, tenant, owner, rows)

    async def stage_in_use(self, tenant: str, stage_id: UUID) -> bool:
        leads = t.leads
        statement = sa.select(sa.func.count()).where(
            leads.c.tenant == tenant, leads.c.stage_id == stage_id, leads.c.is_deleted.is_(False)
        )
        async with self.engine.connect() as connection:
            return bool((await connection.execute(statement)).scalar_one())


async def _add_customer_parts(
    connection: Any, entity: str, tenant: str, bodies: list[dict[str, Any]]
) -> None:
    owners = [UUID(body["id"]) for body in bodies]
    parts = {}
    for table in (t.emails, t.phones, t.third_party_ids):
        statement = sa.select(table).where(table.c.tenant == tenant, table.c.owner_id.in_(owners))
        grouped: dict[str, list[Any]] = defaultdict(list)
        for row in (await connection.execute(statement)).mappings().all():
            grouped[str(row["owner_id"])].append(row)
        parts[table.name] = grouped
    links = await _links(connection, entity, tenant, owners)
    for body in bodies:
        key = body["id"]
        customer_details(
            body, parts["emails"][key], parts["phones"][key], parts["third_party_ids"][key], tenant
        )
        # Contact.accounts / Account.contacts (seed 004), as references.
        body["accounts" if entity == "contact" else "contacts"] = [{"id": other} for other in links[key]]


async def _links(connection: Any, entity: str, tenant: str, owners: list[UUID]) -> dict[str, list[str]]:
    link = t.account_contacts
    mine, other = (
        (link.c.contact_id, link.c.account_id)
        if entity == "contact"
        else (link.c.account_id, link.c.contact_id)
    )
    statement = (
        sa.select(mine, other).where(link.c.tenant == tenant, mine.in_(owners)).order_by(link.c.date_created)
    )
    found: dict[str, list[str]] = defaultdict(list)
    for owner, linked in (await connection.execute(statement)).all():
        found[str(owner)].append(str(linked))
    return found


async def _replace(connection: Any, table: Any, tenant: str, owner: UUID, rows: list[dict[str, Any]]) -> None:
    await connection.execute(table.delete().where(table.c.tenant == tenant, table.c.owner_id == owner))
    for position, row in enumerate(rows):
        values = {"id": uuid7(), "tenant": tenant, "owner_id": owner, "position": position, **row}
        await connection.execute(table.insert().values(**values))
