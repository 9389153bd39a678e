"""Stage mutations: create, update, soft delete (refused while leads use the stage) and restore."""

from __future__ import annotations

from uuid import UUID

from gateway.backends.base import RecordWriter
from gateway.backends.records import Entity
from gateway.permissions import CRM_STAGE_DELETE, CRM_STAGE_EDIT
from resolvers.common.crud import CREATE, DELETE, UPDATE, CrudMutations, Texts, permissions
from resolvers.common.errors import UserErrors
from resolvers.stages.errors import REQUIRED_CODE, stage_in_use, stage_not_found
from resolvers.stages.inputs import STAGE_COLUMNS, StageCreateInput, StageUpdateInput
from resolvers.stages.types import Stage


async def _refuse_if_used(writer: RecordWriter, record_id: UUID) -> None:
    if await writer.is_referenced(Entity.STAGE, record_id):
        raise UserErrors([stage_in_use()])


STAGES = CrudMutations(
    node=Stage,
    entity=Entity.STAGE,
    noun="stage",
    create_input=StageCreateInput,
    update_input=StageUpdateInput,
    permissions=permissions(CRM_STAGE_EDIT, CRM_STAGE_EDIT, CRM_STAGE_DELETE),
    not_found=stage_not_found,
    columns=STAGE_COLUMNS,
    required=("name", REQUIRED_CODE),
    veto_delete=_refuse_if_used,
    texts={
        CREATE: Texts("Create a pipeline stage. Retrying with the same key creates nothing new."),
        UPDATE: Texts("Rename or move a stage. Pass `expectedVersion` to refuse lost updates."),
        DELETE: Texts(
            "Soft-delete a stage; refused with IN_USE while leads are in it. `stageRestore` undoes.",
            errors="Why nothing was deleted, e.g. IN_USE while leads are in the stage.",
        ),
    },
)
StageMutation = STAGES.mutation_type()
