"""contact depth (seed 003 contact_information): life cycle, category, group, privacy, notes, language,
demographics, company profile, consent with who and when, typed UDFs; indexes on the identifier numbers

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 05:40:00
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

import gateway.backends.sql.types

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_TIME = gateway.backends.sql.types.UtcDateTime
_NAME = sa.String(length=255)
_CODE = sa.String(length=64)
_COUNTRY = sa.String(length=2)

# ``contacts`` already has row-level security (0002); new columns inherit it.
COLUMNS: tuple[tuple[str, Any], ...] = (
    ("life_cycle_state", sa.String(length=16)),
    ("category", _NAME),
    ("owned_by_group", _NAME),
    ("privacy_level", _NAME),
    ("notes", sa.Text()),
    ("preferred_language", sa.String(length=8)),
    ("date_of_birth", sa.Date()),
    ("name_day", sa.String(length=5)),
    ("id_number", _CODE),
    ("id_issued_by_country", _COUNTRY),
    ("passport_number", _CODE),
    ("passport_issued_by_country", _COUNTRY),
    ("social_security_number", _CODE),
    ("country_of_residence", _COUNTRY),
    ("industry", _NAME),
    ("industry_sector", _NAME),
    ("registration_number", _CODE),
    ("tax_reference_number", _CODE),
    ("vat_registration_number", _CODE),
    ("vat_registration_date", sa.Date()),
    ("vat_registered_by", _NAME),
    ("registered_in_country", _COUNTRY),
    ("annual_turnover", sa.Float()),
    ("number_of_employees", sa.Integer()),
    ("profile_year", sa.Integer()),
    ("established_date", sa.Date()),
    ("company_industry", _NAME),
    ("company_industry_sector", _NAME),
    ("send_direct_marketing_material", sa.Boolean()),
    ("direct_marketing_changed_by", _NAME),
    ("direct_marketing_changed_at", _TIME(timezone=True)),
    ("send_affiliate_marketing_material", sa.Boolean()),
    ("affiliate_marketing_changed_by", _NAME),
    ("affiliate_marketing_changed_at", _TIME(timezone=True)),
)
IDENTIFIERS = ("id_number", "passport_number", "social_security_number", "vat_registration_number")


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("contacts", sa.Column(name, type_, nullable=True))
    op.add_column("contacts", sa.Column("udfs", sa.JSON(), server_default=sa.text("'{}'"), nullable=False))
    for name in IDENTIFIERS:
        op.create_index(f"ix_contacts_tenant_{name}", "contacts", ["tenant", name], unique=False)


def downgrade() -> None:
    for name in IDENTIFIERS:
        op.drop_index(f"ix_contacts_tenant_{name}", table_name="contacts")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        for name in ("udfs", *(name for name, _ in reversed(COLUMNS))):
            batch_op.drop_column(name)
