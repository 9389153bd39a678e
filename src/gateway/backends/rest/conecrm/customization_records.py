"""ConeCRM's customization data (seed 004) read from its JSON into the neutral records.

Seed schemas: CustomField {entity, fieldName, fieldType, options: json encoded object} (plus the ``id``
its PATCH/DELETE path takes), CustomLabel (BaseRecord + tenant + value object), SavedFilter {id, name,
module, value: json encoded, owner, private}, Filter {field, type, label, operators, options},
EntityFilters {entity, filters}, the query-builder config {fields: [object], operators}, Automation
(BaseRecord + name, automationTrigger, nodes, edges, franchise, delayedAutomationsCount) and the
builder data {triggers, actions, conditions}. A field of the wrong type is an ``InvalidAnswer``.
"""

from __future__ import annotations

import json
from typing import Any

from gateway.backends.customization import (
    Automation,
    AutomationBuilderData,
    CustomField,
    CustomLabel,
    EntityFilters,
    FilterField,
    QueryBuilderConfig,
    QueryBuilderField,
    SavedFilter,
)


class InvalidAnswer(ValueError):
    """The answer is not the seed's shape (the message names the field, never its value)."""


def _get(item: Any, name: str, kind: type | tuple[type, ...], required: bool = False) -> Any:
    if not isinstance(item, dict):
        raise InvalidAnswer("an item is not a JSON object")
    value = item.get(name)
    if value is None:
        if required:
            raise InvalidAnswer(f"{name} is missing")
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise InvalidAnswer(f"{name} has the wrong type")
    return value


def _text_list(item: Any, name: str) -> tuple[str, ...]:
    values = _get(item, name, list) or []
    return tuple(str(value) for value in values if value is not None)


def decoded(text: str | None) -> Any:
    """A json encoded field (CustomField.options, SavedFilter.value) decoded; its text if not JSON."""
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _reference(item: Any, name: str) -> str | None:
    reference = _get(item, name, dict)
    return None if reference is None or reference.get("id") is None else str(reference["id"])


def custom_field(item: Any) -> CustomField:
    options = _get(item, "options", str)
    return CustomField(
        id=None if _get(item, "id", (str, int)) is None else str(item["id"]),
        entity=_get(item, "entity", str),
        field_name=_get(item, "fieldName", str),
        field_type=_get(item, "fieldType", str),
        options=decoded(options),
    )


def custom_label(item: Any) -> CustomLabel:
    return CustomLabel(
        id=str(_get(item, "id", str, required=True)),
        value=_get(item, "value", dict) or {},
        date_created=_get(item, "dateCreated", str),
        date_modified=_get(item, "dateModified", str),
        tenant_id=_reference(item, "tenant"),
    )


def saved_filter(item: Any) -> SavedFilter:
    return SavedFilter(
        id=str(_get(item, "id", (str, int), required=True)),
        name=_get(item, "name", str),
        module=_get(item, "module", str),
        value=decoded(_get(item, "value", str)),
        owner_id=_reference(item, "owner"),
        private=_get(item, "private", bool),
    )


def filter_field(item: Any) -> FilterField:
    return FilterField(
        field=_get(item, "field", str, required=True),
        type=_get(item, "type", str),
        label=_get(item, "label", str),
        operators=_text_list(item, "operators"),
        options=item.get("options"),
    )


def entity_filters(item: Any) -> EntityFilters:
    filters = _get(item, "filters", list) or []
    return EntityFilters(_get(item, "entity", str, required=True), tuple(filter_field(f) for f in filters))


def query_builder_config(entity: str, item: Any) -> QueryBuilderConfig:
    fields = tuple(
        QueryBuilderField(
            name=_get(field, "name", str, required=True),
            label=_get(field, "label", str),
            type=_get(field, "type", str),
        )
        for field in _get(item, "fields", list) or []
    )
    return QueryBuilderConfig(entity, fields, _text_list(item, "operators"))


def automation(item: Any) -> Automation:
    return Automation(
        id=str(_get(item, "id", (str, int), required=True)),
        name=_get(item, "name", str),
        trigger=_get(item, "automationTrigger", str),
        nodes=_get(item, "nodes", list) or [],
        edges=_get(item, "edges", list) or [],
        franchise_id=_reference(item, "franchise"),
        delayed_automations_count=_get(item, "delayedAutomationsCount", int),
        date_created=_get(item, "dateCreated", str),
        date_modified=_get(item, "dateModified", str),
    )


def builder_data(item: Any) -> AutomationBuilderData:
    return AutomationBuilderData(
        _text_list(item, "triggers"), _text_list(item, "actions"), _text_list(item, "conditions")
    )


def listed(items: Any, read: Any) -> list[Any]:
    if not isinstance(items, list):
        raise InvalidAnswer("the answer is not a list")
    return [read(item) for item in items]
