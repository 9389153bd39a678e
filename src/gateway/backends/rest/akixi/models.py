"""Akixi CRM configurations as typed records (seed 002), independent of HTTP and of GraphQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ALL_DEVICES = "UnknownNoneOrAll"  # seed 002: the deviceNumber of "[None Or All Devices]"
ANY_ID = -1  # seed 002: telSysID / partitionIDInTelSys -1 stand for every one


@dataclass(frozen=True)
class DeviceScope:
    """The path scope of every operation: telephone system, partition and device."""

    tel_sys_id: int
    partition_id: int
    device_number: str


@dataclass(frozen=True)
class CrmSettings:
    """CRMConfiguration.JSONData: the CRM type's own settings; keys the gateway does not know stay in
    ``extra`` so that nothing is lost on the way back."""

    contacts_folders_names: tuple[str, ...] | None = None
    related_mail_folders_names: tuple[str, ...] | None = None
    related_calendar_folders_names: tuple[str, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CrmCommonSettings:
    """CRMConfigurationCommon.JSONData: caching settings every CRM type has."""

    cached: bool | None = None
    related_data_enabled: bool | None = None
    cache_frequency: int | None = None  # sent as a string ("60"), as in the seed
    cache_frequency_unit: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CrmConfig:
    id: str
    description: str | None
    crm_type: str | None
    tel_sys_id: int | None = None
    partition_id: int | None = None
    device_number: str | None = None
    tel_sys_description: str | None = None
    partition_description: str | None = None
    device_description: str | None = None
    cm_environment_id: str | None = None
    settings: CrmSettings | None = None  # Info only: List items do not carry the settings
    common: CrmCommonSettings | None = None


@dataclass(frozen=True)
class CrmConfigPage:
    total: int
    offset: int
    items: list[CrmConfig]


@dataclass(frozen=True)
class CrmConfigChange:
    """The body of Add and Change; ``None`` parts are left out (Akixi answers 31001/31004/31006)."""

    description: str | None = None
    crm_type: str | None = None
    settings: CrmSettings | None = None
    common: CrmCommonSettings | None = None
