"""The ``Account`` type and its connection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.backends.records import Entity, Relation
from resolvers.common.columns import uses_columns
from resolvers.common.connection import Connection
from resolvers.common.custom_fields import custom_fields_field
from resolvers.common.customer import BaseCustomer
from resolvers.common.links import link, load_node
from resolvers.common.lists import nested_list
from resolvers.common.node import register_node
from resolvers.common.permissions import reads
from resolvers.lists import (
    COMMENT_LIST,
    COMMUNICATION_LIST,
    CONTACT_LIST,
    CONTACT_RELATION_LIST,
    DOCUMENT_LIST,
    EVENT_LIST,
    LEAD_LIST,
    OCCASION_LIST,
    TAG_LIST,
    TASK_LIST,
)
from resolvers.relations.derived import KEY_RELATIONS, related_list
from resolvers.timeline.field import timeline_field
from resolvers.users.types import User

if TYPE_CHECKING:
    from resolvers.contacts.types import Contact


@strawberry.type(description="An organization (ConeCRM Account, Thinx Organization, CRM.COM COMPANY).")
class Account(BaseCustomer):
    name: str = strawberry.field(description="Name.")
    alias: str | None = strawberry.field(description="Alias.")

    @strawberry.field(description="The account's main contact person.", extensions=reads(Entity.CONTACT))
    @uses_columns("primary_contact_id")
    async def primary_contact(
        self, info: strawberry.Info
    ) -> Annotated[Contact, strawberry.lazy("resolvers.contacts.types")] | None:
        return await load_node(info, Entity.CONTACT, self.record.primary_contact_id)

    custom_fields = custom_fields_field(Entity.ACCOUNT)
    contacts = nested_list(CONTACT_LIST, Relation.ACCOUNT_CONTACTS, "Contacts that belong to this account.")
    leads = nested_list(LEAD_LIST, Relation.ACCOUNT_LEADS, "Leads of this account.")
    events = nested_list(
        EVENT_LIST, Relation.ACCOUNT_EVENTS, "Tasks, appointments and follow-ups of this account."
    )
    tasks = nested_list(TASK_LIST, Relation.ACCOUNT_EVENTS, "Tasks only (kind TASK) of this account.")
    communications = nested_list(
        COMMUNICATION_LIST, Relation.ACCOUNT_COMMUNICATIONS, "Communications that refer to this account."
    )

    # --- Tags and comments (seed 000 Tag, Comment) ---
    tags = nested_list(TAG_LIST, Relation.ACCOUNT_TAGS, "Tags the organization carries (seed 000 `tags`).")
    comments = nested_list(
        COMMENT_LIST, Relation.ACCOUNT_COMMENTS, "Comments on the organization (seed 000 `comments`)."
    )

    # --- Seed 000 people model (issue 19): owner, occasions and relations ---------------------------
    occasions = nested_list(OCCASION_LIST, Relation.ACCOUNT_OCCASIONS, "Important dates (seed 000 Occasion).")
    relations = nested_list(
        CONTACT_RELATION_LIST, Relation.ACCOUNT_RELATIONS, "Contacts' relations to this account."
    )

    @strawberry.field(
        description="The user who owns the account (seed 000 owner).", extensions=reads(Entity.USER)
    )
    @uses_columns("owner_id")
    def owner(self, info: strawberry.Info) -> User | None:
        return link(info, Entity.USER, self.record.owner_id)  # type: ignore[no-any-return]

    key_customers = related_list(
        Relation.ACCOUNT_RELATIONS,
        KEY_RELATIONS,
        "contact_id",
        Entity.CONTACT,
        Annotated["Contact", strawberry.lazy("resolvers.contacts.types")],
        "Its key contacts (seed 000 keyCustomers): the primary contact first, then the contacts with a key "
        "relationship to it.",
        first="primary_contact_id",
    )
    # Documents (seed 000 DocumentSummary)
    documents = nested_list(DOCUMENT_LIST, Relation.ACCOUNT_DOCUMENTS, "Files attached to this account.")
    timeline = timeline_field(
        Entity.ACCOUNT,
        "Its tasks, appointments, communications, comments and documents, newest first "
        "(seed 000 CRM_ACTIVITY_VIEW).",
    )


@strawberry.type(name="AccountConnection", description="A page of accounts.")
class AccountConnection(Connection[Account]):
    pass


register_node(Account, Entity.ACCOUNT)
