"""Lead mutations: create, update, soft delete, restore and moving a lead to another pipeline stage."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import strawberry
from strawberry import UNSET

from gateway.backends.base import RecordWriter
from gateway.backends.records import Entity, Relation
from gateway.permissions import CRM_LEAD_CREATE, CRM_LEAD_DELETE, CRM_LEAD_EDIT
from resolvers.common.errors import UserError
from resolvers.common.ids import decode_id_of
from resolvers.common.links import load_node
from resolvers.common.mutations import (
    ExpectedVersion,
    IdempotencyKey,
    WritePlan,
    create_once,
    in_transaction,
    insert_planned,
    replace_links,
    set_deleted_in_transaction,
    update_checked,
    update_planned,
    write_plan,
)
from resolvers.common.permissions import requires
from resolvers.common.references import Ref, decode_ref, decode_ref_list, require_refs
from resolvers.common.validation import required_if_given
from resolvers.leads.errors import REQUIRED_CODE, lead_not_found
from resolvers.leads.inputs import (
    LEAD_ASSIGNEES,
    LEAD_COLUMNS,
    LEAD_REFS,
    LeadCreateInput,
    LeadUpdateInput,
)
from resolvers.leads.types import Lead

LeadId = Annotated[strawberry.ID, strawberry.argument(description="The lead's ID.")]


@strawberry.type(description="Result of `leadCreate`.")
class LeadCreatePayload:
    lead: Lead | None = strawberry.field(description="The new lead; null when errors occurred.")
    errors: list[UserError] = strawberry.field(description="Why the lead was not created.")


@strawberry.type(description="Result of `leadUpdate`.")
class LeadUpdatePayload:
    lead: Lead | None = strawberry.field(description="The lead after the change.")
    errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="Result of `leadDelete`.")
class LeadDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="ID of the soft-deleted lead.")
    errors: list[UserError] = strawberry.field(description="Why nothing was deleted.")


@strawberry.type(description="Result of `leadRestore`.")
class LeadRestorePayload:
    lead: Lead | None = strawberry.field(description="The restored lead.")
    errors: list[UserError] = strawberry.field(description="Why nothing was restored.")


@strawberry.type(description="Result of `leadMoveToStage`.")
class LeadMoveToStagePayload:
    lead: Lead | None = strawberry.field(description="The lead in its new stage.")
    errors: list[UserError] = strawberry.field(description="Why the lead was not moved.")


def _plan(input: Any) -> tuple[WritePlan, list[UUID] | None]:
    """The lead's values, and its assignees when the input sets them (null or absent: unchanged)."""
    plan = write_plan(input, LEAD_COLUMNS, LEAD_REFS)
    plan.problems = (
        required_if_given(plan.values, "subject", ["input", "subject"], REQUIRED_CODE) + plan.problems
    )
    global_ids = getattr(input, "assignee_ids", None)
    if global_ids is None or global_ids is UNSET:
        return plan, None
    assignees, refs, problems = decode_ref_list(global_ids, LEAD_ASSIGNEES)
    plan.refs += refs
    plan.problems += problems
    return plan, assignees


async def _assign(writer: RecordWriter, lead_id: UUID, assignees: list[UUID] | None) -> UUID:
    if assignees is not None:
        await replace_links(writer, Relation.LEAD_ASSIGNEES, lead_id, assignees)
    return lead_id


async def _create(writer: RecordWriter, actor: str, plan: WritePlan, assignees: list[UUID] | None) -> UUID:
    plan.values["first_open_date"] = datetime.now(UTC)
    return await _assign(writer, await insert_planned(writer, Entity.LEAD, plan, actor), assignees)


async def _update(
    writer: RecordWriter,
    actor: str,
    record_id: UUID,
    planned: tuple[WritePlan, list[UUID] | None],
    expected_version: int | None,
) -> UUID:
    plan, assignees = planned
    await update_planned(writer, Entity.LEAD, record_id, plan, actor, expected_version, lead_not_found())
    return await _assign(writer, record_id, assignees)


