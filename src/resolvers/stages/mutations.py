"""Stage mutations: create, update, soft delete (refused while leads use the stage) and restore."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from gateway.backends.base import RecordWriter
from gateway.backends.records import Entity
from gateway.permissions import CRM_STAGE_DELETE, CRM_STAGE_EDIT
from resolvers.common.errors import UserError, UserErrors
from resolvers.common.ids import decode_id_of
from resolvers.common.links import load_node
from resolvers.common.mutations import (
    ExpectedVersion,
    IdempotencyKey,
    create_once,
    in_transaction,
    set_deleted_in_transaction,
    update_checked,
)
from resolvers.common.permissions import requires
from resolvers.common.validation import changed_values, required_if_given, required_text
from resolvers.stages.errors import REQUIRED_CODE, stage_in_use, stage_not_found
from resolvers.stages.inputs import STAGE_COLUMNS, StageCreateInput, StageUpdateInput
from resolvers.stages.types import Stage

StageId = Annotated[strawberry.ID, strawberry.argument(description="The stage's ID.")]


@strawberry.type(description="Result of `stageCreate`.")
class StageCreatePayload:
    stage: Stage | None = strawberry.field(description="The new stage; null when errors occurred.")
    errors: list[UserError] = strawberry.field(description="Why the stage was not created.")


@strawberry.type(description="Result of `stageUpdate`.")
class StageUpdatePayload:
    stage: Stage | None = strawberry.field(description="The stage after the change.")
    errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.type(description="Result of `stageDelete`.")
class StageDeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(description="ID of the soft-deleted stage.")
    errors: list[UserError] = strawberry.field(
        description="Why nothing was deleted, e.g. IN_USE while leads are in the stage."
    )


@strawberry.type(description="Result of `stageRestore`.")
class StageRestorePayload:
    stage: Stage | None = strawberry.field(description="The restored stage.")
    errors: list[UserError] = strawberry.field(description="Why nothing was restored.")


async def _refuse_if_used(writer: RecordWriter, record_id: UUID) -> None:
    if await writer.is_referenced(Entity.STAGE, record_id):
        raise UserErrors([stage_in_use()])


@strawberry.type
class StageMutation:
    @strawberry.mutation(
        description="Create a pipeline stage. Retrying with the same key creates nothing new.",
        extensions=requires(CRM_STAGE_EDIT),
    )
    async def stage_create(
        self,
        info: strawberry.Info,
        input: Annotated[StageCreateInput, strawberry.argument(description="The new stage.")],
        idempotency_key: IdempotencyKey = None,
    ) -> StageCreatePayload | None:
        values = changed_values(input, STAGE_COLUMNS)
        problems = required_text(values["name"], ["input", "name"], REQUIRED_CODE)
        if problems:
            return StageCreatePayload(stage=None, errors=problems)

        async def create(writer: RecordWriter) -> UUID:
            return await writer.insert(Entity.STAGE, values, info.context.actor)

        record_id, errors = await create_once(info, "stageCreate", idempotency_key, input, create)
        return StageCreatePayload(stage=await load_node(info, Entity.STAGE, record_id), errors=errors)

    @strawberry.mutation(
        description="Rename or move a stage. Pass `expectedVersion` to refuse lost updates.",
        extensions=requires(CRM_STAGE_EDIT),
    )
    async def stage_update(
        self,
        info: strawberry.Info,
        id: StageId,
        input: Annotated[StageUpdateInput, strawberry.argument(description="The fields to change.")],
        expected_version: ExpectedVersion = None,
    ) -> StageUpdatePayload | None:
        record_id = decode_id_of(id, "Stage")
        values = changed_values(input, STAGE_COLUMNS)
        problems = required_if_given(values, "name", ["input", "name"], REQUIRED_CODE)
        if problems:
            return StageUpdatePayload(stage=None, errors=problems)
        done, errors = await in_transaction(
            info,
            lambda writer: update_checked(
                writer,
                Entity.STAGE,
                record_id,
                values,
                info.context.actor,
                expected_version,
                stage_not_found(),
            ),
        )
        return StageUpdatePayload(stage=await load_node(info, Entity.STAGE, done), errors=errors)

    @strawberry.mutation(
        description="Soft-delete a stage; refused with IN_USE while leads are in it. `stageRestore` undoes.",
        extensions=requires(CRM_STAGE_DELETE),
    )
    async def stage_delete(
        self, info: strawberry.Info, id: StageId, expected_version: ExpectedVersion = None
    ) -> StageDeletePayload | None:
        record_id = decode_id_of(id, "Stage")
        _, errors = await set_deleted_in_transaction(
            info,
            Entity.STAGE,
            record_id,
            True,
            expected_version,
            stage_not_found(),
            check=lambda writer: _refuse_if_used(writer, record_id),
        )
        return StageDeletePayload(deleted_id=None if errors else strawberry.ID(id), errors=errors)

    @strawberry.mutation(
        description="Restore a soft-deleted stage.",
        extensions=requires(CRM_STAGE_DELETE),
    )
    async def stage_restore(
        self, info: strawberry.Info, id: StageId, expected_version: ExpectedVersion = None
    ) -> StageRestorePayload | None:
        record_id = decode_id_of(id, "Stage")
        done, errors = await set_deleted_in_transaction(
            info, Entity.STAGE, record_id, False, expected_version, stage_not_found()
        )
        return StageRestorePayload(stage=await load_node(info, Entity.STAGE, done), errors=errors)
