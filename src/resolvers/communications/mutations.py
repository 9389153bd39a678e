"""Communication mutations (seed 001 communications/create, update, complete, set_as_viewed)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

import strawberry

from gateway.backends.base import RecordWriter
from gateway.backends.records import CommunicationRecord, Detail, Entity
from gateway.ids import utcnow
from gateway.permissions import CRM_COMMUNICATION_EDIT
from gateway.pubsub import communication_created_message
from resolvers.common.crud import (
    CREATE,
    UPDATE,
    Change,
    CrudMutations,
    Target,
    Texts,
    action,
    optional_argument,
)
from resolvers.common.details import store_details
from resolvers.common.errors import UserError, UserErrors
from resolvers.common.mutations import WritePlan, current_record, update_checked
from resolvers.common.naming import to_camel
from resolvers.common.references import require_refs
from resolvers.communications.errors import invalid_state
from resolvers.communications.inputs import (
    AFTER_COMPLETION_COLUMNS,
    COMMUNICATION_COLUMNS,
    COMMUNICATION_REFS,
    CommunicationCreateInput,
    CommunicationUpdateInput,
)
from resolvers.communications.rules import (
    check_complete,
    check_media_access,
    completion_values,
    enqueue_if_sent,
    fill_from_template,
    given_columns,
    load_communication,
    next_number,
    referring_to,
)
from resolvers.communications.types import Communication

ViewedOn = Annotated[
    dt.datetime | None, strawberry.argument(description="When it was viewed; now if not given.")
]


@strawberry.type(
    description="Result of `communicationUpdate`, `communicationComplete`, `communicationSetViewed`."
)
class CommunicationUpdatePayload:
    communication: Communication | None = strawberry.field(description="The communication after the change.")
    errors: list[UserError] = strawberry.field(description="Why nothing changed.")


def _plan_references(input: Any, plan: WritePlan, creating: bool) -> None:
    """``referringToIds`` replace the communication's references (a create always has a list)."""
    references, refs, problems = referring_to(input.referring_to_ids)
    if references is not None or creating:
        plan.details[Detail.COMMUNICATION_REFERENCES] = references or []
    plan.refs += refs
    plan.problems += problems


async def _create(info: strawberry.Info, writer: RecordWriter, plan: WritePlan) -> UUID:
    await require_refs(writer, plan.refs)
    values = dict(plan.values)
    await fill_from_template(writer, values, given_columns(values))
    check_complete(values)
    check_media_access(info, values["media"], values["direction"])
    values["number"] = await next_number(writer)
    if values["life_cycle_state"] == "COMPLETED":
        values.update(completion_values())
    record_id = await writer.insert(Entity.COMMUNICATION, values, info.context.actor)
    await store_details(writer, record_id, plan.details)
    communication = await load_communication(writer, record_id)
    await enqueue_if_sent(writer, info.context.actor, communication)
    info.context.outbox.append(communication_created_message(communication))  # published after the commit
    return record_id


def _locked_after_completion(current: CommunicationRecord, values: dict[str, Any]) -> list[UserError]:
    """A completed communication was sent or logged as it is: only its bookkeeping may still change."""
    return [
        invalid_state(["input", to_camel(name)], f"{to_camel(name)} cannot change once completed.")
        for name, value in values.items()
        if name not in AFTER_COMPLETION_COLUMNS and value != getattr(current, name)
    ]


async def _update(change: Change) -> UUID:
    info, writer, record_id, plan = change.info, change.writer, change.record_id, change.plan
    await require_refs(writer, plan.refs)
    current = await current_record(writer, Entity.COMMUNICATION, record_id, COMMUNICATIONS.not_found())
    check_media_access(info, current.media, current.direction)
    values = dict(plan.values)
    await fill_from_template(writer, values, given_columns(values))
    if current.life_cycle_state == "COMPLETED" and (problems := _locked_after_completion(current, values)):
        raise UserErrors(problems)
    merged = {**vars(current), **values}
    check_complete(merged)
    check_media_access(info, merged["media"], merged["direction"])
    completing = current.life_cycle_state == "DRAFT" and merged["life_cycle_state"] == "COMPLETED"
    if completing:
        values.update(completion_values())
    actor = info.context.actor
    not_found = COMMUNICATIONS.not_found()
    await update_checked(
        writer, Entity.COMMUNICATION, record_id, values, actor, change.expected_version, not_found
    )
    await store_details(writer, record_id, plan.details)
    if completing:
        await enqueue_if_sent(writer, actor, await load_communication(writer, record_id))
    return record_id


class CommunicationCrud(CrudMutations):
    node, create_input, update_input = Communication, CommunicationCreateInput, CommunicationUpdateInput
    operations = (CREATE, UPDATE)  # communications are completed, not deleted (seed 001)
    permissions = {CREATE: CRM_COMMUNICATION_EDIT, UPDATE: CRM_COMMUNICATION_EDIT}
    columns, refs = COMMUNICATION_COLUMNS, COMMUNICATION_REFS
    payloads = {UPDATE: CommunicationUpdatePayload}
    texts = {
        CREATE: Texts(
            "Create a communication (seed 001 communications/create): a template fills direction, media, "
            "subject and content not given; `to` is required for EMAIL; an outgoing COMPLETED "
            "communication for an external system is queued as a PENDING entry. Outgoing e-mails need "
            "CRM_SEND_EMAIL, outgoing SMS CRM_SEND_SMS. Retrying with the same idempotency key creates "
            "nothing new.",
            result="The new communication.",
        ),
        UPDATE: Texts(
            "Change a communication (seed 001 communications/update). Setting `lifeCycleState` to "
            "COMPLETED completes a draft. Pass `expectedVersion` to refuse lost updates."
        ),
    }

    def clean_create(self, info: strawberry.Info, input: Any, plan: WritePlan) -> None:
        _plan_references(input, plan, creating=True)

    def clean_update(self, info: strawberry.Info, input: Any, plan: WritePlan) -> None:
        _plan_references(input, plan, creating=False)

    async def insert(self, info: strawberry.Info, writer: RecordWriter, plan: WritePlan) -> UUID:
        return await _create(info, writer, plan)

    async def update(self, change: Change) -> UUID:
        return await _update(change)

    @action(
        "Complete",
        CRM_COMMUNICATION_EDIT,
        Texts("Complete a DRAFT communication; an outgoing one for an external system is queued."),
        payload=CommunicationUpdatePayload,
    )
    async def complete(self, communication: Target) -> UUID:
        current = await self.stored(communication)
        check_media_access(communication.info, current.media, current.direction)
        if current.life_cycle_state != "DRAFT":
            raise UserErrors([invalid_state(["id"], "Only a DRAFT communication can be completed.")])
        await self.write(communication, completion_values())
        completed = await load_communication(communication.writer, communication.record_id)
        await enqueue_if_sent(communication.writer, communication.actor, completed)
        return communication.record_id

    @action(
        "SetViewed",
        CRM_COMMUNICATION_EDIT,
        Texts("Set a completed communication as viewed (seed 001 communications/set_as_viewed)."),
        [optional_argument("viewed_on", ViewedOn)],
        payload=CommunicationUpdatePayload,
    )
    async def set_viewed(self, communication: Target, viewed_on: dt.datetime | None) -> UUID:
        if (await self.stored(communication)).life_cycle_state != "COMPLETED":
            raise UserErrors([invalid_state(["id"], "Only completed communications can be set as viewed.")])
        return await self.write(communication, {"viewed": True, "viewed_on": viewed_on or utcnow()})


COMMUNICATIONS = CommunicationCrud()


CommunicationMutation = COMMUNICATIONS.mutation_type()
