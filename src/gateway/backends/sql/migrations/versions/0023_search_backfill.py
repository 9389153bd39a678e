"""search backfill: index the contacts, accounts and leads 0014 left out when a non-superuser owner ran it

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 17:40:00

0014 filled ``search_documents`` with one ``INSERT ... SELECT`` over the entity tables. On PostgreSQL,
run as the tables' owner that is no superuser (the deployment's own role), FORCE ROW LEVEL SECURITY
bound it to the tenant policy with no tenant set, so it read no row and indexed nothing: every record
written before 0014 stayed out of search until it was next changed (the triggers index what changes).
This migration indexes every live record still without a document, every tenant's, with the tenant
policy lifted for the step as 0020 does. It leaves alone the documents the triggers keep, and finds
nothing to do where 0014 did its work (SQLite, or a superuser's run). 0014 itself is applied in
deployments and is not changed; its document expressions are reused, so both build the same rows.
"""

from __future__ import annotations

import importlib

from alembic import op

from gateway.backends.sql.rls import every_tenants_rows

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

SEARCH = importlib.import_module("gateway.backends.sql.migrations.versions.0014_search")
# Read for a document: the entity tables and the owners' e-mail addresses and phone numbers.
READ = (*SEARCH.ENTITIES, *SEARCH.DETAILS)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    with every_tenants_rows(*READ):
        for table in SEARCH.ENTITIES:
            values = SEARCH._document_values(table, table, postgresql)
            op.execute(
                f"INSERT INTO {SEARCH.COLUMNS} SELECT {values} FROM {table} WHERE NOT {table}.is_deleted"
                f" AND NOT EXISTS (SELECT 1 FROM search_documents WHERE search_documents.id = {table}.id)"
            )


def downgrade() -> None:
    """Nothing to undo: the documents it added are those the triggers keep (0014's downgrade drops
    them all with the table)."""
