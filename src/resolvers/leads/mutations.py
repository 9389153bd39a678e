"""Lead mutations: create, update, soft delete, restore and moving a lead to another pipeline stage."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import strawberry
from strawberry import UNSET

from gateway.backends.records import Entity, Relation
from gateway.permissions import CRM_LEAD_CREATE, CRM_LEAD_DELETE, CRM_LEAD_EDIT
from resolvers.common.crud import Target, Texts, action, argument, crud_permissions
from resolvers.common.custom_fields import WithCustomFieldValues
from resolvers.common.errors import UserErrors
from resolvers.common.mutations import WritePlan
from resolvers.common.references import Ref, decode_ref, decode_ref_list, require_refs
from resolvers.leads.errors import REQUIRED_CODE
from resolvers.leads.inputs import LEAD_ASSIGNEES, LEAD_COLUMNS, LEAD_REFS, LeadCreateInput, LeadUpdateInput
from resolvers.leads.types import Lead


class LeadCrud(WithCustomFieldValues):
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

    @action(
        "MoveToStage",
        CRM_LEAD_EDIT,
        Texts(
            "Move a lead to another pipeline stage (seed 004 connection stage).",
            result="The lead in its new stage.",
            errors="Why the lead was not moved.",
        ),
        [argument("stage_id", strawberry.ID, "The stage to move the lead to.")],
    )
    async def move_to_stage(self, lead: Target, stage_id: strawberry.ID) -> UUID:
        stage, problems = decode_ref(stage_id, "Stage", Entity.STAGE, ["stageId"])
        if stage is None:
            raise UserErrors(problems)
        await require_refs(lead.writer, [Ref(["stageId"], Entity.STAGE, stage)])
        return await self.write(lead, {"stage_id": stage})


LEADS = LeadCrud()


LeadMutation = LEADS.mutation_type()
