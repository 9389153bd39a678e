"""``node`` and ``nodes``: any object by its global ID, with the same tenant scoping as every path."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from gateway.errors import BadUserInput
from resolvers.common.node import Node, resolve_nodes

MAX_NODES = 100


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global ID; null if it does not exist in your tenant.")
    async def node(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")],
    ) -> Node | None:
        found: list[Any] = await resolve_nodes(info, [id])
        if isinstance(found[0], Exception):
            raise found[0]
        return found[0]  # type: ignore[no-any-return]

    @strawberry.field(
        description=f"Objects by global ID, in the same order (null where not found); at most {MAX_NODES}."
    )
    async def nodes(
        self,
        info: strawberry.Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global IDs.")],
    ) -> list[Node | None]:
        if len(ids) > MAX_NODES:
            raise BadUserInput(f"`nodes` takes at most {MAX_NODES} IDs")
        return await resolve_nodes(info, list(ids))
