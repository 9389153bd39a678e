"""Lead mutations: create, update, soft delete, restore and moving a lead to another pipeline stage."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import strawberry
from strawberry import UNSET
from strawberry.types.field import StrawberryField

from gateway.backends.base import RecordWriter
from gateway.backends.lead_workflow import MILESTONES_BY_NAME
from gateway.backends.records import Entity, Relation
from gateway.permissions import CRM_LEAD_CREATE, CRM_LEAD_DELETE, CRM_LEAD_EDIT
from resolvers.common.crud import Target, Texts, action, argument, crud_permissions, optional_argument
from resolvers.common.crud.fields import mutation_field
from resolvers.common.custom_fields import WithCustomFieldValues
from resolvers.common.errors import UserErrorCode, UserErrors, error
from resolvers.common.ids import decode_id_of
from resolvers.common.links import load_node
from resolvers.common.mutations import IdempotencyKey, WritePlan, create_once
from resolvers.common.permissions import requires
from resolvers.common.references import Ref, decode_ref, decode_ref_list, require_refs
from resolvers.common.validation import storable_instant
from resolvers.leads.copy import LeadCopyInput, copied_upstream, copy_plan, insert_copy, upstream_copy
from resolvers.leads.errors import REQUIRED_CODE
from resolvers.leads.inputs import LEAD_ASSIGNEES, LEAD_COLUMNS, LEAD_REFS, LeadCreateInput, LeadUpdateInput
from resolvers.leads.milestones import LeadMilestone
from resolvers.leads.types import Lead

MilestoneDateArgument = Annotated[
    datetime | None, strawberry.argument(description="When the milestone was reached; now when not given.")
]


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

    # --- Lead workflow (seed 004): milestones and copy ------------------------------------------------

    @action(
        "MilestoneSet",
        CRM_LEAD_EDIT,
        Texts(
            "Record that a lead reached a dealer milestone, when, and the user who set it (seed 004 "
            "Connection and Lead milestones); setting it again replaces both.",
            result="The lead with the milestone set.",
            errors="Why the milestone was not set.",
        ),
        [
            argument("milestone", LeadMilestone, "The milestone."),
            argument("set_by_id", strawberry.ID, "The user who set the milestone."),
            optional_argument("date", MilestoneDateArgument),
        ],
    )
    async def milestone_set(
        self, lead: Target, milestone: LeadMilestone, set_by_id: strawberry.ID, date: datetime | None
    ) -> UUID:
        user, problems = decode_ref(set_by_id, "User", Entity.USER, ["setById"])
        when = date or datetime.now(UTC)
        if not storable_instant(when):
            problems.append(error(["date"], "date is out of range in UTC.", UserErrorCode.INVALID))
        if user is None or problems:
            raise UserErrors(problems)
        await require_refs(lead.writer, [Ref(["setById"], Entity.USER, user)])
        columns = MILESTONES_BY_NAME[milestone.name]
        return await self.write(lead, {columns.date_column: when, columns.by_column: user})

    @action(
        "MilestoneClear",
        CRM_LEAD_EDIT,
        Texts(
            "Clear a dealer milestone of a lead: its date and the user who set it.",
            result="The lead without the milestone.",
            errors="Why the milestone was not cleared.",
        ),
        [argument("milestone", LeadMilestone, "The milestone.")],
    )
    async def milestone_clear(self, lead: Target, milestone: LeadMilestone) -> UUID:
        columns = MILESTONES_BY_NAME[milestone.name]
        return await self.write(lead, {columns.date_column: None, columns.by_column: None})

    def copy_field(self) -> StrawberryField:
        """``leadCopy``: idempotent by key and permitted like ``leadCreate``; the copy starts the
        ``lead.created`` trigger like any new lead."""
        texts = Texts(
            "Copy a lead with a new contact and, optionally, account, subject, department and franchise "
            "(seed 004 POST /api/lead/{lead}/copy; docs/graph.md lists what is copied and reset).",
            result="The new lead.",
            errors="Why no copy was made.",
        )
        payload = self.payload_type("Copy", texts)
        arguments = [
            argument("id", strawberry.ID, "The ID of the lead to copy."),
            argument("input", LeadCopyInput, "What the copy changes."),
            optional_argument("idempotency_key", IdempotencyKey),
        ]

        async def run(
            info: strawberry.Info, id: strawberry.ID, input: LeadCopyInput, idempotency_key: str | None
        ) -> Any:
            original_id = decode_id_of(id, "Lead")
            plan = copy_plan(input)
            if plan.problems:
                return payload(lead=None, errors=plan.problems)
            upstream = copied_upstream(info)

            async def copy(writer: RecordWriter) -> UUID:
                if upstream:
                    return await upstream_copy(writer, original_id, plan, self.not_found())
                return await insert_copy(writer, original_id, plan, info.context.actor, self.not_found())

            request = (original_id, input)
            record_id, errors = await create_once(
                info, Entity.LEAD, "leadCopy", idempotency_key, request, copy
            )
            return payload(lead=await load_node(info, Entity.LEAD, record_id), errors=errors)

        return mutation_field(run, arguments, payload, texts.mutation or "", requires(CRM_LEAD_CREATE))


LEADS = LeadCrud()


_LeadCrudMutation = LEADS.mutation_type()


@strawberry.type
class LeadMutation(_LeadCrudMutation):  # type: ignore[valid-type,misc]
    lead_copy = LEADS.copy_field()
