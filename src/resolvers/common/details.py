"""Value lists a contact or account owns (seed 000 Email / Voice / Address; seed 004 ThirdPartyId)."""

from __future__ import annotations

from enum import Enum
from typing import Any
from uuid import UUID

import strawberry
from strawberry import UNSET, Private

from gateway.backends.base import RecordWriter
from gateway.backends.records import Detail
from resolvers.common.errors import UserError
from resolvers.common.naming import to_camel
from resolvers.common.urls import url_rows
from resolvers.common.validation import dialing_code, normalised_email, normalised_phone


@strawberry.enum(description="How a phone number is reached (seed 000 communication mode).")
class PhoneMode(Enum):
    PHONE = strawberry.enum_value("PHONE", description="A landline or office phone.")
    MOBILE = strawberry.enum_value("MOBILE", description="A mobile phone.")
    FAX = strawberry.enum_value("FAX", description="A fax number.")


@strawberry.enum(description="What an address is used for (seed 000 Address type).")
class AddressType(Enum):
    HOME = strawberry.enum_value("HOME", description="Home address.")
    OFFICE = strawberry.enum_value("OFFICE", description="Office address.")
    BUSINESS = strawberry.enum_value("BUSINESS", description="Business address.")
    SHIPPING = strawberry.enum_value("SHIPPING", description="Shipping address.")
    PO_BOX = strawberry.enum_value("PO_BOX", description="Post office box.")
    PERMANENT = strawberry.enum_value("PERMANENT", description="Permanent address.")
    TEMPORARY = strawberry.enum_value("TEMPORARY", description="Temporary address.")
    RESIDENTIAL = strawberry.enum_value("RESIDENTIAL", description="Residential address.")


@strawberry.enum(description="Whether a set item is in use (seed 003 item `state`: Active / Inactive).")
class SetItemState(Enum):
    ACTIVE = strawberry.enum_value("ACTIVE", description="In use; every item is added active.")
    INACTIVE = strawberry.enum_value("INACTIVE", description="Kept, no longer in use (set upstream).")


@strawberry.type(description="An e-mail address.")
class Email:
    record: Private[Any]

    @strawberry.field(
        description="The item's id, kept while the item is (name it in a contact's emailItems)."
    )
    def item_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.id))

    email: str = strawberry.field(description="The address, normalised.")
    type: str | None = strawberry.field(description='Free-form label, e.g. "Work Email".')
    is_primary: bool = strawberry.field(description="The primary address to write to.")
    notes: str | None = strawberry.field(description="Notes on the item (seed 003).")
    item_state: SetItemState = strawberry.field(description="Active or inactive (seed 003 item state).")


@strawberry.type(description="A phone, mobile or fax number.")
class Phone:
    record: Private[Any]

    @strawberry.field(
        description="The item's id, kept while the item is (name it in a contact's phoneItems)."
    )
    def item_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.id))

    number: str = strawberry.field(description="The number in E.164 form, e.g. +15145550123.")
    mode: PhoneMode = strawberry.field(description="Phone, mobile or fax.")
    type: str | None = strawberry.field(description='Free-form label, e.g. "Home" or "Work".')
    country_code: str | None = strawberry.field(description="ISO country the number was given for, e.g. US.")
    extension: str | None = strawberry.field(description="Extension to dial after the number.")
    is_primary: bool = strawberry.field(description="The primary number to call.")
    notes: str | None = strawberry.field(description="Notes on the item (seed 003).")
    item_state: SetItemState = strawberry.field(description="Active or inactive (seed 003 item state).")

    @strawberry.field(description="The country dialing code of the number, e.g. 1 or 44 (seed 000 Voice).")
    def country_dialing_code(self) -> int | None:
        return dialing_code(self.number)


@strawberry.type(description="A postal address.")
class Address:
    record: Private[Any]

    @strawberry.field(
        description="The item's id, kept while the item is (name it in a contact's addressItems)."
    )
    def item_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.record.id))

    type: AddressType | None = strawberry.field(description="What the address is used for.")
    line1: str | None = strawberry.field(description="Address line 1.")
    line2: str | None = strawberry.field(description="Address line 2.")
    line3: str | None = strawberry.field(description="Address line 3.")
    line4: str | None = strawberry.field(description="Address line 4.")
    city: str | None = strawberry.field(description="City.")
    state: str | None = strawberry.field(description="State or province.")
    zip: str | None = strawberry.field(description="ZIP or postal code.")
    country: str | None = strawberry.field(description="Country.")
    is_primary: bool = strawberry.field(description="The primary address.")
    care_of: str | None = strawberry.field(description="In care of (seed 003 care_of).")
    floor: int | None = strawberry.field(description="Floor.")
    apartment_number: str | None = strawberry.field(description="Apartment number.")
    municipality: str | None = strawberry.field(description="Municipality.")
    po_box: str | None = strawberry.field(description="Post office box.")
    po_box_postal_code: str | None = strawberry.field(description="Postal code of the post office box.")
    notes: str | None = strawberry.field(description="Notes on the item (seed 003).")
    item_state: SetItemState = strawberry.field(description="Active or inactive (seed 003 item state).")


@strawberry.type(description="The record's identifier in another system (seed 004 ThirdPartyId).")
class ThirdPartyId:
    record: Private[Any]
    system_name: str = strawberry.field(description="The other system, e.g. CONECRM.")
    third_party_id: str = strawberry.field(description="The identifier in that system.")
    metadata: str | None = strawberry.field(description="Free-form metadata, often JSON.")


