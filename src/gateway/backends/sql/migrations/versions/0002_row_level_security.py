"""row-level security on every tenant-owned table

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:40:00
"""

from __future__ import annotations

from gateway.backends.sql.rls import disable_tenant_rls, enable_tenant_rls

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The tenant-owned tables as migration 0001 left them; later migrations guard the tables they add.
TENANT_TABLES = (
    "users",
    "franchises",
    "departments",
    "stages",
    "contacts",
    "accounts",
    "account_contacts",
    "emails",
    "phones",
    "addresses",
    "third_party_ids",
    "leads",
    "lead_assignees",
    "events",
    "idempotency_keys",
)


def upgrade() -> None:
    enable_tenant_rls("tenants", column="key")
    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in (*TENANT_TABLES, "tenants"):
        disable_tenant_rls(table)
