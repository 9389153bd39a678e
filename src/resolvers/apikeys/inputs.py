"""Inputs of the API key mutations."""

from __future__ import annotations

import strawberry


@strawberry.input(description="A new API key of your tenant.")
class ApiKeyCreateInput:
    name: str = strawberry.field(
        description="Unique among the tenant's active keys: 1 to 64 letters, digits, '.', '_' or '-'."
    )
    permissions: list[str] = strawberry.field(
        description="Permissions the key grants, by catalog name (e.g. CUST_READ); you must hold each."
    )
