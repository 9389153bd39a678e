"""Customization (seed 004): custom fields, custom labels, saved filters, filter metadata, the
query-builder config and automations. The neutral records and the ``Customization`` protocol, served by
the ConeCRM connector or by the gateway's own database.

Refusals the caller can act on are ``gateway.backends.errors.Rejected``: reason INVALID (field
"input") or NOT_FOUND (an id that names nothing the caller may see). Ids are the backend's own strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class CustomField:
    id: str | None
    entity: str | None
    field_name: str | None
    field_type: str | None
    options: Any  # the decoded options object; the text itself when it is not JSON


@dataclass(frozen=True)
class CustomLabel:
    id: str
    value: dict[str, Any]
    date_created: str | None
    date_modified: str | None
    tenant_id: str | None = None  # the seed's ``tenant.id``: checked against the caller's


@dataclass(frozen=True)
class SavedFilter:
    id: str
    name: str | None
    module: str | None
    value: Any  # decoded from its json encoded text; the text itself when it is not JSON
    owner_id: str | None
    private: bool | None


@dataclass(frozen=True)
class FilterField:
    field: str
    type: str | None
    label: str | None
    operators: tuple[str, ...]
    options: Any


@dataclass(frozen=True)
class EntityFilters:
    entity: str
    filters: tuple[FilterField, ...]


@dataclass(frozen=True)
class QueryBuilderField:
    name: str
    label: str | None
    type: str | None


@dataclass(frozen=True)
class QueryBuilderConfig:
    entity: str
    fields: tuple[QueryBuilderField, ...]
    operators: tuple[str, ...]


@dataclass(frozen=True)
class Automation:
    id: str
    name: str | None
    trigger: str | None
    nodes: list[Any]
    edges: list[Any]
    franchise_id: str | None
    delayed_automations_count: int | None
    date_created: str | None
    date_modified: str | None
    enabled: bool | None = None  # whether it runs; None where the backend has no such flag (ConeCRM)


@dataclass(frozen=True)
class AutomationBuilderData:
    triggers: tuple[str, ...]
    actions: tuple[str, ...]
    conditions: tuple[str, ...]


@dataclass(frozen=True)
class CustomFieldChange:
    """CustomField body; None leaves a field out (PATCH) — options are sent json encoded."""

    entity: str | None = None
    field_name: str | None = None
    field_type: str | None = None
    options: dict[str, Any] | None = None


@dataclass(frozen=True)
class SavedFilterChange:
    name: str | None = None
    module: str | None = None
    value: Any = None  # sent json encoded, as the seed's SavedFilter.value
    private: bool | None = None


@dataclass(frozen=True)
class AutomationChange:
    name: str | None = None
    trigger: str | None = None
    nodes: list[Any] | None = None
    edges: list[Any] | None = None
    franchise_id: str | None = None
    delayed_automations_count: int | None = None
    enabled: bool | None = None


FIELD_TYPES = ("string", "number", "boolean", "date", "datetime", "enum")
# What the gateway's own automations offer: the triggers, actions and conditions it will run.
GATEWAY_AUTOMATIONS = AutomationBuilderData(
    triggers=("lead.created", "lead.stageChanged", "task.completed", "communication.created"),
    actions=("createTask", "assignUser", "moveLeadToStage", "sendEmail", "sendSms", "addTag"),
    conditions=("queryBuilder",),
)


class Customization(Protocol):
    """One call per method, on the caller's tenant; writes take effect when they return."""

    async def custom_fields(self, entity: str | None = None) -> list[CustomField]: ...

    async def create_custom_field(self, change: CustomFieldChange) -> CustomField: ...

    async def update_custom_field(self, field_id: str, change: CustomFieldChange) -> CustomField: ...

    async def delete_custom_field(self, field_id: str) -> None: ...

    async def custom_labels(self) -> list[CustomLabel]: ...

    async def create_custom_label(self, value: dict[str, Any]) -> CustomLabel: ...

    async def update_custom_label(self, label_id: str, value: dict[str, Any]) -> CustomLabel: ...

    async def delete_custom_label(self, label_id: str) -> None: ...

    async def saved_filters(self) -> list[SavedFilter]:
        """The caller's own saved filters and the shared ones."""
        ...

    async def saved_filter(self, filter_id: str) -> SavedFilter: ...

    async def create_saved_filter(self, change: SavedFilterChange) -> SavedFilter: ...

    async def update_saved_filter(self, filter_id: str, change: SavedFilterChange) -> SavedFilter: ...

    async def delete_saved_filter(self, filter_id: str) -> None: ...

    async def filters(self) -> list[EntityFilters]: ...

    async def entity_filters(self, entity: str) -> EntityFilters: ...

    async def query_builder_config(self, entity: str) -> QueryBuilderConfig: ...

    async def automations(self) -> list[Automation]: ...

    async def automation(self, automation_id: str) -> Automation: ...

    async def create_automation(self, change: AutomationChange) -> Automation: ...

    async def update_automation(self, automation_id: str, change: AutomationChange) -> Automation: ...

    async def delete_automation(self, automation_id: str) -> None: ...

    async def duplicate_automation(self, automation_id: str) -> Automation: ...

    async def automation_builder_data(self) -> AutomationBuilderData: ...
