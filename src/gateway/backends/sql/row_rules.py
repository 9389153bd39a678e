"""The row rules of ``gateway.backends.access`` as one SQL condition on ``contacts``.

The condition is correlated to the enclosing statement's ``contacts`` row, so it rides along in the
statement that reads, counts or updates the contacts: the rules cost no statement of their own.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from gateway.backends.access import RowAccess
from gateway.backends.sql import tables as t


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
