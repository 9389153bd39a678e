"""Input checks that produce ``UserError``s: required values, e-mail addresses, phone numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from resolvers.common.errors import UserError, UserErrorCode, error

DEFAULT_REGION = "US"
# Seed 000's messages alone leave a caller guessing which part was wrong (often: a national number read
# in the default country, or too short to be any number).
PHONE_HINT = (
    'Write the number with its country prefix (e.g. "+44 20 7946 0958"), or give countryCode '
    '(e.g. "GB") to read a national number; without either it is read as a US number.'
)


def required_text(value: str | None, path: list[str], seed_code: str = "CUST1101") -> list[UserError]:
    if value is None or not value.strip():
        return [error(path, "Required parameters cannot be null.", UserErrorCode.REQUIRED, seed_code)]
    return []


def normalised_email(value: str, path: list[str]) -> tuple[str | None, list[UserError]]:
    try:
        checked = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as problem:
        return None, [error(path, f"Invalid e-mail address: {problem}", UserErrorCode.INVALID_EMAIL)]
    return checked.normalized, []


def normalised_phone(
    value: str, country_code: str | None, path: list[str]
) -> tuple[str | None, list[UserError]]:
    """E.164 form of a number; seed 000's CUST5115 (cannot parse) and CUST5116 (not a valid number)."""
    region = (country_code or DEFAULT_REGION).upper()
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        message = f"Unable to parse phone number using country code and value. {PHONE_HINT}"
        return None, [error(path, message, UserErrorCode.INVALID_PHONE, "CUST5115")]
    if not phonenumbers.is_valid_number(parsed):
        message = (
            f"Failed validating phone number using country code and value: {value!r} is not a valid "
            f"number of {region}. {PHONE_HINT}"
        )
        return None, [error(path, message, UserErrorCode.INVALID_PHONE, "CUST5116")]
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), []


def search_phone(value: str) -> str | None:
    """E.164 form for a lookup, or None when the text is not a phone number at all."""
    number, problems = normalised_phone(value, None, [])
    return None if problems else number


def as_utc(value: datetime) -> datetime:
    """Naive datetimes are UTC (as the store keeps them), so that naive and aware values compare."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def storable_instant(value: datetime) -> bool:
    """False for a time that exists in its own offset but not in UTC (e.g. 9999-12-31T23:00-05:00)."""
    try:
        as_utc(value).astimezone(UTC)
    except OverflowError:
        return False
    return True


def changed_values(input: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The plain fields an update input sets (UNSET means "leave as is")."""
    from strawberry import UNSET

    values = {}
    for name in names:
        value = getattr(input, name, UNSET)
        if value is not UNSET:
            values[name] = value.value if hasattr(value, "value") and not isinstance(value, str) else value
    return values


def required_if_given(values: dict[str, Any], name: str, path: list[str], seed_code: str) -> list[UserError]:
    """An update may leave a required text alone, but not set it to null or blank."""
    return required_text(values[name], path, seed_code) if name in values else []


def dialing_code(e164: str) -> int | None:
    """The country dialing code of a stored E.164 number (seed 000 Voice ``countryDailingCode``)."""
    try:
        return phonenumbers.parse(e164, None).country_code
    except phonenumbers.NumberParseException:
        return None
