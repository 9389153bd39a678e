"""documents: files attached to contacts and accounts (seed 000 DocumentSummary); bytes in storage

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 04:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.backends.sql.types
from gateway.backends.sql.rls import disable_tenant_rls, enable_tenant_rls

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("date_created", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("date_modified", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("modified_by", sa.String(length=255), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("date_deleted", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=255), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("owner_type", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("extension", sa.String(length=32), nullable=True),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index("ix_documents_tenant_date_created_id", ["tenant", "date_created", "id"])
        batch_op.create_index("ix_documents_tenant_owner_id", ["tenant", "owner_id"])
    enable_tenant_rls("documents")


def downgrade() -> None:
    disable_tenant_rls("documents")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_tenant_owner_id")
        batch_op.drop_index("ix_documents_tenant_date_created_id")
    op.drop_table("documents")
