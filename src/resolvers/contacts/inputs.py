"""Filter, order and mutation inputs of the contacts area."""

from __future__ import annotations

import strawberry

from gateway.backends.records import Entity
from resolvers.common.custom_fields import CustomFieldValueInput
from resolvers.common.details import AddressInput, EmailInput, PhoneInput, ThirdPartyIdInput
from resolvers.common.fields import optional_field as _f
from resolvers.common.fields import unset_field as _u
from resolvers.common.filters import (
    BooleanFilter,
    CustomFieldFilter,
    DateTimeFilter,
    EnumFilter,
    IDFilter,
    StringFilter,
)
from resolvers.common.item_actions import AddressItemChange, EmailItemChange, PhoneItemChange
from resolvers.common.ordering import OrderDirection
from resolvers.common.references import RefField
from resolvers.common.urls import PreferredChannel, UrlInput
from resolvers.contacts.depth_inputs import (
    ContactCompanyProfileInput,
    ContactConsentInput,
    ContactDemographicsInput,
    ContactUdfsInput,
)
from resolvers.contacts.enums import (
    ContactKind,
    ContactLanguage,
    ContactLifeCycleState,
    ContactOrderField,
    Gender,
)
from resolvers.contacts.permissions import ContactPermissionInput
from resolvers.tags.inputs import TagsFilter


