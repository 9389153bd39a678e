"""Automations in SQL (seed 004 Automation): definitions with a trigger, the workflow's nodes and edges,
an optional franchise and an enabled flag; soft deleted, as BaseRecords. The trigger must be one the
gateway offers (``GATEWAY_AUTOMATIONS``, which ``automationBuilderData`` answers). A duplicate is a copy
named "<name> (copy)". Workflows are checked (``gateway.automations.definitions``) as they are saved; the
runner (``gateway.automations.runner``) runs them."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from gateway.automations.actions import ACTIONS
from gateway.automations.definitions import DefinitionProblem, uses_custom_fields, workflow
from gateway.backends.automations import TRIGGER_ENTITIES
from gateway.backends.customization import (
    GATEWAY_AUTOMATIONS,
    Automation,
    AutomationBuilderData,
    AutomationChange,
)
from gateway.backends.errors import Rejected
from gateway.backends.sql import tables as t
from gateway.backends.sql.area import SqlArea, storable
from gateway.backends.sql.customization_rows import (
    as_id,
    custom_types,
    custom_types_query,
    invalid,
    iso,
    not_found,
    soft_deleted,
)
from gateway.ids import utcnow, uuid7

AUTOMATIONS = t.automations
# AutomationChange's fields -> columns (nodes and edges are stored as JSON text).
COLUMNS = {
    "name": "name",
    "trigger": "trigger",
    "nodes": "nodes",
    "edges": "edges",
    "franchise_id": "franchise_id",
    "delayed_automations_count": "delayed_automations_count",
    "enabled": "enabled",
}


class AutomationSteps(SqlArea):
    async def automations(self) -> list[Automation]:
        statement = (
            sa.select(AUTOMATIONS)
            .where(AUTOMATIONS.c.tenant == self.tenant, AUTOMATIONS.c.is_deleted.is_(False))
            .order_by(AUTOMATIONS.c.date_created, AUTOMATIONS.c.id)
        )
        return [automation_from_row(row) for row in (await self.read(statement)).mappings()]

    async def automation(self, automation_id: str) -> Automation:
        statement = sa.select(AUTOMATIONS).where(*self._live(automation_id))
        row = (await self.read(statement)).mappings().first()
        if row is None:
            raise not_found("automation")
        return automation_from_row(row)

    async def create_automation(self, change: AutomationChange) -> Automation:
        if change.name is None or change.trigger is None:
            raise invalid("input", "name and automationTrigger are required.")
        row = {
            "id": uuid7(),
            "tenant": self.tenant,
            "date_created": utcnow(),
            "created_by": self.actor,
            "date_modified": None,
            "nodes": "[]",
            "edges": "[]",
            "franchise_id": None,
            "delayed_automations_count": 0,
            "enabled": True,
        } | _columns(change)
        await self._check_workflow(change.trigger, change.nodes or [], change.edges or [])
        async with self.transaction() as connection:
            await self.run(connection, sa.insert(AUTOMATIONS).values(storable(row)))
        return automation_from_row(row)

    async def update_automation(self, automation_id: str, change: AutomationChange) -> Automation:
        values = _columns(change) | {"date_modified": utcnow(), "modified_by": self.actor}
        if change.trigger is not None or change.nodes is not None or change.edges is not None:
            current = await self.automation(automation_id)
            trigger = change.trigger or current.trigger or ""
            nodes, edges = _given(change.nodes, current.nodes), _given(change.edges, current.edges)
            await self._check_workflow(trigger, nodes, edges)
        statement = (
            sa.update(AUTOMATIONS)
            .where(*self._live(automation_id))
            .values({**storable(values), "version": AUTOMATIONS.c.version + 1})
            .returning(*AUTOMATIONS.c)
        )
        async with self.transaction() as connection:
            row = (await self.run(connection, statement)).mappings().first()
        if row is None:
            raise not_found("automation")
        return automation_from_row(row)

    async def delete_automation(self, automation_id: str) -> None:
        statement = sa.update(AUTOMATIONS).where(*self._live(automation_id)).values(soft_deleted(self.actor))
        async with self.transaction() as connection:
            if (await self.run(connection, statement)).rowcount == 0:
                raise not_found("automation")

    async def duplicate_automation(self, automation_id: str) -> Automation:
        original = await self.automation(automation_id)
        copy = AutomationChange(
            name=f"{original.name} (copy)",
            trigger=original.trigger,
            nodes=original.nodes,
            edges=original.edges,
            franchise_id=original.franchise_id,
            delayed_automations_count=original.delayed_automations_count,
            enabled=original.enabled,
        )
        return await self.create_automation(copy)

    async def automation_builder_data(self) -> AutomationBuilderData:
        # The actions are those registered (gateway.automations.actions).
        return replace(GATEWAY_AUTOMATIONS, actions=tuple(ACTIONS))

    async def _check_workflow(self, trigger: str, nodes: list[Any], edges: list[Any]) -> None:
        """Refuse a workflow the runner could not run (``gateway.automations.definitions``); conditions
        may name the custom fields the trigger's entity has now."""
        custom: dict[str, tuple[str, Any]] = {}
        if trigger in TRIGGER_ENTITIES and uses_custom_fields(nodes):
            custom = custom_types(await self.read(custom_types_query(self.tenant, TRIGGER_ENTITIES[trigger])))
        try:
            workflow(trigger, nodes, edges, custom)
        except DefinitionProblem as problem:
            raise Rejected(problem.code, str(problem), field=problem.field) from None

    def _live(self, automation_id: str) -> list[Any]:
        return [
            AUTOMATIONS.c.tenant == self.tenant,
            AUTOMATIONS.c.id == as_id(automation_id, "automation"),
            AUTOMATIONS.c.is_deleted.is_(False),
        ]


def _columns(change: AutomationChange) -> dict[str, Any]:
    """The columns a change sets (fields left None stay), checked."""
    if change.trigger is not None and change.trigger not in GATEWAY_AUTOMATIONS.triggers:
        triggers = ", ".join(GATEWAY_AUTOMATIONS.triggers)
        raise invalid("automationTrigger", f"Unknown automation trigger; one of {triggers}.")
    values = {column: getattr(change, field) for field, column in COLUMNS.items()}
    for name in ("nodes", "edges"):
        if values[name] is not None:
            values[name] = json.dumps(values[name])
    return {column: value for column, value in values.items() if value is not None}


def _given(value: list[Any] | None, current: list[Any]) -> list[Any]:
    return current if value is None else value


def automation_from_row(row: Any) -> Automation:
    return Automation(
        id=str(row["id"]),
        name=row["name"],
        trigger=row["trigger"],
        nodes=json.loads(row["nodes"]),
        edges=json.loads(row["edges"]),
        franchise_id=row["franchise_id"],
        delayed_automations_count=row["delayed_automations_count"],
        date_created=iso(row["date_created"]),
        date_modified=iso(row.get("date_modified")),
        enabled=row["enabled"],
    )
