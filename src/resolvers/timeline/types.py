"""The timeline's item and connection types."""

from __future__ import annotations

import datetime as dt

import strawberry

from resolvers.common.connection import Connection
from resolvers.common.node import Node
from resolvers.timeline.sources import TimelineItemKind


@strawberry.type(description="One entry of an activity timeline: when, from which source, and the object.")
class TimelineItem:
    at: dt.datetime = strawberry.field(description="When the item was recorded (its `dateCreated`).")
    kind: TimelineItemKind = strawberry.field(description="The source the item comes from.")
    node: Node = strawberry.field(
        description="The task, appointment, follow-up, communication, comment, document, lead stage change "
        "(`LeadStageChange`) or automation run (`AutomationRun`)."
    )


@strawberry.type(
    name="TimelineConnection", description="A page of a timeline, newest first, with keyset cursors."
)
class TimelineConnection(Connection[TimelineItem]):
    pass
