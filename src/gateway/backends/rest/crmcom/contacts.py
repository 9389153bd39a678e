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
from gateway.backends.rest.crmcom import contact_depth
from gateway.backends.rest.crmcom.mapping import Json, graph_id, parse_time

CONTACT_FIELDS = (
    "id", "type", "first_name", "middle_name", "last_name", "company_name", "title", "demographics",
    "preferred_language", "life_cycle_state", "addresses_set", "phones_set", "emails_set", "log_information",
    "notes", "category", "owned_by_group", "privacy_level", "company_profile", "authorization_settings",
    "relation_set",
    *contact_depth.UDFS,
)  # fmt: skip
ANSWER_SETS = {Detail.EMAILS: "emails_set", Detail.PHONES: "phones_set", Detail.ADDRESSES: "addresses_set"}
REQUEST_SETS = {Detail.EMAILS: "email_set", Detail.PHONES: "phone_set", Detail.ADDRESSES: "address_set"}
IDENTIFIERS = {
    Detail.EMAILS: "email_identifier",
    Detail.PHONES: "phone_identifier",
    Detail.ADDRESSES: "address_identifier",
}
PLAIN = ("first_name", "middle_name", "last_name", "company_name")
# Address item members kept as they are (L219-270, request L2141-2157); notes too (L2157).
ADDRESS_EXTRAS = (
    "care_of",
    "floor",
    "apartment_number",
    "municipality",
    "po_box",
    "po_box_postal_code",
    "notes",
)


# The graph's address types (resolvers.common.details.AddressType); seed 003 shows HOME and BUSINESS.
ADDRESS_TYPES = frozenset(
    ("HOME", "OFFICE", "BUSINESS", "SHIPPING", "PO_BOX", "PERMANENT", "TEMPORARY", "RESIDENTIAL")
)


class Unsendable(Exception):
    """A change seed 003's requests have no member for (a phone's or an e-mail's notes)."""


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
        created_by=contact_depth.username(log.get("created_by_user")),
        modified_by=contact_depth.username(log.get("updated_by_user")),
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
        **contact_depth.depth_values(record),
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
        notes=item.get("notes"), item_state=_state(item),
    )  # fmt: skip


def _state(item: Json) -> str:
    """An item's ``state`` ("Active", "Inactive": L300, L661) as the graph's ACTIVE / INACTIVE."""
    state = str(item.get("state") or "Active").upper()
    return state if state in ("ACTIVE", "INACTIVE") else "ACTIVE"


def kind(value: Any) -> str | None:
    """A set item's type as a code: requests send "LANDLINE" (seed 003 line 369), answers show "Landline"
    (line 329); both read as the same type."""
    return str(value).strip().upper().replace(" ", "_") if value else None


def _phone(owner_id: UUID, position: int, item: Json) -> PhoneRecord:
    return PhoneRecord(
        id=_item_id(owner_id, position, item), owner_id=owner_id, position=position,
        mode="MOBILE" if kind(item.get("type")) == "MOBILE" else "PHONE",
        number=str(item.get("number") or ""), type=item.get("type"), country_code=_country(item),
        is_primary=position == 0, notes=item.get("notes"), item_state=_state(item),
    )  # fmt: skip


def _address(owner_id: UUID, position: int, item: Json) -> AddressRecord:
    return AddressRecord(
        id=_item_id(owner_id, position, item), owner_id=owner_id, position=position, type=_address_type(item),
        line1=_street(item), line2=item.get("area"), city=item.get("town_city"), state=item.get("district"),
        zip=item.get("postal_code"), country=_country(item), is_primary=position == 0,
        notes=item.get("notes"), item_state=_state(item),
        floor=item["floor"] if type(item.get("floor")) is int else None,
        **{name: item.get(name) for name in ADDRESS_EXTRAS if name not in ("floor", "notes")},
    )  # fmt: skip


def _address_type(item: Json) -> str | None:
    """ "Home" / "HOME" (L267, L3511) as the graph's address type; a type it has no value for as none."""
    code = kind(item.get("type"))
    return code if code in ADDRESS_TYPES else None


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


def unwritten(values: Mapping[str, Any], *, updating: bool) -> list[str]:
    """The depth columns a write gives that seed 003's create/update cannot take (``life_cycle_state``
    is answered, L217, but is a parameter of neither table), and a ``language`` that is not a seed code."""
    names = [
        name
        for name in CONTACT_DEPTH_FIELDS - contact_depth.WRITTEN
        if name in values and (updating or values[name] is not None)
    ]
    language = values.get("language")
    if language is not None and language not in contact_depth.LANGUAGES:
        names.append("language")
    return sorted(names)


def create_body(values: Mapping[str, Any]) -> Json:
    body: Json = {"type": values.get("kind") or "PERSON"}
    body |= {name: values[name] for name in PLAIN if values.get(name) is not None}
    if values.get("civility"):
        body["title"] = values["civility"]
    if values.get("language") is not None and values.get("preferred_language") is None:
        body["preferred_language"] = values["language"]
    return body | contact_depth.depth_body(values, None)


def update_body(values: Mapping[str, Any], current: Json) -> Json:
    """Seed 003's update has no ``type`` (L2633-3350); a given null clears the member (L2635)."""
    body: Json = {name: values[name] for name in PLAIN if name in values}
    if "civility" in values:
        body["title"] = values["civility"]
    if values.get("language") is not None and "preferred_language" not in values:
        body["preferred_language"] = values["language"]
    held = contact_depth.depth_values(current)["udfs"]
    return body | contact_depth.depth_body(values, held)


