"""upstream queue seen: what an upstream queue poller (CRM.COM) has logged already

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.backends.sql.types
from gateway.backends.sql.rls import disable_tenant_rls, enable_tenant_rls

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "upstream_queue_seen",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("system", sa.String(length=100), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("seen_at", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "system", "entry_id", "kind", name=op.f("pk_upstream_queue_seen")),
    )
    enable_tenant_rls("upstream_queue_seen")


def downgrade() -> None:
    disable_tenant_rls("upstream_queue_seen")
    op.drop_table("upstream_queue_seen")
