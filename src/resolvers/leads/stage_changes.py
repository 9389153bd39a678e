"""``LeadStageChange``: a lead's move from one stage to another, as the activity timeline lists it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.backends.records import Entity
from resolvers.common.links import link
from resolvers.common.node import Node, register_node
from resolvers.common.permissions import reads

if TYPE_CHECKING:
    from resolvers.leads.types import Lead
    from resolvers.stages.types import Stage

LeadRef = Annotated["Lead", strawberry.lazy("resolvers.leads.types")]
StageRef = Annotated["Stage", strawberry.lazy("resolvers.stages.types")]


@strawberry.type(
    description="A lead's move to another stage, recorded by the gateway with the write that made it "
    "(a lead routed to an upstream moves there, unrecorded)."
)
class LeadStageChange(Node):
    @strawberry.field(description="The lead that moved.", extensions=reads(Entity.LEAD))
    def lead(self, info: strawberry.Info) -> LeadRef | None:
        return link(info, Entity.LEAD, self.record.lead_id)

    @strawberry.field(
        description="The stage it left; null if it had none or the stage was deleted since.",
        extensions=reads(Entity.STAGE),
    )
    def from_stage(self, info: strawberry.Info) -> StageRef | None:
        return link(info, Entity.STAGE, self.record.from_stage_id)

    @strawberry.field(
        description="The stage it moved to; null if none or the stage was deleted since.",
        extensions=reads(Entity.STAGE),
    )
    def to_stage(self, info: strawberry.Info) -> StageRef | None:
        return link(info, Entity.STAGE, self.record.to_stage_id)

    @strawberry.field(description="Who moved it: the token subject, or the automation's actor.")
    def changed_by(self) -> str | None:
        return self.record.created_by  # type: ignore[no-any-return]

    @strawberry.field(description="When it moved.")
    def occurred_at(self) -> dt.datetime:
        return self.record.date_created  # type: ignore[no-any-return]


register_node(LeadStageChange, Entity.LEAD_STAGE_CHANGE)
