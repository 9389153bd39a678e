"""Seed 000 URL: a contact's or account's web addresses, and the preferred channel (ContactCommunication).

An address must be an absolute http or https URL; an icon is a Font Awesome class name ("fa-globe",
"fab fa-linkedin"), as the seed asks; at most one URL of a list is primary.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

import strawberry
from strawberry import Private

from resolvers.common.errors import UserError, UserErrorCode, error

MAX_URL_LENGTH = 2048
ICON = re.compile(r"^(fa[a-z]*(-[a-z]+)?\s+)?fa-[a-z0-9]+(-[a-z0-9]+)*$")


@strawberry.enum(
    description="The channel a contact or account prefers to be reached by (seed 000 preferred)."
)
class PreferredChannel(Enum):
    EMAIL = strawberry.enum_value("EMAIL", description="E-mail.")
    PHONE = strawberry.enum_value("PHONE", description="A landline or office phone.")
    MOBILE = strawberry.enum_value("MOBILE", description="A mobile phone.")
    FAX = strawberry.enum_value("FAX", description="Fax.")
    URL = strawberry.enum_value("URL", description="One of its web addresses (a contact form, a profile).")


@strawberry.type(description="A web address (seed 000 URL).")
class Url:
    record: Private[Any]
    address: str = strawberry.field(description="The absolute http or https address.")
    label: str | None = strawberry.field(description="The label shown to users.")
    icon: str | None = strawberry.field(description='A Font Awesome icon class, e.g. "fa-globe".')
    type: str | None = strawberry.field(description='Free-form label, e.g. "Company site".')
    is_primary: bool = strawberry.field(description="The primary web address.")


@strawberry.input(description="A web address to store.")
class UrlInput:
    address: str = strawberry.field(description="An absolute http or https address.")
    label: str | None = strawberry.field(default=None, description="The label shown to users.")
    icon: str | None = strawberry.field(
        default=None, description='A Font Awesome icon class, e.g. "fa-globe".'
    )
    type: str | None = strawberry.field(default=None, description="Free-form label.")
    is_primary: bool = strawberry.field(default=False, description="Whether this is the primary address.")


def _address_problem(address: str) -> str | None:
    if len(address) > MAX_URL_LENGTH:
        return f"A web address has at most {MAX_URL_LENGTH} characters."
    try:
        parts = urlsplit(address)
    except ValueError:
        return "Not a web address."
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in address):
        return "A web address must start with http:// or https:// and name a host."
    return None


def url_rows(items: list[UrlInput], path: list[str]) -> tuple[list[dict[str, Any]], list[UserError]]:
    rows: list[dict[str, Any]] = []
    problems: list[UserError] = []
    primary_seen = False
    for index, item in enumerate(items):
        item_path = [*path, str(index)]
        address = item.address.strip()
        if (problem := _address_problem(address)) is not None:
            problems.append(error([*item_path, "address"], problem, UserErrorCode.INVALID))
        icon = item.icon.strip() if item.icon else None
        if icon is not None and not ICON.match(icon):
            message = 'An icon is a Font Awesome class such as "fa-globe" or "fab fa-linkedin".'
            problems.append(error([*item_path, "icon"], message, UserErrorCode.INVALID))
        if item.is_primary and primary_seen:
            message = "At most one web address is primary."
            problems.append(error([*item_path, "isPrimary"], message, UserErrorCode.INVALID))
        primary_seen = primary_seen or item.is_primary
        rows.append({**vars(item), "address": address, "icon": icon})
    return rows, problems
