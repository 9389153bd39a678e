"""CRM.COM contact information (seed 003) as the graph's contacts: the record, its e-mail, phone and
address sets as detail lists, and the set actions (add / update / remove) that change them.

Answers carry ``emails_set`` (items with ``email``), ``phones_set`` and ``addresses_set``; requests
send ``email_set`` (items with ``email_address``), ``phone_set`` and ``address_set`` with an
``action``, and name the item to update or remove with an ``<item>_identifier`` (seed 003's example:
``"phone_identifier": {"type": "LANDLINE"}``). The first address is the contact's own address fields.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from gateway.backends.records import (
    CONTACT_DEPTH_FIELDS,
    AddressRecord,
    ContactRecord,
    Detail,
    EmailRecord,
    PhoneRecord,
)
from gateway.backends.rest.crmcom.mapping import Json, graph_id, parse_time

CONTACT_FIELDS = (
    "id", "type", "first_name", "middle_name", "last_name", "company_name", "title", "demographics",
    "preferred_language", "life_cycle_state", "addresses_set", "phones_set", "emails_set", "log_information",
)  # fmt: skip
ANSWER_SETS = {Detail.EMAILS: "emails_set", Detail.PHONES: "phones_set", Detail.ADDRESSES: "addresses_set"}
REQUEST_SETS = {Detail.EMAILS: "email_set", Detail.PHONES: "phone_set", Detail.ADDRESSES: "address_set"}
IDENTIFIERS = {
    Detail.EMAILS: "email_identifier",
    Detail.PHONES: "phone_identifier",
    Detail.ADDRESSES: "address_identifier",
}
PLAIN = ("first_name", "middle_name", "last_name", "company_name")
EPOCH = datetime.fromtimestamp(0, UTC)


def contact(record: Json, tenant: str) -> ContactRecord | None:
    contact_id = graph_id(record.get("id"))
    if contact_id is None:
        return None
    log = record.get("log_information") or {}
    first_address = (record.get("addresses_set") or [{}])[0]
    demographics = record.get("demographics") or {}
    return ContactRecord(
        id=contact_id,
        tenant=tenant,
        date_created=parse_time(log.get("created_date")) or EPOCH,
        date_modified=parse_time(log.get("updated_date")),
        kind="COMPANY" if record.get("type") == "COMPANY" else "PERSON",
        first_name=record.get("first_name"),
        middle_name=record.get("middle_name"),
        last_name=record.get("last_name"),
        company_name=record.get("company_name"),
        civility=record.get("title"),
        gender=demographics.get("gender") if isinstance(demographics, dict) else None,
        language=_language(record.get("preferred_language")),
        address=_street(first_address),
        city=first_address.get("town_city"),
        province=first_address.get("district"),
        postal_code=first_address.get("postal_code"),
        country=_country(first_address),
    )


def details(detail: Detail, owner_id: UUID, record: Json) -> list[Any]:
    items = [item for item in record.get(ANSWER_SETS[detail]) or [] if isinstance(item, dict)]
    build = {Detail.EMAILS: _email, Detail.PHONES: _phone, Detail.ADDRESSES: _address}[detail]
    return [build(owner_id, position, item) for position, item in enumerate(items)]


def _item_id(owner_id: UUID, position: int, item: Json) -> UUID:
    return graph_id(item.get("id")) or uuid.uuid5(owner_id, str(position))


def _email(owner_id: UUID, position: int, item: Json) -> EmailRecord:
    return EmailRecord(
        id=_item_id(owner_id, position, item), owner_id=owner_id, position=position,
        email=str(item.get("email") or ""), type=item.get("type"), is_primary=position == 0,
    )  # fmt: skip


def kind(value: Any) -> str | None:
    """A set item's type as a code: requests send "LANDLINE" (seed 003 line 369), answers show "Landline"
    (line 329); both read as the same type."""
    return str(value).strip().upper().replace(" ", "_") if value else None


def _phone(owner_id: UUID, position: int, item: Json) -> PhoneRecord:
    return PhoneRecord(
        id=_item_id(owner_id, position, item), owner_id=owner_id, position=position,
        mode="MOBILE" if kind(item.get("type")) == "MOBILE" else "PHONE",
        number=str(item.get("number") or ""), type=item.get("type"), country_code=_country(item),
        is_primary=position == 0,
    )  # fmt: skip


def _address(owner_id: UUID, position: int, item: Json) -> AddressRecord:
    return AddressRecord(
        id=_item_id(owner_id, position, item), owner_id=owner_id, position=position, type=item.get("type"),
        line1=_street(item), line2=item.get("area"), city=item.get("town_city"), state=item.get("district"),
        zip=item.get("postal_code"), country=_country(item), is_primary=position == 0,
    )  # fmt: skip


def _street(item: Json) -> str | None:
    return (
        " ".join(str(part) for part in (item.get("street_number"), item.get("street_name")) if part) or None
    )


def _country(item: Json) -> str | None:
    country = item.get("country")
    return country.get("two_character_code") or country.get("name") if isinstance(country, dict) else None


def _language(value: Any) -> str | None:
    """Seed 003 answers preferred_language as a code ("ENG", line 107); an object with a name or code
    is read too."""
    if isinstance(value, str):
        return value or None
    return str(value.get("name") or value.get("code")) if isinstance(value, dict) else None


# --- writes -----------------------------------------------------------------------------------------


def unwritten(values: Mapping[str, Any]) -> list[str]:
    """The depth attributes (issue 21) a write gives, which this connector does not send yet."""
    return sorted(name for name in CONTACT_DEPTH_FIELDS if values.get(name) not in (None, {}))


def create_body(values: Mapping[str, Any]) -> Json:
    body: Json = {"type": values.get("kind") or "PERSON"}
    body |= {name: values[name] for name in PLAIN if values.get(name) is not None}
    if values.get("civility"):
        body["title"] = values["civility"]
    return body


def set_actions(detail: Detail, current: Json, items: Sequence[Mapping[str, Any]]) -> list[Json]:
    """Seed 003's actions that turn the current set into ``items``: remove what is gone, add what is new."""
    wanted = [_request_item(detail, item) for item in items]
    have = [item for item in current.get(ANSWER_SETS[detail]) or [] if isinstance(item, dict)]
    key = _key(detail)
    actions = [
        {"action": "remove", IDENTIFIERS[detail]: {"id": item["id"]}}
        for item in have
        if all(_answer_key(detail, item) != key(w) for w in wanted) and item.get("id")
    ]
    actions += [
        {"action": "add", **w} for w in wanted if all(key(w) != _answer_key(detail, item) for item in have)
    ]
    return actions


