"""Merges the areas into one ``strawberry.Schema``."""

from __future__ import annotations

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.tools import merge_types

from gateway.errors import MaskUnexpectedErrors
from resolvers.accounts.queries import AccountQuery
from resolvers.common.node_queries import NodeQuery
from resolvers.contacts.mutations import ContactMutation
from resolvers.contacts.queries import ContactQuery
from resolvers.leads.queries import LeadQuery
from resolvers.stages.queries import StageQuery
from resolvers.tasks.queries import TaskQuery
from resolvers.tasks.types import EVENT_TYPES
from resolvers.users.queries import UserQuery

Query = merge_types(
    "Query", (NodeQuery, UserQuery, ContactQuery, AccountQuery, LeadQuery, TaskQuery, StageQuery)
)
Mutation = merge_types("Mutation", (ContactMutation,))


class CostExtension(SchemaExtension):
    """``extensions.cost``: SQL statements and upstream calls that served this response."""

    def get_results(self) -> dict[str, object]:
        context = self.execution_context.context
        return {"cost": context.cost.as_extension()} if context is not None else {}


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    types=[*EVENT_TYPES],
    extensions=[MaskUnexpectedErrors, CostExtension],
)