@strawberry.input(description="An e-mail address to store.")
class EmailInput:
    email: str = strawberry.field(description="The address; validated and normalised.")
    type: str | None = strawberry.field(default=None, description="Free-form label.")
    is_primary: bool = strawberry.field(default=False, description="Whether this is the primary address.")
    notes: str | None = strawberry.field(default=None, description="Notes on the item.")


@strawberry.input(description="A phone number to store; it is validated and stored in E.164 form.")
class PhoneInput:
    number: str = strawberry.field(description='The number as typed, e.g. "(514) 555-0123" or "+1 514...".')
    country_code: str | None = strawberry.field(
        default=None, description="ISO country to read a national number in (default US)."
    )
    mode: PhoneMode = strawberry.field(default=PhoneMode.PHONE, description="Phone, mobile or fax.")
    type: str | None = strawberry.field(default=None, description="Free-form label.")
    extension: str | None = strawberry.field(default=None, description="Extension.")
    is_primary: bool = strawberry.field(default=False, description="Whether this is the primary number.")
    notes: str | None = strawberry.field(default=None, description="Notes on the item.")


@strawberry.input(description="A postal address to store.")
class AddressInput:
    type: AddressType | None = strawberry.field(default=None, description="What the address is used for.")
    line1: str | None = strawberry.field(default=None, description="Address line 1.")
    line2: str | None = strawberry.field(default=None, description="Address line 2.")
    line3: str | None = strawberry.field(default=None, description="Address line 3.")
    line4: str | None = strawberry.field(default=None, description="Address line 4.")
    city: str | None = strawberry.field(default=None, description="City.")
    state: str | None = strawberry.field(default=None, description="State or province.")
    zip: str | None = strawberry.field(default=None, description="ZIP or postal code.")
    country: str | None = strawberry.field(default=None, description="Country.")
    is_primary: bool = strawberry.field(default=False, description="Whether this is the primary address.")
    care_of: str | None = strawberry.field(default=None, description="In care of.")
    floor: int | None = strawberry.field(default=None, description="Floor.")
    apartment_number: str | None = strawberry.field(default=None, description="Apartment number.")
    municipality: str | None = strawberry.field(default=None, description="Municipality.")
    po_box: str | None = strawberry.field(default=None, description="Post office box.")
    po_box_postal_code: str | None = strawberry.field(
        default=None, description="Postal code of the post office box."
    )
    notes: str | None = strawberry.field(default=None, description="Notes on the item.")


@strawberry.input(description="An identifier of the record in another system.")
class ThirdPartyIdInput:
    system_name: str = strawberry.field(description="The other system, e.g. CONECRM.")
    third_party_id: str = strawberry.field(description="The identifier in that system.")
    metadata: str | None = strawberry.field(default=None, description="Free-form metadata.")


# "All addresses, phones and emails which are added on the contact information are added as active"
# (seed 003 L1327, L2635).
ADDED = {"item_state": "ACTIVE"}


def email_rows(items: list[EmailInput], path: list[str]) -> tuple[list[dict[str, Any]], list[UserError]]:
    rows, problems = [], []
    for index, item in enumerate(items):
        email, found = normalised_email(item.email, [*path, str(index), "email"])
        problems += found
        rows.append(
            {"email": email, "type": item.type, "is_primary": item.is_primary, "notes": item.notes, **ADDED}
        )
    return rows, problems


def phone_rows(items: list[PhoneInput], path: list[str]) -> tuple[list[dict[str, Any]], list[UserError]]:
    rows, problems = [], []
    for index, item in enumerate(items):
        number, found = normalised_phone(item.number, item.country_code, [*path, str(index), "number"])
        problems += found
        rows.append(
            {
                "number": number,
                "mode": item.mode.value,
                "type": item.type,
                "country_code": item.country_code.upper() if item.country_code else None,
                "extension": item.extension,
                "is_primary": item.is_primary,
                "notes": item.notes,
                **ADDED,
            }
        )
    return rows, problems


def address_rows(items: list[AddressInput]) -> list[dict[str, Any]]:
    return [
        {name: (value.value if isinstance(value, Enum) else value) for name, value in vars(item).items()}
        | ADDED
        for item in items
    ]


def third_party_rows(items: list[ThirdPartyIdInput]) -> list[dict[str, Any]]:
    return [vars(item).copy() for item in items]


DETAIL_INPUTS = (
    ("emails", Detail.EMAILS),
    ("phones", Detail.PHONES),
    ("addresses", Detail.ADDRESSES),
    ("third_party_ids", Detail.THIRD_PARTY_IDS),
    ("urls", Detail.URLS),
)


def detail_rows(input: Any, path: list[str]) -> tuple[dict[Detail, list[dict[str, Any]]], list[UserError]]:
    """Validated rows for each detail list the input gives (None or UNSET: leave the list alone)."""
    rows: dict[Detail, list[dict[str, Any]]] = {}
    problems: list[UserError] = []
    for name, detail in DETAIL_INPUTS:
        items = getattr(input, name, None)
        if items is None or items is UNSET:
            continue
        field_path = [*path, to_camel(name)]
        if detail is Detail.EMAILS:
            rows[detail], found = email_rows(items, field_path)
            problems += found
        elif detail is Detail.PHONES:
            rows[detail], found = phone_rows(items, field_path)
            problems += found
        elif detail is Detail.ADDRESSES:
            rows[detail] = address_rows(items)
        elif detail is Detail.URLS:
            rows[detail], found = url_rows(items, field_path)
            problems += found
        else:
            rows[detail] = third_party_rows(items)
    return rows, problems


async def store_details(
    writer: RecordWriter, owner_id: UUID, rows: dict[Detail, list[dict[str, Any]]]
) -> None:
    for detail, items in rows.items():
        await writer.replace_details(detail, owner_id, items)
