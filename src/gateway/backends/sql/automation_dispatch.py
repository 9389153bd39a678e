"""The automations' work list in SQL: claiming recorded events with a lease, taking a claim inside the
transaction that runs the event, and the run log.

Exactly once, with any number of gateway processes:

1. **Claim** (a short transaction of its own): one conditional UPDATE (``claims.claim_statement``,
   ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, atomic as SQLite's one writer on SQLite) leases up to N
   dispatch rows that are unclaimed or whose lease has lapsed, setting a fresh claim token.
2. **Run** (one transaction per event): its first statement deletes the dispatch row *with our
   token*. No row: another process took the event over after our lease lapsed, and we stop. Then the
   automations run, their actions write, their run log rows are inserted, and all of it commits with
   the deletion, or none of it does. A process that dies before the commit leaves the dispatch row
   (and its lease) behind; once the lease lapses, another process claims the event and runs it.

The deletion first also makes the transaction a write from its first statement, which SQLite needs
(a transaction that read first cannot take the write lock after another process committed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.backends.automations import AutomationEvent, AutomationRun, RunPage
from gateway.backends.customization import Automation
from gateway.backends.sql import tables as t
from gateway.backends.sql.area import SqlArea
from gateway.backends.sql.automations import automation_from_row
from gateway.backends.sql.claims import claim_statement
from gateway.backends.sql.customization_rows import as_id, custom_types, custom_types_query
from gateway.ids import utcnow, uuid7

DISPATCH, EVENTS, RUNS, AUTOMATIONS = (
    t.automation_dispatch,
    t.automation_events,
    t.automation_runs,
    t.automations,
)


@dataclass(frozen=True)
class Claim:
    event_id: UUID
    tenant: str
    token: UUID
    attempts: int


async def claim_events(
    engine: AsyncEngine,
    claimant: str,
    limit: int,
    lease_seconds: float,
    tenant: str | None = None,
    event_ids: list[UUID] | None = None,
) -> list[Claim]:
    """Lease up to ``limit`` claimable events (of one tenant, or only these, when given), oldest first."""
    now = utcnow()
    token = uuid7()
    claimable = [sa.or_(DISPATCH.c.lease_expires_at.is_(None), DISPATCH.c.lease_expires_at <= now)]
    if tenant is not None:
        claimable.append(DISPATCH.c.tenant == tenant)
    if event_ids is not None:
        claimable.append(DISPATCH.c.event_id.in_(event_ids))
    values = {
        "claim_token": token,
        "claimed_by": claimant[:255],
        "lease_expires_at": now + timedelta(seconds=lease_seconds),
        "attempts": DISPATCH.c.attempts + 1,
    }
    order = (DISPATCH.c.available_at, DISPATCH.c.event_id)
    statement = claim_statement(DISPATCH.c.event_id, claimable, order, limit, values).returning(
        DISPATCH.c.event_id, DISPATCH.c.tenant, DISPATCH.c.attempts
    )
    async with engine.begin() as connection:
        rows = (await connection.execute(statement)).all()
    claims = [Claim(row.event_id, row.tenant, token, row.attempts) for row in rows]
    return sorted(claims, key=lambda claim: claim.event_id)  # uuid7: in the order they were recorded


class DispatchSteps:
    """The steps of one event's run, on a ``SqlWriter`` (its ``_run``: its transaction, counted)."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    async def take(self, claim: Claim) -> bool:
        """Remove the event from the work list if our claim still holds it (the run's first statement)."""
        statement = sa.delete(DISPATCH).where(
            DISPATCH.c.event_id == claim.event_id, DISPATCH.c.claim_token == claim.token
        )
        return bool((await self.writer._run(statement)).rowcount)

    async def event(self, event_id: UUID) -> AutomationEvent | None:
        statement = sa.select(EVENTS).where(EVENTS.c.tenant == self.writer.tenant, EVENTS.c.id == event_id)
        row = (await self.writer._run(statement)).mappings().first()
        if row is None:
            return None
        data = json.loads(row["data"])
        fields = {name: row[name] for name in ("id", "trigger", "entity", "record_id", "chain_id", "depth")}
        return AutomationEvent(**fields, data=data, actor=row["actor"], occurred_at=row["occurred_at"])

    async def custom_types(self, entity: str) -> dict[str, tuple[str, Any]]:
        """The custom fields of ``entity``: fieldName -> (fieldType, options)."""
        return custom_types(await self.writer._run(custom_types_query(self.writer.tenant, entity)))

    async def listening(self, trigger: str) -> list[Automation]:
        """The tenant's enabled automations of this trigger, oldest first."""
        statement = (
            sa.select(AUTOMATIONS)
            .where(
                AUTOMATIONS.c.tenant == self.writer.tenant,
                AUTOMATIONS.c.trigger == trigger,
                AUTOMATIONS.c.enabled.is_(True),
                AUTOMATIONS.c.is_deleted.is_(False),
            )
            .order_by(AUTOMATIONS.c.date_created, AUTOMATIONS.c.id)
        )
        return [automation_from_row(row) for row in (await self.writer._run(statement)).mappings()]

    async def prune(self, cutoff: datetime, limit: int) -> int:
        """Delete up to ``limit`` of the tenant's events that ran before ``cutoff``; how many went.
        An event runs after it occurs, so ``occurred_at`` bounds the read by the tenant's index."""
        tenant = EVENTS.c.tenant == self.writer.tenant
        old = (
            sa.select(EVENTS.c.id)
            .where(tenant, EVENTS.c.occurred_at < cutoff, EVENTS.c.processed_at < cutoff)
            .limit(limit)
        )
        return int((await self.writer._run(sa.delete(EVENTS).where(tenant, EVENTS.c.id.in_(old)))).rowcount)

    async def finish(self, event_id: UUID, runs: list[AutomationRun]) -> None:
        if runs:
            await self.writer._run(
                sa.insert(RUNS).values([_run_row(self.writer.tenant, run) for run in runs])
            )
        processed = sa.update(EVENTS).where(EVENTS.c.tenant == self.writer.tenant, EVENTS.c.id == event_id)
        await self.writer._run(processed.values(processed_at=utcnow()))


