"""The work-queue claim both the communication queue and the automations' work list use.

One conditional UPDATE of the rows chosen by an inner SELECT, both under the same conditions: two
claimers never get the same row. On PostgreSQL the inner SELECT takes ``FOR UPDATE SKIP LOCKED``, so a
concurrent claimer skips the rows another one is taking instead of waiting for them and then finding
them gone. SQLite has one writer at a time, so the same statement (without the locking clause, which
its dialect leaves out) is atomic there as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa


def claim_statement(
    key: sa.Column[Any],
    claimable: Sequence[Any],
    order: Sequence[Any],
    limit: int,
    values: dict[str, Any],
) -> sa.Update:
    """``UPDATE`` up to ``limit`` claimable rows (identified by ``key``), first in ``order``."""
    table = key.table
    chosen = sa.select(key).where(*claimable).order_by(*order).limit(limit).with_for_update(skip_locked=True)
    return sa.update(table).where(key.in_(chosen), *claimable).values(values)
