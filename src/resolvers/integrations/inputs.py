"""Inputs of the Akixi CRM configuration queries and mutations."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from resolvers.common.fields import optional_field as _f


@strawberry.input(
    description="Which telephone system, partition and device; parts left out come from the routing file "
    '(`[upstreams.<name>.options]`). -1 and "UnknownNoneOrAll" mean every one (lists only).'
)
class AkixiDeviceScopeInput:
    tel_sys_id: int | None = _f("telSysID: the telephone system; -1 for all.")
    partition_id: int | None = _f("partitionIDInTelSys: the partition; -1 for all.")
    device_number: str | None = _f('deviceNumber, e.g. "+442046034983"; "UnknownNoneOrAll" for all.')


@strawberry.input(description="CRMConfiguration: the settings of the CRM type (sent as JSONData).")
class AkixiCrmSettingsInput:
    contacts_folders_names: list[str] | None = _f("ContactsFoldersNames.")
    related_mail_folders_names: list[str] | None = _f("RelatedMailFoldersNames.")
    related_calendar_folders_names: list[str] | None = _f("RelatedCalendarFoldersNames.")
    extra: JSON | None = _f("Other settings of the CRM type: a JSON object, without the keys above.")


@strawberry.input(description="CRMConfigurationCommon: caching settings (sent as JSONData).")
class AkixiCrmCommonSettingsInput:
    cached: bool | None = _f("Cached.")
    related_data_enabled: bool | None = _f("RelatedDataEnabled.")
    cache_frequency: int | None = _f("CacheFrequency: 1 to 1,000,000 `cacheFrequencyUnit`s.")
    cache_frequency_unit: str | None = _f('CacheFrequencyUnit, e.g. "Minutes".')
    extra: JSON | None = _f("Other common settings: a JSON object, without the keys above.")


@strawberry.input(
    description="The body of Add and Change. Akixi requires `settings` (31001), `common` (31006) and, on "
    "Add, `crmType` (31004); they are left to Akixi to require so that its own codes reach you."
)
class AkixiCrmConfigInput:
    description: str | None = _f("Description (up to 255 characters).")
    crm_type: str | None = _f('CRMType, e.g. "CrmAddin.GraphContacts.GraphContactsAddin".')
    settings: AkixiCrmSettingsInput | None = _f("CRMConfiguration.")
    common: AkixiCrmCommonSettingsInput | None = _f("CRMConfigurationCommon.")
