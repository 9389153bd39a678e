"""Column values for single rows, drawn from the word lists: people, companies, e-mails, phones, addresses."""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import datetime, timedelta

from gateway.ids import uuid7
from gateway.seed.pending import Row
from gateway.seed.words import (
    ADDRESS_TYPES,
    ADDRESS_WEIGHTS,
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    FEMALE,
    LAST_NAMES,
    MALE,
    PERSONAL_DOMAINS,
    STREETS,
    TITLES,
    TRADES,
    Place,
)


def person_fields(rng: random.Random) -> Row:
    gender = rng.choice(("MALE", "FEMALE"))
    first = rng.choice(MALE if gender == "MALE" else FEMALE)
    civility = {"MALE": "Mr.", "FEMALE": rng.choice(("Ms.", "Mrs."))}[gender]
    stated = rng.choices((gender, "NON_BINARY", None), (85, 3, 12))[0]
    return {
        "kind": "PERSON",
        "first_name": first,
        "middle_name": rng.choice(MALE + FEMALE) if rng.random() < 0.15 else None,
        "last_name": rng.choice(LAST_NAMES),
        "preferred_name": first[:3] if rng.random() < 0.05 else None,
        "suffix": rng.choice(("Jr.", "Sr.", "III")) if rng.random() < 0.02 else None,
        "civility": "Mx." if stated == "NON_BINARY" else civility,
        "gender": stated,
        "company_name": company_name(rng) if rng.random() < 0.25 else None,
        "position_title": rng.choice(TITLES) if rng.random() < 0.4 else None,
    }


def company_fields(rng: random.Random) -> Row:
    # A company contact often has a named person to talk to, but not always.
    named = rng.random() < 0.4
    return {
        "kind": "COMPANY",
        "first_name": rng.choice(MALE + FEMALE) if named else None,
        "middle_name": None,
        "last_name": rng.choice(LAST_NAMES) if named else None,
        "preferred_name": None,
        "suffix": None,
        "civility": None,
        "gender": None,
        "company_name": company_name(rng),
        "position_title": rng.choice(TITLES[:6]) if named else None,
    }


def customer_fields(rng: random.Random, place: Place, language: str) -> Row:
    return {
        "language": f"{language}-{place.country_code}",
        "address": street(rng),
        "city": place.city,
        "province": place.province,
        "postal_code": _postal_code(rng, place),
        "country": place.country,
        "is_active": rng.random() < 0.97,
    }


def lead_dates(rng: random.Random, status: str, created: datetime, now: datetime) -> Row:
    closed = between(rng, created, min(now, created + timedelta(days=120)))
    won = status == "WON"
    return {
        "first_open_date": created,
        "due_date": created + timedelta(days=rng.randint(3, 45)),
        "closed_date": closed if status != "OPEN" else None,
        "lost_date": closed if status == "LOST" else None,
        "sold_date": closed if won else None,
        "expected_delivery_date": closed + timedelta(days=rng.randint(7, 60)) if won else None,
        "offer_made_date": between(rng, created, closed) if won or rng.random() < 0.3 else None,
    }


def visit_counts(rng: random.Random, status: str) -> Row:
    presale, postsale = rng.randint(0, 3), rng.randint(0, 2) if status == "WON" else 0
    return {
        "visit_count": presale + postsale,
        "presale_visit_count": presale,
        "postsale_visit_count": postsale,
    }


def email_row(rng: random.Random, contact: Row, position: int) -> Row:
    """A personal address first; the second (or a company's only one) at the employer's domain."""
    company = slug(contact["company_name"] or "", "")
    person = ".".join(slug(part, "") for part in (contact["first_name"], contact["last_name"]) if part)
    at_work = bool(company) and (position == 1 or not person)
    local = person or "info"
    if not at_work and rng.random() < 0.5:
        local += str(rng.randrange(100))
    domain = f"{company}.example" if at_work else rng.choice(PERSONAL_DOMAINS)
    return {
        "id": uuid7(),
        "position": position,
        "is_primary": position == 0,
        "email": f"{local}@{domain}",
        "type": "Work" if at_work else "Home",
    }


def phone_row(rng: random.Random, place: Place, position: int) -> Row:
    mode = "MOBILE" if rng.random() < 0.6 else "PHONE"
    kind = "Mobile" if mode == "MOBILE" else rng.choice(("Home", "Work"))
    extension = str(rng.randint(100, 9999)) if kind == "Work" and rng.random() < 0.2 else None
    return {
        "id": uuid7(),
        "position": position,
        "mode": mode,
        "type": kind,
        "number": phone_number(rng, place),
        "country_code": place.country_code,
        "extension": extension,
        "is_primary": position == 0,
    }


def phone_number(rng: random.Random, place: Place) -> str:
    # E.164 in the 555 exchange: valid to phonenumbers, and obviously fictional to a reader.
    return f"+1{rng.choice(place.area_codes)}555{rng.randrange(10_000):04d}"


def address_row(rng: random.Random, contact: Row) -> Row:
    if contact["kind"] == "COMPANY":
        kind = rng.choice(("BUSINESS", "OFFICE", "SHIPPING"))
    else:
        kind = rng.choices(ADDRESS_TYPES, ADDRESS_WEIGHTS)[0]
    line2 = None
    if rng.random() < 0.25:
        line2 = rng.choice((f"Suite {rng.randint(100, 900)}", f"Apt {rng.randint(1, 40)}"))
    return {
        "id": uuid7(),
        "position": 0,
        "type": kind,
        "line1": contact["address"],
        "line2": line2,
        "line3": None,
        "line4": None,
        "city": contact["city"],
        "state": contact["province"],
        "zip": contact["postal_code"],
        "country": contact["country"],
        "is_primary": True,
    }


def street(rng: random.Random) -> str:
    return f"{rng.randint(1, 9999)} {rng.choice(STREETS)}"


def _postal_code(rng: random.Random, place: Place) -> str:
    if place.country_code == "US":
        return f"{place.postal_prefix}{rng.randrange(100):02d}"
    letters = "ABCEGHJKLMNPRSTVWXYZ"  # the letters Canada Post uses
    d1, d2, d3 = rng.randrange(10), rng.randrange(10), rng.randrange(10)
    return f"{place.postal_prefix}{d1}{rng.choice(letters)} {d2}{rng.choice(letters)}{d3}"


def company_name(rng: random.Random) -> str:
    return f"{rng.choice(COMPANY_WORDS)} {rng.choice(TRADES)} {rng.choice(COMPANY_SUFFIXES)}".strip()


def between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + (end - start) * rng.random() if end > start else start


def slug(text: str, separator: str = ".") -> str:
    """ASCII, lower-case words joined by ``separator``: "Côté" -> "cote", for e-mail addresses."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return separator.join(re.findall(r"[a-z0-9]+", ascii_text.lower()))
