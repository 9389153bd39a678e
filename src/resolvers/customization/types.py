"""Customization types: ConeCRM's JSON (seed 004 schemas) as typed fields; free-form parts as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry.scalars import JSON

from gateway.backends import customization as records
from gateway.permissions import CRM_SEARCH_ALL
from resolvers.common.arguments import AFTER, BEFORE, FIRST, LAST
from resolvers.common.permissions import requires

if TYPE_CHECKING:
    from resolvers.customization.results import SavedFilterResults

# The union of the lists' connections lives with the lists, which import this module.
ResultsOfSavedFilter = Annotated["SavedFilterResults", strawberry.lazy("resolvers.customization.results")]  # type: ignore[valid-type]


@strawberry.type(description="A custom field of a ConeCRM entity (seed 004 CustomField).")
class CustomField:
    id: str | None = strawberry.field(
        description="ConeCRM's id of the custom field, as `customFieldUpdate`/`customFieldDelete` take it "
        "(the seed's CustomField schema has none: null when ConeCRM does not send one)."
    )
    entity: str | None = strawberry.field(description='The entity it belongs to, e.g. "contact".')
    field_name: str | None = strawberry.field(description="fieldName: the name of the custom field.")
    field_type: str | None = strawberry.field(description='fieldType, e.g. "number", "string", "enum".')
    options: JSON | None = strawberry.field(
        description='options, decoded from ConeCRM\'s json encoded text, e.g. {"min": 1, "max": 10}.'
    )


@strawberry.type(description="A set of custom labels of the tenant (seed 004 CustomLabel).")
class CustomLabel:
    id: str = strawberry.field(description="ConeCRM's id of the custom label (a UUID).")
    value: JSON = strawberry.field(
        description='The labels as a JSON object, e.g. {"label1": "Custom Label 1"}.'
    )
    date_created: str | None = strawberry.field(description="dateCreated, as ConeCRM sends it (ISO 8601).")
    date_modified: str | None = strawberry.field(
        description="dateModified (ISO 8601); null if never changed."
    )


@strawberry.type(description="A saved filter (seed 004 SavedFilter): the caller's own or a shared one.")
class SavedFilter:
    id: str = strawberry.field(description="ConeCRM's id of the saved filter.")
    name: str | None = strawberry.field(description="The name of the saved filter.")
    module: str | None = strawberry.field(description='The module (entity) it filters, e.g. "contact".')
    value: JSON | None = strawberry.field(
        description="The filter configuration (e.g. a QueryBuilderQuery), decoded from ConeCRM's json "
        "encoded text; the text itself when it is not JSON."
    )
    owner_id: str | None = strawberry.field(description="ConeCRM's id of the user who owns the filter.")
    private: bool | None = strawberry.field(description="Whether only its owner sees it (false: shared).")

    @strawberry.field(
        description="The rows of its module that its query (`value`, a QueryBuilderQuery) matches, paged "
        "as the module's root list with `query:`; also needs the module's read permission.",
        extensions=requires(CRM_SEARCH_ALL),
    )
    async def results(
        self,
        info: strawberry.Info,
        first: FIRST = None,
        after: AFTER = None,
        last: LAST = None,
        before: BEFORE = None,
    ) -> ResultsOfSavedFilter | None:
        from resolvers.customization.results import saved_filter_results  # the lists import this module

        paging = {"first": first, "after": after, "last": last, "before": before}
        return await saved_filter_results(info, self.module, self.value, paging)


@strawberry.type(description="A field an entity can be filtered on (seed 004 Filter).")
class FilterField:
    field: str = strawberry.field(
        description='The field path, e.g. "primaryEmail" or "customFields.shoeSize".'
    )
    type: str | None = strawberry.field(description="string, number, boolean, date, datetime or enum.")
    label: str | None = strawberry.field(description="The human-readable label.")
    operators: list[str] = strawberry.field(description='The operators it accepts, e.g. "=", "contains".')
    options: JSON | None = strawberry.field(description="Additional options (e.g. enum values), as sent.")


@strawberry.type(description="The filters of one entity (seed 004 EntityFilters).")
class EntityFilters:
    entity: str = strawberry.field(description='The entity name, e.g. "contact".')
    filters: list[FilterField] = strawberry.field(description="The fields it can be filtered on.")


@strawberry.type(description="A field of ConeCRM's query builder for an entity.")
class QueryBuilderField:
    name: str = strawberry.field(description="The field path a QueryBuilderRule's `field` takes.")
    label: str | None = strawberry.field(description="The human-readable label.")
    type: str | None = strawberry.field(description="The value type, where ConeCRM says it.")


@strawberry.type(description="What ConeCRM's query builder accepts for an entity (its config endpoint).")
class QueryBuilderConfig:
    entity: str = strawberry.field(description="The entity asked for.")
    fields: list[QueryBuilderField] = strawberry.field(description="The fields rules can name.")
    operators: list[str] = strawberry.field(description="The operators rules can use.")


@strawberry.type(description="An automation workflow (seed 004 Automation).")
class Automation:
    id: str = strawberry.field(description="ConeCRM's id of the automation.")
    name: str | None = strawberry.field(description="The name of the automation.")
    automation_trigger: str | None = strawberry.field(description='The trigger type, e.g. "lead.created".')
    nodes: JSON = strawberry.field(description="The workflow's nodes (a list of JSON objects).")
    edges: JSON = strawberry.field(description="The workflow's edges (a list of JSON objects).")
    franchise_id: str | None = strawberry.field(description="ConeCRM's id of its franchise, if any.")
    delayed_automations_count: int | None = strawberry.field(
        description="The number of delayed automations associated with it."
    )
    date_created: str | None = strawberry.field(description="dateCreated (ISO 8601).")
    date_modified: str | None = strawberry.field(
        description="dateModified (ISO 8601); null if never changed."
    )
    enabled: bool | None = strawberry.field(
        description="Whether it runs (the gateway's own automations); null where the backend has no such "
        "flag (ConeCRM)."
    )


@strawberry.type(description="What the automation builder offers (seed 004 builder data).")
class AutomationBuilderData:
    triggers: list[str] = strawberry.field(description="Trigger types an automation can start on.")
    actions: list[str] = strawberry.field(description="Actions a node can take.")
    conditions: list[str] = strawberry.field(description="Conditions a node can test.")


def custom_field_type(item: records.CustomField) -> CustomField:
    return CustomField(
        id=item.id,
        entity=item.entity,
        field_name=item.field_name,
        field_type=item.field_type,
        options=cast(JSON, item.options),
    )


def custom_label_type(item: records.CustomLabel) -> CustomLabel:
    return CustomLabel(
        id=item.id,
        value=cast(JSON, item.value),
        date_created=item.date_created,
        date_modified=item.date_modified,
    )


def saved_filter_type(item: records.SavedFilter) -> SavedFilter:
    return SavedFilter(
        id=item.id,
        name=item.name,
        module=item.module,
        value=cast(JSON, item.value),
        owner_id=item.owner_id,
        private=item.private,
    )


def entity_filters_type(item: records.EntityFilters) -> EntityFilters:
    filters = [
        FilterField(field=f.field, type=f.type, label=f.label, operators=list(f.operators), options=f.options)
        for f in item.filters
    ]
    return EntityFilters(entity=item.entity, filters=filters)


def config_type(item: records.QueryBuilderConfig) -> QueryBuilderConfig:
    fields = [QueryBuilderField(name=f.name, label=f.label, type=f.type) for f in item.fields]
    return QueryBuilderConfig(entity=item.entity, fields=fields, operators=list(item.operators))


def automation_type(item: records.Automation) -> Automation:
    return Automation(
        id=item.id,
        name=item.name,
        automation_trigger=item.trigger,
        nodes=cast(JSON, item.nodes),
        edges=cast(JSON, item.edges),
        franchise_id=item.franchise_id,
        delayed_automations_count=item.delayed_automations_count,
        date_created=item.date_created,
        date_modified=item.date_modified,
        enabled=item.enabled,
    )


def builder_data_type(item: records.AutomationBuilderData) -> AutomationBuilderData:
    return AutomationBuilderData(
        triggers=list(item.triggers), actions=list(item.actions), conditions=list(item.conditions)
    )
