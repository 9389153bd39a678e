"""Filter, order and mutation inputs of the accounts area."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway.backends.records import Entity
from resolvers.common.custom_fields import CustomFieldValueInput
from resolvers.common.details import AddressInput, EmailInput, PhoneInput, ThirdPartyIdInput
from resolvers.common.fields import optional_field as _f
from resolvers.common.fields import unset_field as _u
from resolvers.common.filters import BooleanFilter, CustomFieldFilter, DateTimeFilter, IDFilter, StringFilter
from resolvers.common.ordering import OrderDirection
from resolvers.common.references import RefField
from resolvers.common.urls import PreferredChannel, UrlInput
from resolvers.tags.inputs import TagsFilter


@strawberry.enum(description="Fields accounts can be sorted by.")
class AccountOrderField(Enum):
    DATE_CREATED = strawberry.enum_value("date_created", description="Creation time.")
    DATE_MODIFIED = strawberry.enum_value("date_modified", description="Last change.")
    NAME = strawberry.enum_value("name", description="Name.")
    CITY = strawberry.enum_value("city", description="City.")
    CUSTOM_FIELD = strawberry.enum_value(
        "custom_field", description="The custom field named in `customField`."
    )


@strawberry.input(description="Which accounts to return; all given conditions must hold.")
class AccountFilter:
    and_: list[AccountFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[AccountFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: AccountFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The account's ID.")
    name: StringFilter | None = _f("Name.")
    alias: StringFilter | None = _f("Alias.")
    email: StringFilter | None = _f("Any of the account's e-mail addresses.")
    phone: StringFilter | None = _f("Any of the account's phone numbers (E.164).")
    city: StringFilter | None = _f("City.")
    country: StringFilter | None = _f("Country.")
    primary_contact_id: IDFilter | None = _f("The primary contact.")
    franchise_id: IDFilter | None = _f("The franchise it belongs to.")
    is_active: BooleanFilter | None = _f("Active or not.")
    date_created: DateTimeFilter | None = _f("Creation time.")
    date_modified: DateTimeFilter | None = _f("Last change.")
    tags: TagsFilter | None = _f("The tags it carries (any of, all of, none of).")
    custom_fields: list[CustomFieldFilter] | None = _f("Conditions on custom fields, all of which must hold.")


@strawberry.input(description="A sort key for accounts.")
class AccountOrder:
    field: AccountOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )
    custom_field: str | None = _f("With field CUSTOM_FIELD: the fieldName of the custom field.")


@strawberry.input(description="A new account (organization).")
class AccountCreateInput:
    name: str = strawberry.field(description="Name (required).")
    alias: str | None = _f("Alias.")
    primary_contact_id: strawberry.ID | None = _f("The primary contact; also linked to the account.")
    language: str | None = _f("Preferred language.")
    is_active: bool = strawberry.field(default=True, description="Active account.")
    address: str | None = _f("Street address.")
    city: str | None = _f("City.")
    province: str | None = _f("Province or state.")
    postal_code: str | None = _f("Postal or ZIP code.")
    country: str | None = _f("Country.")
    emails: list[EmailInput] | None = _f("E-mail addresses.")
    phones: list[PhoneInput] | None = _f("Phone numbers.")
    addresses: list[AddressInput] | None = _f("Postal addresses.")
    third_party_ids: list[ThirdPartyIdInput] | None = _f("Identifiers in other systems.")
    # Seed 000 ContactCommunication (issue 19).
    urls: list[UrlInput] | None = _f("Web addresses; at most one primary.")
    preferred_channel: PreferredChannel | None = _f("The channel it prefers to be reached by.")
    assistant_id: strawberry.ID | None = _f("Its point of contact, e.g. an assistant: a contact.")
    franchise_id: strawberry.ID | None = _f("The franchise it belongs to.")
    owner_id: strawberry.ID | None = _f("The user who owns the account (seed 000 owner).")
    custom_field_values: list[CustomFieldValueInput] | None = _f(
        "Custom field values (seed 004 customFieldValues)."
    )


@strawberry.input(
    description="Changes to an account: only the fields given change; lists are replaced whole."
)
class AccountUpdateInput:
    name: str | None = _u("Name.")
    alias: str | None = _u("Alias.")
    primary_contact_id: strawberry.ID | None = _u("The primary contact.")
    language: str | None = _u("Preferred language.")
    is_active: bool | None = _u("Active account.")
    address: str | None = _u("Street address.")
    city: str | None = _u("City.")
    province: str | None = _u("Province or state.")
    postal_code: str | None = _u("Postal or ZIP code.")
    country: str | None = _u("Country.")
    emails: list[EmailInput] | None = _u("E-mail addresses (replace the list).")
    phones: list[PhoneInput] | None = _u("Phone numbers (replace the list).")
    addresses: list[AddressInput] | None = _u("Postal addresses (replace the list).")
    third_party_ids: list[ThirdPartyIdInput] | None = _u("Identifiers in other systems (replace the list).")
    # Seed 000 ContactCommunication (issue 19).
    urls: list[UrlInput] | None = _u("Web addresses (replace the list); at most one primary.")
    preferred_channel: PreferredChannel | None = _u("The channel it prefers to be reached by.")
    assistant_id: strawberry.ID | None = _u("Its point of contact, e.g. an assistant: a contact.")
    franchise_id: strawberry.ID | None = _u("The franchise it belongs to; null for none.")
    owner_id: strawberry.ID | None = _u("The user who owns the account.")
    custom_field_values: list[CustomFieldValueInput] | None = _u(
        "Custom field values to set or (value null) clear; the others stay."
    )


ACCOUNT_COLUMNS = [
    "name",
    "alias",
    "language",
    "is_active",
    "address",
    "city",
    "province",
    "postal_code",
    "country",
    "preferred_channel",
]
ACCOUNT_REFS = (
    RefField("primary_contact_id", "Contact", Entity.CONTACT),
    RefField("assistant_id", "Contact", Entity.CONTACT),
    RefField("franchise_id", "Franchise", Entity.FRANCHISE),
    RefField("owner_id", "User", Entity.USER),
)
