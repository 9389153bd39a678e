"""The ``Contact`` type and its connection."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.backends.records import Detail, Entity, Relation
from resolvers.common.columns import uses_columns
from resolvers.common.connection import Connection
from resolvers.common.custom_fields import custom_fields_field
from resolvers.common.customer import BaseCustomer, details_now
from resolvers.common.lists import nested_list
from resolvers.common.node import register_node
from resolvers.contacts.enums import ContactKind, Gender
from resolvers.contacts.permissions import ContactPermission
from resolvers.lists import ACCOUNT_LIST, COMMUNICATION_LIST, EVENT_LIST, LEAD_LIST, TASK_LIST


@strawberry.type(description="A person or company the business deals with (Thinx customer, ConeCRM contact).")
class Contact(BaseCustomer):
    kind: ContactKind = strawberry.field(description="Person or company.")
    first_name: str | None = strawberry.field(description="First name.")
    middle_name: str | None = strawberry.field(description="Middle name.")
    last_name: str | None = strawberry.field(description="Last name.")
    preferred_name: str | None = strawberry.field(description="The name the contact likes to be called.")
    suffix: str | None = strawberry.field(description="Name suffix, e.g. Jr.")
    civility: str | None = strawberry.field(description="Civility or title, e.g. Mrs.")
    company_name: str | None = strawberry.field(description="Company name (required for companies).")
    gender: Gender | None = strawberry.field(description="Gender.")
    position_title: str | None = strawberry.field(description="Job title.")
    languages_spoken: list[str] = strawberry.field(description="Languages the contact speaks.")
    preferred_method_of_contact: str | None = strawberry.field(
        description="How the contact likes to be reached."
    )
    opt_out: bool = strawberry.field(description="True when the contact opted out of all communication.")

    @strawberry.field(description="Preferred name or first and last name; the company name for companies.")
    @uses_columns("preferred_name", "first_name", "last_name", "company_name")
    def display_name(self) -> str:
        record = self.record
        person = " ".join(
            part for part in (record.preferred_name or record.first_name, record.last_name) if part
        )
        return person or record.company_name or ""

    @strawberry.field(description="True for an inactive contact (seed 000 `inactive`).")
    @uses_columns("is_active")
    def inactive(self) -> bool:
        return not self.record.is_active

    @strawberry.field(
        description="Who may see the contact (seed 000 ContactPermission); empty: every user of the tenant."
    )
    def permissions(self, info: strawberry.Info) -> list[ContactPermission]:
        return details_now(info, Detail.PERMISSIONS, self.record.id, ContactPermission)  # type: ignore[no-any-return]

    custom_fields = custom_fields_field(Entity.CONTACT)
    accounts = nested_list(
        ACCOUNT_LIST, Relation.CONTACT_ACCOUNTS, "Accounts (organizations) the contact belongs to."
    )
    leads = nested_list(LEAD_LIST, Relation.CONTACT_LEADS, "Leads of this contact.")
    events = nested_list(
        EVENT_LIST, Relation.CONTACT_EVENTS, "Tasks, appointments and follow-ups of this contact."
    )
    tasks = nested_list(TASK_LIST, Relation.CONTACT_EVENTS, "Tasks only (kind TASK) of this contact.")
    communications = nested_list(
        COMMUNICATION_LIST, Relation.CONTACT_COMMUNICATIONS, "Communications with this contact (seed 001)."
    )


@strawberry.type(name="ContactConnection", description="A page of contacts.")
class ContactConnection(Connection[Contact]):
    pass


register_node(Contact, Entity.CONTACT)
ContactRef = Annotated["Contact", strawberry.lazy("resolvers.contacts.types")]
