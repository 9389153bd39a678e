"""communications

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 12:37:33.169721
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import gateway.backends.sql.types
from gateway.backends.sql.rls import disable_tenant_rls, enable_tenant_rls

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


TENANT_TABLES = (
    "communication_categories",
    "communication_templates",
    "communication_queue_external_systems",
    "communications",
    "communication_references",
    "communication_queue_entries",
    "communication_queue_events",
    "counters",
)


def upgrade() -> None:

    op.create_table(
        "communication_categories",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("date_created", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("date_modified", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("modified_by", sa.String(length=255), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("date_deleted", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=255), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communication_categories")),
    )
    with op.batch_alter_table("communication_categories", schema=None) as batch_op:
        batch_op.create_index(
            "ix_communication_categories_tenant_date_created_id",
            ["tenant", "date_created", "id"],
            unique=False,
        )

    op.create_table(
        "communication_queue_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communication_queue_events")),
        sa.UniqueConstraint("tenant", "sequence", name=op.f("uq_communication_queue_events_tenant_sequence")),
    )
    op.create_table(
        "communication_queue_external_systems",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("date_created", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("date_modified", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("modified_by", sa.String(length=255), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("date_deleted", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=255), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("alternative_code", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communication_queue_external_systems")),
    )
    with op.batch_alter_table("communication_queue_external_systems", schema=None) as batch_op:
        batch_op.create_index(
            "ix_communication_queue_external_systems_tenant_date_created_id",
            ["tenant", "date_created", "id"],
            unique=False,
        )

    op.create_table(
        "communication_references",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communication_references")),
    )
    with op.batch_alter_table("communication_references", schema=None) as batch_op:
        batch_op.create_index(
            "ix_communication_references_tenant_owner_id", ["tenant", "owner_id"], unique=False
        )
        batch_op.create_index(
            "ix_communication_references_tenant_target_id", ["tenant", "target_id"], unique=False
        )

    op.create_table(
        "communication_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("date_created", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("date_modified", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("modified_by", sa.String(length=255), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("date_deleted", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=255), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=True),
        sa.Column("media", sa.String(length=16), nullable=True),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communication_templates")),
    )
    with op.batch_alter_table("communication_templates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_communication_templates_tenant_date_created_id",
            ["tenant", "date_created", "id"],
            unique=False,
        )

    op.create_table(
        "counters",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "name", name=op.f("pk_counters")),
    )
    op.create_table(
        "communications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("date_created", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("date_modified", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("modified_by", sa.String(length=255), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("date_deleted", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=255), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("media", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("to", sa.String(length=255), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("life_cycle_state", sa.String(length=16), server_default="COMPLETED", nullable=False),
        sa.Column("viewed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("viewed_on", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("completed_on", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("template_id", sa.Uuid(), nullable=True),
        sa.Column("external_system_id", sa.Uuid(), nullable=True),
        sa.Column("owned_by_group", sa.String(length=255), nullable=True),
        sa.Column("privacy_level", sa.String(length=255), nullable=True),
        sa.Column("udf_string_1", sa.String(length=255), nullable=True),
        sa.Column("udf_string_2", sa.String(length=255), nullable=True),
        sa.Column("udf_string_3", sa.String(length=255), nullable=True),
        sa.Column("udf_string_4", sa.String(length=255), nullable=True),
        sa.Column("udf_string_5", sa.String(length=255), nullable=True),
        sa.Column("udf_string_6", sa.String(length=255), nullable=True),
        sa.Column("udf_string_7", sa.String(length=255), nullable=True),
        sa.Column("udf_string_8", sa.String(length=255), nullable=True),
        sa.Column("udf_float_1", sa.Float(), nullable=True),
        sa.Column("udf_float_2", sa.Float(), nullable=True),
        sa.Column("udf_float_3", sa.Float(), nullable=True),
        sa.Column("udf_float_4", sa.Float(), nullable=True),
        sa.Column("udf_date_1", sa.Date(), nullable=True),
        sa.Column("udf_date_2", sa.Date(), nullable=True),
        sa.Column("udf_date_3", sa.Date(), nullable=True),
        sa.Column("udf_date_4", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["communication_categories.id"],
            name=op.f("fk_communications_category_id_communication_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_communications_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["external_system_id"],
            ["communication_queue_external_systems.id"],
            name=op.f("fk_communications_external_system_id_communication_queue_external_systems"),
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["communication_templates.id"],
            name=op.f("fk_communications_template_id_communication_templates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communications")),
        sa.UniqueConstraint("tenant", "number", name=op.f("uq_communications_tenant_number")),
    )
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.create_index("ix_communications_tenant_category_id", ["tenant", "category_id"], unique=False)
        batch_op.create_index("ix_communications_tenant_contact_id", ["tenant", "contact_id"], unique=False)
        batch_op.create_index(
            "ix_communications_tenant_date_created_id", ["tenant", "date_created", "id"], unique=False
        )

    op.create_table(
        "communication_queue_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("date_created", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=255), nullable=True),
        sa.Column("date_modified", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("modified_by", sa.String(length=255), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("date_deleted", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.String(length=255), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("communication_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("external_system_id", sa.Uuid(), nullable=False),
        sa.Column("media", sa.String(length=16), nullable=False),
        sa.Column("life_cycle_state", sa.String(length=32), server_default="PENDING", nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error_description", sa.Text(), nullable=True),
        sa.Column("completed_on", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("rejected_on", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("removed_on", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.Uuid(), nullable=True),
        sa.Column("claimed_by", sa.String(length=255), nullable=True),
        sa.Column("lease_expires_at", gateway.backends.sql.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("claim_count", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["communication_id"],
            ["communications.id"],
            name=op.f("fk_communication_queue_entries_communication_id_communications"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_communication_queue_entries_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["external_system_id"],
            ["communication_queue_external_systems.id"],
            name=op.f(
                "fk_communication_queue_entries_external_system_id_communication_queue_external_systems"
            ),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communication_queue_entries")),
    )
    with op.batch_alter_table("communication_queue_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_communication_queue_entries_tenant_communication_id",
            ["tenant", "communication_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_communication_queue_entries_tenant_contact_id", ["tenant", "contact_id"], unique=False
        )
        batch_op.create_index(
            "ix_communication_queue_entries_tenant_date_created_id",
            ["tenant", "date_created", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_communication_queue_entries_tenant_system_state",
            ["tenant", "external_system_id", "life_cycle_state", "date_created"],
            unique=False,
        )
    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in TENANT_TABLES:
        disable_tenant_rls(table)

    with op.batch_alter_table("communication_queue_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_communication_queue_entries_tenant_system_state")
        batch_op.drop_index("ix_communication_queue_entries_tenant_date_created_id")
        batch_op.drop_index("ix_communication_queue_entries_tenant_contact_id")
        batch_op.drop_index("ix_communication_queue_entries_tenant_communication_id")

    op.drop_table("communication_queue_entries")
    with op.batch_alter_table("communications", schema=None) as batch_op:
        batch_op.drop_index("ix_communications_tenant_date_created_id")
        batch_op.drop_index("ix_communications_tenant_contact_id")
        batch_op.drop_index("ix_communications_tenant_category_id")

    op.drop_table("communications")
    op.drop_table("counters")
    with op.batch_alter_table("communication_templates", schema=None) as batch_op:
        batch_op.drop_index("ix_communication_templates_tenant_date_created_id")

    op.drop_table("communication_templates")
    with op.batch_alter_table("communication_references", schema=None) as batch_op:
        batch_op.drop_index("ix_communication_references_tenant_target_id")
        batch_op.drop_index("ix_communication_references_tenant_owner_id")

    op.drop_table("communication_references")
    with op.batch_alter_table("communication_queue_external_systems", schema=None) as batch_op:
        batch_op.drop_index("ix_communication_queue_external_systems_tenant_date_created_id")

    op.drop_table("communication_queue_external_systems")
    op.drop_table("communication_queue_events")
    with op.batch_alter_table("communication_categories", schema=None) as batch_op:
        batch_op.drop_index("ix_communication_categories_tenant_date_created_id")

    op.drop_table("communication_categories")
