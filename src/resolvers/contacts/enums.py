"""Enumerations of the contacts area."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Whether a contact is a person or a company (seed 003 contact type).")
class ContactKind(Enum):
    PERSON = strawberry.enum_value("PERSON", description="A person: first and last name are required.")
    COMPANY = strawberry.enum_value("COMPANY", description="A company: the company name is required.")


@strawberry.enum(description="Gender (seed 000).")
class Gender(Enum):
    MALE = strawberry.enum_value("MALE", description="Male.")
    FEMALE = strawberry.enum_value("FEMALE", description="Female.")
    NON_BINARY = strawberry.enum_value("NON_BINARY", description="Non-binary.")


@strawberry.enum(description="Fields contacts can be sorted by.")
class ContactOrderField(Enum):
    DATE_CREATED = strawberry.enum_value("date_created", description="Creation time.")
    DATE_MODIFIED = strawberry.enum_value("date_modified", description="Last change.")
    FIRST_NAME = strawberry.enum_value("first_name", description="First name.")
    LAST_NAME = strawberry.enum_value("last_name", description="Last name.")
    COMPANY_NAME = strawberry.enum_value("company_name", description="Company name.")
    CITY = strawberry.enum_value("city", description="City.")
    CUSTOM_FIELD = strawberry.enum_value(
        "custom_field", description="The custom field named in `customField`."
    )


@strawberry.enum(description="Where a contact stands with the business (seed 003 life_cycle_state).")
class ContactLifeCycleState(Enum):
    MARKETING = strawberry.enum_value("MARKETING", description="A prospect: marketing only.")
    FINANCIAL = strawberry.enum_value("FINANCIAL", description="A customer with financial dealings.")


# Seed 003 preferred_language (L1439-1480): ISO 639-2/3 style codes and eight tenant-defined ones.
_LANGUAGE_CODES = (
    "ARA DAN ENG EST FIN FRA DEU ELL JPN VIE MAL IND TAI LAV LIT NNO POL POR RUS SPA SWE UKR CMN TGL HIN"
)
ContactLanguage = strawberry.enum(
    Enum(  # type: ignore[misc]
        "ContactLanguage",
        {code: code for code in (*_LANGUAGE_CODES.split(), *(f"CUSTOM{n}" for n in range(1, 9)))},
    ),
    description="A contact's preferred language (seed 003 preferred_language): three-letter codes, and "
    "CUSTOM1-CUSTOM8 that a tenant defines.",
)
