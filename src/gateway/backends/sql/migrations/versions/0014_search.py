"""search: the full-text index of contacts, accounts and leads, kept current by the database

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 05:40:00

``search_documents`` holds one row per live contact, account and lead: its full name, its other names
and its owner's e-mail addresses and phone digits. Triggers on the entity tables and on ``emails`` and
``phones`` keep it current in the statement that changes them (a soft delete removes the row, a
restore puts it back), so no writer has to remember it. PostgreSQL indexes it with a generated
tsvector column and a GIN index; SQLite with an FTS5 table over the same rows, synchronised by triggers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# Entity table -> (kind, full name, other names); ``R`` stands for the row (NEW in a trigger).
ENTITIES = {
    "contacts": (
        "CONTACT",
        "coalesce(nullif(trim(coalesce(R.first_name, '') || ' ' || coalesce(R.last_name, '')), ''),"
        " R.company_name)",
        "trim(coalesce(R.middle_name, '') || ' ' || coalesce(R.preferred_name, '') || ' '"
        " || coalesce(R.company_name, ''))",
    ),
    "accounts": ("ACCOUNT", "R.name", "coalesce(R.alias, '')"),
    "leads": ("LEAD", "R.subject", "coalesce(R.description, '')"),
}
DETAILS = ("emails", "phones")
PHONE_PUNCTUATION = (" ", "+", "-", "(", ")", ".", "/")
# The parts of e-mail addresses become words of their own too ("ada.king@example.com": ada, king, ...).
DOCUMENT = """
    setweight(to_tsvector('simple', coalesce(name, '')), 'A')
    || setweight(to_tsvector('simple', coalesce(aliases, '')), 'B')
    || setweight(to_tsvector('simple', coalesce(channels, '')), 'C')
    || setweight(to_tsvector('simple', translate(coalesce(channels, ''), '@._-+', '     ')), 'C')
    || setweight(to_tsvector('simple', coalesce(numbers, '')), 'D')
"""
COLUMNS = "search_documents (id, tenant, kind, name, aliases, channels, numbers)"


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _digits(postgresql: bool) -> str:
    if postgresql:
        return "regexp_replace(number, '[^0-9]', '', 'g')"
    digits = "number"
    for mark in PHONE_PUNCTUATION:
        digits = f"replace({digits}, '{mark}', '')"
    return digits


def _joined(table: str, column: str, owner: str, tenant: str, postgresql: bool) -> str:
    joined = f"string_agg({column}, ' ')" if postgresql else f"group_concat({column}, ' ')"
    where = f"WHERE tenant = {tenant} AND owner_id = {owner}"
    return f"coalesce((SELECT {joined} FROM {table} {where}), '')"


def _channels(owner: str, tenant: str, postgresql: bool) -> str:
    """The owner's e-mail addresses and phone numbers (as digits), as shown in highlights."""
    emails = _joined("emails", "email", owner, tenant, postgresql)
    phones = _joined("phones", _digits(postgresql), owner, tenant, postgresql)
    return f"trim({emails} || ' ' || {phones})"


def _numbers(owner: str, tenant: str, postgresql: bool) -> str:
    """Each phone number's digits without a country code of one, two or three digits, so that a
    number typed without it ("514 555 0123" for +1 514 555 0123) is a prefix too; indexed, not shown."""
    digits = _digits(postgresql)
    variants = " || ' ' || ".join(f"substr({digits}, {start})" for start in (2, 3, 4))
    return _joined("phones", variants, owner, tenant, postgresql)


def _details(owner: str, tenant: str, postgresql: bool) -> str:
    """``channels`` and ``numbers`` of the owner, as an UPDATE's SET list."""
    channels, numbers = _channels(owner, tenant, postgresql), _numbers(owner, tenant, postgresql)
    return f"channels = {channels}, numbers = {numbers}"


def _document_values(table: str, row: str, postgresql: bool) -> str:
    kind, name, aliases = ENTITIES[table]
    owner, tenant = f"{row}.id", f"{row}.tenant"
    details = f"{_channels(owner, tenant, postgresql)}, {_numbers(owner, tenant, postgresql)}"
    values = f"{row}.id, {row}.tenant, '{kind}', {name}, {aliases}, {details}"
    return values.replace("R.", f"{row}.")


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("aliases", sa.Text(), nullable=True),
        sa.Column("channels", sa.Text(), nullable=True),
        sa.Column("numbers", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
    )
    op.create_index("ix_search_documents_tenant_kind", "search_documents", ["tenant", "kind"])
    # No row-level security here: see RLS_EXEMPT_TABLES in rls.py.
    if _postgresql():
        _postgresql_index()
    else:
        _sqlite_index()
    for table in ENTITIES:
        op.execute(
            f"INSERT INTO {COLUMNS} SELECT {_document_values(table, table, _postgresql())} FROM {table}"
            f" WHERE NOT {table}.is_deleted"
        )


