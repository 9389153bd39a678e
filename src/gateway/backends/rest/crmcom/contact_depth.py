"""Seed 003's contact depth as the graph's contact columns, and those columns as create/update parameters.

Answers (show L66-430, list L584-1190, update L3414-3706) carry catalogue links as objects
(``"category": {"name", "id", "code"}``, countries with ``two_character_code``), demographics and the
company profile as nested objects, consent as ``authorization_settings`` with who and when (L3646-3661).
Requests (create L1325-2056 with the examples at L2081-2206 and L2310-2425, update L2633-3350) name a
catalogue record with an ``<member>_identifier`` object, dates of birth and name days as
``{day, month[, year]}`` and the marketing flags as 0/1 (update example L3404-3405; the table says
Boolean, L2787). An update sends null to clear a member: "Fields which are specified as null will be
set as null" (L2635). ``life_cycle_state`` is in the answers but in neither table: it is not written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from gateway.backends.rest.crmcom.mapping import Json, parse_time, seed_date

# seed 003 L1439-1480, as the seed lists them
LANGUAGE_CODES = (
    "ARA DAN ENG EST FIN FRA DEU ELL JPN VIE MAL IND TAI LAV LIT NNO POL POR RUS SPA SWE UKR CMN TGL HIN"
)
LANGUAGES = frozenset((*LANGUAGE_CODES.split(), *(f"CUSTOM{n}" for n in range(1, 9))))
LIFE_CYCLE_STATES = frozenset({"MARKETING", "FINANCIAL"})  # L217, L690
UDFS = (
    *(f"udf_string_{n}" for n in range(1, 17)),
    *(f"udf_float_{n}" for n in range(1, 9)),
    *(f"udf_date_{n}" for n in range(1, 9)),
)  # L1562-1932
CATALOGUE_LINKS = ("category", "owned_by_group", "privacy_level")  # answered by name, sent {"name": ...}
DEMOGRAPHIC_TEXT = ("id_number", "passport_number", "social_security_number")
DEMOGRAPHIC_COUNTRIES = ("country_of_residence", "id_issued_by_country", "passport_issued_by_country")
COMPANY_TEXT = ("registration_number", "tax_reference_number", "vat_registration_number", "vat_registered_by")
COMPANY_NUMBERS = {"annual_turnover": float, "number_of_employees": int, "profile_year": int}
COMPANY_DATES = ("vat_registration_date", "established_date")
# The company's industry has its own columns beside the person's (graph: companyProfile.industry).
COMPANY_LINKS = {"industry": "company_industry", "industry_sector": "company_industry_sector"}
CONSENT = {
    "send_direct_marketing_material": "direct_marketing",
    "send_affiliate_marketing_material": "affiliate_marketing",
}
# Columns this module writes; the who/when of consent are CRM.COM's own (it records the token's user).
WRITTEN = frozenset(
    {
        *CATALOGUE_LINKS, "notes", "preferred_language", "date_of_birth", "name_day", *DEMOGRAPHIC_TEXT,
        *DEMOGRAPHIC_COUNTRIES, "industry", "industry_sector", *COMPANY_TEXT, *COMPANY_NUMBERS,
        *COMPANY_DATES, *COMPANY_LINKS.values(), "registered_in_country", *CONSENT, "udfs",
        *(f"{prefix}_changed_{what}" for prefix in CONSENT.values() for what in ("by", "at")),
    }
)  # fmt: skip


# --- reads ------------------------------------------------------------------------------------------


def depth_values(record: Json) -> dict[str, Any]:
    """The depth columns of an answered contact information (members it lacks read as null)."""
    demographics = _object(record.get("demographics"))
    company = _object(record.get("company_profile"))
    state, language = record.get("life_cycle_state"), record.get("preferred_language")
    values: dict[str, Any] = {
        "life_cycle_state": state if state in LIFE_CYCLE_STATES else None,
        "preferred_language": language if language in LANGUAGES else None,
        "notes": _text(record.get("notes")),
        **{name: _link_name(record.get(name)) for name in CATALOGUE_LINKS},
        "date_of_birth": _birth(demographics.get("date_of_birth")),
        "name_day": _name_day(demographics.get("name_day")),
        **{name: _text(demographics.get(name)) for name in DEMOGRAPHIC_TEXT},
        **{name: country(demographics.get(name)) for name in DEMOGRAPHIC_COUNTRIES},
        "industry": _link_name(demographics.get("industry")),
        "industry_sector": _link_name(demographics.get("industry_sector")),
        **{name: _text(company.get(name)) for name in COMPANY_TEXT},
        **{name: _number(company.get(name), kind) for name, kind in COMPANY_NUMBERS.items()},
        **{name: _day(company.get(name)) for name in COMPANY_DATES},
        "registered_in_country": country(company.get("registered_in_country")),
        **{column: _link_name(company.get(member)) for member, column in COMPANY_LINKS.items()},
        "udfs": _udfs(record),
    }
    return values | _consent(_object(record.get("authorization_settings")))


def country(value: Any) -> str | None:
    """A country object as its ISO alpha-2 code (its name where CRM.COM gives no code, L1091)."""
    if not isinstance(value, dict):
        return None
    return _text(value.get("two_character_code")) or _text(value.get("name"))


def _object(value: Any) -> Json:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int | float) and value != "" else None


def _link_name(value: Any) -> str | None:
    return _text(value.get("name")) if isinstance(value, dict) else None


def _birth(value: Any) -> date | None:
    parts = _object(value)
    try:
        return date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except (KeyError, TypeError, ValueError):
        return None  # the update example answers {"month": null, "year": null, "day": null} (L3677)


def _name_day(value: Any) -> str | None:
    parts = _object(value)
    month, day = parts.get("month"), parts.get("day")
    return f"{month:02d}-{day:02d}" if isinstance(month, int) and isinstance(day, int) else None


def _number(value: Any, kind: type) -> Any:
    return kind(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _day(value: Any) -> date | None:
    moment = parse_time(value)
    return moment.date() if moment else None


def _udfs(record: Json) -> dict[str, Any]:
    """As the graph keeps them: dates as ISO text (UTC), floats as floats, strings as strings."""
    udfs: dict[str, Any] = {}
    for name in UDFS:
        value = record.get(name)
        if name.startswith("udf_date_"):
            moment = parse_time(value)
            value = moment.isoformat() if moment else None
        elif name.startswith("udf_float_"):
            value = _number(value, float)
        if value is not None:
            udfs[name] = value
    return udfs


def username(user: Any) -> str | None:
    """A user object (``{"person_name", "username", "id"}``, L200-212) as the name the graph shows."""
    user = _object(user)
    return _text(user.get("username")) or _text(user.get("person_name"))


def _consent(settings: Json) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for flag, prefix in CONSENT.items():
        given = settings.get(flag)
        values[flag] = bool(given) if isinstance(given, bool | int) else None
        values[f"{prefix}_changed_by"] = username(settings.get(f"{prefix}_setting_updated_by_user"))
        values[f"{prefix}_changed_at"] = parse_time(settings.get(f"{prefix}_setting_updated_date"))
    return values


# --- writes -----------------------------------------------------------------------------------------


def depth_body(values: Mapping[str, Any], current_udfs: Mapping[str, Any] | None) -> Json:
    """Parameters for the depth columns ``values`` gives. ``current_udfs`` is None on create (nulls are
    left out); on update it is what CRM.COM holds, and a given null is sent as null to clear it."""
    updating = current_udfs is not None
    given = {k: v for k, v in values.items() if updating or v is not None}
    body: Json = {name: given[name] for name in ("notes", "preferred_language") if name in given}
    for name in CATALOGUE_LINKS:
        if name in given:
            body[f"{name}_identifier"] = _identifier("name", given[name])
    for flag in CONSENT:
        if flag in given:
            body[flag] = None if given[flag] is None else int(bool(given[flag]))
    demographics = _demographics(given)
    if demographics:
        body["demographics"] = demographics
    company = _company(given)
    if company:
        body["company_profile"] = company
    if "udfs" in given:
        body |= _udf_params(given["udfs"] or {}, current_udfs or {})
    return body


def _identifier(field: str, value: Any) -> Json | None:
    return None if value is None else {field: str(value)}


def _demographics(given: Mapping[str, Any]) -> Json:
    out: Json = {name: given[name] for name in (*DEMOGRAPHIC_TEXT, "gender") if name in given}
    for name in DEMOGRAPHIC_COUNTRIES:
        if name in given:
            out[f"{name}_identifier"] = _identifier("two_character_code", given[name])
    for name in ("industry", "industry_sector"):
        if name in given:
            out[f"{name}_identifier"] = _identifier("name", given[name])
    if "date_of_birth" in given:
        born = given["date_of_birth"]
        out["date_of_birth"] = born and {"day": born.day, "month": born.month, "year": born.year}
    if "name_day" in given:
        name_day = given["name_day"]
        month, _, day = (name_day or "").partition("-")
        out["name_day"] = {"day": int(day), "month": int(month)} if name_day else None
    return out


def _company(given: Mapping[str, Any]) -> Json:
    out: Json = {name: given[name] for name in (*COMPANY_TEXT, *COMPANY_NUMBERS) if name in given}
    for name in COMPANY_DATES:
        if name in given:
            out[name] = given[name] and seed_date(given[name])
    if "registered_in_country" in given:
        out["registered_in_country_identifier"] = _identifier(
            "two_character_code", given["registered_in_country"]
        )
    for member, column in COMPANY_LINKS.items():
        if column in given:
            out[f"{member}_identifier"] = _identifier("name", given[column])
    return out


def _udf_params(wanted: Mapping[str, Any], current: Mapping[str, Any]) -> Json:
    """The UDFs that differ from what CRM.COM holds (all of them on create); a dropped one as null."""
    params: Json = {}
    for name in UDFS:
        value, held = wanted.get(name), current.get(name)
        if value == held:
            continue
        if value is not None and name.startswith("udf_date_"):
            value = seed_date(datetime.fromisoformat(value))
        params[name] = value
    return params
