"""Stage queries."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.backends.records import Entity
from resolvers.common.lists import root_list
from resolvers.common.lookups import node_by_id
from resolvers.common.permissions import reads
from resolvers.lists import STAGE_LIST
from resolvers.stages.types import Stage


@strawberry.type
class StageQuery:
    @strawberry.field(
        description="A stage by ID; null if it does not exist in your tenant.", extensions=reads(Entity.STAGE)
    )
    async def stage(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The stage's ID.")],
    ) -> Stage | None:
        return await node_by_id(info, id, Entity.STAGE, "Stage")  # type: ignore[no-any-return]

    stages = root_list(STAGE_LIST, "Pipeline stages, by position unless ordered otherwise.")