def _postgresql_index() -> None:
    op.execute(
        f"ALTER TABLE search_documents ADD COLUMN document tsvector GENERATED ALWAYS AS ({DOCUMENT}) STORED"
    )
    op.execute("CREATE INDEX ix_search_documents_document ON search_documents USING gin (document)")
    for table in ENTITIES:
        op.execute(f"""
            CREATE FUNCTION search_{table}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN
                    DELETE FROM search_documents WHERE id = OLD.id;
                END IF;
                IF TG_OP <> 'DELETE' AND NOT NEW.is_deleted THEN
                    INSERT INTO {COLUMNS} VALUES ({_document_values(table, "NEW", True)});
                END IF;
                RETURN NULL;
            END $$""")
        op.execute(
            f"CREATE TRIGGER search_{table}_sync AFTER INSERT OR UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION search_{table}_sync()"
        )
    op.execute(f"""
        CREATE FUNCTION search_channels_sync() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                UPDATE search_documents SET {_details("OLD.owner_id", "OLD.tenant", True)}
                WHERE id = OLD.owner_id AND tenant = OLD.tenant;
            END IF;
            IF TG_OP <> 'DELETE' THEN
                UPDATE search_documents SET {_details("NEW.owner_id", "NEW.tenant", True)}
                WHERE id = NEW.owner_id AND tenant = NEW.tenant;
            END IF;
            RETURN NULL;
        END $$""")
    for table in DETAILS:
        op.execute(
            f"CREATE TRIGGER search_{table}_sync AFTER INSERT OR UPDATE OR DELETE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION search_channels_sync()"
        )


def _sqlite_index() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5(name, aliases, channels, numbers,"
        " content='search_documents', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')"
    )
    fts_columns = "name, aliases, channels, numbers"
    insert = "INSERT INTO search_fts(rowid, {c}) VALUES (NEW.rowid, {new});"
    delete = "INSERT INTO search_fts(search_fts, rowid, {c}) VALUES ('delete', OLD.rowid, {old});"
    values = {row.lower(): ", ".join(f"{row}.{c}" for c in fts_columns.split(", ")) for row in ("OLD", "NEW")}
    for event, body in (("INSERT", insert), ("DELETE", delete), ("UPDATE", delete + insert)):
        op.execute(
            f"CREATE TRIGGER search_fts_{event.lower()} AFTER {event} ON search_documents"
            f" BEGIN {body.format(c=fts_columns, **values)} END"
        )
    for table in ENTITIES:
        add = (
            f"INSERT INTO {COLUMNS} SELECT {_document_values(table, 'NEW', False)} WHERE NOT NEW.is_deleted;"
        )
        remove = "DELETE FROM search_documents WHERE id = OLD.id;"
        for event, body in (("INSERT", add), ("DELETE", remove), ("UPDATE", remove + add)):
            op.execute(
                f"CREATE TRIGGER search_{table}_{event.lower()} AFTER {event} ON {table} BEGIN {body} END"
            )
    for table in DETAILS:
        old, new = (
            f"UPDATE search_documents SET {_details(f'{row}.owner_id', f'{row}.tenant', False)}"
            # A detail row tagged with another tenant than its owner's (a bad import) never reaches
            # the owner's document: the owner's tenant must be the row's.
            f" WHERE id = {row}.owner_id AND tenant = {row}.tenant;"
            for row in ("OLD", "NEW")
        )
        for event, body in (("INSERT", new), ("DELETE", old), ("UPDATE", old + new)):
            op.execute(
                f"CREATE TRIGGER search_{table}_{event.lower()} AFTER {event} ON {table} BEGIN {body} END"
            )
    op.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if _postgresql():
        for table in (*ENTITIES, *DETAILS):
            op.execute(f"DROP TRIGGER search_{table}_sync ON {table}")
        for table in ENTITIES:
            op.execute(f"DROP FUNCTION search_{table}_sync()")
        op.execute("DROP FUNCTION search_channels_sync()")
    else:
        for table in (*ENTITIES, *DETAILS):
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER search_{table}_{event}")
        op.execute("DROP TABLE search_fts")
    op.drop_table("search_documents")
