"""What a timeline merges: per parent entity, its sources in tie-break order.

Each source is a nested list the graph already has (``Relation``), read through its batched loader,
so that its tenant, permission and row rules (the media rule of communications, the owner rules of
comments and documents) apply to the timeline as they do to the list itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import strawberry

from gateway.backends.query import Condition, Op
from gateway.backends.records import Entity, Relation
from resolvers.common.listspec import ListSpec
from resolvers.lists import COMMENT_LIST, COMMUNICATION_LIST, DOCUMENT_LIST, EVENT_LIST


@strawberry.enum(description="Which source a timeline item comes from.")
class TimelineItemKind(Enum):
    EVENT = strawberry.enum_value("EVENT", description="A task, appointment or follow-up (`Event`).")
    COMMUNICATION = strawberry.enum_value("COMMUNICATION", description="A communication (seed 001).")
    COMMENT = strawberry.enum_value("COMMENT", description="A comment (seed 000).")
    DOCUMENT = strawberry.enum_value("DOCUMENT", description="A document (seed 000 DocumentSummary).")
    # Added after the first four: a kind's place is its tie-break rank, which cursors hold.
    STAGE_CHANGE = strawberry.enum_value(
        "STAGE_CHANGE", description="A lead's move to another stage (`LeadStageChange`)."
    )
    AUTOMATION_RUN = strawberry.enum_value(
        "AUTOMATION_RUN", description="An automation's run of a trigger of the lead (`AutomationRun`)."
    )


@dataclass(frozen=True)
class Source:
    kind: TimelineItemKind
    relation: Relation
    spec: ListSpec

    @property
    def rank(self) -> int:
        """The tie-break between sources at the same instant: the kind's place in the enum."""
        return list(TimelineItemKind).index(self.kind)


_EVENT, _COMMUNICATION, _COMMENT, _DOCUMENT, _STAGE_CHANGE, _AUTOMATION_RUN = TimelineItemKind

# Lists the graph reads only through the timeline: no connection, filter or order of their own.
STAGE_CHANGE_LIST = ListSpec(Entity.LEAD_STAGE_CHANGE, None, None, None)
# The run log's rows whose trigger record is a lead (its id could name no other entity anyway).
LEAD_RUN_LIST = ListSpec(Entity.AUTOMATION_RUN, None, None, None, scope=Condition("entity", Op.EQ, "lead"))

SOURCES: dict[Entity, tuple[Source, ...]] = {
    Entity.CONTACT: (
        Source(_EVENT, Relation.CONTACT_EVENTS, EVENT_LIST),
        Source(_COMMUNICATION, Relation.CONTACT_COMMUNICATIONS, COMMUNICATION_LIST),
        Source(_COMMENT, Relation.CONTACT_COMMENTS, COMMENT_LIST),
        Source(_DOCUMENT, Relation.CONTACT_DOCUMENTS, DOCUMENT_LIST),
    ),
    Entity.ACCOUNT: (
        Source(_EVENT, Relation.ACCOUNT_EVENTS, EVENT_LIST),
        Source(_COMMUNICATION, Relation.ACCOUNT_COMMUNICATIONS, COMMUNICATION_LIST),
        Source(_COMMENT, Relation.ACCOUNT_COMMENTS, COMMENT_LIST),
        Source(_DOCUMENT, Relation.ACCOUNT_DOCUMENTS, DOCUMENT_LIST),
    ),
    Entity.LEAD: (
        Source(_EVENT, Relation.LEAD_EVENTS, EVENT_LIST),
        Source(_COMMUNICATION, Relation.LEAD_COMMUNICATIONS, COMMUNICATION_LIST),
        Source(_STAGE_CHANGE, Relation.LEAD_STAGE_CHANGES, STAGE_CHANGE_LIST),
        Source(_AUTOMATION_RUN, Relation.LEAD_AUTOMATION_RUNS, LEAD_RUN_LIST),
    ),
}
