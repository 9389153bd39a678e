"""``leadCopy`` (seed 004 POST /api/lead/{lead}/copy, CopyLeadData l. 16950-16956): a new lead that
inherits the original's properties, with the contact the input names and, where it gives them, its own
account, subject, department and franchise.

Copied: subject, description, source, category, direction, due date, qualification, priority,
customer initiated, handling instructions, form name, vehicle and UTM members, stage, franchise,
department, assignees and custom field values. Reset, as on any new lead: status (OPEN), the visit
counts, every milestone (first open is the copy's creation) and third-party ids (they name the
original in other systems). The account is the input's: the seed says subject, department and
franchise fall back to the original's, and says no such thing of the account.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import strawberry

from gateway.backends.base import Capability, CapabilityNotServed, RecordWriter
from gateway.backends.lead_workflow import LeadCopier
from gateway.backends.records import Entity, Relation
from resolvers.common.fields import optional_field as _f
from resolvers.common.mutations import WritePlan, current_record, insert_planned, write_plan
from resolvers.common.references import RefField, require_refs
from resolvers.common.validation import required_if_given
from resolvers.leads.errors import REQUIRED_CODE
from resolvers.leads.inputs import LEAD_COLUMNS, LEAD_REFS

NOT_COPIED = {"status", "visit_count", "presale_visit_count", "postsale_visit_count"}
COPIED_COLUMNS = tuple(c for c in LEAD_COLUMNS if c not in NOT_COPIED)
COPY_REFS: tuple[RefField, ...] = tuple(
    ref for ref in LEAD_REFS if ref.name in ("contact_id", "account_id", "franchise_id", "department_id")
)
OWN_OR_ORIGINAL = ("subject", "franchise_id", "department_id")  # CopyLeadData: "will use original"


@strawberry.input(description="What a lead's copy changes (seed 004 CopyLeadData).")
class LeadCopyInput:
    contact_id: strawberry.ID = strawberry.field(description="The contact of the copy (required).")
    account_id: strawberry.ID | None = _f("The account of the copy; none when not given.")
    subject: str | None = _f("The copy's subject; the original's when not given.")
    department_id: strawberry.ID | None = _f("The copy's department; the original's when not given.")
    franchise_id: strawberry.ID | None = _f("The copy's franchise; the original's when not given.")


def copy_plan(input: LeadCopyInput) -> WritePlan:
    """The input's values and references, checked before the transaction."""
    plan = write_plan(input, ("subject",), COPY_REFS)
    for name in OWN_OR_ORIGINAL:
        if plan.values.get(name) is None:
            plan.values.pop(name, None)
    plan.problems = (
        required_if_given(plan.values, "subject", ["input", "subject"], REQUIRED_CODE) + plan.problems
    )
    return plan


def copied_upstream(info: strawberry.Info) -> bool:
    """Leads served by an upstream are copied there, by its own copy, or not at all: a create there
    would not be the seed's copy."""
    return info.context.upstream_routes.get(Entity.LEAD) is not None


async def upstream_copy(writer: RecordWriter, original_id: UUID, plan: WritePlan, not_found: Any) -> UUID:
    """The copy made by the leads' upstream (seed 004 POST /api/lead/{lead}/copy), the original and the
    references checked there first so that a wrong ID answers NOT_FOUND, as in SQL."""
    await current_record(writer, Entity.LEAD, original_id, not_found)
    await require_refs(writer, plan.refs)
    if not isinstance(writer, LeadCopier):
        raise CapabilityNotServed(Capability.LEAD_COPY, "The leads upstream")
    return await writer.copy_lead(original_id, plan.values)


async def insert_copy(writer: Any, original_id: UUID, plan: WritePlan, actor: str, not_found: Any) -> UUID:
    original = await current_record(writer, Entity.LEAD, original_id, not_found)
    values = {name: getattr(original, name) for name in (*COPIED_COLUMNS, "stage_id", "franchise_id")}
    values |= {"department_id": original.department_id, "custom_fields": dict(original.custom_fields)}
    values |= {"account_id": None, "status": "OPEN", "first_open_date": datetime.now(UTC)}
    values |= plan.values
    assignees = sorted(await writer.linked_ids(Relation.LEAD_ASSIGNEES, original_id))
    links = {Relation.LEAD_ASSIGNEES: assignees}
    return await insert_planned(writer, Entity.LEAD, WritePlan(values, plan.refs, {}, [], links), actor)
