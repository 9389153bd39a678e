"""Seed 003 contact_information in depth: demographics, company profile, consent and UDFs as grouped types.

The id, passport and social security numbers are masked to their last 4 characters unless the caller
holds ``CUST_SENSITIVE_VIEW``. Every path that returns a contact (lists, ``node``, nested, a
subscription's payload) builds these groups here, so the rule holds on all of them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry

from gateway.backends.records import ContactRecord
from gateway.permissions import CUST_SENSITIVE_VIEW

SENSITIVE = ("id_number", "passport_number", "social_security_number")
VISIBLE_TAIL = 4


def masked(value: str | None) -> str | None:
    """``AB112234`` -> ``****2234``; a value of 4 characters or fewer is masked whole."""
    if value is None:
        return None
    if len(value) <= VISIBLE_TAIL:
        return "*" * len(value)
    return "*" * (len(value) - VISIBLE_TAIL) + value[-VISIBLE_TAIL:]


def sees_sensitive(info: strawberry.Info) -> bool:
    return bool(info.context.principal.has(CUST_SENSITIVE_VIEW))


@strawberry.type(
    description="Personal details of a contact (seed 003 demographics; gender is `Contact.gender`)."
)
class ContactDemographics:
    date_of_birth: date | None = strawberry.field(description="Date of birth.")
    name_day: str | None = strawberry.field(description="Name day as MM-DD.")
    id_number: str | None = strawberry.field(
        description="Identity card number; only the last 4 characters without CUST_SENSITIVE_VIEW."
    )
    id_issued_by_country: str | None = strawberry.field(
        description="Country that issued the id (ISO 3166 alpha-2)."
    )
    passport_number: str | None = strawberry.field(
        description="Passport number; only the last 4 characters without CUST_SENSITIVE_VIEW."
    )
    passport_issued_by_country: str | None = strawberry.field(
        description="Country that issued the passport (ISO 3166 alpha-2)."
    )
    social_security_number: str | None = strawberry.field(
        description="Social security number; only the last 4 characters without CUST_SENSITIVE_VIEW."
    )
    country_of_residence: str | None = strawberry.field(
        description="Country of residence (ISO 3166 alpha-2)."
    )
    industry: str | None = strawberry.field(description="Industry the person works in.")
    industry_sector: str | None = strawberry.field(description="Industry sector.")


@strawberry.type(description="A company's registration and size (seed 003 company_profile).")
class ContactCompanyProfile:
    registration_number: str | None = strawberry.field(description="Company registration number.")
    tax_reference_number: str | None = strawberry.field(description="Tax reference number.")
    vat_registration_number: str | None = strawberry.field(description="VAT registration number.")
    vat_registration_date: date | None = strawberry.field(description="Date of VAT registration.")
    vat_registered_by: str | None = strawberry.field(description="Who registered it for VAT.")
    registered_in_country: str | None = strawberry.field(
        description="Country of registration (ISO 3166 alpha-2)."
    )
    annual_turnover: float | None = strawberry.field(description="Annual turnover.")
    number_of_employees: int | None = strawberry.field(description="Number of employees.")
    profile_year: int | None = strawberry.field(description="The year the profile describes.")
    established_date: date | None = strawberry.field(description="Date the company was established.")
    industry: str | None = strawberry.field(description="Industry.")
    industry_sector: str | None = strawberry.field(description="Industry sector.")


@strawberry.type(
    description="Marketing consent (seed 003 authorization settings), with who set each and when."
)
class ContactConsent:
    send_direct_marketing_material: bool | None = strawberry.field(
        description="May receive direct marketing material; null: never asked."
    )
    direct_marketing_changed_by: str | None = strawberry.field(description="Who last set the direct flag.")
    direct_marketing_changed_at: datetime | None = strawberry.field(
        description="When the direct flag was set."
    )
    send_affiliate_marketing_material: bool | None = strawberry.field(
        description="May receive affiliate marketing material; null: never asked."
    )
    affiliate_marketing_changed_by: str | None = strawberry.field(
        description="Who last set the affiliate flag."
    )
    affiliate_marketing_changed_at: datetime | None = strawberry.field(
        description="When the affiliate flag was set."
    )


# Generated shape: seed 003 udf_string_1..16, udf_float_1..8, udf_date_1..8 (L1562-1932).


@strawberry.type(
    description="User-defined fields of a contact (seed 003 udf_string_1-16, udf_float_1-8, udf_date_1-8)."
)
class ContactUdfs:
    string_1: str | None = strawberry.field(default=None, description="Seed 003 udf_string_1.")
    string_2: str | None = strawberry.field(default=None, description="Seed 003 udf_string_2.")
    string_3: str | None = strawberry.field(default=None, description="Seed 003 udf_string_3.")
    string_4: str | None = strawberry.field(default=None, description="Seed 003 udf_string_4.")
    string_5: str | None = strawberry.field(default=None, description="Seed 003 udf_string_5.")
    string_6: str | None = strawberry.field(default=None, description="Seed 003 udf_string_6.")
    string_7: str | None = strawberry.field(default=None, description="Seed 003 udf_string_7.")
    string_8: str | None = strawberry.field(default=None, description="Seed 003 udf_string_8.")
    string_9: str | None = strawberry.field(default=None, description="Seed 003 udf_string_9.")
    string_10: str | None = strawberry.field(default=None, description="Seed 003 udf_string_10.")
    string_11: str | None = strawberry.field(default=None, description="Seed 003 udf_string_11.")
    string_12: str | None = strawberry.field(default=None, description="Seed 003 udf_string_12.")
    string_13: str | None = strawberry.field(default=None, description="Seed 003 udf_string_13.")
    string_14: str | None = strawberry.field(default=None, description="Seed 003 udf_string_14.")
    string_15: str | None = strawberry.field(default=None, description="Seed 003 udf_string_15.")
    string_16: str | None = strawberry.field(default=None, description="Seed 003 udf_string_16.")
    float_1: float | None = strawberry.field(default=None, description="Seed 003 udf_float_1.")
    float_2: float | None = strawberry.field(default=None, description="Seed 003 udf_float_2.")
    float_3: float | None = strawberry.field(default=None, description="Seed 003 udf_float_3.")
    float_4: float | None = strawberry.field(default=None, description="Seed 003 udf_float_4.")
    float_5: float | None = strawberry.field(default=None, description="Seed 003 udf_float_5.")
    float_6: float | None = strawberry.field(default=None, description="Seed 003 udf_float_6.")
    float_7: float | None = strawberry.field(default=None, description="Seed 003 udf_float_7.")
    float_8: float | None = strawberry.field(default=None, description="Seed 003 udf_float_8.")
    date_1: datetime | None = strawberry.field(default=None, description="Seed 003 udf_date_1.")
    date_2: datetime | None = strawberry.field(default=None, description="Seed 003 udf_date_2.")
    date_3: datetime | None = strawberry.field(default=None, description="Seed 003 udf_date_3.")
    date_4: datetime | None = strawberry.field(default=None, description="Seed 003 udf_date_4.")
    date_5: datetime | None = strawberry.field(default=None, description="Seed 003 udf_date_5.")
    date_6: datetime | None = strawberry.field(default=None, description="Seed 003 udf_date_6.")
    date_7: datetime | None = strawberry.field(default=None, description="Seed 003 udf_date_7.")
    date_8: datetime | None = strawberry.field(default=None, description="Seed 003 udf_date_8.")


DEMOGRAPHIC_COLUMNS = (
    "date_of_birth",
    "name_day",
    "id_number",
    "id_issued_by_country",
    "passport_number",
    "passport_issued_by_country",
    "social_security_number",
    "country_of_residence",
    "industry",
    "industry_sector",
)
# GraphQL member -> column: the company's industry has its own columns beside the person's.
COMPANY_COLUMNS = {
    "registration_number": "registration_number",
    "tax_reference_number": "tax_reference_number",
    "vat_registration_number": "vat_registration_number",
    "vat_registration_date": "vat_registration_date",
    "vat_registered_by": "vat_registered_by",
    "registered_in_country": "registered_in_country",
    "annual_turnover": "annual_turnover",
    "number_of_employees": "number_of_employees",
    "profile_year": "profile_year",
    "established_date": "established_date",
    "industry": "company_industry",
    "industry_sector": "company_industry_sector",
}
CONSENT_COLUMNS = tuple(field.name for field in ContactConsent.__dataclass_fields__.values())
UDF_SLOTS = tuple(ContactUdfs.__dataclass_fields__)  # string_1 ... date_8; stored as udf_<slot>


def demographics_of(info: strawberry.Info, record: ContactRecord) -> ContactDemographics:
    values = {name: getattr(record, name) for name in DEMOGRAPHIC_COLUMNS}
    if not sees_sensitive(info):
        values.update({name: masked(values[name]) for name in SENSITIVE})
    return ContactDemographics(**values)


def company_profile_of(record: ContactRecord) -> ContactCompanyProfile:
    return ContactCompanyProfile(
        **{member: getattr(record, column) for member, column in COMPANY_COLUMNS.items()}
    )


def consent_of(record: ContactRecord) -> ContactConsent:
    return ContactConsent(**{name: getattr(record, name) for name in CONSENT_COLUMNS})


def udfs_of(record: ContactRecord) -> ContactUdfs:
    stored: dict[str, Any] = record.udfs or {}
    values: dict[str, Any] = {}
    for slot in UDF_SLOTS:
        value = stored.get(f"udf_{slot}")
        values[slot] = datetime.fromisoformat(value) if slot.startswith("date_") and value else value
    return ContactUdfs(**values)
