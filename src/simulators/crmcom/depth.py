"""contact_information create/update beyond names and sets (seed 003 L1325-2056, L2633-3350): preferred
language, category / group / privacy level, notes, marketing consent, the 32 UDFs, demographics and the
company profile, kept in the shapes the answers show (show L66-430, update L3414-3706).

"Fields which are not specified are not updated at all. Fields which are specified as null will be set
as null" (L2635): a null clears a member; inside demographics and company_profile member by member (a
reading: the seed does not say whether a nested object is replaced whole). Demographics are
"Applicable only if the type is PERSON" (L1946), the company profile "only if the type is COMPANY"
(L1962): given for the other type they are refused with INVALID_VALUE.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from simulators.crmcom import codes
from simulators.crmcom.handlers import ApiError, Call, Json
from simulators.crmcom.store import now_text

# seed 003 L1439-1480, as the seed lists them
LANGUAGE_CODES = (
    "ARA DAN ENG EST FIN FRA DEU ELL JPN VIE MAL IND TAI LAV LIT NNO POL POR RUS SPA SWE UKR CMN TGL HIN"
)
LANGUAGES = frozenset((*LANGUAGE_CODES.split(), *(f"CUSTOM{n}" for n in range(1, 9))))
UDF_KINDS = {"string": 16, "float": 8, "date": 8}  # L1562-1932
LINKS = ("category", "owned_by_group", "privacy_level")
FLAGS = {
    "send_direct_marketing_material": "direct_marketing",
    "send_affiliate_marketing_material": "affiliate_marketing",
}
DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")  # "2014-05-05T15:49:59" (L2116)
DEMOGRAPHIC_TEXT = ("id_number", "passport_number", "social_security_number")
DEMOGRAPHIC_LINKS = {
    "country_of_residence": "country",
    "id_issued_by_country": "country",
    "passport_issued_by_country": "country",
    "industry": "industry",
    "industry_sector": "industry_sector",
}  # L2126-2130
GENDERS = ("MALE", "FEMALE")  # L2122, L1053
COMPANY_TEXT = ("registration_number", "vat_registration_number", "vat_registered_by", "tax_reference_number")
COMPANY_NUMBERS = ("profile_year", "annual_turnover", "number_of_employees")
COMPANY_DATES = ("established_date", "vat_registration_date")
COMPANY_LINKS = {
    "registered_in_country": "country",
    "industry": "industry",
    "industry_sector": "industry_sector",
}


def apply_depth(call: Call, record: Json) -> None:
    params = call.params
    for name in ("notes", "preferred_language"):
        if name in params:
            record[name] = _text(params[name], name, LANGUAGES if name == "preferred_language" else None)
    for name in LINKS:
        if f"{name}_identifier" in params:
            record[name] = resolve(
                call.org.catalogues, name, params[f"{name}_identifier"], f"{name}_identifier"
            )
    for kind, count in UDF_KINDS.items():
        for n in range(1, count + 1):
            name = f"udf_{kind}_{n}"
            if name in params:
                record[name] = udf(kind, params[name], name)
    _consent(call, record)
    if "demographics" in params:
        record["demographics"] = _demographics(call, record, params["demographics"])
    if "company_profile" in params:
        record["company_profile"] = _company(call, record, params["company_profile"])


def _text(value: Any, name: str, allowed: frozenset[str] | None = None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or (allowed is not None and value not in allowed):
        raise ApiError(
            codes.INVALID_VALUE, f"{name} must be {'one of the seed codes' if allowed else 'text'}"
        )
    return value


def udf(kind: str, value: Any, name: str) -> Any:
    """A UDF parameter of its type: String, Float, or a Date in the seeds' form."""
    if value is None:
        return None
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ApiError(codes.INVALID_VALUE, f"{name} must be a number")
        return value
    text = _text(value, name)
    if kind == "date" and not _is_date(text):
        raise ApiError(codes.INVALID_VALUE, f"{name} must be a date like 2014-05-05T15:49:59")
    return text


def _is_date(text: str | None) -> bool:
    if text is None or not DATE.fullmatch(text):
        return False
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _consent(call: Call, record: Json) -> None:
    """Boolean in the tables (L1524-1560), 0 in the update example (L3404): both are taken. The answer
    records who set each flag and when (L3646-3661)."""
    for flag, prefix in FLAGS.items():
        if flag not in call.params:
            continue
        value = call.params[flag]
        if value not in (None, True, False, 0, 1) or isinstance(value, float):
            raise ApiError(codes.INVALID_VALUE, f"{flag} must be a Boolean")
        settings = record.setdefault("authorization_settings", {})
        user = call.user()
        settings[flag] = None if value is None else bool(value)
        settings[f"{prefix}_setting_updated_by_user"] = {"person_name": user, "username": user, "id": "1"}
        settings[f"{prefix}_setting_updated_date"] = now_text()


def _object(value: Any, name: str) -> Json:
    if not isinstance(value, dict):
        raise ApiError(codes.INVALID_VALUE, f"{name} must be an object")
    return value


