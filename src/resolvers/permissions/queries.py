"""The ``permissions`` query: the catalog, and which entries the caller holds."""

from __future__ import annotations

import strawberry

from gateway.permissions import CATALOG
from resolvers.permissions.types import PermissionInfo


@strawberry.type
class PermissionQuery:
    @strawberry.field(description="Every permission the gateway knows, and whether the caller holds it.")
    def permissions(self, info: strawberry.Info) -> list[PermissionInfo]:
        principal = info.context.principal
        return [
            PermissionInfo(
                name=p.name,
                description=p.description,
                module=p.module,
                source=p.source,
                granted=principal.has(p.name),
            )
            for p in CATALOG
        ]