async def _move(
    writer: RecordWriter, actor: str, record_id: UUID, stage_id: UUID, expected_version: int | None
) -> UUID:
    await require_refs(writer, [Ref(["stageId"], Entity.STAGE, stage_id)])
    values = {"stage_id": stage_id}
    return await update_checked(
        writer, Entity.LEAD, record_id, values, actor, expected_version, lead_not_found()
    )


@strawberry.type
class LeadMutation:
    @strawberry.mutation(
        description="Create a lead. Retrying with the same idempotency key creates nothing new.",
        extensions=requires(CRM_LEAD_CREATE),
    )
    async def lead_create(
        self,
        info: strawberry.Info,
        input: Annotated[LeadCreateInput, strawberry.argument(description="The new lead.")],
        idempotency_key: IdempotencyKey = None,
    ) -> LeadCreatePayload | None:
        plan, assignees = _plan(input)
        if plan.problems:
            return LeadCreatePayload(lead=None, errors=plan.problems)

        async def create(writer: RecordWriter) -> UUID:
            return await _create(writer, info.context.actor, plan, assignees)

        record_id, errors = await create_once(info, "leadCreate", idempotency_key, input, create)
        return LeadCreatePayload(lead=await load_node(info, Entity.LEAD, record_id), errors=errors)

    @strawberry.mutation(
        description="Change a lead. Pass `expectedVersion` to refuse lost updates.",
        extensions=requires(CRM_LEAD_EDIT),
    )
    async def lead_update(
        self,
        info: strawberry.Info,
        id: LeadId,
        input: Annotated[LeadUpdateInput, strawberry.argument(description="The fields to change.")],
        expected_version: ExpectedVersion = None,
    ) -> LeadUpdatePayload | None:
        record_id = decode_id_of(id, "Lead")
        planned = _plan(input)
        if planned[0].problems:
            return LeadUpdatePayload(lead=None, errors=planned[0].problems)
        done, errors = await in_transaction(
            info, lambda writer: _update(writer, info.context.actor, record_id, planned, expected_version)
        )
        return LeadUpdatePayload(lead=await load_node(info, Entity.LEAD, done), errors=errors)

    @strawberry.mutation(
        description="Soft-delete a lead; `leadRestore` brings it back.",
        extensions=requires(CRM_LEAD_DELETE),
    )
    async def lead_delete(
        self, info: strawberry.Info, id: LeadId, expected_version: ExpectedVersion = None
    ) -> LeadDeletePayload | None:
        record_id = decode_id_of(id, "Lead")
        _, errors = await set_deleted_in_transaction(
            info, Entity.LEAD, record_id, True, expected_version, lead_not_found()
        )
        return LeadDeletePayload(deleted_id=None if errors else strawberry.ID(id), errors=errors)

    @strawberry.mutation(
        description="Restore a soft-deleted lead.",
        extensions=requires(CRM_LEAD_DELETE),
    )
    async def lead_restore(
        self, info: strawberry.Info, id: LeadId, expected_version: ExpectedVersion = None
    ) -> LeadRestorePayload | None:
        record_id = decode_id_of(id, "Lead")
        done, errors = await set_deleted_in_transaction(
            info, Entity.LEAD, record_id, False, expected_version, lead_not_found()
        )
        return LeadRestorePayload(lead=await load_node(info, Entity.LEAD, done), errors=errors)

    @strawberry.mutation(
        description="Move a lead to another pipeline stage (seed 004 connection stage).",
        extensions=requires(CRM_LEAD_EDIT),
    )
    async def lead_move_to_stage(
        self,
        info: strawberry.Info,
        id: LeadId,
        stage_id: Annotated[strawberry.ID, strawberry.argument(description="The stage to move the lead to.")],
        expected_version: ExpectedVersion = None,
    ) -> LeadMoveToStagePayload | None:
        record_id = decode_id_of(id, "Lead")
        stage, errors = decode_ref(stage_id, "Stage", Entity.STAGE, ["stageId"])
        if stage is not None:
            _, errors = await in_transaction(
                info, lambda writer: _move(writer, info.context.actor, record_id, stage, expected_version)
            )
        return LeadMoveToStagePayload(
            lead=None if errors else await load_node(info, Entity.LEAD, record_id), errors=errors
        )
