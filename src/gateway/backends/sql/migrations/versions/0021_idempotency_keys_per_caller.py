"""idempotency keys per caller: the key's primary key gains the caller's subject, so that another caller
using the same key creates its own record instead of replaying (or being refused) the first caller's

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

PK = "pk_idempotency_keys"


def upgrade() -> None:
    # Keys kept before this revision get the caller "": no caller replays them any more, which is safe
    # (a retry then creates anew) and never hands one caller's record to another.
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("caller", sa.String(length=255), server_default="", nullable=False))
        batch_op.drop_constraint(PK, type_="primary")
        batch_op.create_primary_key(PK, ["tenant", "caller", "operation", "key"])


def downgrade() -> None:
    # Two callers' rows under one key cannot both stay: keep the first of each (tenant, operation, key).
    op.execute(
        "DELETE FROM idempotency_keys WHERE EXISTS (SELECT 1 FROM idempotency_keys AS other "
        "WHERE other.tenant = idempotency_keys.tenant AND other.operation = idempotency_keys.operation "
        "AND other.key = idempotency_keys.key AND other.date_created < idempotency_keys.date_created)"
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.drop_constraint(PK, type_="primary")
        batch_op.create_primary_key(PK, ["tenant", "operation", "key"])
        batch_op.drop_column("caller")
