"""Seed 002 JSONData strings to typed CRM configuration settings and back (Akixi and the SQL store alike).

Requests carry ``{"JSONData": "<JSON text>"}``; Info answers with the parsed object. Both are read.
"""

from __future__ import annotations

import json
from typing import Any

from gateway.backends.integrations import COMMON_KEYS, SETTINGS_KEYS, CrmCommonSettings, CrmSettings


class InvalidJsonData(ValueError):
    """What the upstream sent is not the settings object it should be (the message names no values)."""


def settings_object(value: Any) -> dict[str, Any]:
    """An object, ``{"JSONData": "<text>"}`` or the text itself, as a dict."""
    if isinstance(value, dict) and set(value) == {"JSONData"}:
        value = value["JSONData"]
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidJsonData("JSONData is not valid JSON") from None
    if not isinstance(value, dict):
        raise InvalidJsonData("settings are not a JSON object")
    return value


def parse_settings(value: Any) -> CrmSettings:
    raw = settings_object(value)
    known = {attr: _names(raw[key], key) for key, attr in SETTINGS_KEYS.items() if key in raw}
    return CrmSettings(**known, extra={k: v for k, v in raw.items() if k not in SETTINGS_KEYS})


def parse_common(value: Any) -> CrmCommonSettings:
    raw = settings_object(value)
    return CrmCommonSettings(
        cached=_bool(raw.get("Cached"), "Cached"),
        related_data_enabled=_bool(raw.get("RelatedDataEnabled"), "RelatedDataEnabled"),
        cache_frequency=_frequency(raw.get("CacheFrequency")),
        cache_frequency_unit=_text(raw.get("CacheFrequencyUnit"), "CacheFrequencyUnit"),
        extra={k: v for k, v in raw.items() if k not in COMMON_KEYS},
    )


def dump_settings(settings: CrmSettings) -> str:
    data = dict(settings.extra)
    for key, attr in SETTINGS_KEYS.items():
        value = getattr(settings, attr)
        if value is not None:
            data[key] = list(value)
    return json.dumps(data, separators=(",", ":"))


def dump_common(common: CrmCommonSettings) -> str:
    data = dict(common.extra)
    values = {
        "Cached": common.cached,
        "RelatedDataEnabled": common.related_data_enabled,
        # The seed sends the frequency as a string: "CacheFrequency":"60".
        "CacheFrequency": None if common.cache_frequency is None else str(common.cache_frequency),
        "CacheFrequencyUnit": common.cache_frequency_unit,
    }
    data.update({key: value for key, value in values.items() if value is not None})
    return json.dumps(data, separators=(",", ":"))


def _names(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidJsonData(f"{key} is not a list of strings")
    return tuple(value)


def _bool(value: Any, key: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise InvalidJsonData(f"{key} is not a boolean")
    return value


def _text(value: Any, key: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise InvalidJsonData(f"{key} is not a string")
    return value


def _frequency(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return int(str(value))
    except ValueError:
        raise InvalidJsonData("CacheFrequency is not a whole number") from None
