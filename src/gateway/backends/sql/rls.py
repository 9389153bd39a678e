"""PostgreSQL row-level security: the database's own tenant wall behind the gateway's WHERE clauses.

Every tenant-owned table gets a policy that shows and accepts only the rows whose tenant column equals
the ``crm_gateway.tenant`` setting, which the engine sets at the start of each transaction (see
``engine.for_tenant``). A resolver that forgot its tenant filter therefore still sees one tenant only.

Migrations call ``enable_tenant_rls`` for each table they add; a test checks that every table with a
tenant column has the policy, unless it is listed in ``RLS_EXEMPT_TABLES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

TENANT_SETTING = "crm_gateway.tenant"
POLICY = "tenant_isolation"

# Tables with a tenant column that the policy must not guard, each with the reason.
RLS_EXEMPT_TABLES = frozenset(
    {
        "api_keys",  # looked up by key hash to learn the tenant, so before any tenant is set
        "alembic_version",  # Alembic's bookkeeping, not tenant data
        "automation_dispatch",  # the dispatchers claim work across tenants before any tenant is set
        # The full-text index: PostgreSQL uses no index for a non-leakproof operator (@@) under a
        # policy, so a guarded table is read in full. Every read of it is joined to its entity's
        # table, whose policy walls the hit (docs/search.md).
        "search_documents",
    }
)


def tenant_column(table: sa.Table) -> str | None:
    """The column that names a row's tenant: ``key`` for ``tenants`` itself, else ``tenant``."""
    if table.name == "tenants":
        return "key"
    return "tenant" if "tenant" in table.c else None


def enable_tenant_rls(table: str, column: str = "tenant") -> None:
    """In a migration: rows of ``table`` are visible and writable only for the transaction's tenant.

    FORCE makes the policy bind the table owner too; only superusers and BYPASSRLS roles escape it,
    which is why the gateway refuses (in production) to run as one. A no-op on SQLite.
    """
    from alembic import op  # migrations only: the serving process never imports Alembic (~10 MiB)

    if not _on_postgresql():
        return
    matches = f"{column} = current_setting('{TENANT_SETTING}', true)"
    op.execute(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
    op.execute(f'CREATE POLICY {POLICY} ON "{table}" USING ({matches}) WITH CHECK ({matches})')


def disable_tenant_rls(table: str) -> None:
    """The reverse of ``enable_tenant_rls``, for downgrades."""
    from alembic import op

    if not _on_postgresql():
        return
    op.execute(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
    op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    op.execute(f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY')


@contextmanager
def every_tenants_rows(*tables: str) -> Iterator[None]:
    """In a migration's data step: every tenant's rows of ``tables``. FORCE binds the tables' owner (who
    runs the migrations, when it is no superuser) to the tenant policy, and no tenant is set there, so
    the step would see no row: FORCE is lifted for the step and put back after. A no-op on SQLite."""
    from alembic import op

    postgresql = _on_postgresql()
    for table in tables if postgresql else ():
        op.execute(f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY')
    yield
    for table in tables if postgresql else ():
        op.execute(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')


def _on_postgresql() -> bool:
    from alembic import op

    return bool(op.get_bind().dialect.name == "postgresql")


async def role_escapes_rls(engine: AsyncEngine) -> str | None:
    """Why the engine's database role is not bound by row-level security, or None when it is.

    Superusers and BYPASSRLS roles skip every policy, even forced ones. Always None on SQLite,
    which has no row-level security.
    """
    if engine.dialect.name != "postgresql":
        return None
    query = sa.text("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    async with engine.connect() as connection:
        role, superuser, bypass = (await connection.execute(query)).one()
    if not (superuser or bypass):
        return None
    what = "is a superuser" if superuser else "has BYPASSRLS"
    return (
        f"the database role {role!r} {what}, so PostgreSQL's row-level security does not apply to it "
        "and tenant isolation rests on the gateway's own filters alone; connect as a role without "
        "SUPERUSER and BYPASSRLS (docs/operations/tenant-isolation.md)"
    )
