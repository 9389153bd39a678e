"""``PermissionInfo``: one entry of the permission catalog, as the ``permissions`` query lists it."""

from __future__ import annotations

import strawberry


@strawberry.type(
    description="A permission of the catalog (Thinx CRM_* / CUST_*, seed 000, and gateway additions)."
)
class PermissionInfo:
    name: str = strawberry.field(description="The name tokens and API keys carry, e.g. CUST_READ.")
    description: str = strawberry.field(description="What the permission allows.")
    module: str = strawberry.field(description="CRM or CUST; CRM_ALL / CUST_ALL grant the whole module.")
    source: str = strawberry.field(description="`seed 000` for Thinx's catalog, `gateway` for additions.")
    granted: bool = strawberry.field(description="Whether the caller holds it, directly or via *_ALL.")