def set_actions(detail: Detail, current: Json, items: Sequence[Mapping[str, Any]]) -> list[Json]:
    """Seed 003's actions (L3378-3402) that turn the current set into ``items``. Items that carry the
    ``id`` of a current item (per-item changes) are kept, or sent as ``update`` naming that item by id
    when they changed; items without one are added; current items not among them are removed. A list of
    items none of which has an id (a whole-list replacement) is matched on type and value instead."""
    have = [item for item in current.get(ANSWER_SETS[detail]) or [] if isinstance(item, dict)]
    if not any(item.get("id") for item in items):
        return _replaced(detail, have, items)
    owner = graph_id(current.get("id")) or uuid.UUID(int=0)
    as_rows = dict(zip(details(detail, owner, current), have, strict=True))
    held = {record.id: (answer, _request_item(detail, vars(record))) for record, answer in as_rows.items()}
    identifier = IDENTIFIERS[detail]
    kept = {item["id"] for item in items if item.get("id") in held}
    actions: list[Json] = [
        {"action": "remove", identifier: {"id": _named(detail, answer)}}
        for item_id, (answer, _) in held.items()
        if item_id not in kept
    ]
    for item in items:
        wanted = _request_item(detail, item)
        before = held[item["id"]][1] if item.get("id") in held else None
        if before is None:
            actions.append({"action": "add", **_sendable(detail, wanted, {})})
        elif wanted != before:
            changed = _sendable(detail, wanted, before)
            named = _named(detail, held[item["id"]][0])
            actions.append({"action": "update", identifier: {"id": named}, **changed})
    return actions


def _named(detail: Detail, answer: Json) -> str:
    """The id CRM.COM showed for an item, which its update and remove actions name it by (L3397-3402).
    An item shown without one has an id in the graph made up from its position, which CRM.COM does not
    know: changing or removing it is refused before anything is sent, never sent under that id."""
    shown = answer.get("id")
    if not isinstance(shown, str) or not shown:
        raise Unsendable(
            f"CRM.COM showed this {REQUEST_SETS[detail].removesuffix('_set')} item without an id, so no"
            " update or remove action can name it"
        )
    return shown


def _sendable(detail: Detail, wanted: Json, before: Json) -> Json:
    """Seed 003's phone and e-mail items carry no notes in a request (L2188-2199, L3397-3402): notes
    CRM.COM shows are kept, a change to them cannot be sent."""
    if detail is Detail.ADDRESSES:
        return wanted
    if wanted.get("notes") != before.get("notes"):
        raise Unsendable(f"CRM.COM's {REQUEST_SETS[detail]} items take no notes")
    return {key: value for key, value in wanted.items() if key != "notes"}


def _replaced(detail: Detail, have: list[Json], items: Sequence[Mapping[str, Any]]) -> list[Json]:
    """Whole-list replacement: remove what is gone, add what is new (matched on type and value)."""
    wanted = [_request_item(detail, item) for item in items]
    key = _key(detail)
    actions = [
        {"action": "remove", IDENTIFIERS[detail]: {"id": _named(detail, item)}}
        for item in have
        if all(_answer_key(detail, item) != key(w) for w in wanted)
    ]
    actions += [
        {"action": "add", **_sendable(detail, w, {})}
        for w in wanted
        if all(key(w) != _answer_key(detail, item) for item in have)
    ]
    return actions


def _request_item(detail: Detail, item: Mapping[str, Any]) -> Json:
    """An item of a request set: only the members seed 003 defines, strings as strings, nulls left out;
    a country as ``country_identifier`` (L2153 ``{"two_character_code": "CY"}``, L2373 ``{"name": ...}``)."""
    notes = {"notes": item["notes"]} if item.get("notes") is not None else {}
    if detail is Detail.EMAILS:
        return {"type": kind(item.get("type")) or "PERSONAL", "email_address": item["email"], **notes}
    if detail is Detail.PHONES:
        phone_type = "MOBILE" if item.get("mode") == "MOBILE" else kind(item.get("type")) or "LANDLINE"
        sent = {"type": phone_type, "number": item["number"], **notes}
        return sent | _country_identifier(item.get("country_code"))
    address = {
        "type": kind(item.get("type")) or "HOME",
        "street_name": item.get("line1"),
        "area": item.get("line2"),
        "town_city": item.get("city"),
        "district": item.get("state"),
        "postal_code": item.get("zip"),
        **{name: item.get(name) for name in ADDRESS_EXTRAS},
    }
    kept = {key: value for key, value in address.items() if value is not None}
    return kept | _country_identifier(item.get("country"))


def _country_identifier(country: Any) -> Json:
    if not country:
        return {}
    text = str(country).strip()
    if len(text) == 2 and text.isalpha():
        return {"country_identifier": {"two_character_code": text.upper()}}
    return {"country_identifier": {"name": text.upper()}}


def _key(detail: Detail) -> Any:
    field = {Detail.EMAILS: "email_address", Detail.PHONES: "number", Detail.ADDRESSES: "street_name"}[detail]
    return lambda item: (kind(item.get("type")), item.get(field))


def _answer_key(detail: Detail, item: Json) -> tuple[Any, Any]:
    field = {Detail.EMAILS: "email", Detail.PHONES: "number", Detail.ADDRESSES: "street_name"}[detail]
    return kind(item.get("type")), item.get(field)