class AutomationRunSteps(SqlArea):
    """The run log, mixed into ``SqlCustomization``: newest first, keyset paged."""

    async def automation_runs(
        self,
        automation_id: str | None,
        status: str | None,
        first: int,
        after: tuple[datetime, UUID] | None,
    ) -> RunPage:
        conditions = self._runs_where(automation_id, status)
        if after is not None:
            started, run_id = after
            conditions.append(
                sa.or_(RUNS.c.started_at < started, sa.and_(RUNS.c.started_at == started, RUNS.c.id < run_id))
            )
        statement = (
            sa.select(RUNS)
            .where(*conditions)
            .order_by(RUNS.c.started_at.desc(), RUNS.c.id.desc())
            .limit(first + 1)
        )
        rows = (await self.read(statement)).mappings().all()
        return RunPage([_run(row) for row in rows[:first]], has_next=len(rows) > first)

    async def count_automation_runs(self, automation_id: str | None, status: str | None) -> int:
        statement = (
            sa.select(sa.func.count()).select_from(RUNS).where(*self._runs_where(automation_id, status))
        )
        return int((await self.read(statement)).scalar_one())

    def _runs_where(self, automation_id: str | None, status: str | None) -> list[Any]:
        conditions: list[Any] = [RUNS.c.tenant == self.tenant]
        if automation_id is not None:
            conditions.append(RUNS.c.automation_id == as_id(automation_id, "automation"))
        if status is not None:
            conditions.append(RUNS.c.status == status)
        return conditions


def _run_row(tenant: str, run: AutomationRun) -> dict[str, Any]:
    return {**vars(run), "tenant": tenant, "actions": json.dumps(run.actions), "date_created": run.started_at}


_RUN_FIELDS = frozenset(field.name for field in fields(AutomationRun))


def _run(row: Any) -> AutomationRun:
    values = {column.name: row[column.name] for column in RUNS.c if column.name in _RUN_FIELDS}
    return AutomationRun(**{**values, "actions": json.loads(row["actions"])})
