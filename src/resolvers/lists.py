"""What each list of the graph holds. Connections are lazy: areas refer to each other's types."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.backends.query import Condition, Op, OrderKey
from gateway.backends.records import Detail, Entity
from resolvers.accounts.inputs import AccountFilter, AccountOrder
from resolvers.comments.inputs import CommentFilter, CommentOrder
from resolvers.common.listspec import Link, ListSpec
from resolvers.communications.inputs import (
    CommunicationFilter,
    CommunicationOrder,
    CommunicationQueueEntryFilter,
    CommunicationQueueEntryOrder,
    CommunicationSettingFilter,
    CommunicationSettingOrder,
)
from resolvers.contacts.inputs import ContactFilter, ContactOrder
from resolvers.documents.inputs import DocumentFilter, DocumentOrder
from resolvers.leads.inputs import LeadFilter, LeadOrder
from resolvers.occasions.inputs import OccasionFilter, OccasionOrder
from resolvers.organization.inputs import (
    RoleFilter,
    SecurityGroupFilter,
    UserSettingsFilter,
    UserSettingsOrder,
)
from resolvers.relations.inputs import ContactRelationFilter, ContactRelationOrder
from resolvers.stages.inputs import StageFilter, StageOrder
from resolvers.tags.inputs import TagFilter, TagOrder
from resolvers.tasks.inputs import EventFilter, EventOrder
from resolvers.users.inputs import (
    DepartmentFilter,
    FranchiseFilter,
    OrganizationOrder,
    UserFilter,
    UserOrder,
)

if TYPE_CHECKING:
    from resolvers.accounts.types import AccountConnection
    from resolvers.comments.types import CommentConnection
    from resolvers.communications.types import (
        CommunicationCategoryConnection,
        CommunicationConnection,
        CommunicationQueueEntryConnection,
        CommunicationQueueExternalSystemConnection,
        CommunicationTemplateConnection,
    )
    from resolvers.contacts.types import ContactConnection
    from resolvers.documents.types import DocumentConnection
    from resolvers.leads.types import LeadConnection
    from resolvers.occasions.types import OccasionConnection
    from resolvers.organization.types import RoleConnection, SecurityGroupConnection, UserSettingsConnection
    from resolvers.relations.types import ContactRelationConnection
    from resolvers.stages.types import StageConnection
    from resolvers.tags.types import TagConnection
    from resolvers.tasks.types import EventConnection
    from resolvers.users.types import DepartmentConnection, FranchiseConnection, UserConnection

# The contact and account a lead or an event is with (the planner joins them; columns.py reads them).
_CUSTOMER_LINKS = (
    Link("contact", Entity.CONTACT, "contact_id"),
    Link("account", Entity.ACCOUNT, "account_id"),
)

# The detail lists contacts and accounts share (``BaseCustomer``), by GraphQL field name.
_CUSTOMER_DETAILS = (
    ("emails", Detail.EMAILS),
    ("phones", Detail.PHONES),
    ("addresses", Detail.ADDRESSES),
    ("thirdPartyIds", Detail.THIRD_PARTY_IDS),
    ("urls", Detail.URLS),
)

CONTACT_LIST = ListSpec(
    Entity.CONTACT,
    Annotated["ContactConnection", strawberry.lazy("resolvers.contacts.types")],
    ContactFilter,
    ContactOrder,
    details=(*_CUSTOMER_DETAILS, ("permissions", Detail.PERMISSIONS)),
)
ACCOUNT_LIST = ListSpec(
    Entity.ACCOUNT,
    Annotated["AccountConnection", strawberry.lazy("resolvers.accounts.types")],
    AccountFilter,
    AccountOrder,
    details=_CUSTOMER_DETAILS,
)
LEAD_LIST = ListSpec(
    Entity.LEAD,
    Annotated["LeadConnection", strawberry.lazy("resolvers.leads.types")],
    LeadFilter,
    LeadOrder,
    links=(
        *_CUSTOMER_LINKS,
        Link("stage", Entity.STAGE, "stage_id"),
        Link("franchise", Entity.FRANCHISE, "franchise_id"),
        Link("department", Entity.DEPARTMENT, "department_id"),
    ),
)
EVENT_LIST = ListSpec(
    Entity.EVENT,
    Annotated["EventConnection", strawberry.lazy("resolvers.tasks.types")],
    EventFilter,
    EventOrder,
    links=(
        *_CUSTOMER_LINKS,
        Link("assignee", Entity.USER, "assignee_id"),
        Link("lead", Entity.LEAD, "lead_id"),
    ),
)
STAGE_LIST = ListSpec(
    Entity.STAGE,
    Annotated["StageConnection", strawberry.lazy("resolvers.stages.types")],
    StageFilter,
    StageOrder,
    default_order=(OrderKey("position"),),
)
USER_LIST = ListSpec(
    Entity.USER, Annotated["UserConnection", strawberry.lazy("resolvers.users.types")], UserFilter, UserOrder
)
_USERS = "resolvers.users.types"
FRANCHISE_LIST = ListSpec(
    Entity.FRANCHISE,
    Annotated["FranchiseConnection", strawberry.lazy(_USERS)],
    FranchiseFilter,
    OrganizationOrder,
)
DEPARTMENT_LIST = ListSpec(
    Entity.DEPARTMENT,
    Annotated["DepartmentConnection", strawberry.lazy(_USERS)],
    DepartmentFilter,
    OrganizationOrder,
    links=(Link("franchise", Entity.FRANCHISE, "franchise_id"),),
)
_ORGANIZATION = "resolvers.organization.types"
ROLE_LIST = ListSpec(
    Entity.ROLE, Annotated["RoleConnection", strawberry.lazy(_ORGANIZATION)], RoleFilter, OrganizationOrder
)
SECURITY_GROUP_LIST = ListSpec(
    Entity.SECURITY_GROUP,
    Annotated["SecurityGroupConnection", strawberry.lazy(_ORGANIZATION)],
    SecurityGroupFilter,
    OrganizationOrder,
)
USER_SETTINGS_LIST = ListSpec(
    Entity.USER_SETTINGS,
    Annotated["UserSettingsConnection", strawberry.lazy(_ORGANIZATION)],
    UserSettingsFilter,
    UserSettingsOrder,
    links=(Link("user", Entity.USER, "user_id"),),
)
TASK_LIST = dataclasses.replace(EVENT_LIST, scope=Condition("kind", Op.EQ, "TASK"))

_COMMUNICATIONS = "resolvers.communications.types"
COMMUNICATION_LIST = ListSpec(
    Entity.COMMUNICATION,
    Annotated["CommunicationConnection", strawberry.lazy(_COMMUNICATIONS)],
    CommunicationFilter,
    CommunicationOrder,
)
COMMUNICATION_QUEUE_ENTRY_LIST = ListSpec(
    Entity.COMMUNICATION_QUEUE_ENTRY,
    Annotated["CommunicationQueueEntryConnection", strawberry.lazy(_COMMUNICATIONS)],
    CommunicationQueueEntryFilter,
    CommunicationQueueEntryOrder,
)
COMMUNICATION_CATEGORY_LIST = ListSpec(
    Entity.COMMUNICATION_CATEGORY,
    Annotated["CommunicationCategoryConnection", strawberry.lazy(_COMMUNICATIONS)],
    CommunicationSettingFilter,
    CommunicationSettingOrder,
)
COMMUNICATION_TEMPLATE_LIST = ListSpec(
    Entity.COMMUNICATION_TEMPLATE,
    Annotated["CommunicationTemplateConnection", strawberry.lazy(_COMMUNICATIONS)],
    CommunicationSettingFilter,
    CommunicationSettingOrder,
)
COMMUNICATION_QUEUE_EXTERNAL_SYSTEM_LIST = ListSpec(
    Entity.COMMUNICATION_QUEUE_EXTERNAL_SYSTEM,
    Annotated["CommunicationQueueExternalSystemConnection", strawberry.lazy(_COMMUNICATIONS)],
    CommunicationSettingFilter,
    CommunicationSettingOrder,
)

# Tags and comments of contacts and organizations (seed 000).
TAG_LIST = ListSpec(
    Entity.TAG, Annotated["TagConnection", strawberry.lazy("resolvers.tags.types")], TagFilter, TagOrder
)
COMMENT_LIST = ListSpec(
    Entity.COMMENT,
    Annotated["CommentConnection", strawberry.lazy("resolvers.comments.types")],
    CommentFilter,
    CommentOrder,
    links=(Link("author", Entity.USER, "author_id"),),
)
# Seed 000 people model: occasions and contact relations of contacts and accounts.
OCCASION_LIST = ListSpec(
    Entity.OCCASION,
    Annotated["OccasionConnection", strawberry.lazy("resolvers.occasions.types")],
    OccasionFilter,
    OccasionOrder,
    links=_CUSTOMER_LINKS,
)
CONTACT_RELATION_LIST = ListSpec(
    Entity.CONTACT_RELATION,
    Annotated["ContactRelationConnection", strawberry.lazy("resolvers.relations.types")],
    ContactRelationFilter,
    ContactRelationOrder,
    links=(
        Link("contact", Entity.CONTACT, "contact_id"),
        Link("relatedContact", Entity.CONTACT, "related_contact_id"),
        Link("relatedAccount", Entity.ACCOUNT, "related_account_id"),
    ),
)
DOCUMENT_LIST = ListSpec(
    Entity.DOCUMENT,
    Annotated["DocumentConnection", strawberry.lazy("resolvers.documents.types")],
    DocumentFilter,
    DocumentOrder,
)
