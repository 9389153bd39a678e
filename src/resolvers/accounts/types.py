"""The ``Account`` type and its connection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.backends.records import Detail, Entity, Relation
from resolvers.common.base import BaseRecord
from resolvers.common.connection import Connection
from resolvers.common.details import Address, Email, Phone, ThirdPartyId
from resolvers.common.links import load_node
from resolvers.common.lists import nested_list
from resolvers.common.node import register_node
from resolvers.common.records import from_record
from resolvers.lists import CONTACT_LIST, EVENT_LIST, LEAD_LIST, TASK_LIST

if TYPE_CHECKING:
    from resolvers.contacts.types import Contact


@strawberry.type(description="An organization (ConeCRM Account, Thinx Organization, CRM.COM COMPANY).")
class Account(BaseRecord):
    name: str = strawberry.field(description="Name.")
    alias: str | None = strawberry.field(description="Alias.")
    language: str | None = strawberry.field(description="Preferred language.")
    is_active: bool = strawberry.field(description="False for an inactive account.")
    address: str | None = strawberry.field(description="Street address (ConeCRM flat form).")
    city: str | None = strawberry.field(description="City.")
    province: str | None = strawberry.field(description="Province or state.")
    postal_code: str | None = strawberry.field(description="Postal or ZIP code.")
    country: str | None = strawberry.field(description="Country.")

    @strawberry.field(description="The account's main contact person.")
    async def primary_contact(
        self, info: strawberry.Info
    ) -> Annotated[Contact, strawberry.lazy("resolvers.contacts.types")] | None:
        return await load_node(info, Entity.CONTACT, self.record.primary_contact_id)

    @strawberry.field(description="E-mail addresses.")
    async def emails(self, info: strawberry.Info) -> list[Email]:
        records = await info.context.loaders.details(Detail.EMAILS).load(self.record.id)
        return [from_record(Email, record) for record in records]

    @strawberry.field(description="Phone, mobile and fax numbers.")
    async def phones(self, info: strawberry.Info) -> list[Phone]:
        records = await info.context.loaders.details(Detail.PHONES).load(self.record.id)
        return [from_record(Phone, record) for record in records]

    @strawberry.field(description="Postal addresses.")
    async def addresses(self, info: strawberry.Info) -> list[Address]:
        records = await info.context.loaders.details(Detail.ADDRESSES).load(self.record.id)
        return [from_record(Address, record) for record in records]

    @strawberry.field(description="Identifiers of this account in other systems.")
    async def third_party_ids(self, info: strawberry.Info) -> list[ThirdPartyId]:
        records = await info.context.loaders.details(Detail.THIRD_PARTY_IDS).load(self.record.id)
        return [from_record(ThirdPartyId, record) for record in records]

    contacts = nested_list(CONTACT_LIST, Relation.ACCOUNT_CONTACTS, "Contacts that belong to this account.")
    leads = nested_list(LEAD_LIST, Relation.ACCOUNT_LEADS, "Leads of this account.")
    events = nested_list(
        EVENT_LIST, Relation.ACCOUNT_EVENTS, "Tasks, appointments and follow-ups of this account."
    )
    tasks = nested_list(TASK_LIST, Relation.ACCOUNT_EVENTS, "Tasks only (kind TASK) of this account.")


@strawberry.type(name="AccountConnection", description="A page of accounts.")
class AccountConnection(Connection[Account]):
    pass


register_node(Account, Entity.ACCOUNT)
