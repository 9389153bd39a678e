"""Integration configurations (seed 002's Akixi CRM configurations): the neutral records and the
``Integrations`` protocol, served by the Akixi connector or by the gateway's own database.

Semantics every implementation keeps (seed 002): configurations live in a scope (telephone system,
partition, device); -1 and "UnknownNoneOrAll" mean every one in lists and lookups; at most one
configuration per exact scope (31005); refusals are ``gateway.backends.errors.Rejected`` with the seed's
code (31000-31007) and the part of the request at fault ("scope", "id", "settings", "common", "crmType").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from gateway.backends.errors import Rejected

ALL_DEVICES = "UnknownNoneOrAll"  # seed 002: the deviceNumber of "[None Or All Devices]"
ANY_ID = -1  # seed 002: telSysID / partitionIDInTelSys -1 stand for every one
# seed code -> (reason, the part of the request at fault, the seed's description)
CRM_CODES: dict[int, tuple[str, str, str]] = {
    31000: ("INVALID", "scope", "Add CRM Configuration for device and not for extensions."),
    31001: ("REQUIRED", "settings", "Provide a valid CRM Configuration."),
    31002: ("REQUIRED", "id", "Provide a valid CRM Configuration ID."),
    31003: ("NOT_FOUND", "id", "CRM Configuration was not found for the given ID."),
    31004: ("REQUIRED", "crmType", "Provide a valid CRM Type."),
    31005: ("CONFLICT", "scope", "CRM Configuration with same scope already exists."),
    31006: ("REQUIRED", "common", "No common configuration provided."),
    31007: ("INVALID", "crmType", "No template found."),
}
# The CRM types seed 002 shows, for which the gateway's own store has a template (else 31007).
CRM_TYPES = frozenset(
    {"CrmAddin.GoogleContacts.GoogleContactsAddin", "CrmAddin.GraphContacts.GraphContactsAddin"}
)
# The JSONData keys the graph has typed fields for; every other key is kept in ``extra``.
SETTINGS_KEYS = {
    "ContactsFoldersNames": "contacts_folders_names",
    "RelatedMailFoldersNames": "related_mail_folders_names",
    "RelatedCalendarFoldersNames": "related_calendar_folders_names",
}
COMMON_KEYS = {
    "Cached": "cached",
    "RelatedDataEnabled": "related_data_enabled",
    "CacheFrequency": "cache_frequency",
    "CacheFrequencyUnit": "cache_frequency_unit",
}


@dataclass(frozen=True)
class DeviceScope:
    """The path scope of every operation: telephone system, partition and device."""

    tel_sys_id: int
    partition_id: int
    device_number: str


def seed_refusal(seed_code: int, **extensions: Any) -> Rejected:
    """The refusal of seed 002's code, with the reason and the part of the request it concerns."""
    reason, field, message = CRM_CODES[seed_code]
    code = str(seed_code)
    return Rejected(
        reason,
        f"Akixi: {message}",
        field=field,
        seed_code=code,
        seedCode=code,
        upstreamCode=code,
        **extensions,
    )


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


class Integrations(Protocol):
    """Seed 002's five operations on CRM configurations, for the caller's tenant."""

    @property
    def default_scope(self) -> DeviceScope:
        """The scope of a call that names none (the routing file's options; all devices in SQL)."""
        ...

    async def add(self, change: CrmConfigChange, scope: DeviceScope) -> CrmConfig | None:
        """The new configuration, with its settings; None if it cannot be read back (yet)."""
        ...

    async def change(self, config_id: str, change: CrmConfigChange, scope: DeviceScope) -> None: ...

    async def delete(self, config_id: str, scope: DeviceScope) -> None: ...

    async def list(
        self, scope: DeviceScope, limit: int = 25, offset: int = 0, descending: bool = False
    ) -> CrmConfigPage:
        """The configurations within ``scope`` by description, without their settings."""
        ...

    async def info(self, config_id: str, scope: DeviceScope) -> CrmConfig: ...
