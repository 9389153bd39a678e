"""Akixi's List and Info answers (seed 002) read into ``CrmConfig`` records."""

from __future__ import annotations

from typing import Any

from gateway.backends.crm_settings import InvalidJsonData, parse_common, parse_settings
from gateway.backends.integrations import CrmConfig, CrmConfigPage


def page(data: Any) -> CrmConfigPage:
    """List's ``Data``: ``{"Total": 3, "Items": [...], "Offset": 0}``."""
    if not isinstance(data, dict) or not isinstance(data.get("Items"), list):
        raise InvalidJsonData("List data has no Items")
    items = [config(item, with_settings=False) for item in data["Items"]]
    return CrmConfigPage(
        total=_int(data.get("Total", len(items))), offset=_int(data.get("Offset", 0)), items=items
    )


def config(data: Any, with_settings: bool = True) -> CrmConfig:
    if not isinstance(data, dict) or not isinstance(data.get("CRMConfigurationID"), str):
        raise InvalidJsonData("a configuration has no CRMConfigurationID")
    return CrmConfig(
        id=data["CRMConfigurationID"],
        description=_text(data, "Description"),
        crm_type=_text(data, "CRMType"),
        # List gives these as integers, Info as strings ("426").
        tel_sys_id=_optional_int(data.get("TelSysID")),
        partition_id=_optional_int(data.get("PartIDInTelSys")),
        device_number=_text(data, "DeviceNumber"),
        tel_sys_description=_text(data, "TelSysDescription"),
        partition_description=_text(data, "PartitionDescription"),
        device_description=_text(data, "DeviceDescription"),
        cm_environment_id=_text(data, "CMEnvironmentID"),
        settings=parse_settings(data["CRMConfiguration"])
        if _has(data, "CRMConfiguration", with_settings)
        else None,
        common=parse_common(data["CRMConfigurationCommon"])
        if _has(data, "CRMConfigurationCommon", with_settings)
        else None,
    )


def _has(data: dict[str, Any], key: str, wanted: bool) -> bool:
    return wanted and data.get(key) is not None


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidJsonData(f"{key} is not a string")
    return value


def _optional_int(value: Any) -> int | None:
    return None if value is None else _int(value)


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidJsonData("a number is a boolean")
    try:
        return int(str(value))
    except ValueError:
        raise InvalidJsonData("a number is not a whole number") from None
