"""tags and comments of contacts and organizations (seed 000 Tag, Comment)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.backends.sql.types
from gateway.backends.sql.rls import disable_tenant_rls, enable_tenant_rls

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TENANT_TABLES = ("tags", "tag_assignments", "comments")


def _audit_columns() -> list[sa.Column[object]]:
    when = gateway.backends.sql.types.UtcDateTime(timezone=True)
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("date_created", when, nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("date_modified", when, nullable=True),
        sa.Column("modified_by", sa.String(length=255), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("date_deleted", when, nullable=True),
        sa.Column("deleted_by", sa.String(length=255), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "tags",
        *_audit_columns(),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("value_key", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("tenant", "value_key", name=op.f("uq_tags_tenant_value_key")),
    )
    op.create_index("ix_tags_tenant_date_created_id", "tags", ["tenant", "date_created", "id"])
    op.create_table(
        "tag_assignments",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("tag_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("date_created", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name=op.f("fk_tag_assignments_tag_id_tags")),
        sa.PrimaryKeyConstraint("tag_id", "owner_id", name=op.f("pk_tag_assignments")),
    )
    op.create_index("ix_tag_assignments_tenant_owner_id", "tag_assignments", ["tenant", "owner_id"])
    op.create_table(
        "comments",
        *_audit_columns(),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("owner_type", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_comments_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
    )
    op.create_index("ix_comments_tenant_date_created_id", "comments", ["tenant", "date_created", "id"])
    op.create_index("ix_comments_tenant_owner_id", "comments", ["tenant", "owner_id"])
    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in TENANT_TABLES:
        disable_tenant_rls(table)
    op.drop_index("ix_comments_tenant_owner_id", table_name="comments")
    op.drop_index("ix_comments_tenant_date_created_id", table_name="comments")
    op.drop_table("comments")
    op.drop_index("ix_tag_assignments_tenant_owner_id", table_name="tag_assignments")
    op.drop_table("tag_assignments")
    op.drop_index("ix_tags_tenant_date_created_id", table_name="tags")
    op.drop_table("tags")
