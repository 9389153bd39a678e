"""Inputs for the seed 003 contact depth, and turning them into column values with their checks.

Problems name the field, never the value: an id, passport or social security number must not end up
in an error message (or a log line that quotes one).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry import UNSET

from gateway.ids import utcnow
from resolvers.common.errors import UserError, UserErrorCode, error
from resolvers.common.fields import unset_field as _u
from resolvers.common.naming import to_camel
from resolvers.common.validation import changed_values
from resolvers.contacts.depth import COMPANY_COLUMNS, DEMOGRAPHIC_COLUMNS

_COUNTRY = re.compile(r"[A-Z]{2}")
_NAME_DAY = re.compile(r"(\d\d)-(\d\d)")


@strawberry.input(description="Personal details to set (seed 003 demographics); null clears a member.")
class ContactDemographicsInput:
    date_of_birth: date | None = _u("Date of birth; not in the future.")
    name_day: str | None = _u("Name day as MM-DD.")
    id_number: str | None = _u("Identity card number.")
    id_issued_by_country: str | None = _u("Country that issued the id (ISO 3166 alpha-2, e.g. CY).")
    passport_number: str | None = _u("Passport number.")
    passport_issued_by_country: str | None = _u("Country that issued the passport (ISO 3166 alpha-2).")
    social_security_number: str | None = _u("Social security number.")
    country_of_residence: str | None = _u("Country of residence (ISO 3166 alpha-2).")
    industry: str | None = _u("Industry the person works in.")
    industry_sector: str | None = _u("Industry sector.")


@strawberry.input(description="Company registration and size to set (seed 003 company_profile).")
class ContactCompanyProfileInput:
    registration_number: str | None = _u("Company registration number.")
    tax_reference_number: str | None = _u("Tax reference number.")
    vat_registration_number: str | None = _u("VAT registration number.")
    vat_registration_date: date | None = _u("Date of VAT registration.")
    vat_registered_by: str | None = _u("Who registered it for VAT.")
    registered_in_country: str | None = _u("Country of registration (ISO 3166 alpha-2).")
    annual_turnover: float | None = _u("Annual turnover; not negative.")
    number_of_employees: int | None = _u("Number of employees; not negative.")
    profile_year: int | None = _u("The year the profile describes (1800-9999).")
    established_date: date | None = _u("Date the company was established.")
    industry: str | None = _u("Industry.")
    industry_sector: str | None = _u("Industry sector.")


@strawberry.input(description="Marketing consent to set; who and when are recorded with each flag.")
class ContactConsentInput:
    send_direct_marketing_material: bool | None = _u("May receive direct marketing material.")
    send_affiliate_marketing_material: bool | None = _u("May receive affiliate marketing material.")


@strawberry.input(description="User-defined fields to set; null clears one, the ones not given stay.")
class ContactUdfsInput:
    string_1: str | None = _u("Seed 003 udf_string_1.")
    string_2: str | None = _u("Seed 003 udf_string_2.")
    string_3: str | None = _u("Seed 003 udf_string_3.")
    string_4: str | None = _u("Seed 003 udf_string_4.")
    string_5: str | None = _u("Seed 003 udf_string_5.")
    string_6: str | None = _u("Seed 003 udf_string_6.")
    string_7: str | None = _u("Seed 003 udf_string_7.")
    string_8: str | None = _u("Seed 003 udf_string_8.")
    string_9: str | None = _u("Seed 003 udf_string_9.")
    string_10: str | None = _u("Seed 003 udf_string_10.")
    string_11: str | None = _u("Seed 003 udf_string_11.")
    string_12: str | None = _u("Seed 003 udf_string_12.")
    string_13: str | None = _u("Seed 003 udf_string_13.")
    string_14: str | None = _u("Seed 003 udf_string_14.")
    string_15: str | None = _u("Seed 003 udf_string_15.")
    string_16: str | None = _u("Seed 003 udf_string_16.")
    float_1: float | None = _u("Seed 003 udf_float_1.")
    float_2: float | None = _u("Seed 003 udf_float_2.")
    float_3: float | None = _u("Seed 003 udf_float_3.")
    float_4: float | None = _u("Seed 003 udf_float_4.")
    float_5: float | None = _u("Seed 003 udf_float_5.")
    float_6: float | None = _u("Seed 003 udf_float_6.")
    float_7: float | None = _u("Seed 003 udf_float_7.")
    float_8: float | None = _u("Seed 003 udf_float_8.")
    date_1: datetime | None = _u("Seed 003 udf_date_1.")
    date_2: datetime | None = _u("Seed 003 udf_date_2.")
    date_3: datetime | None = _u("Seed 003 udf_date_3.")
    date_4: datetime | None = _u("Seed 003 udf_date_4.")
    date_5: datetime | None = _u("Seed 003 udf_date_5.")
    date_6: datetime | None = _u("Seed 003 udf_date_6.")
    date_7: datetime | None = _u("Seed 003 udf_date_7.")
    date_8: datetime | None = _u("Seed 003 udf_date_8.")


COUNTRY_MEMBERS = ("id_issued_by_country", "passport_issued_by_country", "country_of_residence")
CONSENT_FLAGS = {
    "send_direct_marketing_material": "direct_marketing",
    "send_affiliate_marketing_material": "affiliate_marketing",
}


def depth_values(input: Any, actor: str, path: Sequence[str]) -> tuple[dict[str, Any], list[UserError]]:
    """Column values of the demographics, company profile, consent and UDF members an input gives."""
    values: dict[str, Any] = {}
    problems: list[UserError] = []
    demographics = _given(input, "demographics")
    if demographics is not None:
        given = changed_values(demographics, DEMOGRAPHIC_COLUMNS)
        problems += _demographic_problems(given, [*path, "demographics"])
        values.update(given)
    company = _given(input, "company_profile")
    if company is not None:
        given = changed_values(company, tuple(COMPANY_COLUMNS))
        problems += _company_problems(given, [*path, "companyProfile"])
        values.update({COMPANY_COLUMNS[member]: value for member, value in given.items()})
    consent = _given(input, "consent")
    if consent is not None:
        values.update(_consent_values(consent, actor))
    udfs = _given(input, "udfs")
    if udfs is not None:
        values["udfs"] = _udf_values(udfs)
    return values, problems


def _given(input: Any, name: str) -> Any:
    value = getattr(input, name, UNSET)
    return None if value is UNSET else value


def _invalid(path: Sequence[str], member: str, message: str) -> UserError:
    field = to_camel(member)
    return error([*path, field], f"{field} {message}.", UserErrorCode.INVALID)


def _demographic_problems(given: dict[str, Any], path: Sequence[str]) -> list[UserError]:
    problems = _country_problems(given, COUNTRY_MEMBERS, path)
    born = given.get("date_of_birth")
    if born is not None and born > utcnow().date():
        problems.append(_invalid(path, "date_of_birth", "is in the future"))
    name_day = given.get("name_day")
    if name_day is not None and not _valid_name_day(name_day):
        problems.append(_invalid(path, "name_day", "must be a day of the year as MM-DD"))
    for name in ("id_number", "passport_number", "social_security_number"):
        if given.get(name) is not None and not given[name].strip():
            problems.append(_invalid(path, name, "may not be blank (null clears it)"))
    return problems


def _valid_name_day(text: str) -> bool:
    match = _NAME_DAY.fullmatch(text)
    if match is None:
        return False
    try:
        date(2000, int(match[1]), int(match[2]))  # a leap year: 02-29 is a name day
    except ValueError:
        return False
    return True


def _company_problems(given: dict[str, Any], path: Sequence[str]) -> list[UserError]:
    problems = _country_problems(given, ("registered_in_country",), path)
    turnover = given.get("annual_turnover")
    if turnover is not None and (not math.isfinite(turnover) or turnover < 0):
        problems.append(_invalid(path, "annual_turnover", "may not be negative"))
    employees = given.get("number_of_employees")
    if employees is not None and employees < 0:
        problems.append(_invalid(path, "number_of_employees", "may not be negative"))
    year = given.get("profile_year")
    if year is not None and not 1800 <= year <= 9999:
        problems.append(_invalid(path, "profile_year", "must be between 1800 and 9999"))
    return problems


def _country_problems(given: dict[str, Any], names: Sequence[str], path: Sequence[str]) -> list[UserError]:
    return [
        _invalid(path, name, "must be a two-letter ISO 3166 country code, e.g. CY")
        for name in names
        if given.get(name) is not None and not _COUNTRY.fullmatch(given[name])
    ]


def _consent_values(consent: ContactConsentInput, actor: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    now = utcnow()
    for flag, prefix in CONSENT_FLAGS.items():
        value = getattr(consent, flag)
        if value is not UNSET:
            values.update({flag: value, f"{prefix}_changed_by": actor, f"{prefix}_changed_at": now})
    return values


def _udf_values(udfs: ContactUdfsInput) -> dict[str, Any]:
    """The UDF slots given, as stored (``udf_date_1`` as ISO text); None marks one to clear."""
    values: dict[str, Any] = {}
    for name, value in vars(udfs).items():
        if value is UNSET:
            continue
        values[f"udf_{name}"] = value.isoformat() if isinstance(value, datetime) else value
    return values


def merged_udfs(stored: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """The stored UDFs with the given ones set; a given None removes the slot."""
    merged = {**stored, **given}
    return {name: value for name, value in merged.items() if value is not None}
