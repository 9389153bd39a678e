"""The row rules of ``gateway.backends.access`` as one SQL condition on ``contacts``.

The condition is correlated to the enclosing statement's ``contacts`` row, so it rides along in the
statement that reads, counts or updates the contacts: the rules cost no statement of their own.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from gateway.backends.access import RowAccess
from gateway.backends.sql import tables as t
from gateway.permissions import CUST_ORGANIZATION_VIEW, CUST_READ, grants


def _some_rule(tenant: str, *conditions: Any) -> Any:
    rules = t.contact_permissions
    return (
        sa.select(sa.literal(1))
        .where(rules.c.tenant == tenant, rules.c.owner_id == t.contacts.c.id, *conditions)
        .correlate(t.contacts)
        .exists()
    )


def visible_contacts(tenant: str, access: RowAccess) -> Any:
    """True for the contacts the caller may see; callers skip it for administrators."""
    owner_only = t.contact_permissions.c.owner_only.is_(True)
    private = _some_rule(tenant, owner_only)
    allowed = [
        sa.not_(_some_rule(tenant)),
        sa.and_(private, t.contacts.c.created_by == access.subject),
    ]
    if access.permissions:
        held = t.contact_permissions.c.permission.in_(sorted(access.permissions))
        allowed.append(sa.and_(sa.not_(private), _some_rule(tenant, held)))
    return sa.or_(*allowed)


def _live_contact(tenant: str, access: RowAccess, column: Any) -> Any:
    """True when ``column`` names a live contact the caller sees (a correlated EXISTS)."""
    contacts = t.contacts
    conditions = [contacts.c.tenant == tenant, contacts.c.id == column, contacts.c.is_deleted.is_(False)]
    if not access.admin:
        conditions.append(visible_contacts(tenant, access))
    return sa.select(sa.literal(1)).where(*conditions).exists()


def owned_rows(table: sa.Table, tenant: str, access: RowAccess) -> list[Any]:
    """Occasions and contact relations exist for a caller only as far as what they belong to does: the
    contacts and accounts they name must be live, the contacts visible (row rules), and an account's
    need CUST_ORGANIZATION_VIEW (a contact's: CUST_READ, checked by the field that reads them)."""
    conditions: list[Any] = []
    for name in ("contact_id", "related_contact_id"):
        if name in table.c:
            column = table.c[name]
            conditions.append(sa.or_(column.is_(None), _live_contact(tenant, access, column)))
    account = table.c.account_id if "account_id" in table.c else table.c.related_account_id
    if not grants(access.permissions, CUST_ORGANIZATION_VIEW) and not access.admin:
        conditions.append(account.is_(None))
    else:
        conditions.append(sa.or_(account.is_(None), _live_account(tenant, account)))
    return conditions


def _live_account(tenant: str, column: Any) -> Any:
    accounts = t.accounts
    conditions = [accounts.c.tenant == tenant, accounts.c.id == column, accounts.c.is_deleted.is_(False)]
    return sa.select(sa.literal(1)).where(*conditions).exists()


def visible_document_owners(tenant: str, access: RowAccess) -> Any:
    """True for the documents whose owner, a live contact or account, the caller may see: it holds the
    owner type's read permission and, for a contact, the contact's row rules let it see that one."""
    documents = t.documents
    unrestricted = access.admin and not access.permissions  # trusted code (RowAccess.unrestricted)
    contact = [
        t.contacts.c.tenant == tenant,
        t.contacts.c.id == documents.c.owner_id,
        t.contacts.c.is_deleted.is_(False),
    ]
    if not access.admin:
        contact.append(visible_contacts(tenant, access))
    account = [
        t.accounts.c.tenant == tenant,
        t.accounts.c.id == documents.c.owner_id,
        t.accounts.c.is_deleted.is_(False),
    ]
    owners = []
    if unrestricted or CUST_READ in access.permissions:
        owners.append(
            sa.and_(documents.c.owner_type == "Contact", sa.select(t.contacts.c.id).where(*contact).exists())
        )
    if unrestricted or CUST_ORGANIZATION_VIEW in access.permissions:
        owners.append(
            sa.and_(documents.c.owner_type == "Account", sa.select(t.accounts.c.id).where(*account).exists())
        )
    return sa.or_(*owners) if owners else sa.false()