def _request_item(detail: Detail, item: Mapping[str, Any]) -> Json:
    """An item of a request set: only the members seed 003 defines, strings as strings, nulls left out."""
    if detail is Detail.EMAILS:
        return {"type": kind(item.get("type")) or "PERSONAL", "email_address": item["email"]}
    if detail is Detail.PHONES:
        phone_type = "MOBILE" if item.get("mode") == "MOBILE" else kind(item.get("type")) or "LANDLINE"
        return {"type": phone_type, "number": item["number"]}
    address = {
        "type": kind(item.get("type")) or "HOME",
        "street_name": item.get("line1"),
        "area": item.get("line2"),
        "town_city": item.get("city"),
        "district": item.get("state"),
        "postal_code": item.get("zip"),
    }
    return {key: value for key, value in address.items() if value is not None}


def _key(detail: Detail) -> Any:
    field = {Detail.EMAILS: "email_address", Detail.PHONES: "number", Detail.ADDRESSES: "street_name"}[detail]
    return lambda item: (kind(item.get("type")), item.get(field))


def _answer_key(detail: Detail, item: Json) -> tuple[Any, Any]:
    field = {Detail.EMAILS: "email", Detail.PHONES: "number", Detail.ADDRESSES: "street_name"}[detail]
    return kind(item.get("type")), item.get(field)
