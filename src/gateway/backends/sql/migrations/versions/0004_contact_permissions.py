"""contact permissions (seed 000 ContactPermission row rules)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gateway.backends.sql.rls import disable_tenant_rls, enable_tenant_rls

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_permissions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("owner_only", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("permission", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["contacts.id"], name=op.f("fk_contact_permissions_owner_id_contacts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_permissions")),
    )
    with op.batch_alter_table("contact_permissions", schema=None) as batch_op:
        batch_op.create_index("ix_contact_permissions_tenant_owner_id", ["tenant", "owner_id"], unique=False)
    enable_tenant_rls("contact_permissions")


def downgrade() -> None:
    disable_tenant_rls("contact_permissions")
    with op.batch_alter_table("contact_permissions", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_permissions_tenant_owner_id")
    op.drop_table("contact_permissions")
