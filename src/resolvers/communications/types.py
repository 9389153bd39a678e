"""Communications, their templates and categories, and the communication queue (seed 001)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from gateway.backends.records import Detail, Entity, Relation
from gateway.errors import UnknownReferenceType
from resolvers.common.base import BaseRecord
from resolvers.common.columns import uses_columns
from resolvers.common.connection import Connection
from resolvers.common.links import link, load_node
from resolvers.common.lists import nested_list
from resolvers.common.node import Node, register_node
from resolvers.common.permissions import READ_PERMISSIONS, reads
from resolvers.communications.inputs import (
    REFERRING_TO_TYPES,
    CommunicationDirection,
    CommunicationLifeCycleState,
    CommunicationMedia,
    CommunicationQueueEntryLifeCycleState,
)
from resolvers.lists import COMMUNICATION_QUEUE_ENTRY_LIST

if TYPE_CHECKING:
    from resolvers.contacts.types import Contact

ContactRef = Annotated["Contact", strawberry.lazy("resolvers.contacts.types")]


@strawberry.type(description="A communication category (seed 001 communication category).")
class CommunicationCategory(BaseRecord):
    name: str = strawberry.field(description="Name.")
    code: str | None = strawberry.field(description="Code.")
    description: str | None = strawberry.field(description="Description.")


@strawberry.type(
    description="A communication template: creating a communication from it fills direction, media, "
    "subject and content (seed 001 template_identifier)."
)
class CommunicationTemplate(BaseRecord):
    name: str = strawberry.field(description="Name.")
    direction: CommunicationDirection | None = strawberry.field(description="Direction it sets.")
    media: CommunicationMedia | None = strawberry.field(description="Media it sets.")
    subject: str | None = strawberry.field(description="Subject it sets.")
    content: str | None = strawberry.field(description="Content it sets.")


@strawberry.type(description="An external system that sends queued communications (e.g. an SMS gateway).")
class CommunicationQueueExternalSystem(BaseRecord):
    name: str = strawberry.field(description="Name.")
    alternative_code: str | None = strawberry.field(description="Alternative code.")
    description: str | None = strawberry.field(description="Description.")


@strawberry.type(
    description="An e-mail, SMS, call, letter or meeting with a contact (seed 001 communication)."
)
class Communication(BaseRecord):
    number: str = strawberry.field(
        description="Number, unique in the tenant (seed 001 communication number)."
    )
    direction: CommunicationDirection = strawberry.field(description="Incoming or outgoing.")
    media: CommunicationMedia = strawberry.field(description="How it was sent or received.")
    subject: str = strawberry.field(description="Subject.")
    content: str = strawberry.field(description="Content.")
    to: str | None = strawberry.field(description="Recipient or sender address, by media and direction.")
    notes: str | None = strawberry.field(description="Notes.")
    life_cycle_state: CommunicationLifeCycleState = strawberry.field(description="DRAFT or COMPLETED.")
    viewed: bool = strawberry.field(description="Whether it was viewed.")
    viewed_on: dt.datetime | None = strawberry.field(description="When it was viewed.")
    completed_on: dt.datetime | None = strawberry.field(description="When it was completed.")
    owned_by_group: str | None = strawberry.field(description="The group that owns it.")
    privacy_level: str | None = strawberry.field(description="Its privacy level.")
    udf_string_1: str | None = strawberry.field(description="User-defined text field 1.")
    udf_string_2: str | None = strawberry.field(description="User-defined text field 2.")
    udf_string_3: str | None = strawberry.field(description="User-defined text field 3.")
    udf_string_4: str | None = strawberry.field(description="User-defined text field 4.")
    udf_string_5: str | None = strawberry.field(description="User-defined text field 5.")
    udf_string_6: str | None = strawberry.field(description="User-defined text field 6.")
    udf_string_7: str | None = strawberry.field(description="User-defined text field 7.")
    udf_string_8: str | None = strawberry.field(description="User-defined text field 8.")
    udf_float_1: float | None = strawberry.field(description="User-defined number field 1.")
    udf_float_2: float | None = strawberry.field(description="User-defined number field 2.")
    udf_float_3: float | None = strawberry.field(description="User-defined number field 3.")
    udf_float_4: float | None = strawberry.field(description="User-defined number field 4.")
    udf_date_1: dt.date | None = strawberry.field(description="User-defined date field 1.")
    udf_date_2: dt.date | None = strawberry.field(description="User-defined date field 2.")
    udf_date_3: dt.date | None = strawberry.field(description="User-defined date field 3.")
    udf_date_4: dt.date | None = strawberry.field(description="User-defined date field 4.")

    @strawberry.field(description="The contact it is with.", extensions=reads(Entity.CONTACT))
    @uses_columns("contact_id")
    def contact(self, info: strawberry.Info) -> ContactRef | None:
        return link(info, Entity.CONTACT, self.record.contact_id)

    @strawberry.field(description="Its category.", extensions=reads(Entity.COMMUNICATION_CATEGORY))
    @uses_columns("category_id")
    def category(self, info: strawberry.Info) -> CommunicationCategory | None:
        return link(info, Entity.COMMUNICATION_CATEGORY, self.record.category_id)  # type: ignore[no-any-return]

    @strawberry.field(
        description="The template it was made from.", extensions=reads(Entity.COMMUNICATION_TEMPLATE)
    )
    @uses_columns("template_id")
    def template(self, info: strawberry.Info) -> CommunicationTemplate | None:
        return link(info, Entity.COMMUNICATION_TEMPLATE, self.record.template_id)  # type: ignore[no-any-return]

    @strawberry.field(
        description="The queue external system that sends it.",
        extensions=reads(Entity.COMMUNICATION_QUEUE_EXTERNAL_SYSTEM),
    )
    @uses_columns("external_system_id")
    async def external_system(self, info: strawberry.Info) -> CommunicationQueueExternalSystem | None:
        entity = Entity.COMMUNICATION_QUEUE_EXTERNAL_SYSTEM
        return await load_node(info, entity, self.record.external_system_id)  # type: ignore[no-any-return]

    @strawberry.field(
        description="Leads, tasks, accounts and communications it refers to (seed 001 referring_to); "
        "those you may not read are left out."
    )
    @uses_columns("id")
    async def referring_to(self, info: strawberry.Info) -> list[Node]:
        references = await info.context.loaders.details(Detail.COMMUNICATION_REFERENCES).load(self.record.id)
        unknown = sorted({ref.target_type for ref in references} - REFERRING_TO_TYPES.keys())
        if unknown:  # a row written outside the gateway: say so instead of failing inside
            raise UnknownReferenceType(
                f"This communication refers to records of an unknown type: {', '.join(unknown)}.",
                targetTypes=unknown,
            )
        readable = [
            (REFERRING_TO_TYPES[reference.target_type], reference.target_id)
            for reference in references
            if info.context.principal.has(READ_PERMISSIONS[REFERRING_TO_TYPES[reference.target_type]])
        ]
        found: list[Any] = await asyncio.gather(*(load_node(info, *target) for target in readable))
        return [node for node in found if node is not None]

    queue_entries = nested_list(
        COMMUNICATION_QUEUE_ENTRY_LIST,
        Relation.COMMUNICATION_QUEUE_ENTRIES,
        "Its communication queue entries.",
    )


@strawberry.type(
    description="A communication waiting for, or handled by, an external system (seed 001 queue)."
)
class CommunicationQueueEntry(BaseRecord):
    media: CommunicationMedia = strawberry.field(description="Media of the communication.")
    life_cycle_state: CommunicationQueueEntryLifeCycleState = strawberry.field(
        description="Life cycle state."
    )
    error_code: str | None = strawberry.field(description="Why the external system rejected it: code.")
    error_description: str | None = strawberry.field(description="Why the external system rejected it.")
    completed_on: dt.datetime | None = strawberry.field(description="When it was completed.")
    rejected_on: dt.datetime | None = strawberry.field(description="When it was rejected.")
    removed_on: dt.datetime | None = strawberry.field(description="When it was removed.")
    claimed_by: str | None = strawberry.field(description="Who holds (or last held) its lease.")
    lease_expires_at: dt.datetime | None = strawberry.field(
        description="When its lease lapses; after that another worker may claim it."
    )
    claim_count: int = strawberry.field(description="How often it was claimed.")

    @strawberry.field(
        description="The communication it sends; null when its media is hidden from you.",
        extensions=reads(Entity.COMMUNICATION),
    )
    @uses_columns("communication_id")
    def communication(self, info: strawberry.Info) -> Communication | None:
        return link(info, Entity.COMMUNICATION, self.record.communication_id)  # type: ignore[no-any-return]

    @strawberry.field(description="The contact that receives it.", extensions=reads(Entity.CONTACT))
    @uses_columns("contact_id")
    def contact(self, info: strawberry.Info) -> ContactRef | None:
        return link(info, Entity.CONTACT, self.record.contact_id)

    @strawberry.field(
        description="The external system that sends it.",
        extensions=reads(Entity.COMMUNICATION_QUEUE_EXTERNAL_SYSTEM),
    )
    @uses_columns("external_system_id")
    async def external_system(self, info: strawberry.Info) -> CommunicationQueueExternalSystem | None:
        entity = Entity.COMMUNICATION_QUEUE_EXTERNAL_SYSTEM
        return await load_node(info, entity, self.record.external_system_id)  # type: ignore[no-any-return]


@strawberry.type(name="CommunicationConnection", description="A page of communications.")
class CommunicationConnection(Connection[Communication]):
    pass


@strawberry.type(
    name="CommunicationQueueEntryConnection", description="A page of communication queue entries."
)
class CommunicationQueueEntryConnection(Connection[CommunicationQueueEntry]):
    pass


@strawberry.type(name="CommunicationCategoryConnection", description="A page of communication categories.")
class CommunicationCategoryConnection(Connection[CommunicationCategory]):
    pass


@strawberry.type(name="CommunicationTemplateConnection", description="A page of communication templates.")
class CommunicationTemplateConnection(Connection[CommunicationTemplate]):
    pass


@strawberry.type(
    name="CommunicationQueueExternalSystemConnection", description="A page of queue external systems."
)
class CommunicationQueueExternalSystemConnection(Connection[CommunicationQueueExternalSystem]):
    pass


register_node(Communication, Entity.COMMUNICATION)
register_node(CommunicationTemplate, Entity.COMMUNICATION_TEMPLATE)
register_node(CommunicationCategory, Entity.COMMUNICATION_CATEGORY)
register_node(CommunicationQueueExternalSystem, Entity.COMMUNICATION_QUEUE_EXTERNAL_SYSTEM)
register_node(CommunicationQueueEntry, Entity.COMMUNICATION_QUEUE_ENTRY)
