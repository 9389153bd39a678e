"""contact profile photos (seed 003 contact_information/profile_photo): one per contact, bytes in storage

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 14:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.backends.sql.types
from gateway.backends.sql.rls import disable_tenant_rls, enable_tenant_rls

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_TIME = gateway.backends.sql.types.UtcDateTime


def upgrade() -> None:
    op.create_table(
        "contact_profile_photos",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("date_created", _TIME(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("date_modified", _TIME(timezone=True), nullable=True),
        sa.Column("modified_by", sa.String(length=255), nullable=True),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_profile_photos")),
        sa.UniqueConstraint("tenant", "contact_id", name=op.f("uq_contact_profile_photos_tenant_contact_id")),
    )
    enable_tenant_rls("contact_profile_photos")


def downgrade() -> None:
    disable_tenant_rls("contact_profile_photos")
    op.drop_table("contact_profile_photos")
