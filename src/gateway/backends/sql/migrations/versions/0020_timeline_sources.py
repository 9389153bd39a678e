"""timeline sources: every lead stage move the gateway writes, and the run log dated like other rows

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 14:30:00

``lead_stage_changes`` starts with the moves the trigger event log already holds (``lead.stageChanged``
events, recorded while an automation listened); from now on every move is recorded, listened to or not.
``automation_runs.date_created`` is each run's ``started_at``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.backends.sql.types
from gateway.backends.sql.rls import disable_tenant_rls, enable_tenant_rls, every_tenants_rows

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

UtcDateTime = gateway.backends.sql.types.UtcDateTime
_NAME = sa.String(length=255)


def upgrade() -> None:
    op.create_table(
        "lead_stage_changes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("date_created", UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", _NAME, nullable=True),
        sa.Column("date_modified", UtcDateTime(timezone=True), nullable=True),
        sa.Column("modified_by", _NAME, nullable=True),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("date_deleted", UtcDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", _NAME, nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("from_stage_id", sa.Uuid(), nullable=True),
        sa.Column("to_stage_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_stage_changes")),
    )
    op.create_index(
        "ix_lead_stage_changes_tenant_lead_id_date_created_id",
        "lead_stage_changes",
        ["tenant", "lead_id", "date_created", "id"],
    )
    with op.batch_alter_table("automation_runs") as batch:
        batch.add_column(sa.Column("date_created", UtcDateTime(timezone=True), nullable=True))
    with every_tenants_rows("automation_events", "automation_runs"):
        _copy_recorded_moves()
        op.execute("UPDATE automation_runs SET date_created = started_at")
    enable_tenant_rls("lead_stage_changes")
    with op.batch_alter_table("automation_runs") as batch:
        batch.alter_column("date_created", existing_type=UtcDateTime(timezone=True), nullable=False)
    op.create_index(
        "ix_automation_runs_tenant_record_id_date_created_id",
        "automation_runs",
        ["tenant", "record_id", "date_created", "id"],
    )


def _copy_recorded_moves() -> None:
    """The ``lead.stageChanged`` events (their ``data`` holds fromStageId and toStageId) as moves."""
    events = sa.table(
        "automation_events",
        sa.column("id", sa.Uuid()),
        sa.column("tenant", sa.String()),
        sa.column("trigger", sa.String()),
        sa.column("record_id", sa.Uuid()),
        sa.column("data", sa.Text()),
        sa.column("actor", sa.String()),
        sa.column("occurred_at", UtcDateTime(timezone=True)),
    )
    rows = op.get_bind().execute(sa.select(events).where(events.c.trigger == "lead.stageChanged")).all()
    if not rows:
        return
    moves = sa.table(
        "lead_stage_changes",
        sa.column("id", sa.Uuid()),
        sa.column("tenant", sa.String()),
        sa.column("date_created", UtcDateTime(timezone=True)),
        sa.column("created_by", sa.String()),
        *(sa.column(name, sa.Uuid()) for name in ("lead_id", "from_stage_id", "to_stage_id")),
    )
    op.get_bind().execute(sa.insert(moves), [_move(row) for row in rows])


def _move(row: sa.Row[object]) -> dict[str, object]:
    import json
    import uuid

    data = json.loads(str(row.data))

    def stage(key: str) -> uuid.UUID | None:
        value = data.get(key)
        return uuid.UUID(value) if value else None

    return {
        "id": row.id,  # the event's id: one move per event
        "tenant": row.tenant,
        "date_created": row.occurred_at,
        "created_by": row.actor,
        "lead_id": row.record_id,
        "from_stage_id": stage("fromStageId"),
        "to_stage_id": stage("toStageId"),
    }


def downgrade() -> None:
    op.drop_index("ix_automation_runs_tenant_record_id_date_created_id", table_name="automation_runs")
    with op.batch_alter_table("automation_runs") as batch:
        batch.drop_column("date_created")
    disable_tenant_rls("lead_stage_changes")
    op.drop_index("ix_lead_stage_changes_tenant_lead_id_date_created_id", table_name="lead_stage_changes")
    op.drop_table("lead_stage_changes")
