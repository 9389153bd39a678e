"""What the Akixi simulator holds in memory: devices, CRM templates, credentials and CRM configurations.

Kept apart from the gateway's connector on purpose (no shared mapping code), so a connector bug shows.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field

from simulators.akixi.profiles import DEFAULT, Profile

ALL_DEVICES = "UnknownNoneOrAll"  # seed 002 List sample: deviceNumber for "[None Or All Devices]"
ANY_ID = -1  # seed 002 List sample: telSysID / partitionIDInTelSys -1 stand for every one
CM_ENVIRONMENT_ID = "d6d6c5a5f0f90d60:-15617a00:169f533f6d5:5613"


@dataclass(frozen=True)
class Device:
    tel_sys_id: int
    tel_sys_description: str
    partition_id: int
    partition_description: str
    number: str
    description: str
    is_extension: bool = False  # seed 002 31000: configurations are for devices, not extensions


@dataclass
class StoredConfig:
    id: str
    device: Device
    description: str
    crm_type: str
    json_data: str  # CRMConfiguration.JSONData as received
    common_json_data: str  # CRMConfigurationCommon.JSONData as received


@dataclass(frozen=True)
class Credential:
    """An x-api-key or JSESSIONID; ``None`` parts of its scope mean "any" (seed 002: privileges may be
    limited to one particular Integrator Client entry)."""

    tel_sys_id: int | None = None
    partition_id: int | None = None
    device_number: str | None = None

    def allows(self, device: Device) -> bool:
        return (
            self.tel_sys_id in (None, device.tel_sys_id)
            and self.partition_id in (None, device.partition_id)
            and self.device_number in (None, device.number)
        )


@dataclass
class AkixiSimulator:
    devices: list[Device] = field(default_factory=list)
    templates: set[str] = field(default_factory=set)  # CRM types with a template (else 31007)
    api_keys: dict[str, Credential] = field(default_factory=dict)
    sessions: dict[str, Credential] = field(default_factory=dict)
    configs: dict[str, StoredConfig] = field(default_factory=dict)
    profile: Profile = DEFAULT  # which reading of seed 002 this simulator answers with (``profiles``)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(0x496))

    def new_id(self) -> str:
        # The shape of the seed's ids: "3d5b6efefaa0a823:3af2db2a:199bb1c0014:-496".
        parts = (
            secrets.token_hex(8),
            secrets.token_hex(4),
            secrets.token_hex(6)[:11],
            f"{next(self._counter):x}",
        )
        return ":".join(parts)

    def add(
        self,
        device: Device,
        description: str,
        crm_type: str,
        json_data: str,
        common: str,
        config_id: str | None = None,
    ) -> StoredConfig:
        config = StoredConfig(config_id or self.new_id(), device, description, crm_type, json_data, common)
        self.configs[config.id] = config
        return config

    def config_for(self, device: Device) -> StoredConfig | None:
        return next((c for c in self.configs.values() if c.device == device), None)

    @classmethod
    def demo(cls, api_key: str = "demo-akixi-key", session: str = "demo-session") -> AkixiSimulator:
        """The devices and configurations of seed 002's List sample, plus an extension."""
        sim = cls(
            devices=list(DEMO_DEVICES),
            templates={GOOGLE_CONTACTS, GRAPH_CONTACTS},
            api_keys={api_key: Credential()},
            sessions={session: Credential()},
        )
        teams, dev, _, _, sandbox, _ = DEMO_DEVICES
        # With the sample's own IDs, so that the examples in the docs (and seed 002's) find them.
        sim.add(teams, "Raman-Teams", GOOGLE_CONTACTS, DEMO_SETTINGS, DEMO_COMMON, DEMO_IDS[0])
        sim.add(dev, "test CRM", GRAPH_CONTACTS, DEMO_SETTINGS, DEMO_COMMON, DEMO_IDS[1])
        sim.add(sandbox, "test CXI", GOOGLE_CONTACTS, DEMO_SETTINGS, DEMO_COMMON, DEMO_IDS[2])
        return sim


DEMO_IDS = (
    "fa52375053f0c2b3:78fd3a9e:19995546266:5fe8",
    "3d5b6efefaa0a823:3af2db2a:199bb1c0014:-496",
    "3d5b6efefaa0a823:3af2db2a:199b9df0851:6103",
)
GOOGLE_CONTACTS = "CrmAddin.GoogleContacts.GoogleContactsAddin"
GRAPH_CONTACTS = "CrmAddin.GraphContacts.GraphContactsAddin"
DEMO_SETTINGS = (
    '{"RelatedMailFoldersNames":[],"ContactsFoldersNames":["Contacts"],"RelatedCalendarFoldersNames":[]}'
)
DEMO_COMMON = '{"Cached":true,"RelatedDataEnabled":true,"CacheFrequency":"60","CacheFrequencyUnit":"Minutes"}'
DEMO_DEVICES = (
    Device(338, "MS Teams - Thanga", 1, "MS Teams - Thanga", ALL_DEVICES, "[None Or All Devices]"),
    Device(426, "MST Dev Tenant", 1, "MST Dev Tenant", "+442046034983", "User04 A4MTTest"),
    Device(426, "MST Dev Tenant", 1, "MST Dev Tenant", "+442046034980", "User01 A4MTTest"),
    Device(426, "MST Dev Tenant", 1, "MST Dev Tenant", ALL_DEVICES, "[None Or All Devices]"),
    Device(183, "Test Telsys", 1, "test partition", "0001", "Akixi O365 Sandbox"),
    Device(426, "MST Dev Tenant", 1, "MST Dev Tenant", "2001", "Reception extension", is_extension=True),
)
