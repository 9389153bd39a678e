"""The ``Contact`` type and its connection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.backends.records import Detail, Entity, Relation
from gateway.planner.plan import Column, FirstOf, Joined, Not, Text, in_sql
from resolvers.common.columns import uses_columns
from resolvers.common.connection import Connection
from resolvers.common.custom_fields import custom_fields_field
from resolvers.common.customer import details_now
from resolvers.common.lists import nested_list
from resolvers.common.node import register_node
from resolvers.contacts.depth import (
    COMPANY_COLUMNS,
    CONSENT_COLUMNS,
    DEMOGRAPHIC_COLUMNS,
    ContactCompanyProfile,
    ContactConsent,
    ContactDemographics,
    ContactUdfs,
    company_profile_of,
    consent_of,
    demographics_of,
    udfs_of,
)
from resolvers.contacts.enums import ContactKind, ContactLanguage, ContactLifeCycleState
from resolvers.contacts.permissions import ContactPermission
from resolvers.contacts.person import Person
from resolvers.contacts.photo import ProfilePhoto, profile_photo_of
from resolvers.lists import (
    ACCOUNT_LIST,
    COMMENT_LIST,
    COMMUNICATION_LIST,
    CONTACT_RELATION_LIST,
    EVENT_LIST,
    LEAD_LIST,
    TAG_LIST,
    TASK_LIST,
)
from resolvers.relations.derived import ALL_RELATIONS, KEY_RELATIONS, related_list
from resolvers.timeline.field import timeline_field

if TYPE_CHECKING:
    from resolvers.accounts.types import Account
from resolvers.lists import DOCUMENT_LIST


@strawberry.type(description="A person or company the business deals with (Thinx customer, ConeCRM contact).")
class Contact(Person):
    kind: ContactKind = strawberry.field(description="Person or company.")
    civility: str | None = strawberry.field(description="Civility or title, e.g. Mrs.")
    company_name: str | None = strawberry.field(description="Company name (required for companies).")
    position_title: str | None = strawberry.field(description="Job title.")
    preferred_method_of_contact: str | None = strawberry.field(
        description="How the contact likes to be reached."
    )
    opt_out: bool = strawberry.field(description="True when the contact opted out of all communication.")

    @strawberry.field(description="Preferred name or first and last name; the company name for companies.")
    @in_sql(
        FirstOf(
            (
                Joined(" ", (FirstOf((Column("preferred_name"), Column("first_name"))), Column("last_name"))),
                Column("company_name"),
                Text(""),
            )
        )
    )
    def display_name(self) -> str:
        record = self.record
        person = " ".join(
            part for part in (record.preferred_name or record.first_name, record.last_name) if part
        )
        return person or record.company_name or ""

    @strawberry.field(description="True for an inactive contact (seed 000 `inactive`).")
    @in_sql(Not(Column("is_active")))
    def inactive(self) -> bool:
        return not self.record.is_active

    @strawberry.field(
        description="Who may see the contact (seed 000 ContactPermission); empty: every user of the tenant."
    )
    def permissions(self, info: strawberry.Info) -> list[ContactPermission]:
        return details_now(info, Detail.PERMISSIONS, self.record.id, ContactPermission)  # type: ignore[no-any-return]

    @strawberry.field(
        description="The profile photo (seed 003 profile_photo/view); null when the contact has none."
    )
    async def profile_photo(self, info: strawberry.Info) -> ProfilePhoto | None:
        return await profile_photo_of(info, self.record.id)  # type: ignore[no-any-return]

    # --- Seed 003 contact_information in depth (issue 21) ---
    life_cycle_state: ContactLifeCycleState | None = strawberry.field(
        description="Life cycle state (seed 003): MARKETING or FINANCIAL."
    )
    category: str | None = strawberry.field(description="Contact category (seed 003 category).")
    owned_by_group: str | None = strawberry.field(
        description="The group that owns it (seed 003 owned_by_group)."
    )
    privacy_level: str | None = strawberry.field(description="Privacy level (seed 003 privacy_level).")
    notes: str | None = strawberry.field(description="Free-text notes (seed 003 notes).")
    preferred_language: ContactLanguage | None = strawberry.field(
        description="Preferred language as seed 003's code (`language` stays the free-form tag)."
    )

    @strawberry.field(description="Personal details (seed 003 demographics); sensitive numbers masked.")
    @uses_columns(*DEMOGRAPHIC_COLUMNS)
    def demographics(self, info: strawberry.Info) -> ContactDemographics:
        return demographics_of(info, self.record)

    @strawberry.field(description="Company registration and size (seed 003 company_profile).")
    @uses_columns(*COMPANY_COLUMNS.values())
    def company_profile(self) -> ContactCompanyProfile:
        return company_profile_of(self.record)

    @strawberry.field(description="Marketing consent with who set each flag and when.")
    @uses_columns(*CONSENT_COLUMNS)
    def consent(self) -> ContactConsent:
        return consent_of(self.record)

    @strawberry.field(
        description="User-defined fields (seed 003 udf_string_1-16, udf_float_1-8, udf_date_1-8)."
    )
    @uses_columns("udfs")
    def udfs(self) -> ContactUdfs:
        return udfs_of(self.record)

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

    # --- Tags and comments (seed 000 Tag, Comment) ---
    tags = nested_list(TAG_LIST, Relation.CONTACT_TAGS, "Tags the contact carries (seed 000 `tags`).")
    comments = nested_list(
        COMMENT_LIST, Relation.CONTACT_COMMENTS, "Comments on the contact (seed 000 `comments`)."
    )

    # --- Seed 000 people model (issue 19): relations (occasions: ``Person``) --------------------------
    relations = nested_list(
        CONTACT_RELATION_LIST,
        Relation.CONTACT_RELATIONS,
        "Its relations to other contacts and to accounts, with type and notes (seed 003 relation_set).",
    )

    key_customers = related_list(
        Relation.CONTACT_RELATIONS,
        KEY_RELATIONS,
        "related_contact_id",
        Entity.CONTACT,
        Annotated["Contact", strawberry.lazy("resolvers.contacts.types")],
        "Contacts it has a key relationship with (seed 000 keyCustomers).",
    )
    key_organizations = related_list(
        Relation.CONTACT_RELATIONS,
        KEY_RELATIONS,
        "related_account_id",
        Entity.ACCOUNT,
        Annotated["Account", strawberry.lazy("resolvers.accounts.types")],
        "Accounts it has a key relationship with (seed 000 keyOrganizations).",
    )
    customers = related_list(
        Relation.CONTACT_RELATIONS,
        ALL_RELATIONS,
        "related_contact_id",
        Entity.CONTACT,
        Annotated["Contact", strawberry.lazy("resolvers.contacts.types")],
        "Contacts it is connected to, key or not (seed 000 customers).",
    )
    # Documents (seed 000 DocumentSummary)
    documents = nested_list(DOCUMENT_LIST, Relation.CONTACT_DOCUMENTS, "Files attached to this contact.")
    timeline = timeline_field(
        Entity.CONTACT,
        "Its tasks, appointments, communications, comments and documents, newest first "
        "(seed 000 CRM_ACTIVITY_VIEW).",
    )


@strawberry.type(name="ContactConnection", description="A page of contacts.")
class ContactConnection(Connection[Contact]):
    pass


register_node(Contact, Entity.CONTACT)
ContactRef = Annotated["Contact", strawberry.lazy("resolvers.contacts.types")]
