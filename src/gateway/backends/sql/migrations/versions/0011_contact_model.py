"""contact model: URLs, preferred channel, assistant, organization owner, occasions, contact relations

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.backends.sql.types
from gateway.backends.sql.rls import disable_tenant_rls, enable_tenant_rls

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TENANT_TABLES = ("urls", "occasions", "contact_relations")
_TIME = gateway.backends.sql.types.UtcDateTime


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


def upgrade() -> None:
    for table in ("contacts", "accounts"):
        op.add_column(table, sa.Column("preferred_channel", sa.String(length=16), nullable=True))
        op.add_column(table, sa.Column("assistant_id", sa.Uuid(), nullable=True))
    op.add_column("accounts", sa.Column("owner_id", sa.Uuid(), nullable=True))

    op.create_table(
        "urls",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=2048), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=True),
        sa.Column("icon", sa.String(length=64), nullable=True),
        sa.Column("type", sa.String(length=64), nullable=True),
        sa.Column("is_primary", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_urls")),
    )
    _index("urls", "owner_id")

    op.create_table(
        "occasions",
        *_audit_columns(),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("label", sa.String(length=255), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("month_day", sa.Integer(), nullable=False),
        sa.Column("recurring", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("reminder", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_occasions_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_occasions_contact_id_contacts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_occasions")),
    )
    for columns in (("date_created", "id"), ("contact_id",), ("account_id",), ("month_day",), ("date",)):
        _index("occasions", *columns)

    op.create_table(
        "contact_relations",
        *_audit_columns(),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("related_contact_id", sa.Uuid(), nullable=True),
        sa.Column("related_account_id", sa.Uuid(), nullable=True),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("is_key", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_contact_relations_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["related_account_id"],
            ["accounts.id"],
            name=op.f("fk_contact_relations_related_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["related_contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_relations_related_contact_id_contacts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_relations")),
    )
    for columns in (
        ("date_created", "id"),
        ("contact_id",),
        ("related_contact_id",),
        ("related_account_id",),
    ):
        _index("contact_relations", *columns)

    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in TENANT_TABLES:
        disable_tenant_rls(table)
    for table in ("contact_relations", "occasions", "urls"):
        op.drop_table(table)  # their indexes go with them
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        for column in ("owner_id", "assistant_id", "preferred_channel"):
            batch_op.drop_column(column)
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        for column in ("assistant_id", "preferred_channel"):
            batch_op.drop_column(column)
