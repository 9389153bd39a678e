"""crm configs: Akixi CRM configurations kept by the gateway (seed 002)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.backends.sql.types
from gateway.backends.sql.rls import disable_tenant_rls, enable_tenant_rls

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crm_configs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("date_created", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("date_modified", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("modified_by", sa.String(length=255), nullable=True),
        sa.Column("tel_sys_id", sa.Integer(), nullable=False),
        sa.Column("partition_id", sa.Integer(), nullable=False),
        sa.Column("device_number", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("crm_type", sa.String(length=255), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("common", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_configs")),
        sa.UniqueConstraint(
            "tenant",
            "tel_sys_id",
            "partition_id",
            "device_number",
            name=op.f("uq_crm_configs_tenant_tel_sys_id_partition_id_device_number"),
        ),
    )
    with op.batch_alter_table("crm_configs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_crm_configs_tenant_description_id", ["tenant", "description", "id"], unique=False
        )
    enable_tenant_rls("crm_configs")


def downgrade() -> None:
    disable_tenant_rls("crm_configs")
    with op.batch_alter_table("crm_configs", schema=None) as batch_op:
        batch_op.drop_index("ix_crm_configs_tenant_description_id")
    op.drop_table("crm_configs")
