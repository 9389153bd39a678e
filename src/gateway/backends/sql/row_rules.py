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


# The kinds of owner a comment, document, occasion or relation belongs to: the table, the permission
# that reads it, and how a document's ``owner_type`` names it.
OWNER_KINDS = ((t.contacts, CUST_READ, "Contact"), (t.accounts, CUST_ORGANIZATION_VIEW, "Account"))


def live_owner(tenant: str, access: RowAccess, owners: sa.Table, column: Any) -> Any:
    """True when ``column`` names a live row of ``owners`` (contacts or accounts) the caller sees: a
    contact under its row rules (administrators see all). A correlated EXISTS."""
    conditions = [owners.c.tenant == tenant, owners.c.id == column, owners.c.is_deleted.is_(False)]
    if owners is t.contacts and not access.admin:
        conditions.append(visible_contacts(tenant, access))
    return sa.select(sa.literal(1)).where(*conditions).exists()


def reads_owners(access: RowAccess, permission: str, admin_reads: bool = True) -> bool:
    """Whether the caller reads owners of the kind ``permission`` guards; without ``admin_reads`` an
    administrator needs the permission too (only trusted code, ``RowAccess.unrestricted``, does not)."""
    trusted = access.admin and (admin_reads or not access.permissions)
    return trusted or grants(access.permissions, permission)


def visible_owners(
    tenant: str, access: RowAccess, column: Any, admin_reads: bool = True, kind: Any = None
) -> Any:
    """The one owner-visibility rule: a row exists for the caller when the contact or account it belongs
    to (``column``; ``kind`` its owner type column, when the row has one) does: live, seen under the row
    rules, and of a kind the caller reads (CUST_READ, CUST_ORGANIZATION_VIEW)."""
    owners = []
    for table, permission, type_name in OWNER_KINDS:
        if reads_owners(access, permission, admin_reads):
            exists = live_owner(tenant, access, table, column)
            owners.append(exists if kind is None else sa.and_(kind == type_name, exists))
    return sa.or_(*owners) if owners else sa.false()


def owned_rows(table: sa.Table, tenant: str, access: RowAccess) -> list[Any]:
    """Occasions and contact relations exist for a caller only as far as what they belong to does: the
    contacts and accounts they name must be live, the contacts visible (row rules), and an account's
    need CUST_ORGANIZATION_VIEW (a contact's: CUST_READ, checked by the field that reads them)."""
    conditions: list[Any] = []
    for name in ("contact_id", "related_contact_id"):
        if name in table.c:
            column = table.c[name]
            conditions.append(sa.or_(column.is_(None), live_owner(tenant, access, t.contacts, column)))
    account = table.c.account_id if "account_id" in table.c else table.c.related_account_id
    if not reads_owners(access, CUST_ORGANIZATION_VIEW):
        conditions.append(account.is_(None))
    else:
        conditions.append(sa.or_(account.is_(None), live_owner(tenant, access, t.accounts, account)))
    return conditions


def visible_document_owners(tenant: str, access: RowAccess) -> Any:
    """True for the documents whose owner, a live contact or account, the caller may see: it holds the
    owner type's read permission (administrators too) and, for a contact, the contact's row rules let
    it see that one."""
    documents = t.documents
    return visible_owners(
        tenant, access, documents.c.owner_id, admin_reads=False, kind=documents.c.owner_type
    )
