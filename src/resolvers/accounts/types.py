"""The ``Account`` type and its connection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.backends.records import Entity, Relation
from resolvers.common.columns import uses_columns
from resolvers.common.connection import Connection
from resolvers.common.custom_fields import custom_fields_field
from resolvers.common.customer import BaseCustomer
from resolvers.common.links import load_node
from resolvers.common.lists import nested_list
from resolvers.common.node import register_node
from resolvers.common.permissions import reads
from resolvers.lists import COMMUNICATION_LIST, CONTACT_LIST, EVENT_LIST, LEAD_LIST, TASK_LIST

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


@strawberry.type(name="AccountConnection", description="A page of accounts.")
class AccountConnection(Connection[Account]):
    pass


register_node(Account, Entity.ACCOUNT)
