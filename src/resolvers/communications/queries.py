"""Communication and communication-queue queries (seed 001 communications/show, list, queue/...)."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from gateway.backends.query import AllOf, Condition, FilterExpr, ListQuery, Op, OrderKey, PageRequest
from gateway.backends.records import Entity
from gateway.errors import BadUserInput
from resolvers.common.ids import decode_id_of
from resolvers.common.lists import root_list
from resolvers.common.lookups import node_by_id
from resolvers.common.node import node_from_record
from resolvers.common.permissions import reads
from resolvers.communications.inputs import CommunicationMedia
from resolvers.communications.types import Communication, CommunicationQueueEntry
from resolvers.lists import (
    COMMUNICATION_CATEGORY_LIST,
    COMMUNICATION_LIST,
    COMMUNICATION_QUEUE_ENTRY_LIST,
    COMMUNICATION_QUEUE_EXTERNAL_SYSTEM_LIST,
    COMMUNICATION_TEMPLATE_LIST,
)

ENTRY = Entity.COMMUNICATION_QUEUE_ENTRY
NEWEST_FIRST = (OrderKey("date_created", descending=True),)

ExternalSystemArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="The external system (give this or `media`, not both)."),
]
MediaArg = Annotated[
    CommunicationMedia | None, strawberry.argument(description="The media (give this or `externalSystemId`).")
]
ContactArg = Annotated[
    strawberry.ID | None, strawberry.argument(description="Only entries for this contact.")
]


def _queue_scope(
    external_system_id: str | None, media: CommunicationMedia | None, contact_id: str | None
) -> list[FilterExpr]:
    """Seed 001's semi-optional parameters: exactly one of external system and media, maybe a contact."""
    if (external_system_id is None) == (media is None):
        raise BadUserInput("Give exactly one of externalSystemId and media.")
    conditions: list[FilterExpr] = []
    if external_system_id is not None:
        system = decode_id_of(external_system_id, "CommunicationQueueExternalSystem")
        conditions.append(Condition("external_system_id", Op.EQ, system))
    if media is not None:
        conditions.append(Condition("media", Op.EQ, media.value))
    if contact_id is not None:
        conditions.append(Condition("contact_id", Op.EQ, decode_id_of(contact_id, "Contact")))
    return conditions


async def _latest(info: strawberry.Info, conditions: list[FilterExpr], number: int) -> list[Any]:
    limit = info.context.settings.max_page_size
    if not 1 <= number <= limit:
        raise BadUserInput(f"number must be between 1 and {limit}.")
    query = ListQuery(filter=AllOf(tuple(conditions)), order=NEWEST_FIRST, page=PageRequest(first=number))
    page = await info.context.loaders.page(ENTRY, query)
    return [node_from_record(ENTRY, record) for record in page.rows]


@strawberry.type
class CommunicationQuery:
    @strawberry.field(
        description="A communication by ID or by number (give one); null if it does not exist in your "
        "tenant or its media is hidden from you (e-mails need CRM_VIEW_EMAIL, SMS CRM_VIEW_SMS).",
        extensions=reads(Entity.COMMUNICATION),
    )
    async def communication(
        self,
        info: strawberry.Info,
        id: Annotated[
            strawberry.ID | None, strawberry.argument(description="The communication's ID.")
        ] = None,
        number: Annotated[str | None, strawberry.argument(description="The communication's number.")] = None,
    ) -> Communication | None:
        if (id is None) == (number is None):
            raise BadUserInput("Give exactly one of id and number.")
        if id is not None:
            return await node_by_id(info, id, Entity.COMMUNICATION, "Communication")  # type: ignore[no-any-return]
        query = ListQuery(filter=Condition("number", Op.EQ, number), page=PageRequest(first=1))
        page = await info.context.loaders.page(Entity.COMMUNICATION, query)
        return node_from_record(Entity.COMMUNICATION, page.rows[0]) if page.rows else None

    communications = root_list(
        COMMUNICATION_LIST,
        "Communications, filtered (e.g. by contact, category, direction, media), sorted and paged. "
        "E-mails and SMS you may not view are left out.",
    )
    communication_categories = root_list(COMMUNICATION_CATEGORY_LIST, "Communication categories.")
    communication_templates = root_list(COMMUNICATION_TEMPLATE_LIST, "Communication templates.")
    communication_queue_external_systems = root_list(
        COMMUNICATION_QUEUE_EXTERNAL_SYSTEM_LIST, "External systems that send queued communications."
    )

    @strawberry.field(
        description="A communication queue entry by ID (seed 001 queue/show).", extensions=reads(ENTRY)
    )
    async def communication_queue_entry(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The entry's ID.")],
    ) -> CommunicationQueueEntry | None:
        return await node_by_id(info, id, ENTRY, "CommunicationQueueEntry")  # type: ignore[no-any-return]

    communication_queue_entries = root_list(
        COMMUNICATION_QUEUE_ENTRY_LIST,
        "Communication queue entries, filtered (e.g. by external system, media, contact, life cycle state), "
        "sorted and paged (seed 001 queue/list).",
    )

    @strawberry.field(
        description="The latest `number` entries of a queue, newest first (seed 001 queue/get_latest).",
        extensions=reads(ENTRY),
    )
    async def communication_queue_latest(
        self,
        info: strawberry.Info,
        number: Annotated[int, strawberry.argument(description="How many entries, from the latest one.")],
        external_system_id: ExternalSystemArg = None,
        media: MediaArg = None,
        contact_id: ContactArg = None,
    ) -> list[CommunicationQueueEntry] | None:
        return await _latest(info, _queue_scope(external_system_id, media, contact_id), number)

    @strawberry.field(
        description="The latest PENDING and COMPLETED entries of a queue, newest first "
        "(seed 001 queue/get_pending_completed).",
        extensions=reads(ENTRY),
    )
    async def communication_queue_pending_completed(
        self,
        info: strawberry.Info,
        external_system_id: ExternalSystemArg = None,
        media: MediaArg = None,
        contact_id: ContactArg = None,
        number: Annotated[
            int, strawberry.argument(description="How many entries, from the latest one.")
        ] = 10,
    ) -> list[CommunicationQueueEntry] | None:
        conditions = _queue_scope(external_system_id, media, contact_id)
        conditions.append(Condition("life_cycle_state", Op.IN, ("PENDING", "COMPLETED")))
        return await _latest(info, conditions, number)
