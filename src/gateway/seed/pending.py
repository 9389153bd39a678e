"""Rows waiting to be inserted, the audit columns every new row carries, and the batched insert."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.ids import uuid7

Row = dict[str, Any]


@dataclass
class Rows:
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


async def insert_pending(
    conn: AsyncConnection, pending: dict[str, list[Row]], order: tuple[sa.Table, ...], added: Counter[str]
) -> None:
    for table in order:
        if batch := pending.get(table.name):
            await conn.execute(table.insert(), batch)
            added[table.name] += len(batch)
