"""Stage mutations: create, update, soft delete (refused while leads use the stage) and restore."""

from __future__ import annotations

from uuid import UUID

from gateway.backends.base import RecordWriter
from gateway.backends.records import Entity
from gateway.permissions import CRM_STAGE_DELETE, CRM_STAGE_EDIT
from resolvers.common.crud import CREATE, DELETE, UPDATE, CrudMutations, Texts, crud_permissions
from resolvers.common.errors import UserErrors
from resolvers.stages.errors import REQUIRED_CODE, stage_in_use
from resolvers.stages.inputs import STAGE_COLUMNS, StageCreateInput, StageUpdateInput
from resolvers.stages.types import Stage


class StageCrud(CrudMutations):
    node, create_input, update_input = Stage, StageCreateInput, StageUpdateInput
    permissions = crud_permissions(CRM_STAGE_EDIT, CRM_STAGE_EDIT, CRM_STAGE_DELETE)
    columns, required = STAGE_COLUMNS, ("name", REQUIRED_CODE)
    texts = {
        CREATE: Texts("Create a pipeline stage. Retrying with the same key creates nothing new."),
        UPDATE: Texts("Rename or move a stage. Pass `expectedVersion` to refuse lost updates."),
        DELETE: Texts(
            "Soft-delete a stage; refused with IN_USE while leads are in it. `stageRestore` undoes.",
            errors="Why nothing was deleted, e.g. IN_USE while leads are in the stage.",
        ),
    }

    async def veto_delete(self, writer: RecordWriter, record_id: UUID) -> None:
        if await writer.is_referenced(Entity.STAGE, record_id):
            raise UserErrors([stage_in_use()])


StageMutation = StageCrud().mutation_type()
