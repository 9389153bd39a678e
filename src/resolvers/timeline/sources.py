"""What a timeline merges: per parent entity, its sources in tie-break order.

Each source is a nested list the graph already has (``Relation``), read through its batched loader,
so that its tenant, permission and row rules (the media rule of communications, the owner rules of
comments and documents) apply to the timeline as they do to the list itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import strawberry

from gateway.backends.records import Entity, Relation
from resolvers.common.listspec import ListSpec
from resolvers.lists import COMMENT_LIST, COMMUNICATION_LIST, DOCUMENT_LIST, EVENT_LIST


@strawberry.enum(description="Which source a timeline item comes from.")
class TimelineItemKind(Enum):
    EVENT = strawberry.enum_value("EVENT", description="A task, appointment or follow-up (`Event`).")
    COMMUNICATION = strawberry.enum_value("COMMUNICATION", description="A communication (seed 001).")
    COMMENT = strawberry.enum_value("COMMENT", description="A comment (seed 000).")
    DOCUMENT = strawberry.enum_value("DOCUMENT", description="A document (seed 000 DocumentSummary).")


@dataclass(frozen=True)
class Source:
    kind: TimelineItemKind
    relation: Relation
    spec: ListSpec

    @property
    def rank(self) -> int:
        """The tie-break between sources at the same instant: the kind's place in the enum."""
        return list(TimelineItemKind).index(self.kind)


_EVENT, _COMMUNICATION, _COMMENT, _DOCUMENT = (
    TimelineItemKind.EVENT,
    TimelineItemKind.COMMUNICATION,
    TimelineItemKind.COMMENT,
    TimelineItemKind.DOCUMENT,
)

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
    ),
}