@strawberry.input(description="Which contacts to return; all given conditions must hold.")
class ContactFilter:
    and_: list[ContactFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[ContactFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: ContactFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The contact's ID.")
    kind: EnumFilter[ContactKind] | None = _f("Person or company.")
    first_name: StringFilter | None = _f("First name.")
    last_name: StringFilter | None = _f("Last name.")
    company_name: StringFilter | None = _f("Company name.")
    email: StringFilter | None = _f("Any of the contact's e-mail addresses.")
    phone: StringFilter | None = _f("Any of the contact's phone numbers (E.164, e.g. +1514...).")
    city: StringFilter | None = _f("City.")
    country: StringFilter | None = _f("Country.")
    language: StringFilter | None = _f("Preferred language.")
    franchise_id: IDFilter | None = _f("The franchise it belongs to.")
    is_active: BooleanFilter | None = _f("Active or not.")
    opt_out: BooleanFilter | None = _f("Opted out of communication or not.")
    date_created: DateTimeFilter | None = _f("Creation time.")
    date_modified: DateTimeFilter | None = _f("Last change.")
    tags: TagsFilter | None = _f("The tags it carries (any of, all of, none of).")
    custom_fields: list[CustomFieldFilter] | None = _f("Conditions on custom fields, all of which must hold.")
    # Seed 003 contact_information/list identifiers (L464-508); the first three need CUST_SENSITIVE_VIEW.
    id_number: StringFilter | None = _f("Identity card number (needs CUST_SENSITIVE_VIEW).")
    passport_number: StringFilter | None = _f("Passport number (needs CUST_SENSITIVE_VIEW).")
    social_security_number: StringFilter | None = _f("Social security number (needs CUST_SENSITIVE_VIEW).")
    vat_registration_number: StringFilter | None = _f("VAT registration number of the company profile.")
    life_cycle_state: EnumFilter[ContactLifeCycleState] | None = _f("Life cycle state.")


@strawberry.input(description="A sort key for contacts.")
class ContactOrder:
    field: ContactOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )
    custom_field: str | None = _f("With field CUSTOM_FIELD: the fieldName of the custom field.")


@strawberry.input(description="A new contact. Persons need first and last name; companies a company name.")
class ContactCreateInput:
    kind: ContactKind = strawberry.field(default=ContactKind.PERSON, description="Person or company.")
    first_name: str | None = _f("First name.")
    middle_name: str | None = _f("Middle name.")
    last_name: str | None = _f("Last name.")
    preferred_name: str | None = _f("Preferred name.")
    suffix: str | None = _f("Name suffix.")
    civility: str | None = _f("Civility or title.")
    company_name: str | None = _f("Company name.")
    gender: Gender | None = _f("Gender.")
    position_title: str | None = _f("Job title.")
    languages_spoken: list[str] | None = _f("Languages spoken.")
    language: str | None = _f("Preferred language, e.g. fr-CA.")
    preferred_method_of_contact: str | None = _f("Preferred method of contact.")
    opt_out: bool = strawberry.field(default=False, description="Opted out of all communication.")
    is_active: bool = strawberry.field(default=True, description="Active contact.")
    address: str | None = _f("Street address.")
    city: str | None = _f("City.")
    province: str | None = _f("Province or state.")
    postal_code: str | None = _f("Postal or ZIP code.")
    country: str | None = _f("Country.")
    emails: list[EmailInput] | None = _f("E-mail addresses.")
    phones: list[PhoneInput] | None = _f("Phone numbers.")
    addresses: list[AddressInput] | None = _f("Postal addresses.")
    third_party_ids: list[ThirdPartyIdInput] | None = _f("Identifiers in other systems.")
    permissions: list[ContactPermissionInput] | None = _f(
        "Who may see the contact; empty or absent: every user. You must still see it yourself."
    )
    # Seed 000 ContactCommunication (issue 19).
    urls: list[UrlInput] | None = _f("Web addresses; at most one primary.")
    preferred_channel: PreferredChannel | None = _f("The channel it prefers to be reached by.")
    assistant_id: strawberry.ID | None = _f("Its point of contact, e.g. an assistant: a contact.")
    franchise_id: strawberry.ID | None = _f("The franchise it belongs to.")
    custom_field_values: list[CustomFieldValueInput] | None = _f(
        "Custom field values (seed 004 customFieldValues)."
    )
    # Seed 003 contact_information in depth (issue 21).
    life_cycle_state: ContactLifeCycleState | None = _f("Life cycle state (seed 003).")
    category: str | None = _f("Contact category (seed 003 category).")
    owned_by_group: str | None = _f("The group that owns the contact (seed 003 owned_by_group).")
    privacy_level: str | None = _f("Privacy level (seed 003 privacy_level).")
    notes: str | None = _f("Free-text notes.")
    preferred_language: ContactLanguage | None = _f("Preferred language as seed 003's code.")
    demographics: ContactDemographicsInput | None = _f("Personal details (seed 003 demographics).")
    company_profile: ContactCompanyProfileInput | None = _f("Company profile (seed 003 company_profile).")
    consent: ContactConsentInput | None = _f("Marketing consent; who and when are recorded.")
    udfs: ContactUdfsInput | None = _f("User-defined fields (seed 003 udf_*).")


@strawberry.input(description="Changes to a contact: only the fields given change; lists are replaced whole.")
class ContactUpdateInput:
    kind: ContactKind | None = _u("Person or company.")
    first_name: str | None = _u("First name.")
    middle_name: str | None = _u("Middle name.")
    last_name: str | None = _u("Last name.")
    preferred_name: str | None = _u("Preferred name.")
    suffix: str | None = _u("Name suffix.")
    civility: str | None = _u("Civility or title.")
    company_name: str | None = _u("Company name.")
    gender: Gender | None = _u("Gender.")
    position_title: str | None = _u("Job title.")
    languages_spoken: list[str] | None = _u("Languages spoken.")
    language: str | None = _u("Preferred language.")
    preferred_method_of_contact: str | None = _u("Preferred method of contact.")
    opt_out: bool | None = _u("Opted out of all communication.")
    is_active: bool | None = _u("Active contact.")
    address: str | None = _u("Street address.")
    city: str | None = _u("City.")
    province: str | None = _u("Province or state.")
    postal_code: str | None = _u("Postal or ZIP code.")
    country: str | None = _u("Country.")
    emails: list[EmailInput] | None = _u("E-mail addresses (replace the current list).")
    phones: list[PhoneInput] | None = _u("Phone numbers (replace the current list).")
    addresses: list[AddressInput] | None = _u("Postal addresses (replace the current list).")
    third_party_ids: list[ThirdPartyIdInput] | None = _u("Identifiers in other systems (replace the list).")
    permissions: list[ContactPermissionInput] | None = _u(
        "Who may see the contact (replace the list; empty: every user). You must still see it yourself."
    )
    # Seed 000 ContactCommunication (issue 19).
    urls: list[UrlInput] | None = _u("Web addresses (replace the list); at most one primary.")
    preferred_channel: PreferredChannel | None = _u("The channel it prefers to be reached by.")
    assistant_id: strawberry.ID | None = _u("Its point of contact, e.g. an assistant: a contact.")
    franchise_id: strawberry.ID | None = _u("The franchise it belongs to; null for none.")
    custom_field_values: list[CustomFieldValueInput] | None = _u(
        "Custom field values to set or (value null) clear; the others stay."
    )
    # Seed 003 contact_information in depth (issue 21): in the groups, members not given stay.
    life_cycle_state: ContactLifeCycleState | None = _u("Life cycle state (seed 003).")
    category: str | None = _u("Contact category.")
    owned_by_group: str | None = _u("The group that owns the contact.")
    privacy_level: str | None = _u("Privacy level.")
    notes: str | None = _u("Free-text notes.")
    preferred_language: ContactLanguage | None = _u("Preferred language as seed 003's code.")
    demographics: ContactDemographicsInput | None = _u("Personal details to change.")
    company_profile: ContactCompanyProfileInput | None = _u("Company profile members to change.")
    consent: ContactConsentInput | None = _u("Marketing consent flags to change.")
    udfs: ContactUdfsInput | None = _u("User-defined fields to set or (null) clear.")
    # Seed 003 set actions (L3378-3402): one item at a time, instead of the whole list.
    email_items: list[EmailItemChange] | None = _u("Add, update or remove e-mail addresses one by one.")
    phone_items: list[PhoneItemChange] | None = _u("Add, update or remove phone numbers one by one.")
    address_items: list[AddressItemChange] | None = _u("Add, update or remove postal addresses one by one.")


CONTACT_COLUMNS = [
    "kind",
    "first_name",
    "middle_name",
    "last_name",
    "preferred_name",
    "suffix",
    "civility",
    "company_name",
    "gender",
    "position_title",
    "languages_spoken",
    "language",
    "preferred_method_of_contact",
    "opt_out",
    "is_active",
    "address",
    "city",
    "province",
    "postal_code",
    "country",
    "preferred_channel",
    "life_cycle_state",
    "category",
    "owned_by_group",
    "privacy_level",
    "notes",
    "preferred_language",
]
CONTACT_REFS = (
    RefField("assistant_id", "Contact", Entity.CONTACT),
    RefField("franchise_id", "Franchise", Entity.FRANCHISE),
)
