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
from resolvers.common.crud import CrudMutations, crud_permissions
from resolvers.common.errors import UserError
from resolvers.common.ids import decode_id_of
from resolvers.common.links import load_node
from resolvers.common.mutations import ExpectedVersion, WritePlan, in_transaction, update_checked
from resolvers.common.permissions import requires
from resolvers.common.references import Ref, decode_ref, decode_ref_list, require_refs
from resolvers.leads.errors import REQUIRED_CODE
from resolvers.leads.inputs import LEAD_ASSIGNEES, LEAD_COLUMNS, LEAD_REFS, LeadCreateInput, LeadUpdateInput
from resolvers.leads.types import Lead

LeadId = Annotated[strawberry.ID, strawberry.argument(description="The lead's ID.")]


@strawberry.type(description="Result of `leadMoveToStage`.")
class LeadMoveToStagePayload:
    lead: Lead | None = strawberry.field(description="The lead in its new stage.")
    errors: list[UserError] = strawberry.field(description="Why the lead was not moved.")


class LeadCrud(CrudMutations):
    node, create_input, update_input = Lead, LeadCreateInput, LeadUpdateInput
    permissions = crud_permissions(CRM_LEAD_CREATE, CRM_LEAD_EDIT, CRM_LEAD_DELETE)
    columns, refs, required = LEAD_COLUMNS, LEAD_REFS, ("subject", REQUIRED_CODE)

    def clean_create(self, info: strawberry.Info, input: Any, plan: WritePlan) -> None:
        self.clean_update(info, input, plan)
        plan.values["first_open_date"] = datetime.now(UTC)

    def clean_update(self, info: strawberry.Info, input: Any, plan: WritePlan) -> None:
        """The input's assignees replace the lead's when it gives them (null or absent: unchanged)."""
        global_ids = getattr(input, "assignee_ids", None)
        if global_ids is None or global_ids is UNSET:
            return
        assignees, refs, problems = decode_ref_list(global_ids, LEAD_ASSIGNEES)
        plan.links[Relation.LEAD_ASSIGNEES] = assignees
        plan.refs += refs
        plan.problems += problems


LEADS = LeadCrud()


async def _move(
    writer: RecordWriter, actor: str, record_id: UUID, stage_id: UUID, expected_version: int | None
) -> UUID:
    await require_refs(writer, [Ref(["stageId"], Entity.STAGE, stage_id)])
    values = {"stage_id": stage_id}
    return await update_checked(
        writer, Entity.LEAD, record_id, values, actor, expected_version, LEADS.not_found()
    )


@strawberry.type
class LeadMutation(LEADS.mutation_type()):  # type: ignore[misc]
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
