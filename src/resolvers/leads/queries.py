"""Lead queries, including ConeCRM's open leads of a contact."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.backends.query import AllOf, Condition, ListQuery, Op, OrderKey, PageRequest
from gateway.backends.records import Entity
from resolvers.common.ids import decode_id_of
from resolvers.common.links import load_node
from resolvers.common.lists import root_list
from resolvers.common.lookups import node_by_id
from resolvers.common.node import node_from_record
from resolvers.common.permissions import reads
from resolvers.leads.types import Lead
from resolvers.lists import LEAD_LIST


@strawberry.type
class LeadQuery:
    @strawberry.field(
        description="A lead by ID; null if it does not exist in your tenant.", extensions=reads(Entity.LEAD)
    )
    async def lead(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The lead's ID.")],
    ) -> Lead | None:
        return await node_by_id(info, id, Entity.LEAD, "Lead")  # type: ignore[no-any-return]

    leads = root_list(LEAD_LIST, "Leads, filtered, sorted and paged.")

    @strawberry.field(
        description=(
            "The open leads of a contact, oldest first (ConeCRM GET /api/contact/{id}/lead/open); "
            "empty for a deleted contact or one you cannot see (row rules)."
        ),
        extensions=reads(Entity.LEAD),
    )
    async def open_leads_for_contact(
        self,
        info: strawberry.Info,
        contact_id: Annotated[strawberry.ID, strawberry.argument(description="The contact's ID.")],
    ) -> list[Lead] | None:
        contact = decode_id_of(contact_id, "Contact")
        if await load_node(info, Entity.CONTACT, contact) is None:
            return []  # a contact the caller cannot see (row rules) answers like an unknown one
        condition = AllOf((Condition("contact_id", Op.EQ, contact), Condition("status", Op.EQ, "OPEN")))
        page = PageRequest(first=info.context.settings.max_page_size)
        query = ListQuery(filter=condition, order=(OrderKey("date_created"),), page=page)
        found = await info.context.loaders.page(Entity.LEAD, query)
        return [node_from_record(Entity.LEAD, record) for record in found.rows]
