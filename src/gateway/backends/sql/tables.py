"""The gateway's own SQL schema (SQLAlchemy Core). Alembic migrations are generated from it.

Every table carries ``tenant`` as the leading column of its indexes: each statement the backend
issues filters on it, and a tenant's rows stay together in the index.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from gateway.backends.lead_workflow import NEW_DATE_COLUMNS, SETTER_COLUMNS, VEHICLE_UTM_COLUMNS
from gateway.backends.sql.types import UtcDateTime

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

TENANT = sa.String(64)
NAME = sa.String(255)


def audit_columns() -> list[sa.Column[Any]]:
    """BaseRecord (seed 004): creation, modification, soft deletion, plus an optimistic-lock version."""
    return [
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("date_created", UtcDateTime(), nullable=False),
        sa.Column("created_by", NAME, nullable=True),
        sa.Column("date_modified", UtcDateTime(), nullable=True),
        sa.Column("modified_by", NAME, nullable=True),
        sa.Column("is_deleted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("date_deleted", UtcDateTime(), nullable=True),
        sa.Column("deleted_by", NAME, nullable=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    ]


def authored_columns() -> list[sa.Column[Any]]:
    """Who created and last changed a row, and when: for tenant rows that are no BaseRecord."""
    return [
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant", TENANT, nullable=False),
        sa.Column("date_created", UtcDateTime(), nullable=False),
        sa.Column("created_by", NAME, nullable=True),
        sa.Column("date_modified", UtcDateTime(), nullable=True),
        sa.Column("modified_by", NAME, nullable=True),
    ]


def tenant_index(table: str, *columns: str) -> sa.Index:
    return sa.Index(f"ix_{table}_tenant_{'_'.join(columns)}", "tenant", *columns)


# Custom field values (seed 004 customFieldValues) of a contact, account or lead: one JSON object,
# fieldName -> value typed as its definition (number, boolean, text). PostgreSQL keeps it as jsonb with
# a GIN index (``@>`` answers equality on any field); SQLite as JSON text read with json_extract.
CUSTOM_VALUES = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def custom_values_columns(table: str) -> list[Any]:
    column = sa.Column(
        "custom_fields", CUSTOM_VALUES, nullable=False, default=dict, server_default=sa.text("'{}'")
    )
    index = sa.Index(
        f"ix_{table}_custom_fields",
        "custom_fields",
        postgresql_using="gin",
        postgresql_ops={"custom_fields": "jsonb_path_ops"},
    ).ddl_if(dialect="postgresql")
    return [column, index]


tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("key", TENANT, primary_key=True),
    sa.Column("name", NAME, nullable=False),
    sa.Column("vertical", NAME, nullable=True),
    sa.Column("date_created", UtcDateTime(), nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    *audit_columns(),
    sa.Column("username", NAME, nullable=False),
    sa.Column("email", NAME, nullable=True),
    sa.Column("firstname", NAME, nullable=True),
    sa.Column("lastname", NAME, nullable=True),
    sa.Column("mobile_phone", sa.String(32), nullable=True),
    sa.Column("user_type", sa.String(32), nullable=False, server_default="USER"),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    # Seed 004 User members besides the above; apiKey is a secret and is not kept (docs/graph.md).
    sa.Column("signature", sa.Text, nullable=True),
    sa.Column("stop_escalation", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("round_robin_status", sa.String(64), nullable=True),
    sa.Column("is_third_party_provider", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("version_number", sa.String(64), nullable=True),
    sa.Column("version_dont_show_again", sa.Boolean, nullable=True),
    sa.Column("is_impersonated", sa.Boolean, nullable=False, server_default=sa.false()),
    tenant_index("users", "date_created", "id"),
    sa.UniqueConstraint("tenant", "username"),
)

franchises = sa.Table(
    "franchises",
    metadata,
    *audit_columns(),
    sa.Column("name", NAME, nullable=False),
    sa.Column("code", sa.String(64), nullable=True),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    tenant_index("franchises", "date_created", "id"),
)

departments = sa.Table(
    "departments",
    metadata,
    *audit_columns(),
    sa.Column("name", NAME, nullable=False),
    sa.Column("franchise_id", sa.Uuid, sa.ForeignKey("franchises.id"), nullable=True),
    sa.Column("pipeline_name", NAME, nullable=True),
    tenant_index("departments", "date_created", "id"),
    tenant_index("departments", "franchise_id"),
)

# Seed 004 Role (name, permissions) and SecurityGroup (name, roundRobin, members); the catalog's
# permission names a role grants are kept as a JSON list.
roles = sa.Table(
    "roles",
    metadata,
    *audit_columns(),
    sa.Column("name", NAME, nullable=False),
    sa.Column("permissions", sa.JSON, nullable=False, default=list, server_default=sa.text("'[]'")),
    tenant_index("roles", "date_created", "id"),
)

security_groups = sa.Table(
    "security_groups",
    metadata,
    *audit_columns(),
    sa.Column("name", NAME, nullable=False),
    sa.Column("round_robin", sa.Boolean, nullable=True),
    sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
    tenant_index("security_groups", "date_created", "id"),
)

user_roles = sa.Table(
    "user_roles",
    metadata,
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("role_id", sa.Uuid, sa.ForeignKey("roles.id"), primary_key=True),
    sa.Column("date_created", UtcDateTime(), nullable=False),
    tenant_index("user_roles", "role_id"),
)

security_group_members = sa.Table(
    "security_group_members",
    metadata,
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("group_id", sa.Uuid, sa.ForeignKey("security_groups.id"), primary_key=True),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("date_created", UtcDateTime(), nullable=False),
    tenant_index("security_group_members", "user_id"),
)

# Seed 004 UserSettings: one row per user, written by the user itself.
user_settings = sa.Table(
    "user_settings",
    metadata,
    *audit_columns(),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("audio_input", NAME, nullable=True),
    sa.Column("audio_output", NAME, nullable=True),
    sa.Column("due_date_display_type", sa.Integer, nullable=False, server_default="0"),
    sa.Column("connection_view_type", sa.Integer, nullable=False, server_default="0"),
    sa.Column("language", sa.String(16), nullable=True),
    sa.Column("is_email_notifications_enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("is_push_notifications_enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("is_anytime_calling_enabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("management_view_settings", sa.JSON, nullable=True),
    sa.Column("frontend_state", sa.Text, nullable=True),
    sa.UniqueConstraint("tenant", "user_id"),
)

stages = sa.Table(
    "stages",
    metadata,
    *audit_columns(),
    sa.Column("name", NAME, nullable=False),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    tenant_index("stages", "position", "id"),
)

CUSTOMER_COLUMNS = (
    # BaseCustomer (seed 004) fields shared by contacts and accounts.
    ("language", sa.String(16)),
    ("address", NAME),
    ("city", NAME),
    ("province", NAME),
    ("postal_code", sa.String(32)),
    ("country", NAME),
)


def customer_columns() -> list[sa.Column[Any]]:
    return [sa.Column(name, type_, nullable=True) for name, type_ in CUSTOMER_COLUMNS] + [
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        # The franchise a customer belongs to: GET /api/contact and /api/account filter by it (seed 004).
        sa.Column("franchise_id", sa.Uuid, nullable=True),
    ]


def channel_columns() -> list[sa.Column[Any]]:
    """Seed 000 ContactCommunication ``preferred`` and ``assistant`` (the URLs are a detail list)."""
    return [
        sa.Column("preferred_channel", sa.String(16), nullable=True),
        sa.Column("assistant_id", sa.Uuid, nullable=True),  # a contact of the same tenant
    ]


# Seed 003 contact_information in depth (issue 21): the CRM.COM attributes the graph had no home for.
DEPTH_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("life_cycle_state", sa.String(16)),
    ("category", NAME),
    ("owned_by_group", NAME),
    ("privacy_level", NAME),
    ("notes", sa.Text),
    ("preferred_language", sa.String(8)),
    # demographics
    ("date_of_birth", sa.Date),
    ("name_day", sa.String(5)),  # MM-DD
    ("id_number", sa.String(64)),
    ("id_issued_by_country", sa.String(2)),
    ("passport_number", sa.String(64)),
    ("passport_issued_by_country", sa.String(2)),
    ("social_security_number", sa.String(64)),
    ("country_of_residence", sa.String(2)),
    ("industry", NAME),
    ("industry_sector", NAME),
    # company_profile
    ("registration_number", sa.String(64)),
    ("tax_reference_number", sa.String(64)),
    ("vat_registration_number", sa.String(64)),
    ("vat_registration_date", sa.Date),
    ("vat_registered_by", NAME),
    ("registered_in_country", sa.String(2)),
    ("annual_turnover", sa.Float),
    ("number_of_employees", sa.Integer),
    ("profile_year", sa.Integer),
    ("established_date", sa.Date),
    ("company_industry", NAME),
    ("company_industry_sector", NAME),
    # authorization settings (consent), with who changed each and when
    ("send_direct_marketing_material", sa.Boolean),
    ("direct_marketing_changed_by", NAME),
    ("direct_marketing_changed_at", UtcDateTime()),
    ("send_affiliate_marketing_material", sa.Boolean),
    ("affiliate_marketing_changed_by", NAME),
    ("affiliate_marketing_changed_at", UtcDateTime()),
)
IDENTIFIER_COLUMNS = ("id_number", "passport_number", "social_security_number", "vat_registration_number")


def depth_columns() -> list[sa.Column[Any]]:
    columns = [sa.Column(name, type_, nullable=True) for name, type_ in DEPTH_COLUMNS]
    # udf_string_1..16, udf_float_1..8, udf_date_1..8 (seed 003), keyed by slot name
    return [
        *columns,
        sa.Column("udfs", sa.JSON, nullable=False, default=dict, server_default=sa.text("'{}'")),
    ]


contacts = sa.Table(
    "contacts",
    metadata,
    *audit_columns(),
    *customer_columns(),
    sa.Column("kind", sa.String(16), nullable=False, server_default="PERSON"),
    sa.Column("first_name", NAME, nullable=True),
    sa.Column("middle_name", NAME, nullable=True),
    sa.Column("last_name", NAME, nullable=True),
    sa.Column("preferred_name", NAME, nullable=True),
    sa.Column("suffix", sa.String(32), nullable=True),
    sa.Column("civility", sa.String(32), nullable=True),
    sa.Column("company_name", NAME, nullable=True),
    sa.Column("gender", sa.String(16), nullable=True),
    sa.Column("position_title", NAME, nullable=True),
    sa.Column("languages_spoken", sa.JSON, nullable=False, default=list),
    sa.Column("preferred_method_of_contact", sa.String(32), nullable=True),
    sa.Column("opt_out", sa.Boolean, nullable=False, server_default=sa.false()),
    *channel_columns(),
    *custom_values_columns("contacts"),
    *depth_columns(),
    tenant_index("contacts", "date_created", "id"),
    tenant_index("contacts", "franchise_id"),
    tenant_index("contacts", "last_name", "id"),
    *(tenant_index("contacts", name) for name in IDENTIFIER_COLUMNS),
)

accounts = sa.Table(
    "accounts",
    metadata,
    *audit_columns(),
    *customer_columns(),
    sa.Column("name", NAME, nullable=False),
    sa.Column("alias", NAME, nullable=True),
    sa.Column("primary_contact_id", sa.Uuid, sa.ForeignKey("contacts.id"), nullable=True),
    *channel_columns(),
    sa.Column("owner_id", sa.Uuid, nullable=True),  # seed 000 Organization owner: a user
    *custom_values_columns("accounts"),
    tenant_index("accounts", "date_created", "id"),
    tenant_index("accounts", "franchise_id"),
    tenant_index("accounts", "name", "id"),
)

account_contacts = sa.Table(
    "account_contacts",
    metadata,
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("account_id", sa.Uuid, sa.ForeignKey("accounts.id"), primary_key=True),
    sa.Column("contact_id", sa.Uuid, sa.ForeignKey("contacts.id"), primary_key=True),
    sa.Column("date_created", UtcDateTime(), nullable=False),
    tenant_index("account_contacts", "contact_id"),
)

emails = sa.Table(
    "emails",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("email", NAME, nullable=False),
    sa.Column("type", sa.String(64), nullable=True),
    sa.Column("is_primary", sa.Boolean, nullable=False, server_default=sa.false()),
    # seed 003 e-mail item (L405-427): notes, and its state (Active / Inactive)
    sa.Column("notes", sa.Text, nullable=True),
    sa.Column("item_state", sa.String(16), nullable=False, server_default=sa.text("'ACTIVE'")),
    tenant_index("emails", "owner_id"),
    tenant_index("emails", "email"),
)

phones = sa.Table(
    "phones",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("mode", sa.String(16), nullable=False),
    sa.Column("type", sa.String(64), nullable=True),
    sa.Column("number", sa.String(32), nullable=False),
    sa.Column("country_code", sa.String(2), nullable=True),
    sa.Column("extension", sa.String(16), nullable=True),
    sa.Column("is_primary", sa.Boolean, nullable=False, server_default=sa.false()),
    # seed 003 phone item (L298-333): notes, and its state (Active / Inactive)
    sa.Column("notes", sa.Text, nullable=True),
    sa.Column("item_state", sa.String(16), nullable=False, server_default=sa.text("'ACTIVE'")),
    tenant_index("phones", "owner_id"),
    tenant_index("phones", "number"),
)

addresses = sa.Table(
    "addresses",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("type", sa.String(16), nullable=True),
    sa.Column("line1", NAME, nullable=True),
    sa.Column("line2", NAME, nullable=True),
    sa.Column("line3", NAME, nullable=True),
    sa.Column("line4", NAME, nullable=True),
    sa.Column("city", NAME, nullable=True),
    sa.Column("state", NAME, nullable=True),
    sa.Column("zip", sa.String(32), nullable=True),
    sa.Column("country", NAME, nullable=True),
    sa.Column("is_primary", sa.Boolean, nullable=False, server_default=sa.false()),
    # seed 003 address item (L219-270, request L2141-2157)
    sa.Column("care_of", NAME, nullable=True),
    sa.Column("floor", sa.Integer, nullable=True),
    sa.Column("apartment_number", sa.String(64), nullable=True),
    sa.Column("municipality", NAME, nullable=True),
    sa.Column("po_box", sa.String(64), nullable=True),
    sa.Column("po_box_postal_code", sa.String(64), nullable=True),
    sa.Column("notes", sa.Text, nullable=True),
    sa.Column("item_state", sa.String(16), nullable=False, server_default=sa.text("'ACTIVE'")),
    tenant_index("addresses", "owner_id"),
)

third_party_ids = sa.Table(
    "third_party_ids",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("system_name", sa.String(64), nullable=False),
    sa.Column("third_party_id", NAME, nullable=False),
    sa.Column("metadata", sa.Text, nullable=True),
    sa.Column("date_created", UtcDateTime(), nullable=False),
    tenant_index("third_party_ids", "owner_id"),
    tenant_index("third_party_ids", "system_name", "third_party_id"),
)

contact_permissions = sa.Table(
    # Seed 000 ContactPermission: row rules that restrict who sees a contact (gateway.backends.access).
    "contact_permissions",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("owner_id", sa.Uuid, sa.ForeignKey("contacts.id"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("owner_only", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("permission", sa.String(64), nullable=True),
    tenant_index("contact_permissions", "owner_id"),
)

leads = sa.Table(
    "leads",
    metadata,
    *audit_columns(),
    sa.Column("subject", NAME, nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="OPEN"),
    sa.Column("source", NAME, nullable=True),
    sa.Column("category", NAME, nullable=True),
    sa.Column("direction", sa.String(16), nullable=True),
    sa.Column("contact_id", sa.Uuid, sa.ForeignKey("contacts.id"), nullable=True),
    sa.Column("account_id", sa.Uuid, sa.ForeignKey("accounts.id"), nullable=True),
    sa.Column("stage_id", sa.Uuid, sa.ForeignKey("stages.id"), nullable=True),
    sa.Column("franchise_id", sa.Uuid, sa.ForeignKey("franchises.id"), nullable=True),
    sa.Column("department_id", sa.Uuid, sa.ForeignKey("departments.id"), nullable=True),
    sa.Column("due_date", UtcDateTime(), nullable=True),
    sa.Column("is_qualified", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("priority", sa.Integer, nullable=True),
    sa.Column("closed_date", UtcDateTime(), nullable=True),
    sa.Column("lost_date", UtcDateTime(), nullable=True),
    sa.Column("first_open_date", UtcDateTime(), nullable=True),
    sa.Column("expected_delivery_date", UtcDateTime(), nullable=True),
    sa.Column("offer_made_date", UtcDateTime(), nullable=True),
    sa.Column("sold_date", UtcDateTime(), nullable=True),
    sa.Column("visit_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("presale_visit_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("postsale_visit_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("customer_initiated", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("handling_instructions", sa.Text, nullable=True),
    sa.Column("form_name", NAME, nullable=True),
    *custom_values_columns("leads"),
    # The lead workflow (migration 0016): vehicle and UTM members, milestone dates and their setters.
    *(sa.Column(name, NAME, nullable=True) for name in VEHICLE_UTM_COLUMNS),
    *(sa.Column(name, UtcDateTime(), nullable=True) for name in NEW_DATE_COLUMNS),
    *(sa.Column(name, sa.Uuid, nullable=True) for name in SETTER_COLUMNS),
    tenant_index("leads", "date_created", "id"),
    tenant_index("leads", "contact_id"),
    tenant_index("leads", "account_id"),
    tenant_index("leads", "stage_id"),
)

lead_assignees = sa.Table(
    "lead_assignees",
    metadata,
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("lead_id", sa.Uuid, sa.ForeignKey("leads.id"), primary_key=True),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("date_created", UtcDateTime(), nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    *audit_columns(),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("type", sa.String(32), nullable=True),
    sa.Column("title", NAME, nullable=False),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("start", UtcDateTime(), nullable=True),
    sa.Column("end", UtcDateTime(), nullable=True),
    sa.Column("task_done", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("notified", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("assignee_id", sa.Uuid, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("contact_id", sa.Uuid, sa.ForeignKey("contacts.id"), nullable=True),
    sa.Column("account_id", sa.Uuid, sa.ForeignKey("accounts.id"), nullable=True),
    sa.Column("lead_id", sa.Uuid, sa.ForeignKey("leads.id"), nullable=True),
    sa.Column("no_show", sa.Boolean, nullable=True),
    sa.Column("customer_confirmed", sa.Boolean, nullable=True),
    sa.Column("canceled", sa.Boolean, nullable=True),
    sa.Column("url", sa.String(2048), nullable=True),
    sa.Column("from_automation", sa.Boolean, nullable=True),
    tenant_index("events", "date_created", "id"),
    tenant_index("events", "contact_id"),
    tenant_index("events", "account_id"),
    tenant_index("events", "lead_id"),
)

# A key is its caller's own (migration 0021): another caller's same key is another create, never a
# replay of the first caller's record. Keys kept before 0021 have the caller "".
idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("tenant", TENANT, primary_key=True),
    sa.Column("caller", NAME, primary_key=True, server_default=""),
    sa.Column("operation", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("record_id", sa.Uuid, nullable=False),
    sa.Column("date_created", UtcDateTime(), nullable=False),
)

# Looked up by hash before the tenant is known, so it is the one table outside tenant scoping (and
# outside row-level security): all access goes through gateway.apikeys.
api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False),
    sa.Column("permissions", sa.JSON, nullable=False),
    sa.Column("created_by", NAME, nullable=True),
    sa.Column("date_created", UtcDateTime(), nullable=False),
    sa.Column("date_revoked", UtcDateTime(), nullable=True),
    sa.Column("last_used", UtcDateTime(), nullable=True),
    sa.UniqueConstraint("key_hash"),
    tenant_index("api_keys", "date_created", "id"),
)

# --- Communications and the communication queue (seed 001, CRM.COM) ------------------------------------

communication_categories = sa.Table(
    "communication_categories",
    metadata,
    *audit_columns(),
    sa.Column("name", NAME, nullable=False),
    sa.Column("code", sa.String(64), nullable=True),
    sa.Column("description", sa.Text, nullable=True),
    tenant_index("communication_categories", "date_created", "id"),
)

communication_templates = sa.Table(
    "communication_templates",
    metadata,
    *audit_columns(),
    sa.Column("name", NAME, nullable=False),
    sa.Column("direction", sa.String(16), nullable=True),
    sa.Column("media", sa.String(16), nullable=True),
    sa.Column("subject", NAME, nullable=True),
    sa.Column("content", sa.Text, nullable=True),
    tenant_index("communication_templates", "date_created", "id"),
)

communication_queue_external_systems = sa.Table(
    "communication_queue_external_systems",
    metadata,
    *audit_columns(),
    sa.Column("name", NAME, nullable=False),
    sa.Column("alternative_code", sa.String(64), nullable=True),
    sa.Column("description", sa.Text, nullable=True),
    tenant_index("communication_queue_external_systems", "date_created", "id"),
)

UDF_COLUMNS: tuple[tuple[str, Any], ...] = (
    *((f"udf_string_{n}", NAME) for n in range(1, 9)),
    *((f"udf_float_{n}", sa.Float()) for n in range(1, 5)),
    *((f"udf_date_{n}", sa.Date()) for n in range(1, 5)),
)

communications = sa.Table(
    "communications",
    metadata,
    *audit_columns(),
    sa.Column("number", sa.String(32), nullable=False),
    sa.Column("direction", sa.String(16), nullable=False),
    sa.Column("media", sa.String(16), nullable=False),
    sa.Column("subject", NAME, nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("to", NAME, nullable=True),
    sa.Column("notes", sa.Text, nullable=True),
    sa.Column("life_cycle_state", sa.String(16), nullable=False, server_default="COMPLETED"),
    sa.Column("viewed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("viewed_on", UtcDateTime(), nullable=True),
    sa.Column("completed_on", UtcDateTime(), nullable=True),
    sa.Column("contact_id", sa.Uuid, sa.ForeignKey("contacts.id"), nullable=False),
    sa.Column("category_id", sa.Uuid, sa.ForeignKey("communication_categories.id"), nullable=True),
    sa.Column("template_id", sa.Uuid, sa.ForeignKey("communication_templates.id"), nullable=True),
    sa.Column(
        "external_system_id",
        sa.Uuid,
        sa.ForeignKey("communication_queue_external_systems.id"),
        nullable=True,
    ),
    sa.Column("owned_by_group", NAME, nullable=True),
    sa.Column("privacy_level", NAME, nullable=True),
    *(sa.Column(name, type_, nullable=True) for name, type_ in UDF_COLUMNS),
    tenant_index("communications", "date_created", "id"),
    tenant_index("communications", "contact_id"),
    tenant_index("communications", "category_id"),
    sa.UniqueConstraint("tenant", "number"),
)

# What a communication refers to (seed 001 referring_to): leads, tasks, accounts, other communications.
communication_references = sa.Table(
    "communication_references",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("target_type", sa.String(32), nullable=False),
    sa.Column("target_id", sa.Uuid, nullable=False),
    tenant_index("communication_references", "owner_id"),
    tenant_index("communication_references", "target_id"),
)

communication_queue_entries = sa.Table(
    "communication_queue_entries",
    metadata,
    *audit_columns(),
    sa.Column("communication_id", sa.Uuid, sa.ForeignKey("communications.id"), nullable=False),
    sa.Column("contact_id", sa.Uuid, sa.ForeignKey("contacts.id"), nullable=False),
    sa.Column(
        "external_system_id",
        sa.Uuid,
        sa.ForeignKey("communication_queue_external_systems.id"),
        nullable=False,
    ),
    sa.Column("media", sa.String(16), nullable=False),
    sa.Column("life_cycle_state", sa.String(32), nullable=False, server_default="PENDING"),
    sa.Column("error_code", sa.String(64), nullable=True),
    sa.Column("error_description", sa.Text, nullable=True),
    sa.Column("completed_on", UtcDateTime(), nullable=True),
    sa.Column("rejected_on", UtcDateTime(), nullable=True),
    sa.Column("removed_on", UtcDateTime(), nullable=True),
    # The work-queue lease: who holds the entry and until when; a lapsed lease makes it claimable again.
    sa.Column("claim_token", sa.Uuid, nullable=True),
    sa.Column("claimed_by", NAME, nullable=True),
    sa.Column("lease_expires_at", UtcDateTime(), nullable=True),
    sa.Column("claim_count", sa.Integer, nullable=False, server_default="0"),
    tenant_index("communication_queue_entries", "date_created", "id"),
    # The claim's and the queue lists' path: one system's entries in a state, oldest first.
    sa.Index(
        "ix_communication_queue_entries_tenant_system_state",
        "tenant",
        "external_system_id",
        "life_cycle_state",
        "date_created",
    ),
    tenant_index("communication_queue_entries", "communication_id"),
    tenant_index("communication_queue_entries", "contact_id"),
)

# Append-only log of queue-entry state changes, written in the changing transaction. ``sequence`` comes
# from the tenant's counter row, whose lock is held to commit: sequences commit in order, so a reader
# replaying ``after: <sequence>`` never skips an event that commits later with a smaller number.
communication_queue_events = sa.Table(
    "communication_queue_events",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("sequence", sa.BigInteger, nullable=False),
    sa.Column("entry_id", sa.Uuid, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("occurred_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("tenant", "sequence"),
)

# The upstream queue events a poller has logged already (e.g. CRM.COM's, see gateway.backends.rest.crmcom
# .poller): one row per entry and kind, so a restart or two overlapping polls never log an event twice.
upstream_queue_seen = sa.Table(
    "upstream_queue_seen",
    metadata,
    sa.Column("tenant", TENANT, primary_key=True),
    sa.Column("system", sa.String(100), primary_key=True),
    sa.Column("entry_id", sa.Uuid, primary_key=True),
    sa.Column("kind", sa.String(24), primary_key=True),
    sa.Column("seen_at", UtcDateTime(), nullable=False),
)

# Per-tenant counters (communication numbers, queue event sequences), incremented under a row lock.
counters = sa.Table(
    "counters",
    metadata,
    sa.Column("tenant", TENANT, primary_key=True),
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

# Akixi CRM configurations kept by the gateway itself (seed 002): one per exact telephone system,
# partition and device (31005); settings are the JSONData objects as stored text.
crm_configs = sa.Table(
    "crm_configs",
    metadata,
    *authored_columns(),
    sa.Column("tel_sys_id", sa.Integer, nullable=False),
    sa.Column("partition_id", sa.Integer, nullable=False),
    sa.Column("device_number", sa.String(64), nullable=False),
    sa.Column("description", NAME, nullable=False),
    sa.Column("crm_type", NAME, nullable=False),
    sa.Column("settings", sa.Text, nullable=False),
    sa.Column("common", sa.Text, nullable=False),
    sa.UniqueConstraint("tenant", "tel_sys_id", "partition_id", "device_number"),
    sa.Index(None, "tenant", "description", "id"),
)

# Customization (seed 004) kept by the gateway itself: definitions and settings, no graph entities.
# Custom field definitions; ``options`` and the JSON columns below hold JSON text.
custom_fields = sa.Table(
    "custom_fields",
    metadata,
    *authored_columns(),
    sa.Column("entity", sa.String(64), nullable=False),
    sa.Column("field_name", sa.String(64), nullable=False),
    sa.Column("field_type", sa.String(16), nullable=False),
    sa.Column("options", sa.Text, nullable=True),
    sa.Column("required", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("tenant", "entity", "field_name"),
)

custom_labels = sa.Table(
    "custom_labels",
    metadata,
    *audit_columns(),
    sa.Column("value", sa.Text, nullable=False),
    tenant_index("custom_labels", "date_created", "id"),
)

# A saved filter is private to its owner (the subject who created it) or shared with the tenant.
saved_filters = sa.Table(
    "saved_filters",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("date_created", UtcDateTime(), nullable=False),
    sa.Column("date_modified", UtcDateTime(), nullable=True),
    sa.Column("owner", NAME, nullable=False),
    sa.Column("name", NAME, nullable=False),
    sa.Column("module", sa.String(64), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("private", sa.Boolean, nullable=False),
    tenant_index("saved_filters", "date_created", "id"),
)

automations = sa.Table(
    "automations",
    metadata,
    *audit_columns(),
    sa.Column("name", NAME, nullable=False),
    sa.Column("trigger", sa.String(64), nullable=False),
    sa.Column("nodes", sa.Text, nullable=False),
    sa.Column("edges", sa.Text, nullable=False),
    sa.Column("franchise_id", sa.String(100), nullable=True),
    sa.Column("delayed_automations_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    tenant_index("automations", "date_created", "id"),
    tenant_index("automations", "trigger"),  # does an automation listen? (migration 0013)
)

# Automations that run (migration 0013). A write that starts a trigger appends an event in its own
# transaction, and a dispatch row that gateway processes claim; running the event's automations, their
# run log rows and the removal of the dispatch row commit together (``gateway.automations``).
automation_events = sa.Table(
    "automation_events",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("trigger", sa.String(64), nullable=False),
    sa.Column("entity", sa.String(32), nullable=False),
    sa.Column("record_id", sa.Uuid, nullable=False),
    sa.Column("data", sa.Text, nullable=False),  # JSON: what the trigger adds, e.g. the previous stage
    sa.Column("chain_id", sa.Uuid, nullable=False),  # the user write the causal chain started with
    sa.Column("depth", sa.Integer, nullable=False),  # 0 for a user's write, +1 per automation step
    sa.Column("actor", NAME, nullable=False),
    sa.Column("occurred_at", UtcDateTime(), nullable=False),
    sa.Column("processed_at", UtcDateTime(), nullable=True),
    tenant_index("automation_events", "occurred_at", "id"),
)

# The work list of the dispatchers: one row per unprocessed event, claimed with a lease. It holds no
# tenant data but the tenant's key, and is read across tenants before any tenant is set, so it is
# exempt from row-level security (``rls.RLS_EXEMPT_TABLES``).
automation_dispatch = sa.Table(
    "automation_dispatch",
    metadata,
    sa.Column("event_id", sa.Uuid, primary_key=True),
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("available_at", UtcDateTime(), nullable=False),
    sa.Column("claim_token", sa.Uuid, nullable=True),
    sa.Column("claimed_by", NAME, nullable=True),
    sa.Column("lease_expires_at", UtcDateTime(), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Index("ix_automation_dispatch_available_at", "available_at"),
)

automation_runs = sa.Table(
    "automation_runs",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("automation_id", sa.Uuid, nullable=False),
    sa.Column("automation_name", NAME, nullable=False),
    sa.Column("event_id", sa.Uuid, nullable=False),
    sa.Column("trigger", sa.String(64), nullable=False),
    sa.Column("entity", sa.String(32), nullable=False),
    sa.Column("record_id", sa.Uuid, nullable=False),
    sa.Column("depth", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # SUCCEEDED, FAILED, SKIPPED
    sa.Column("reason", sa.String(64), nullable=True),  # the error code or why it was skipped
    sa.Column("message", sa.Text, nullable=True),
    sa.Column("actions", sa.Text, nullable=False),  # JSON: the actions done, in order
    sa.Column("started_at", UtcDateTime(), nullable=False),
    sa.Column("finished_at", UtcDateTime(), nullable=False),
    # = started_at (migration 0020): the run as a timeline item is read like every dated row
    sa.Column("date_created", UtcDateTime(), nullable=False),
    tenant_index("automation_runs", "started_at", "id"),
    tenant_index("automation_runs", "automation_id", "started_at", "id"),
    tenant_index("automation_runs", "record_id", "date_created", "id"),  # a lead's timeline
)

# Every move of a lead to another stage that the gateway wrote (migration 0020), in the write's own
# transaction: the lead's timeline lists them. Moves made in an upstream are not seen here.
lead_stage_changes = sa.Table(
    "lead_stage_changes",
    metadata,
    *audit_columns(),  # date_created: when it moved; created_by: who moved it
    sa.Column("lead_id", sa.Uuid, nullable=False),
    sa.Column("from_stage_id", sa.Uuid, nullable=True),
    sa.Column("to_stage_id", sa.Uuid, nullable=True),
    tenant_index("lead_stage_changes", "lead_id", "date_created", "id"),
)

# --- Tags and comments of contacts and organizations (seed 000 Tag, Comment) ---------------------------

# A tenant's tag catalogue: one row per value, unique ignoring case (``value_key``).
tags = sa.Table(
    "tags",
    metadata,
    *audit_columns(),
    sa.Column("value", sa.String(100), nullable=False),
    sa.Column("value_key", sa.String(200), nullable=False),
    tenant_index("tags", "date_created", "id"),
    sa.UniqueConstraint("tenant", "value_key"),
)

# Which contact or account (``owner_id``: their ids never collide) carries which tag.
tag_assignments = sa.Table(
    "tag_assignments",
    metadata,
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("tag_id", sa.Uuid, sa.ForeignKey("tags.id"), primary_key=True),
    sa.Column("owner_id", sa.Uuid, primary_key=True),
    sa.Column("date_created", UtcDateTime(), nullable=False),
    tenant_index("tag_assignments", "owner_id"),
)

comments = sa.Table(
    "comments",
    metadata,
    *audit_columns(),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("owner_type", sa.String(16), nullable=False),
    sa.Column("author_id", sa.Uuid, sa.ForeignKey("users.id"), nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    tenant_index("comments", "date_created", "id"),
    tenant_index("comments", "owner_id"),
)

# --- Seed 000 people model (issue 19): URLs, occasions and key relationships ---------------------------

# Seed 000 URL: a contact's or account's web addresses, replaced whole like e-mails and phones.
urls = sa.Table(
    "urls",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("address", sa.String(2048), nullable=False),
    sa.Column("label", NAME, nullable=True),
    sa.Column("icon", sa.String(64), nullable=True),
    sa.Column("type", sa.String(64), nullable=True),
    sa.Column("is_primary", sa.Boolean, nullable=False, server_default=sa.false()),
    tenant_index("urls", "owner_id"),
)

# Seed 000 Occasion of a contact or an account (exactly one is set). ``month_day`` (month * 100 + day)
# lets ``upcomingOccasions`` find yearly occasions by calendar day in the index.
occasions = sa.Table(
    "occasions",
    metadata,
    *audit_columns(),
    sa.Column("contact_id", sa.Uuid, sa.ForeignKey("contacts.id"), nullable=True),
    sa.Column("account_id", sa.Uuid, sa.ForeignKey("accounts.id"), nullable=True),
    sa.Column("label", NAME, nullable=True),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("month_day", sa.Integer, nullable=False),
    sa.Column("recurring", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("reminder", sa.Boolean, nullable=False, server_default=sa.false()),
    tenant_index("occasions", "date_created", "id"),
    tenant_index("occasions", "contact_id"),
    tenant_index("occasions", "account_id"),
    tenant_index("occasions", "month_day"),
    tenant_index("occasions", "date"),
)

# A contact's relation to another contact or to an account (exactly one is set): seed 000's key
# relationships (``is_key``) and hierarchical connections, seed 003's relation_set (type, contact, notes).
contact_relations = sa.Table(
    "contact_relations",
    metadata,
    *audit_columns(),
    sa.Column("contact_id", sa.Uuid, sa.ForeignKey("contacts.id"), nullable=False),
    sa.Column("related_contact_id", sa.Uuid, sa.ForeignKey("contacts.id"), nullable=True),
    sa.Column("related_account_id", sa.Uuid, sa.ForeignKey("accounts.id"), nullable=True),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("notes", sa.Text, nullable=True),
    sa.Column("is_key", sa.Boolean, nullable=False, server_default=sa.false()),
    tenant_index("contact_relations", "date_created", "id"),
    tenant_index("contact_relations", "contact_id"),
    tenant_index("contact_relations", "related_contact_id"),
    tenant_index("contact_relations", "related_account_id"),
)

# Documents attached to a contact or an account (seed 000 DocumentSummary); the bytes are in the
# document storage (gateway.storage) under ``storage_key``, never in the database.
documents = sa.Table(
    "documents",
    metadata,
    *audit_columns(),
    sa.Column("owner_id", sa.Uuid, nullable=False),
    sa.Column("owner_type", sa.String(16), nullable=False),  # Contact or Account
    sa.Column("name", NAME, nullable=False),
    sa.Column("extension", sa.String(32), nullable=True),
    sa.Column("content_type", NAME, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("storage_key", NAME, nullable=False),
    tenant_index("documents", "date_created", "id"),
    tenant_index("documents", "owner_id"),
)

# A contact's profile photo (seed 003 contact_information/profile_photo): at most one per contact, its
# bytes in the document storage under ``storage_key`` like a document's.
contact_profile_photos = sa.Table(
    "contact_profile_photos",
    metadata,
    *authored_columns(),
    sa.Column("contact_id", sa.Uuid, nullable=False),
    sa.Column("file_name", NAME, nullable=False),
    sa.Column("content_type", NAME, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("storage_key", NAME, nullable=False),
    sa.UniqueConstraint("tenant", "contact_id"),
)

# The full-text search index's documents: one row per live contact, account and lead, kept by database
# triggers (migration 0014), never by the writer. ``name`` is the full name (an exact match ranks first),
# ``aliases`` the other names, ``channels`` the owner's e-mail addresses and phone digits (from the
# detail tables, so that one statement finds a contact by any of them). PostgreSQL adds a generated
# ``document`` tsvector with a GIN index; SQLite an FTS5 table ``search_fts`` over these rows
# (``SEARCH_INDEX_OBJECTS``: objects of one database only, which the migrations alone create).
search_documents = sa.Table(
    "search_documents",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("tenant", TENANT, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.Text, nullable=True),
    sa.Column("aliases", sa.Text, nullable=True),
    sa.Column("channels", sa.Text, nullable=True),
    sa.Column("numbers", sa.Text, nullable=True),  # phone digits without a country code: indexed, not shown
    tenant_index("search_documents", "kind"),
)
SEARCH_INDEX_OBJECTS = frozenset(
    {
        "document",
        "ix_search_documents_document",
        *(f"search_fts{part}" for part in ("", "_data", "_idx", "_docsize", "_config", "_content")),
    }
)
