"""Checks of Akixi inputs before anything is sent: a bad value is a user error and costs no call."""

from __future__ import annotations

import json
import re
from typing import Any

from gateway.backends.integrations import (
    COMMON_KEYS,
    SETTINGS_KEYS,
    CrmCommonSettings,
    CrmConfigChange,
    CrmSettings,
    DeviceScope,
)
from resolvers.common.errors import UserError, UserErrorCode, error
from resolvers.common.naming import to_camel
from resolvers.integrations.errors import invalid
from resolvers.integrations.inputs import (
    AkixiCrmCommonSettingsInput,
    AkixiCrmConfigInput,
    AkixiCrmSettingsInput,
    AkixiDeviceScopeInput,
)

DEVICE_NUMBER = re.compile(r"^[A-Za-z0-9+*#._-]{1,64}$")
CRM_TYPE = re.compile(r"^[A-Za-z0-9_.]{1,255}$")
MAX_ID, MAX_TEXT, MAX_NAMES, MAX_EXTRA_BYTES = 200, 255, 100, 16_384
MAX_INT = 2**31 - 1


def scope_of(
    given: AkixiDeviceScopeInput | None, default: DeviceScope
) -> tuple[DeviceScope, list[UserError]]:
    tel_sys = default.tel_sys_id if given is None or given.tel_sys_id is None else given.tel_sys_id
    partition = default.partition_id if given is None or given.partition_id is None else given.partition_id
    device = default.device_number if given is None or given.device_number is None else given.device_number
    problems = [
        invalid(["scope", name], f"{name} must be -1 or a positive whole number.")
        for name, value in (("telSysId", tel_sys), ("partitionId", partition))
        if not -1 <= value <= MAX_INT
    ]
    if not DEVICE_NUMBER.match(device):
        message = "deviceNumber must be 1 to 64 letters, digits or + * # . _ -."
        problems.append(invalid(["scope", "deviceNumber"], message))
    return DeviceScope(tel_sys, partition, device), problems


def specific_scope(scope: DeviceScope) -> list[UserError]:
    """Add writes for one partition of one telephone system (the device may be "UnknownNoneOrAll")."""
    return [
        invalid(["scope", name], f"Add needs a specific {name}, not -1.")
        for name, value in (("telSysId", scope.tel_sys_id), ("partitionId", scope.partition_id))
        if value == -1
    ]


def config_id(value: str) -> list[UserError]:
    if not value.strip():
        # Seed 002 31002: an empty ID would also change the URL's meaning, so it is never sent.
        return [error(["id"], "Provide a valid CRM Configuration ID.", UserErrorCode.REQUIRED, "31002")]
    if len(value) > MAX_ID or "/" in value or any(ord(c) < 32 for c in value):
        return [invalid(["id"], f"Not an Akixi CRM configuration ID (up to {MAX_ID} characters, no '/').")]
    return []


def change_of(input: AkixiCrmConfigInput) -> tuple[CrmConfigChange, list[UserError]]:
    problems: list[UserError] = []
    if input.description is not None and len(input.description) > MAX_TEXT:
        problems.append(invalid(["input", "description"], f"Up to {MAX_TEXT} characters."))
    if input.crm_type is not None and not CRM_TYPE.match(input.crm_type):
        problems.append(invalid(["input", "crmType"], "Letters, digits, '.' and '_', up to 255."))
    settings = _settings(input.settings, problems)
    common = _common(input.common, problems)
    return CrmConfigChange(input.description, input.crm_type, settings, common), problems


def _settings(given: AkixiCrmSettingsInput | None, problems: list[UserError]) -> CrmSettings | None:
    if given is None:
        return None
    names = {
        attr: _names(getattr(given, attr), ["input", "settings", to_camel(attr)], problems)
        for attr in SETTINGS_KEYS.values()
    }
    extra = _extra(given.extra, set(SETTINGS_KEYS), ["input", "settings", "extra"], problems)
    return CrmSettings(**names, extra=extra)


def _common(given: AkixiCrmCommonSettingsInput | None, problems: list[UserError]) -> CrmCommonSettings | None:
    if given is None:
        return None
    path = ["input", "common"]
    if given.cache_frequency is not None and not 1 <= given.cache_frequency <= 1_000_000:
        problems.append(invalid([*path, "cacheFrequency"], "cacheFrequency must be 1 to 1,000,000."))
    unit = given.cache_frequency_unit
    if unit is not None and not (unit.strip() and len(unit) <= 32):
        problems.append(invalid([*path, "cacheFrequencyUnit"], "1 to 32 characters."))
    extra = _extra(given.extra, set(COMMON_KEYS), [*path, "extra"], problems)
    return CrmCommonSettings(
        given.cached, given.related_data_enabled, given.cache_frequency, unit, extra=extra
    )


def _names(values: list[str] | None, path: list[str], problems: list[UserError]) -> tuple[str, ...] | None:
    if values is None:
        return None
    if len(values) > MAX_NAMES or any(not v.strip() or len(v) > MAX_TEXT for v in values):
        problems.append(invalid(path, f"Up to {MAX_NAMES} names of 1 to {MAX_TEXT} characters."))
    return tuple(values)


def _extra(value: Any, known: set[str], path: list[str], problems: list[UserError]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(invalid(path, "extra must be a JSON object."))
        return {}
    if known & set(value):
        problems.append(invalid(path, f"Set {', '.join(sorted(known & set(value)))} by their own fields."))
    if len(json.dumps(value)) > MAX_EXTRA_BYTES:
        problems.append(invalid(path, f"extra is larger than {MAX_EXTRA_BYTES} bytes as JSON."))
    return value
