"""Akixi CRM configuration types: the JSONData settings as typed fields, unknown keys kept in ``extra``."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from gateway.backends.integrations import CrmCommonSettings, CrmConfig, CrmConfigPage, CrmSettings


@strawberry.type(description="CRMConfiguration: the settings of the configuration's CRM type.")
class AkixiCrmSettings:
    contacts_folders_names: list[str] | None = strawberry.field(description="ContactsFoldersNames.")
    related_mail_folders_names: list[str] | None = strawberry.field(description="RelatedMailFoldersNames.")
    related_calendar_folders_names: list[str] | None = strawberry.field(
        description="RelatedCalendarFoldersNames."
    )
    extra: JSON = strawberry.field(description="Other settings of the CRM type, as Akixi holds them.")


@strawberry.type(description="CRMConfigurationCommon: caching settings every CRM type has.")
class AkixiCrmCommonSettings:
    cached: bool | None = strawberry.field(description="Cached: whether CRM data is cached.")
    related_data_enabled: bool | None = strawberry.field(description="RelatedDataEnabled.")
    cache_frequency: int | None = strawberry.field(description="CacheFrequency, in `cacheFrequencyUnit`s.")
    cache_frequency_unit: str | None = strawberry.field(description='CacheFrequencyUnit, e.g. "Minutes".')
    extra: JSON = strawberry.field(description="Other common settings, as Akixi holds them.")


@strawberry.type(description="An Akixi CRM configuration of a telephone system, partition and device.")
class AkixiCrmConfig:
    id: str = strawberry.field(description="Akixi's CRMConfigurationID (not a global node ID).")
    description: str | None = strawberry.field(description="Description.")
    crm_type: str | None = strawberry.field(
        description='CRMType, e.g. "CrmAddin.GraphContacts.GraphContactsAddin".'
    )
    tel_sys_id: int | None = strawberry.field(description="TelSysID: the telephone system.")
    partition_id: int | None = strawberry.field(description="PartIDInTelSys: the partition.")
    device_number: str | None = strawberry.field(
        description='DeviceNumber; "UnknownNoneOrAll" for every device of the partition.'
    )
    tel_sys_description: str | None = strawberry.field(description="TelSysDescription.")
    partition_description: str | None = strawberry.field(description="PartitionDescription.")
    device_description: str | None = strawberry.field(description="DeviceDescription.")
    cm_environment_id: str | None = strawberry.field(description="CMEnvironmentID.")
    settings: AkixiCrmSettings | None = strawberry.field(
        description="CRMConfiguration; null in lists (Akixi's List omits it): read `akixiCrmConfig`."
    )
    common: AkixiCrmCommonSettings | None = strawberry.field(
        description="CRMConfigurationCommon; null in lists (Akixi's List omits it): read `akixiCrmConfig`."
    )


@strawberry.type(description="A page of Akixi CRM configurations (Akixi pages by offset).")
class AkixiCrmConfigList:
    total_count: int = strawberry.field(description="Configurations in the scope, all pages.")
    offset: int = strawberry.field(description="Position of the first item in the whole list.")
    items: list[AkixiCrmConfig] = strawberry.field(description="The configurations of this page.")


def settings_type(settings: CrmSettings | None) -> AkixiCrmSettings | None:
    if settings is None:
        return None
    return AkixiCrmSettings(
        contacts_folders_names=_list(settings.contacts_folders_names),
        related_mail_folders_names=_list(settings.related_mail_folders_names),
        related_calendar_folders_names=_list(settings.related_calendar_folders_names),
        extra=cast(JSON, settings.extra),
    )


def common_type(common: CrmCommonSettings | None) -> AkixiCrmCommonSettings | None:
    if common is None:
        return None
    return AkixiCrmCommonSettings(
        cached=common.cached,
        related_data_enabled=common.related_data_enabled,
        cache_frequency=common.cache_frequency,
        cache_frequency_unit=common.cache_frequency_unit,
        extra=cast(JSON, common.extra),
    )


def config_type(config: CrmConfig) -> AkixiCrmConfig:
    return AkixiCrmConfig(
        id=config.id,
        description=config.description,
        crm_type=config.crm_type,
        tel_sys_id=config.tel_sys_id,
        partition_id=config.partition_id,
        device_number=config.device_number,
        tel_sys_description=config.tel_sys_description,
        partition_description=config.partition_description,
        device_description=config.device_description,
        cm_environment_id=config.cm_environment_id,
        settings=settings_type(config.settings),
        common=common_type(config.common),
    )


def list_type(page: CrmConfigPage) -> AkixiCrmConfigList:
    return AkixiCrmConfigList(
        total_count=page.total, offset=page.offset, items=[config_type(c) for c in page.items]
    )


def _list(values: tuple[str, ...] | None) -> list[str] | None:
    return None if values is None else list(values)
