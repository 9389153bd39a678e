"""organization: seed 004 User members, roles, security groups, user settings, customers' franchise

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 05:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.backends.sql.types
from gateway.backends.sql.rls import disable_tenant_rls, enable_tenant_rls

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TENANT_TABLES = ("roles", "security_groups", "user_roles", "security_group_members", "user_settings")
_TIME = gateway.backends.sql.types.UtcDateTime


def _user_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("signature", sa.Text(), nullable=True),
        sa.Column("stop_escalation", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("round_robin_status", sa.String(length=64), nullable=True),
        sa.Column("is_third_party_provider", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("version_number", sa.String(length=64), nullable=True),
        sa.Column("version_dont_show_again", sa.Boolean(), nullable=True),
        sa.Column("is_impersonated", sa.Boolean(), server_default=sa.false(), nullable=False),
    ]


def _audit_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("date_created", _TIME(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("date_modified", _TIME(timezone=True), nullable=True),
        sa.Column("modified_by", sa.String(length=255), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("date_deleted", _TIME(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=255), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
    ]


def _index(table: str, *columns: str) -> None:
    op.create_index(f"ix_{table}_tenant_{'_'.join(columns)}", table, ["tenant", *columns], unique=False)


def _link_table(table: str, parent: tuple[str, str], child: tuple[str, str]) -> None:
    """A membership link (tenant, parent, child): ``(column, referred table)`` each."""
    op.create_table(
        table,
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column(parent[0], sa.Uuid(), nullable=False),
        sa.Column(child[0], sa.Uuid(), nullable=False),
        sa.Column("date_created", _TIME(timezone=True), nullable=False),
        *(
            sa.ForeignKeyConstraint(
                [column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}")
            )
            for column, referred in (parent, child)
        ),
        sa.PrimaryKeyConstraint(parent[0], child[0], name=op.f(f"pk_{table}")),
    )


def _create_tables() -> None:
    op.create_table(
        "roles",
        *_audit_columns(),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("permissions", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roles")),
    )
    _index("roles", "date_created", "id")
    op.create_table(
        "security_groups",
        *_audit_columns(),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("round_robin", sa.Boolean(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_groups")),
    )
    _index("security_groups", "date_created", "id")
    _link_table("user_roles", ("user_id", "users"), ("role_id", "roles"))
    _index("user_roles", "role_id")
    _link_table("security_group_members", ("group_id", "security_groups"), ("user_id", "users"))
    _index("security_group_members", "user_id")
    op.create_table(
        "user_settings",
        *_audit_columns(),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("audio_input", sa.String(length=255), nullable=True),
        sa.Column("audio_output", sa.String(length=255), nullable=True),
        sa.Column("due_date_display_type", sa.Integer(), server_default="0", nullable=False),
        sa.Column("connection_view_type", sa.Integer(), server_default="0", nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("is_email_notifications_enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("is_push_notifications_enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("is_anytime_calling_enabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("management_view_settings", sa.JSON(), nullable=True),
        sa.Column("frontend_state", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_settings_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_settings")),
        sa.UniqueConstraint("tenant", "user_id", name=op.f("uq_user_settings_tenant_user_id")),
    )


def upgrade() -> None:
    for column in _user_columns():
        op.add_column("users", column)
    for table in ("contacts", "accounts"):
        op.add_column(table, sa.Column("franchise_id", sa.Uuid(), nullable=True))
        _index(table, "franchise_id")
    _index("departments", "franchise_id")
    _create_tables()
    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        disable_tenant_rls(table)
        op.drop_table(table)
    op.drop_index("ix_departments_tenant_franchise_id", table_name="departments")
    for table in ("accounts", "contacts"):
        op.drop_index(f"ix_{table}_tenant_franchise_id", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("franchise_id")
    with op.batch_alter_table("users") as batch:
        for column in reversed(_user_columns()):
            batch.drop_column(column.name)
