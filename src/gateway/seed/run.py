"""``seed_tenant``: prepare the tenant's reference rows, then insert contacts batch by batch."""

from __future__ import annotations

import os
import random
import sys
from collections import Counter
from dataclasses import dataclass, fields
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine
from tqdm import tqdm

from gateway.auth import TENANT_PATTERN
from gateway.backends.sql.engine import for_tenant
from gateway.ids import utcnow
from gateway.seed.batch import BATCH_ORDER, Batch
from gateway.seed.communications import CommunicationBatch, insert_communications, prepare_communications
from gateway.seed.pending import Rows, insert_pending
from gateway.seed.reference import prepare_tenant
from gateway.seed.words import HISTORY


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
    communication_categories: int = 0
    communication_templates: int = 0
    communication_queue_external_systems: int = 0
    communications: int = 0
    communication_references: int = 0
    communication_queue_entries: int = 0
    communication_queue_events: int = 0

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "tenant"}


async def seed_tenant(
    engine: AsyncEngine, tenant: str, contacts: int, *, progress: bool = True, batch_size: int = 2000
) -> SeedSummary:
    """Add ``contacts`` contacts to ``tenant`` with their accounts, details, leads and events."""
    _check_arguments(tenant, contacts, batch_size)
    engine = for_tenant(engine, tenant)  # row-level security accepts only this tenant's rows
    rng = random.Random(os.urandom(16))  # two runs must add different rows
    added: Counter[str] = Counter()
    async with engine.begin() as conn:
        refs = await prepare_tenant(conn, tenant, contacts, rng, added)
        since = utcnow() - HISTORY - timedelta(days=30)
        comm_refs = await prepare_communications(conn, Rows(rng, tenant, refs.usernames), since, added)
    with tqdm(total=contacts, unit="contacts", file=sys.stderr, disable=not progress) as bar:
        for start in range(0, contacts, batch_size):
            size = min(batch_size, contacts - start)
            batch = Batch(Rows(rng, tenant, refs.usernames), refs, utcnow())
            rows = CommunicationBatch(batch.rows, comm_refs, batch.now).build(batch.build(size))
            async with engine.begin() as conn:
                await insert_pending(conn, rows, BATCH_ORDER, added)
                await insert_communications(conn, tenant, rows, added)
            bar.update(size)
    return SeedSummary(tenant=tenant, **added)


def _check_arguments(tenant: str, contacts: int, batch_size: int) -> None:
    if not TENANT_PATTERN.fullmatch(tenant):
        raise ValueError("tenant must be letters, digits, '.', '_' or '-' (at most 64)")
    if contacts < 0:
        raise ValueError("contacts must be zero or more")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
