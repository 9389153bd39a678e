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


@strawberry.enum(
    description="A contact's preferred language (seed 003 preferred_language, L1439-1480): the seed's "
    "three-letter codes, and CUSTOM1-CUSTOM8 that a tenant defines."
)
class ContactLanguage(Enum):
    ARA = strawberry.enum_value("ARA", description="Arabic.")
    DAN = strawberry.enum_value("DAN", description="Danish.")
    ENG = strawberry.enum_value("ENG", description="English.")
    EST = strawberry.enum_value("EST", description="Estonian.")
    FIN = strawberry.enum_value("FIN", description="Finnish.")
    FRA = strawberry.enum_value("FRA", description="French.")
    DEU = strawberry.enum_value("DEU", description="German.")
    ELL = strawberry.enum_value("ELL", description="Greek.")
    JPN = strawberry.enum_value("JPN", description="Japanese.")
    VIE = strawberry.enum_value("VIE", description="Vietnamese.")
    MAL = strawberry.enum_value("MAL", description="Malay.")
    IND = strawberry.enum_value("IND", description="Indonesian.")
    TAI = strawberry.enum_value("TAI", description="Thai.")
    LAV = strawberry.enum_value("LAV", description="Latvian.")
    LIT = strawberry.enum_value("LIT", description="Lithuanian.")
    NNO = strawberry.enum_value("NNO", description="Norwegian (Nynorsk).")
    POL = strawberry.enum_value("POL", description="Polish.")
    POR = strawberry.enum_value("POR", description="Portuguese.")
    RUS = strawberry.enum_value("RUS", description="Russian.")
    SPA = strawberry.enum_value("SPA", description="Spanish.")
    SWE = strawberry.enum_value("SWE", description="Swedish.")
    UKR = strawberry.enum_value("UKR", description="Ukrainian.")
    CMN = strawberry.enum_value("CMN", description="Mandarin Chinese.")
    TGL = strawberry.enum_value("TGL", description="Tagalog.")
    HIN = strawberry.enum_value("HIN", description="Hindi.")
    CUSTOM1 = strawberry.enum_value("CUSTOM1", description="Tenant-defined language 1.")
    CUSTOM2 = strawberry.enum_value("CUSTOM2", description="Tenant-defined language 2.")
    CUSTOM3 = strawberry.enum_value("CUSTOM3", description="Tenant-defined language 3.")
    CUSTOM4 = strawberry.enum_value("CUSTOM4", description="Tenant-defined language 4.")
    CUSTOM5 = strawberry.enum_value("CUSTOM5", description="Tenant-defined language 5.")
    CUSTOM6 = strawberry.enum_value("CUSTOM6", description="Tenant-defined language 6.")
    CUSTOM7 = strawberry.enum_value("CUSTOM7", description="Tenant-defined language 7.")
    CUSTOM8 = strawberry.enum_value("CUSTOM8", description="Tenant-defined language 8.")
