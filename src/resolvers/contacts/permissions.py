"""A contact's row rules in the graph (seed 000 ContactPermission), applied by ``gateway.backends.access``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry
from strawberry import UNSET, Private

from gateway.backends.access import ContactRule, RowAccess
from gateway.permissions import BY_NAME
from resolvers.common.errors import UserError, UserErrorCode, error

LOCKOUT_MESSAGE = "These permissions would hide the contact from you; include one you hold, or ownerOnly."


@strawberry.type(
    description="Who may see the contact (seed 000 ContactPermission). Administrators see every contact."
)
class ContactPermission:
    record: Private[Any]
    owner_only: bool = strawberry.field(
        description="Private: only the contact's creator sees it; `permission` is then not used."
    )
    permission: str | None = strawberry.field(
        description="A CRM permission that lets its holders see the contact (any listed one suffices)."
    )


@strawberry.input(
    description="A rule restricting who sees the contact; an empty list lets every user see it."
)
class ContactPermissionInput:
    owner_only: bool = strawberry.field(
        default=False, description="Make the contact private to its creator; `permission` is then ignored."
    )
    permission: str | None = strawberry.field(
        default=None, description="A permission of the catalog, e.g. CUST_READ; required unless ownerOnly."
    )


def permission_rows(input: Any, path: Sequence[str]) -> tuple[list[dict[str, Any]] | None, list[UserError]]:
    """Rows for the input's ``permissions`` list (None: leave the stored rules alone) and its problems."""
    items: list[ContactPermissionInput] | None = getattr(input, "permissions", None)
    if items is None or items is UNSET:
        return None, []
    rows: list[dict[str, Any]] = []
    problems: list[UserError] = []
    for index, item in enumerate(items):
        item_path = [*path, "permissions", str(index), "permission"]
        if item.owner_only:
            rows.append({"owner_only": True, "permission": None})
        elif item.permission is None or not item.permission.strip():
            problems.append(
                error(item_path, "A permission is required unless ownerOnly.", UserErrorCode.REQUIRED)
            )
        elif item.permission not in BY_NAME:
            problems.append(error(item_path, "Not a permission of the catalog.", UserErrorCode.INVALID))
        else:
            rows.append({"owner_only": False, "permission": item.permission})
    return rows, problems


def lockout(
    access: RowAccess, created_by: str | None, rows: list[dict[str, Any]] | None, path: Sequence[str]
) -> list[UserError]:
    """A caller may only set rules under which it still sees the contact (``rows`` None: no new rules)."""
    if rows is None:
        return []
    rules = [ContactRule(row["owner_only"], row["permission"]) for row in rows]
    if access.sees(created_by, rules):
        return []
    return [error([*path, "permissions"], LOCKOUT_MESSAGE, UserErrorCode.INVALID)]
