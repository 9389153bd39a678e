"""automation runs: the trigger event log, the dispatchers' work list and the run log

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.backends.sql.types
from gateway.backends.sql.rls import disable_tenant_rls, enable_tenant_rls

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UtcDateTime = gateway.backends.sql.types.UtcDateTime
TENANT_TABLES = ("automation_events", "automation_runs")  # automation_dispatch is exempt (rls.py)


def upgrade() -> None:
    # Each write that could start a trigger asks whether an enabled automation listens to it.
    op.create_index("ix_automations_tenant_trigger", "automations", ["tenant", "trigger"])
    op.create_table(
        "automation_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("trigger", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("chain_id", sa.Uuid(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("occurred_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("processed_at", UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_events")),
    )
    op.create_index(
        "ix_automation_events_tenant_occurred_at_id", "automation_events", ["tenant", "occurred_at", "id"]
    )
    op.create_table(
        "automation_dispatch",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("available_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("claim_token", sa.Uuid(), nullable=True),
        sa.Column("claimed_by", sa.String(length=255), nullable=True),
        sa.Column("lease_expires_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_automation_dispatch")),
    )
    op.create_index("ix_automation_dispatch_available_at", "automation_dispatch", ["available_at"])
    op.create_table(
        "automation_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("automation_id", sa.Uuid(), nullable=False),
        sa.Column("automation_name", sa.String(length=255), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("trigger", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("started_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_runs")),
    )
    op.create_index(
        "ix_automation_runs_tenant_started_at_id", "automation_runs", ["tenant", "started_at", "id"]
    )
    op.create_index(
        "ix_automation_runs_tenant_automation_id_started_at_id",
        "automation_runs",
        ["tenant", "automation_id", "started_at", "id"],
    )
    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in TENANT_TABLES:
        disable_tenant_rls(table)
    op.drop_index("ix_automation_runs_tenant_automation_id_started_at_id", table_name="automation_runs")
    op.drop_index("ix_automation_runs_tenant_started_at_id", table_name="automation_runs")
    op.drop_table("automation_runs")
    op.drop_index("ix_automation_dispatch_available_at", table_name="automation_dispatch")
    op.drop_table("automation_dispatch")
    op.drop_index("ix_automation_events_tenant_occurred_at_id", table_name="automation_events")
    op.drop_table("automation_events")
    op.drop_index("ix_automations_tenant_trigger", table_name="automations")
