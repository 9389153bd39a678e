"""A ConeCRM customer's e-mails, phones and third-party ids (seed 004 BaseCustomer) as detail records.

Seed 004 has two e-mail fields (primaryEmail, secondaryEmail), three phone fields (homePhone,
workPhone + workPhoneExtension, mobilePhone) and ``thirdPartyIds``; it has no list of postal
addresses (a customer's one address is its own address/city/... fields), so ``addresses`` is empty.
Detail ids are derived from the owner and the field, so they are stable across requests.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from gateway.backends.records import Detail, EmailRecord, PhoneRecord, ThirdPartyIdRecord

PHONE_FIELDS = (
    ("homePhone", "PHONE", "HOME"),
    ("workPhone", "PHONE", "WORK"),
    ("mobilePhone", "MOBILE", "MOBILE"),
)


def customer_details(detail: Detail, owner: UUID, body: dict[str, Any]) -> list[Any]:
    if detail is Detail.EMAILS:
        return _emails(owner, body)
    if detail is Detail.PHONES:
        return _phones(owner, body)
    if detail is Detail.THIRD_PARTY_IDS:
        return _third_party_ids(owner, body)
    return []


def _emails(owner: UUID, body: dict[str, Any]) -> list[EmailRecord]:
    addresses = [(name, body.get(name)) for name in ("primaryEmail", "secondaryEmail")]
    present = [(name, address) for name, address in addresses if address]
    return [
        EmailRecord(
            id=uuid5(owner, name), owner_id=owner, position=position, email=address, is_primary=position == 0
        )
        for position, (name, address) in enumerate(present)
    ]


def _phones(owner: UUID, body: dict[str, Any]) -> list[PhoneRecord]:
    present = [(name, mode, kind) for name, mode, kind in PHONE_FIELDS if body.get(name)]
    return [
        PhoneRecord(
            id=uuid5(owner, name),
            owner_id=owner,
            position=position,
            mode=mode,
            number=body[name],
            type=kind,
            extension=body.get("workPhoneExtension") if name == "workPhone" else None,
            is_primary=position == 0,
        )
        for position, (name, mode, kind) in enumerate(present)
    ]


def _third_party_ids(owner: UUID, body: dict[str, Any]) -> list[ThirdPartyIdRecord]:
    return [
        ThirdPartyIdRecord(
            id=UUID(str(item["id"])),
            owner_id=owner,
            system_name=str(item.get("systemName") or ""),
            third_party_id=str(item.get("thirdPartyId") or ""),
            metadata=item.get("metadata"),
        )
        for item in body.get("thirdPartyIds") or []
        if isinstance(item, dict) and item.get("id") and not item.get("isDeleted")
    ]
