"""Enums, filter, order and mutation inputs of communications and the communication queue (seed 001)."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from gateway.backends.records import Entity
from resolvers.common.fields import optional_field as _f
from resolvers.common.fields import unset_field as _u
from resolvers.common.filters import BooleanFilter, DateTimeFilter, EnumFilter, IDFilter, StringFilter
from resolvers.common.ordering import OrderDirection
from resolvers.common.references import RefField


@strawberry.enum(description="Whether a communication was received or sent (seed 001 direction).")
class CommunicationDirection(Enum):
    INCOMING = strawberry.enum_value("INCOMING", description="Received from the contact.")
    OUTGOING = strawberry.enum_value("OUTGOING", description="Sent to the contact.")


@strawberry.enum(description="How a communication was sent or received (seed 001 media).")
class CommunicationMedia(Enum):
    EMAIL = strawberry.enum_value("EMAIL", description="E-mail; reading needs CRM_VIEW_EMAIL.")
    SMS = strawberry.enum_value("SMS", description="Text message; reading needs CRM_VIEW_SMS.")
    PHONE = strawberry.enum_value("PHONE", description="Phone call.")
    LETTER = strawberry.enum_value("LETTER", description="Letter.")
    FACE_TO_FACE = strawberry.enum_value("FACE_TO_FACE", description="Face to face (seed 001 also F2F).")


@strawberry.enum(description="Life cycle of a communication (seed 001).")
class CommunicationLifeCycleState(Enum):
    DRAFT = strawberry.enum_value("DRAFT", description="Being prepared; not sent or logged yet.")
    COMPLETED = strawberry.enum_value("COMPLETED", description="Sent or logged.")


@strawberry.enum(description="Life cycle of a communication queue entry (seed 001).")
class CommunicationQueueEntryLifeCycleState(Enum):
    PENDING = strawberry.enum_value("PENDING", description="Waiting for its external system to send it.")
    REJECTED = strawberry.enum_value("REJECTED", description="The external system could not send it.")
    COMPLETED = strawberry.enum_value("COMPLETED", description="The external system sent it.")
    COMPLETED_AND_REMOVED = strawberry.enum_value(
        "COMPLETED_AND_REMOVED", description="Sent, and removed from the external system's queue."
    )


@strawberry.enum(description="Fields communications can be sorted by.")
class CommunicationOrderField(Enum):
    DATE_CREATED = strawberry.enum_value("date_created", description="Creation time.")
    DATE_MODIFIED = strawberry.enum_value("date_modified", description="Last change.")
    COMPLETED_ON = strawberry.enum_value("completed_on", description="When it was completed.")
    SUBJECT = strawberry.enum_value("subject", description="Subject.")


@strawberry.enum(description="Fields communication queue entries can be sorted by.")
class CommunicationQueueEntryOrderField(Enum):
    DATE_CREATED = strawberry.enum_value("date_created", description="When the entry was queued.")
    DATE_MODIFIED = strawberry.enum_value("date_modified", description="Last change.")


@strawberry.enum(description="Fields of named communication settings (categories, templates, systems).")
class CommunicationSettingOrderField(Enum):
    DATE_CREATED = strawberry.enum_value("date_created", description="Creation time.")
    NAME = strawberry.enum_value("name", description="Name.")


@strawberry.input(description="Which communications to return; all given conditions must hold.")
class CommunicationFilter:
    and_: list[CommunicationFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[CommunicationFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: CommunicationFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The communication's ID.")
    number: StringFilter | None = _f("Number.")
    contact_id: IDFilter | None = _f("The contact (seed 001 contact_information_identifier).")
    category_id: IDFilter | None = _f("The category (seed 001 category_identifier).")
    template_id: IDFilter | None = _f("The template it was made from.")
    external_system_id: IDFilter | None = _f("The queue external system.")
    direction: EnumFilter[CommunicationDirection] | None = _f("Direction.")
    media: EnumFilter[CommunicationMedia] | None = _f("Media.")
    life_cycle_state: EnumFilter[CommunicationLifeCycleState] | None = _f("Life cycle state.")
    subject: StringFilter | None = _f("Subject.")
    viewed: BooleanFilter | None = _f("Viewed or not.")
    date_created: DateTimeFilter | None = _f("Creation time.")


@strawberry.input(description="A sort key for communications.")
class CommunicationOrder:
    field: CommunicationOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="Which communication queue entries to return; all given conditions hold.")
class CommunicationQueueEntryFilter:
    and_: list[CommunicationQueueEntryFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[CommunicationQueueEntryFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: CommunicationQueueEntryFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The entry's ID.")
    external_system_id: IDFilter | None = _f("The external system that sends it.")
    communication_id: IDFilter | None = _f("The communication it sends.")
    contact_id: IDFilter | None = _f("The contact that receives it.")
    media: EnumFilter[CommunicationMedia] | None = _f("Media.")
    life_cycle_state: EnumFilter[CommunicationQueueEntryLifeCycleState] | None = _f("Life cycle state.")
    date_created: DateTimeFilter | None = _f("When it was queued.")


@strawberry.input(description="A sort key for communication queue entries.")
class CommunicationQueueEntryOrder:
    field: CommunicationQueueEntryOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="Which categories, templates or external systems to return.")
class CommunicationSettingFilter:
    and_: list[CommunicationSettingFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[CommunicationSettingFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: CommunicationSettingFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The ID.")
    name: StringFilter | None = _f("Name.")
    date_created: DateTimeFilter | None = _f("Creation time.")


@strawberry.input(description="A sort key for categories, templates or external systems.")
class CommunicationSettingOrder:
    field: CommunicationSettingOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="A new communication (seed 001 communications/create).")
class CommunicationCreateInput:
    contact_id: strawberry.ID = strawberry.field(description="The contact it is with (required).")
    template_id: strawberry.ID | None = _f(
        "A template: fills direction, media, subject and content that are not given."
    )
    category_id: strawberry.ID | None = _f("The category.")
    external_system_id: strawberry.ID | None = _f(
        "The queue external system that sends it; an outgoing completed communication is queued for it."
    )
    direction: CommunicationDirection | None = _f("Direction (required unless the template sets it).")
    media: CommunicationMedia | None = _f("Media (required unless the template sets it).")
    subject: str | None = _f("Subject (required unless the template sets it).")
    content: str | None = _f("Content (required unless the template sets it).")
    to: str | None = _f("The recipient or sender address, by media and direction (required for EMAIL).")
    notes: str | None = _f("Notes.")
    life_cycle_state: CommunicationLifeCycleState = strawberry.field(
        default=CommunicationLifeCycleState.COMPLETED, description="DRAFT or COMPLETED (the default)."
    )
    owned_by_group: str | None = _f("The group that owns it.")
    privacy_level: str | None = _f("Its privacy level.")
    referring_to_ids: list[strawberry.ID] | None = _f(
        "Leads, tasks, accounts and other communications it refers to (seed 001 referring_to)."
    )
    udf_string_1: str | None = _f("User-defined text field 1.")
    udf_string_2: str | None = _f("User-defined text field 2.")
    udf_string_3: str | None = _f("User-defined text field 3.")
    udf_string_4: str | None = _f("User-defined text field 4.")
    udf_string_5: str | None = _f("User-defined text field 5.")
    udf_string_6: str | None = _f("User-defined text field 6.")
    udf_string_7: str | None = _f("User-defined text field 7.")
    udf_string_8: str | None = _f("User-defined text field 8.")
    udf_float_1: float | None = _f("User-defined number field 1.")
    udf_float_2: float | None = _f("User-defined number field 2.")
    udf_float_3: float | None = _f("User-defined number field 3.")
    udf_float_4: float | None = _f("User-defined number field 4.")
    udf_date_1: dt.date | None = _f("User-defined date field 1.")
    udf_date_2: dt.date | None = _f("User-defined date field 2.")
    udf_date_3: dt.date | None = _f("User-defined date field 3.")
    udf_date_4: dt.date | None = _f("User-defined date field 4.")


@strawberry.input(
    description="Changes to a communication: only the fields given change. Once completed, only notes, "
    "category, group, privacy level, references and user-defined fields may change."
)
class CommunicationUpdateInput:
    template_id: strawberry.ID | None = _u(
        "A template: fills direction, media, subject and content not given."
    )
    category_id: strawberry.ID | None = _u("The category.")
    external_system_id: strawberry.ID | None = _u("The queue external system.")
    direction: CommunicationDirection | None = _u("Direction.")
    media: CommunicationMedia | None = _u("Media.")
    subject: str | None = _u("Subject.")
    content: str | None = _u("Content.")
    to: str | None = _u("The recipient or sender address.")
    notes: str | None = _u("Notes.")
    life_cycle_state: CommunicationLifeCycleState | None = _u(
        "COMPLETED completes a draft (as `communicationComplete`); a completed one cannot return to DRAFT."
    )
    owned_by_group: str | None = _u("The group that owns it.")
    privacy_level: str | None = _u("Its privacy level.")
    referring_to_ids: list[strawberry.ID] | None = _u("What it refers to (replaces the list).")
    udf_string_1: str | None = _u("User-defined text field 1.")
    udf_string_2: str | None = _u("User-defined text field 2.")
    udf_string_3: str | None = _u("User-defined text field 3.")
    udf_string_4: str | None = _u("User-defined text field 4.")
    udf_string_5: str | None = _u("User-defined text field 5.")
    udf_string_6: str | None = _u("User-defined text field 6.")
    udf_string_7: str | None = _u("User-defined text field 7.")
    udf_string_8: str | None = _u("User-defined text field 8.")
    udf_float_1: float | None = _u("User-defined number field 1.")
    udf_float_2: float | None = _u("User-defined number field 2.")
    udf_float_3: float | None = _u("User-defined number field 3.")
    udf_float_4: float | None = _u("User-defined number field 4.")
    udf_date_1: dt.date | None = _u("User-defined date field 1.")
    udf_date_2: dt.date | None = _u("User-defined date field 2.")
    udf_date_3: dt.date | None = _u("User-defined date field 3.")
    udf_date_4: dt.date | None = _u("User-defined date field 4.")


UDF_COLUMNS = (
    *(f"udf_string_{n}" for n in range(1, 9)),
    *(f"udf_float_{n}" for n in range(1, 5)),
    *(f"udf_date_{n}" for n in range(1, 5)),
)
# Set by a template when the input leaves them out.
TEMPLATE_COLUMNS = ("direction", "media", "subject", "content")
# What may still change once a communication is completed (it was sent or logged as it is).
AFTER_COMPLETION_COLUMNS = ("notes", "category_id", "owned_by_group", "privacy_level", *UDF_COLUMNS)
COMMUNICATION_COLUMNS = (
    *TEMPLATE_COLUMNS,
    "to",
    "notes",
    "life_cycle_state",
    "owned_by_group",
    "privacy_level",
    *UDF_COLUMNS,
)
COMMUNICATION_REFS = (
    RefField("contact_id", "Contact", Entity.CONTACT),
    RefField("template_id", "CommunicationTemplate", Entity.COMMUNICATION_TEMPLATE),
    RefField("category_id", "CommunicationCategory", Entity.COMMUNICATION_CATEGORY),
    RefField(
        "external_system_id", "CommunicationQueueExternalSystem", Entity.COMMUNICATION_QUEUE_EXTERNAL_SYSTEM
    ),
)
# What ``referringToIds`` may name, by global-ID type.
REFERRING_TO_TYPES: dict[str, Entity] = {
    "Lead": Entity.LEAD,
    "Task": Entity.EVENT,
    "Account": Entity.ACCOUNT,
    "Communication": Entity.COMMUNICATION,
}
