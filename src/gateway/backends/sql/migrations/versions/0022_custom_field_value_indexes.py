"""custom field value indexes on SQLite: one expression index per custom field already defined

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 14:40:00

PostgreSQL's GIN index (0012) serves every field. SQLite needs an expression index per field name and
type on (tenant, the typed read its filters compile to, date_created, id); ``customFieldCreate`` and
``customFieldUpdate`` make the index of each new definition (``custom_fields.sqlite_index``), and this
migration makes those of the definitions that existed before. Downgrade drops them all.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gateway.backends.sql.custom_fields import sqlite_index

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

VALUE_TABLES = {"contact": "contacts", "account": "accounts", "lead": "leads"}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    defined = bind.execute(sa.text("SELECT DISTINCT entity, field_name, field_type FROM custom_fields"))
    for entity, name, field_type in defined.all():
        table = VALUE_TABLES.get(entity)
        statement = None if table is None else sqlite_index(table, name, field_type)
        if statement is not None:
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for table in VALUE_TABLES.values():
        listed = bind.execute(sa.text(f"PRAGMA index_list({table})")).all()
        for row in listed:
            if str(row[1]).startswith(f"ix_{table}_cf_"):
                op.execute(f"DROP INDEX {row[1]}")
