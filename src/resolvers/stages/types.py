"""The ``Stage`` type (seed 004 ConnectionStage) and its connection."""

from __future__ import annotations

import strawberry

from gateway.backends.records import Entity, Relation
from resolvers.common.base import BaseRecord
from resolvers.common.connection import Connection
from resolvers.common.lists import nested_list
from resolvers.common.node import register_node
from resolvers.lists import LEAD_LIST


@strawberry.type(description="A step of the lead pipeline (ConeCRM ConnectionStage).")
class Stage(BaseRecord):
    name: str = strawberry.field(description="Name.")
    position: int = strawberry.field(description="Position in the pipeline, 0 first.")

    leads = nested_list(LEAD_LIST, Relation.STAGE_LEADS, "Leads currently in this stage.")


@strawberry.type(name="StageConnection", description="A page of stages.")
class StageConnection(Connection[Stage]):
    pass


register_node(Stage, Entity.STAGE)
