"""lead workflow: vehicle and UTM members of a lead, dealer milestone dates and who set each (seed 004)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 05:40:00

The setters are plain UUIDs of users, without a foreign key: a milestone mutation checks the user
exists in the tenant, and a user soft-deleted later still names who set the milestone.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.backends.sql.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

UtcDateTime = gateway.backends.sql.types.UtcDateTime
VEHICLE_UTM = ("make_str", "model_str", "year_str", "trim_str", "utm_campaign", "utm_source")
NEW_DATES = (
    "walk_around_date",
    "take_over_date",
    "test_drive_date",
    "trade_in_appraisal_date",
    "credit_application_date",
    "order_date",
)
SETTERS = (
    "first_open_by_id",
    "walk_around_by_id",
    "take_over_by_id",
    "test_drive_by_id",
    "trade_in_appraisal_by_id",
    "credit_application_by_id",
    "offer_made_by_id",
    "order_by_id",
    "sold_by_id",
    "expected_delivery_by_id",
    "lost_by_id",
    "closed_by_id",
)


def upgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        for name in VEHICLE_UTM:
            batch_op.add_column(sa.Column(name, sa.String(length=255), nullable=True))
        for name in NEW_DATES:
            batch_op.add_column(sa.Column(name, UtcDateTime(timezone=True), nullable=True))
        for name in SETTERS:
            batch_op.add_column(sa.Column(name, sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leads", schema=None) as batch_op:
        for name in reversed(VEHICLE_UTM + NEW_DATES + SETTERS):
            batch_op.drop_column(name)
