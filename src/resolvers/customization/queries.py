"""Customization queries: each field is one ConeCRM call (seed 004).

Permissions: custom fields and custom labels describe the tenant's forms, not records, so every caller
of the tenant may read them (like ``permissions``); filter metadata, the query-builder config and saved
filters serve searching, so they need ``CRM_SEARCH_ALL``; automations ``CRM_AUTOMATION_VIEW``.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.permissions import CRM_AUTOMATION_VIEW, CRM_SEARCH_ALL, CUST_READ
from resolvers.common.permissions import requires
from resolvers.customization import validation as check
from resolvers.customization.errors import customization, found_or_none
from resolvers.customization.types import (
    Automation,
    AutomationBuilderData,
    CustomField,
    CustomLabel,
    EntityFilters,
    QueryBuilderConfig,
    SavedFilter,
    automation_type,
    builder_data_type,
    config_type,
    custom_field_type,
    custom_label_type,
    entity_filters_type,
    saved_filter_type,
)

EntityName = Annotated[str, strawberry.argument(description='A ConeCRM entity name, e.g. "contact".')]
AnyEntity = Annotated[
    str | None, strawberry.argument(description='A ConeCRM entity name, e.g. "contact"; null for all.')
]
RecordId = Annotated[str, strawberry.argument(description="ConeCRM's id.")]


@strawberry.type
class CustomizationQuery:
    # Field and label definitions describe the tenant's customer forms: whoever may read customers
    # may read them (every path to data is gated, even to metadata).
    @strawberry.field(
        description="ConeCRM's custom fields, of one entity or of all (`GET /api/custom-field`).",
        extensions=requires(CUST_READ),
    )
    async def custom_fields(
        self, info: strawberry.Info, entity: AnyEntity = None
    ) -> list[CustomField] | None:
        api = customization(info)
        check.refuse(check.entity(entity, ["entity"]))
        return [custom_field_type(item) for item in await api.custom_fields(entity)]

    @strawberry.field(
        description="The tenant's custom labels in ConeCRM (`GET /api/custom-labels`).",
        extensions=requires(CUST_READ),
    )
    async def custom_labels(self, info: strawberry.Info) -> list[CustomLabel] | None:
        return [custom_label_type(item) for item in await customization(info).custom_labels()]

    @strawberry.field(
        description="Your saved filters and the shared ones (`GET /api/saved-filter`).",
        extensions=requires(CRM_SEARCH_ALL),
    )
    async def saved_filters(self, info: strawberry.Info) -> list[SavedFilter] | None:
        return [saved_filter_type(item) for item in await customization(info).saved_filters()]

    @strawberry.field(
        description="One saved filter; null when ConeCRM does not know it (`GET /api/saved-filter/{id}`).",
        extensions=requires(CRM_SEARCH_ALL),
    )
    async def saved_filter(self, info: strawberry.Info, id: RecordId) -> SavedFilter | None:
        api = customization(info)
        check.refuse(check.record_id(id))
        found = await found_or_none(api.saved_filter(id))
        return None if found is None else saved_filter_type(found)

    @strawberry.field(
        description="The fields each entity can be filtered on, or one entity's (`GET /api/filters`).",
        extensions=requires(CRM_SEARCH_ALL),
    )
    async def filter_metadata(
        self, info: strawberry.Info, entity: AnyEntity = None
    ) -> list[EntityFilters] | None:
        api = customization(info)
        check.refuse(check.entity(entity, ["entity"]))
        found = await api.filters() if entity is None else [await api.entity_filters(entity)]
        return [entity_filters_type(item) for item in found]

    @strawberry.field(
        description="The fields and operators ConeCRM's query builder accepts for an entity.",
        extensions=requires(CRM_SEARCH_ALL),
    )
    async def query_builder_config(
        self, info: strawberry.Info, entity: EntityName
    ) -> QueryBuilderConfig | None:
        api = customization(info)
        check.refuse(check.entity(entity, ["entity"]))
        return config_type(await api.query_builder_config(entity))

    @strawberry.field(
        description="ConeCRM's automations (`GET /api/automation`).", extensions=requires(CRM_AUTOMATION_VIEW)
    )
    async def automations(self, info: strawberry.Info) -> list[Automation] | None:
        return [automation_type(item) for item in await customization(info).automations()]

    @strawberry.field(
        description="One automation; null when ConeCRM does not know it (`GET /api/automation/{id}`).",
        extensions=requires(CRM_AUTOMATION_VIEW),
    )
    async def automation(self, info: strawberry.Info, id: RecordId) -> Automation | None:
        api = customization(info)
        check.refuse(check.record_id(id))
        found = await found_or_none(api.automation(id))
        return None if found is None else automation_type(found)

    @strawberry.field(
        description="The triggers, actions and conditions the automation builder offers.",
        extensions=requires(CRM_AUTOMATION_VIEW),
    )
    async def automation_builder_data(self, info: strawberry.Info) -> AutomationBuilderData | None:
        return builder_data_type(await customization(info).automation_builder_data())
