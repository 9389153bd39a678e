"""set item fields (seed 003 address, phone and e-mail items): care of, floor, apartment, municipality,
PO box, notes, and the item's state (Active / Inactive; CRM.COM adds every item as Active)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 14:30:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_NAME = sa.String(length=255)
_CODE = sa.String(length=64)
# The tables already have row-level security (0002); new columns inherit it.
COLUMNS: dict[str, tuple[tuple[str, Any], ...]] = {
    "addresses": (
        ("care_of", _NAME),
        ("floor", sa.Integer()),
        ("apartment_number", _CODE),
        ("municipality", _NAME),
        ("po_box", _CODE),
        ("po_box_postal_code", _CODE),
        ("notes", sa.Text()),
    ),
    "phones": (("notes", sa.Text()),),
    "emails": (("notes", sa.Text()),),
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        for name, type_ in columns:
            op.add_column(table, sa.Column(name, type_, nullable=True))
        op.add_column(
            table,
            sa.Column("item_state", sa.String(length=16), server_default=sa.text("'ACTIVE'"), nullable=False),
        )


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in ("item_state", *(name for name, _ in reversed(columns))):
                batch_op.drop_column(name)
