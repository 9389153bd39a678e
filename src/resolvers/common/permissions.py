"""Per-field permission checks: each gated field declares the catalog permission it needs.

A field declares ``extensions=requires(PERMISSION)``. A caller without it gets a FORBIDDEN error on that
field (with seed 000's code where there is one) and null in its place, while sibling fields are still
served; gated fields are therefore nullable (a schema test checks both).
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types.field import StrawberryField

from gateway.backends.records import Entity
from gateway.errors import Forbidden
from gateway.permissions import (
    BY_NAME,
    CRM_ADMIN,
    CRM_AUTOMATION_VIEW,
    CRM_COMMUNICATION_VIEW,
    CRM_DOC_VIEW,
    CRM_LEAD_VIEW,
    CRM_QUEUE_VIEW,
    CRM_STAGE_VIEW,
    CRM_TASK_VIEW,
    CRM_USER_VIEW,
    CUST_ORGANIZATION_VIEW,
    CUST_READ,
    CUST_SENSITIVE_VIEW,
    denial_code,
)

# Reading an entity, on any path: root lists, nested lists, single references, node and nodes.
READ_PERMISSIONS: dict[Entity, str] = {
    Entity.CONTACT: CUST_READ,
    Entity.ACCOUNT: CUST_ORGANIZATION_VIEW,
    Entity.LEAD: CRM_LEAD_VIEW,
    Entity.EVENT: CRM_TASK_VIEW,
    Entity.STAGE: CRM_STAGE_VIEW,
    Entity.USER: CRM_USER_VIEW,
    Entity.FRANCHISE: CRM_USER_VIEW,
    Entity.DEPARTMENT: CRM_USER_VIEW,
    Entity.ROLE: CRM_USER_VIEW,
    Entity.SECURITY_GROUP: CRM_USER_VIEW,
    # Another user's settings are for administrators; the caller reads its own through `mySettings`.
    Entity.USER_SETTINGS: CRM_ADMIN,
    # E-mails and SMS also need CRM_VIEW_EMAIL / CRM_VIEW_SMS: a row rule of the backend (visible_media).
    Entity.COMMUNICATION: CRM_COMMUNICATION_VIEW,
    Entity.COMMUNICATION_TEMPLATE: CRM_COMMUNICATION_VIEW,
    Entity.COMMUNICATION_CATEGORY: CRM_COMMUNICATION_VIEW,
    Entity.COMMUNICATION_QUEUE_EXTERNAL_SYSTEM: CRM_QUEUE_VIEW,
    Entity.COMMUNICATION_QUEUE_ENTRY: CRM_QUEUE_VIEW,
    # Tags and comments belong to the Customer Utility (seed 000); an organization's comments also
    # need CUST_ORGANIZATION_VIEW, a row rule of the backend (comments of owners the caller sees).
    Entity.TAG: CUST_READ,
    Entity.COMMENT: CUST_READ,
    # Customer data; an account's also need CUST_ORGANIZATION_VIEW (a row rule of the backend).
    Entity.OCCASION: CUST_READ,
    Entity.CONTACT_RELATION: CUST_READ,
    Entity.DOCUMENT: CRM_DOC_VIEW,  # and the owner must be visible: a row rule of the backend
    # A lead's stage moves are part of the lead; its automation runs are the run log's (`automationRuns`).
    Entity.LEAD_STAGE_CHANGE: CRM_LEAD_VIEW,
    Entity.AUTOMATION_RUN: CRM_AUTOMATION_VIEW,
}


# Filter fields on what another entity holds: filtering by them reveals it, so they need its permission.
# The sensitive identifiers (seed 003) are masked for callers without CUST_SENSITIVE_VIEW; filtering by
# them would let such a caller guess them a character at a time, so it needs the permission too.
FILTER_PERMISSIONS: dict[str, str] = {
    "tags": READ_PERMISSIONS[Entity.TAG],
    "id_number": CUST_SENSITIVE_VIEW,
    "passport_number": CUST_SENSITIVE_VIEW,
    "social_security_number": CUST_SENSITIVE_VIEW,
}


def forbidden(permission: str) -> Forbidden:
    extensions: dict[str, Any] = {"permission": permission}
    seed_code = denial_code(permission)
    if seed_code is not None:
        extensions["seedCode"] = seed_code
    return Forbidden(f"Permission denied: this needs {permission}.", **extensions)


def require(info: strawberry.Info, permission: str) -> None:
    """Raise FORBIDDEN unless the caller holds ``permission`` (directly or through its module's *_ALL)."""
    if not info.context.principal.has(permission):
        raise forbidden(permission)


class RequirePermission(FieldExtension):
    """Checks the caller's permission before the field resolves; says so in the field's description."""

    def __init__(self, permission: str) -> None:
        if permission not in BY_NAME:
            raise ValueError(f"{permission} is not in the permission catalog")
        self.permission = permission

    def apply(self, field: StrawberryField) -> None:
        note = f"Requires `{self.permission}`."
        if field.description and note in field.description:
            return  # inherited fields (e.g. by every event type) are applied once per type
        field.description = f"{field.description} {note}" if field.description else note

    def resolve(self, next_: Any, source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        require(info, self.permission)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Any, source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        require(info, self.permission)
        return await next_(source, info, **kwargs)


def requires(permission: str) -> list[FieldExtension]:
    """``extensions=`` for a field that needs ``permission``."""
    return [RequirePermission(permission)]


def reads(entity: Entity) -> list[FieldExtension]:
    """``extensions=`` for a field that reads ``entity`` (a list of it, or a link to one)."""
    return requires(READ_PERMISSIONS[entity])


def declared_permission(field: StrawberryField) -> str | None:
    """The permission a field declares, for the schema tests and the permission matrix."""
    return next((e.permission for e in field.extensions if isinstance(e, RequirePermission)), None)
