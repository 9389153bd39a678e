"""Merges the areas into one ``strawberry.Schema``."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig

from gateway.errors import MaskUnexpectedErrors
from gateway.internals import SuggestionFreeExecution
from gateway.limits import OperationLimits
from gateway.observability.extension import ObserveOperation
from gateway.selection import SelectionHints
from gateway.settings import MAX_BATCH_CEILING
from gateway.suggestions import HideSuggestions
from resolvers.accounts.mutations import AccountMutation
from resolvers.accounts.queries import AccountQuery
from resolvers.apikeys.mutations import ApiKeyMutation
from resolvers.apikeys.queries import ApiKeyQuery
from resolvers.comments.mutations import CommentMutation
from resolvers.common.node_queries import NodeQuery
from resolvers.communications.mutations import CommunicationMutation
from resolvers.communications.queries import CommunicationQuery
from resolvers.communications.queue import CommunicationQueueMutation
from resolvers.communications.subscriptions import CommunicationSubscription
from resolvers.contacts.mutations import ContactMutation
from resolvers.contacts.photo_mutations import ContactProfilePhotoMutation
from resolvers.contacts.queries import ContactQuery
from resolvers.customization.automations import AutomationMutation
from resolvers.customization.mutations import CustomizationMutation
from resolvers.customization.queries import CustomizationQuery
from resolvers.customization.runs import AutomationRunQuery
from resolvers.documents.mutations import DocumentMutation
from resolvers.integrations.mutations import IntegrationMutation
from resolvers.integrations.queries import IntegrationQuery
from resolvers.leads.mutations import LeadMutation
from resolvers.leads.queries import LeadQuery
from resolvers.leads.stage_changes import LeadStageChange
from resolvers.occasions.mutations import OccasionMutation
from resolvers.occasions.queries import OccasionQuery
from resolvers.organization.mutations import RoleMutation, SecurityGroupMutation
from resolvers.organization.queries import OrganizationQuery
from resolvers.organization.settings import MySettingsMutation
from resolvers.permissions.queries import PermissionQuery
from resolvers.planner.extension import PlannedQueries
from resolvers.relations.mutations import ContactRelationMutation
from resolvers.relations.queries import ContactRelationQuery
from resolvers.search.queries import SearchQuery
from resolvers.stages.mutations import StageMutation
from resolvers.stages.queries import StageQuery
from resolvers.tags.mutations import TagMutation
from resolvers.tags.queries import TagQuery
from resolvers.tasks.mutations import TaskMutation
from resolvers.tasks.queries import TaskQuery
from resolvers.tasks.types import EVENT_TYPES
from resolvers.users.mutations import DepartmentMutation, FranchiseMutation, UserMutation
from resolvers.users.queries import UserQuery


@strawberry.type(description="Everything a caller can read, scoped to the tenant of its token.")
class Query(
    NodeQuery,
    UserQuery,
    PermissionQuery,
    ContactQuery,
    AccountQuery,
    LeadQuery,
    SearchQuery,
    TaskQuery,
    StageQuery,
    ApiKeyQuery,
    CommunicationQuery,
    IntegrationQuery,
    CustomizationQuery,
    TagQuery,
    OccasionQuery,
    ContactRelationQuery,
    AutomationRunQuery,
    OrganizationQuery,
):
    pass


@strawberry.type(description="Changes to CRM data; each mutation runs in one transaction.")
class Mutation(
    ContactMutation,
    AccountMutation,
    LeadMutation,
    TaskMutation,
    StageMutation,
    CommunicationMutation,
    CommunicationQueueMutation,
    ApiKeyMutation,
    IntegrationMutation,
    CustomizationMutation,
    AutomationMutation,
    TagMutation,
    CommentMutation,
    OccasionMutation,
    ContactRelationMutation,
    DocumentMutation,
    ContactProfilePhotoMutation,
    FranchiseMutation,
    DepartmentMutation,
    UserMutation,
    RoleMutation,
    SecurityGroupMutation,
    MySettingsMutation,
):
    pass


@strawberry.type(
    description="Live events over WebSocket (graphql-transport-ws), scoped to the tenant of your token."
)
class Subscription(CommunicationSubscription):
    pass


schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[*EVENT_TYPES, LeadStageChange],  # reached through `Node` only (`TimelineItem.node`)
    # OperationLimits enforces the caller's limits and reports extensions.cost (counts and estimate);
    # ObserveOperation names the operation for metrics and logs (and traces it), around all the others.
    extensions=[
        ObserveOperation,
        MaskUnexpectedErrors,
        OperationLimits,
        HideSuggestions,
        SelectionHints,
        PlannedQueries,  # last: after the limits have refused what they refuse
    ],
    # The view refuses batches over CRM_GATEWAY_MAX_BATCH_OPERATIONS first; this is Strawberry's ceiling.
    config=StrawberryConfig(batching_config={"max_operations": MAX_BATCH_CEILING}),
    # No "Did you mean ...?" in coercion errors in production (gateway/suggestions.py).
    execution_context_class=SuggestionFreeExecution,
)
