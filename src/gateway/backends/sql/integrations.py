"""``SqlIntegrations``: seed 002's CRM configurations in the gateway's own database, with Akixi's rules.

Scopes: a list or lookup scope may use -1 and "UnknownNoneOrAll" for "every one"; Add needs a specific
telephone system and partition (the resolver checks it), and keeps one configuration per exact scope
(31005, also under a race: the unique constraint answers). Add requires settings (31001), common
settings (31006) and a CRM type (31004) with a template (31007: the types of ``CRM_TYPES``); Change
requires both settings and keeps the CRM type and description it is not given. An id that names no
configuration in the scope is 31003. The gateway knows no telephone system's devices, so it has no
extensions to refuse (31000) and no descriptions of systems, partitions and devices (null).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa

from gateway.backends.crm_settings import dump_common, dump_settings, parse_common, parse_settings
from gateway.backends.integrations import (
    ALL_DEVICES,
    ANY_ID,
    CRM_TYPES,
    CrmConfig,
    CrmConfigChange,
    CrmConfigPage,
    DeviceScope,
    Integrations,
    seed_refusal,
)
from gateway.backends.sql import tables as t
from gateway.backends.sql.area import SqlArea, storable
from gateway.ids import utcnow, uuid7

CONFIGS = t.crm_configs
ALL_DEVICES_SCOPE = DeviceScope(ANY_ID, ANY_ID, ALL_DEVICES)
SUMMARY = (
    CONFIGS.c.id,
    CONFIGS.c.description,
    CONFIGS.c.crm_type,
    CONFIGS.c.tel_sys_id,
    CONFIGS.c.partition_id,
    CONFIGS.c.device_number,
)


class SqlIntegrations(SqlArea):
    default_scope = ALL_DEVICES_SCOPE

    def integrations(self) -> Integrations:
        return self

    async def add(self, change: CrmConfigChange, scope: DeviceScope) -> CrmConfig | None:
        settings, common = _settings_of(change)
        if change.crm_type is None or not change.crm_type.strip():
            raise seed_refusal(31004)
        _check_crm_type(change.crm_type)
        row = {
            "id": uuid7(),
            "tenant": self.tenant,
            "date_created": utcnow(),
            "created_by": self.actor,
            "tel_sys_id": scope.tel_sys_id,
            "partition_id": scope.partition_id,
            "device_number": scope.device_number,
            "description": change.description or "",
            "crm_type": change.crm_type,
            "settings": settings,
            "common": common,
        }
        try:
            async with self.transaction() as connection:
                await self.run(connection, sa.insert(CONFIGS).values(storable(row)))
        except sa.exc.IntegrityError:
            raise seed_refusal(31005) from None
        return _config(row, with_settings=True)

    async def change(self, config_id: str, change: CrmConfigChange, scope: DeviceScope) -> None:
        settings, common = _settings_of(change)
        values: dict[str, Any] = {"settings": settings, "common": common}
        if change.crm_type is not None and change.crm_type.strip():
            values["crm_type"] = _check_crm_type(change.crm_type)
        if change.description is not None:
            values["description"] = change.description
        values |= {"date_modified": utcnow(), "modified_by": self.actor}
        statement = sa.update(CONFIGS).where(*_one(self.tenant, config_id, scope)).values(storable(values))
        async with self.transaction() as connection:
            if (await self.run(connection, statement)).rowcount == 0:
                raise seed_refusal(31003)

    async def delete(self, config_id: str, scope: DeviceScope) -> None:
        async with self.transaction() as connection:
            deleted = await self.run(
                connection, sa.delete(CONFIGS).where(*_one(self.tenant, config_id, scope))
            )
            if deleted.rowcount == 0:
                raise seed_refusal(31003)

    async def list(
        self, scope: DeviceScope, limit: int = 25, offset: int = 0, descending: bool = False
    ) -> CrmConfigPage:
        order = (CONFIGS.c.description, CONFIGS.c.id)
        statement = (
            sa.select(*SUMMARY, sa.func.count().over().label("total"))
            .where(*_within(self.tenant, scope))
            .order_by(*(column.desc() if descending else column for column in order))
            .limit(limit)
            .offset(offset)
        )
        rows = (await self.read(statement)).mappings().all()
        total = rows[0]["total"] if rows else await self._count(scope)
        return CrmConfigPage(total, offset, [_config(row, with_settings=False) for row in rows])

    async def _count(self, scope: DeviceScope) -> int:
        """The total when the page is past the end (the page's rows carry it otherwise)."""
        statement = sa.select(sa.func.count()).select_from(CONFIGS).where(*_within(self.tenant, scope))
        return int((await self.read(statement)).scalar_one())

    async def info(self, config_id: str, scope: DeviceScope) -> CrmConfig:
        statement = sa.select(CONFIGS).where(*_one(self.tenant, config_id, scope))
        row = (await self.read(statement)).mappings().first()
        if row is None:
            raise seed_refusal(31003)
        return _config(row, with_settings=True)


def _within(tenant: str, scope: DeviceScope) -> list[Any]:
    conditions: list[Any] = [CONFIGS.c.tenant == tenant]
    if scope.tel_sys_id != ANY_ID:
        conditions.append(CONFIGS.c.tel_sys_id == scope.tel_sys_id)
    if scope.partition_id != ANY_ID:
        conditions.append(CONFIGS.c.partition_id == scope.partition_id)
    if scope.device_number != ALL_DEVICES:
        conditions.append(CONFIGS.c.device_number == scope.device_number)
    return conditions


def _one(tenant: str, config_id: str, scope: DeviceScope) -> list[Any]:
    if not config_id.strip():
        raise seed_refusal(31002)
    try:
        return [*_within(tenant, scope), CONFIGS.c.id == UUID(config_id)]
    except ValueError:
        raise seed_refusal(31003) from None  # not an id this store ever gave


def _settings_of(change: CrmConfigChange) -> tuple[str, str]:
    if change.settings is None:
        raise seed_refusal(31001)
    if change.common is None:
        raise seed_refusal(31006)
    return dump_settings(change.settings), dump_common(change.common)


def _check_crm_type(crm_type: str) -> str:
    if crm_type not in CRM_TYPES:
        raise seed_refusal(31007)
    return crm_type


def _config(row: Any, with_settings: bool) -> CrmConfig:
    return CrmConfig(
        id=str(row["id"]),
        description=row["description"],
        crm_type=row["crm_type"],
        tel_sys_id=row["tel_sys_id"],
        partition_id=row["partition_id"],
        device_number=row["device_number"],
        settings=parse_settings(row["settings"]) if with_settings else None,
        common=parse_common(row["common"]) if with_settings else None,
    )
