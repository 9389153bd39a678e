"""Occasion mutations on the CRUD factory: create, update, soft delete and restore.

They need CUST_WRITE; an account's occasions also need CUST_ORGANIZATION_EDIT (``common/owned.py``).
The owner is fixed at creation.
"""

from __future__ import annotations

from uuid import UUID

import strawberry

from gateway.backends.base import RecordWriter
from gateway.backends.records import Entity
from gateway.permissions import CUST_WRITE
from resolvers.common.crud import Change, CrudMutations, crud_permissions
from resolvers.common.errors import UserError
from resolvers.common.mutations import WritePlan
from resolvers.common.owned import require_account_edit, require_account_edit_in
from resolvers.occasions.calendar import month_day
from resolvers.occasions.errors import date_required, occasion_not_found, owner_problems
from resolvers.occasions.inputs import (
    OCCASION_COLUMNS,
    OCCASION_REFS,
    OccasionCreateInput,
    OccasionUpdateInput,
)
from resolvers.occasions.types import Occasion


def _with_month_day(plan: WritePlan) -> None:
    if "date" not in plan.values:
        return
    if plan.values["date"] is None:
        plan.problems.append(date_required())
    else:
        plan.values["month_day"] = month_day(plan.values["date"])


class OccasionCrud(CrudMutations):
    node, create_input, update_input = Occasion, OccasionCreateInput, OccasionUpdateInput
    permissions = crud_permissions(CUST_WRITE, CUST_WRITE, CUST_WRITE)
    columns, refs = OCCASION_COLUMNS, OCCASION_REFS

    def not_found(self, path: list[str] | None = None) -> UserError:
        return occasion_not_found(path)

    def clean_create(self, info: strawberry.Info, input: OccasionCreateInput, plan: WritePlan) -> None:
        plan.problems = owner_problems(input.contact_id, input.account_id) + plan.problems
        require_account_edit(info, input.account_id)
        _with_month_day(plan)

    def clean_update(self, info: strawberry.Info, input: OccasionUpdateInput, plan: WritePlan) -> None:
        _with_month_day(plan)

    async def update(self, change: Change) -> UUID:
        require_account_edit(change.info, (await self.stored(change)).account_id)
        return await super().update(change)

    async def veto_delete(self, writer: RecordWriter, record_id: UUID) -> None:
        await require_account_edit_in(writer, Entity.OCCASION, record_id, "account_id")

    async def veto_restore(self, writer: RecordWriter, record_id: UUID) -> None:
        await require_account_edit_in(writer, Entity.OCCASION, record_id, "account_id")


OCCASIONS = OccasionCrud()


@strawberry.type
class OccasionMutation(OCCASIONS.mutation_type()):  # type: ignore[misc]
    pass