def _applicable(record: Json, value: Any, kind: str, name: str) -> None:
    if value is not None and record.get("type") != kind:
        raise ApiError(codes.INVALID_VALUE, f"{name} is applicable only if the type is {kind}")


def _demographics(call: Call, record: Json, value: Any) -> Json | None:
    _applicable(record, value, "PERSON", "demographics")
    if value is None:
        return None
    given = _object(value, "demographics")
    allowed = {*DEMOGRAPHIC_TEXT, "gender", "date_of_birth", "name_day"}
    allowed |= {f"{name}_identifier" for name in DEMOGRAPHIC_LINKS}
    _known(given, allowed, "demographics")
    out = dict(record.get("demographics") or empty_demographics())
    for name in DEMOGRAPHIC_TEXT:
        if name in given:
            out[name] = _text(given[name], f"demographics.{name}")
    if "gender" in given:
        out["gender"] = _text(given["gender"], "demographics.gender", frozenset(GENDERS))
    for name, kind in DEMOGRAPHIC_LINKS.items():
        if f"{name}_identifier" in given:
            out[name] = resolve(call.org.catalogues, kind, given[f"{name}_identifier"], f"{name}_identifier")
    if "date_of_birth" in given:
        out["date_of_birth"] = _day(given["date_of_birth"], "date_of_birth", with_year=True)
    if "name_day" in given:
        out["name_day"] = _day(given["name_day"], "name_day", with_year=False)
    return out


def empty_demographics() -> Json:
    return {
        "gender": None,
        "passport_issued_by_country": None,
        "passport_number": None,
        "social_security_number": None,
        "country_of_residence": None,
        "industry_sector": None,
        "date_of_birth": {"month": None, "day": None, "year": None},
        "name_day": {"month": None, "day": None},
        "id_number": None,
        "id_issued_by_country": None,
        "industry": None,
    }  # fmt: skip  (L335-402, L3663-3700)


def _day(value: Any, name: str, *, with_year: bool) -> Json:
    """``{"day": 12, "month": 5, "year": 1981}`` (L2131-2135) or ``{"day": 18, "month": 8}`` (L2136)."""
    keys = ("day", "month", "year") if with_year else ("day", "month")
    if value is None:
        return dict.fromkeys(keys)
    given = _object(value, name)
    if set(given) != set(keys) or not all(type(given[k]) is int for k in keys):
        raise ApiError(codes.INVALID_VALUE, f"{name} must be {{{', '.join(keys)}}} as numbers")
    try:
        datetime(given.get("year", 2000), given["month"], given["day"])
    except ValueError:
        raise ApiError(codes.INVALID_VALUE, f"{name} is not a day of the year") from None
    return {"month": given["month"], "day": given["day"], **({"year": given["year"]} if with_year else {})}


def _company(call: Call, record: Json, value: Any) -> Json | None:
    _applicable(record, value, "COMPANY", "company_profile")
    if value is None:
        return None
    given = _object(value, "company_profile")
    allowed = {*COMPANY_TEXT, *COMPANY_NUMBERS, *COMPANY_DATES, *(f"{n}_identifier" for n in COMPANY_LINKS)}
    _known(given, allowed, "company_profile")
    out = dict(record.get("company_profile") or empty_company())
    for name in COMPANY_TEXT:
        if name in given:
            out[name] = _text(given[name], f"company_profile.{name}")
    for name in COMPANY_NUMBERS:
        if name in given:
            out[name] = (
                _whole(given[name], name) if name != "annual_turnover" else udf("float", given[name], name)
            )
    for name in COMPANY_DATES:
        if name in given:
            out[name] = udf("date", given[name], f"company_profile.{name}")
    for name, kind in COMPANY_LINKS.items():
        if f"{name}_identifier" in given:
            out[name] = resolve(call.org.catalogues, kind, given[f"{name}_identifier"], f"{name}_identifier")
    return out


def empty_company() -> Json:
    names = (*COMPANY_TEXT, *COMPANY_NUMBERS, *COMPANY_DATES, *COMPANY_LINKS)
    return dict.fromkeys(names)  # L3618-3631


def _whole(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if type(value) is not int or value < 0:
        raise ApiError(codes.INVALID_VALUE, f"company_profile.{name} must be a whole number")
    return value


def _known(given: Json, allowed: set[str], name: str) -> None:
    unknown = sorted(set(given) - allowed)
    if unknown:
        raise ApiError(codes.UNKNOWN_PARAMETER, f"unknown {name} member: {', '.join(unknown)}")


def resolve(catalogues: dict[str, list[Json]], kind: str, identifier: Any, name: str) -> Json | None:
    """The record an identifier names, as answers show it; None for a null identifier (clears it)."""
    if identifier is None:
        return None
    if not isinstance(identifier, dict) or len(identifier) != 1:
        raise ApiError(codes.INVALID_VALUE, f"{name} must name one field of the record")
    [(field, value)] = identifier.items()
    for record in catalogues[kind]:
        if record.get(field) is not None and str(record[field]) == str(value):
            return dict(record)
    raise ApiError(codes.NOT_FOUND, f"{name} names no record")
