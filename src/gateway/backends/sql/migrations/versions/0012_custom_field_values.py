"""custom field values: a JSON object of values on contacts, accounts and leads (seed 004)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 04:40:00

PostgreSQL keeps the values as jsonb with a GIN index (jsonb_path_ops: ``custom_fields @> {...}``
finds the rows with a value on any field); SQLite as JSON text, read with json_extract.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("contacts", "accounts", "leads")


def upgrade() -> None:
    values = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("custom_fields", values, server_default=sa.text("'{}'"), nullable=False)
            )
        if postgres:
            op.create_index(
                f"ix_{table}_custom_fields",
                table,
                ["custom_fields"],
                postgresql_using="gin",
                postgresql_ops={"custom_fields": "jsonb_path_ops"},
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgres:
            op.drop_index(f"ix_{table}_custom_fields", table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("custom_fields")
